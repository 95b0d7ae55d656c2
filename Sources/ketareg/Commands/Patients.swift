import ArgumentParser
import ClinicWork
import RegistryCore
import RegistryStore

struct Enroll: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Enrol a new patient and print their registry id (P-000042).",
        discussion: """
            Name, MRN and birth date stay at the clinic: they are kept apart from clinical data and \
            never exported. Give --condition once per condition (migraine, depression, \
            neuropathic-pain, ...; see 'ketareg conditions').

            Example:
              ketareg enroll --mrn 100234 --given Ann --family Smith --birth-date 1979-03-14 \\
                --sex female --condition depression --prior-treatment antidepressants:3
            """
    )

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false

    @Option(help: ArgumentHelp("The clinic's medical record number.", valueName: "mrn")) var mrn: String
    @Option(help: ArgumentHelp("Given name.", valueName: "name")) var given: String
    @Option(help: ArgumentHelp("Family name.", valueName: "name")) var family: String
    @Option(name: .customLong("birth-date"), help: ArgumentHelp("Date of birth, YYYY-MM-DD.", valueName: "date"))
    var birthDate: String
    @Option(help: ArgumentHelp("female, male, other or unknown.", valueName: "sex")) var sex: String
    @Option(
        help: ArgumentHelp("A condition id; repeat for each condition.", valueName: "id"),
        completion: conditionCompletion) var condition: [String] = []
    @Option(
        name: .customLong("enrolled-on"),
        help: ArgumentHelp("Enrolment date, YYYY-MM-DD (default: today).", valueName: "date")) var enrolledOn: String?
    @Option(
        name: .customLong("research-consent"),
        help: ArgumentHelp(
            "yes or no: may anonymised data about this patient go to research endpoints (default: no).",
            valueName: "yes|no")) var researchConsent: String = "no"
    @Option(
        name: .customLong("consented-on"),
        help: ArgumentHelp(
            "With --research-consent yes: the day consent was signed, when before enrolment (default: the enrolment day).",
            valueName: "date")) var consentedOn: String?
    @Option(
        name: .customLong("prior-treatment"),
        help: ArgumentHelp(
            "A treatment tried before ketamine, CATEGORY[:ADEQUATE-TRIALS]; repeat for each. Categories: \(PriorTreatmentCategory.allowedWords).",
            valueName: "treatment")) var priorTreatment: [String] = []

    func validate() throws {
        if condition.isEmpty {
            throw ValidationError("Missing expected argument '--condition <id>' (give at least one)")
        }
    }

    func run() throws {
        let catalog = try global.moduleCatalog()
        let consent: Bool
        switch researchConsent.lowercased() {
        case "yes", "y", "true": consent = true
        case "no", "n", "false": consent = false
        default: throw InputError(field: "research-consent", got: researchConsent, allowed: "yes or no")
        }
        let identity = PatientIdentity(
            mrn: mrn, givenName: given, familyName: family,
            birthDate: try ClinicDay.parse(birthDate, field: "birth-date"))
        let sex = try Sex.parse(sex, field: "sex")
        let enrolledOn = try enrolledOn.map { try ClinicDay.parse($0, field: "enrolled-on") }
        let priorTreatments = try priorTreatment.map { try PriorTreatment.parse($0) }
        let consentedOn = try consentedOn.map { try ClinicDay.parse($0, field: "consented-on") }
        let patient = try Enrolment(registry: try global.openRegistry(), catalog: catalog).enrol(
            identity, sex: sex, conditions: condition, enrolledOn: enrolledOn, researchConsent: consent,
            consentedOn: consentedOn, priorTreatments: priorTreatments, actor: global.actorName)
        if json { return try printJSON(patient) }
        print(patient.id)
        note(
            "Enrolled \(patient.id) for \(patient.conditions.joined(separator: ", ")). Next: 'ketareg infusion add \(patient.id) ...' or 'ketareg assess \(patient.id) ...'."
        )
    }
}

struct Patients: RegistryCommand {
    static let configuration = CommandConfiguration(commandName: "patients", abstract: "List the clinic's patients.")

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false

    @Option(help: ArgumentHelp("Only patients enrolled for this condition.", valueName: "id")) var condition: String?

    func run() throws {
        let catalog = try global.catalog()
        if let condition, catalog.condition(condition.lowercased()) == nil {
            throw CatalogError.noSuchCondition(id: condition, known: catalog.conditionIDs)
        }
        let patients = try global.openRegistry().patients(condition: condition?.lowercased())
        if json {
            // What printJSON would write, without the encoder's cost on a long list.
            return try printJSONText(PatientSummary.prettyJSON(patients: patients))
        }
        if patients.isEmpty {
            print(
                "No patients\(condition.map { " enrolled for \($0)" } ?? ""). Enrol one with 'ketareg enroll --help'.")
            return
        }
        var rows = [
            ["ID", "NAME", "MRN", "SEX", "ENROLLED", "CONDITIONS", "INFUSIONS", "LAST ASSESSED", "CONSENT", "FLAGS"]
        ]
        for patient in patients {
            rows.append([
                patient.id, "\(patient.familyName), \(patient.givenName)", patient.mrn, patient.sex, patient.enrolledOn,
                patient.conditions.joined(separator: ","), String(patient.infusions), patient.lastAssessedOn ?? "-",
                patient.consentWithdrawnOn != nil ? "withdrawn" : (patient.researchConsent ? "yes" : "no"),
                patient.flags.isEmpty ? "" : patient.flags.joined(separator: ","),
            ])
        }
        print(table(rows))
        print("\(patients.count) patient\(patients.count == 1 ? "" : "s").")
    }
}

/// Where a patient is in the course of each of their conditions.
func courseProgress(registry: Registry, patient: RecordID, catalog: ConditionCatalog, today: ClinicalDate) throws
    -> [CourseProgress]
{
    guard let history = try registry.histories(patient: patient).first else { return [] }
    return CourseProgress.all(patient: history, catalog: catalog, today: today)
}

/// Reads a patient as typed: a registry id (P-000042) or an MRN, looked up only when the text is
/// not an id. Otherwise says what to type and how to find it.
func patientID(_ text: String, field: String = "<id>", registry: @autoclosure () throws -> Registry) throws -> RecordID
{
    if let id = RecordID(text), id.kind == .patient { return id }
    let trimmed = text.trimmedWhitespace
    if !trimmed.isEmpty, let id = try registry().patient(mrn: trimmed) { return id }
    throw InputError(
        field: field, got: text,
        allowed: "a patient id such as P-000042 or an enrolled MRN (find one with 'ketareg patient find NAME')")
}
