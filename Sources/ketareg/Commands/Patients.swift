import ArgumentParser
import RegistryCore
import RegistryStore

struct Enroll: ParsableCommand {
    static let configuration = CommandConfiguration(
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

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The clinic's medical record number.", valueName: "mrn")) var mrn: String
    @Option(help: ArgumentHelp("Given name.", valueName: "name")) var given: String
    @Option(help: ArgumentHelp("Family name.", valueName: "name")) var family: String
    @Option(name: .customLong("birth-date"), help: ArgumentHelp("Date of birth, YYYY-MM-DD.", valueName: "date")) var birthDate: String
    @Option(help: ArgumentHelp("female, male, other or unknown.", valueName: "sex")) var sex: String
    @Option(help: ArgumentHelp("A condition id; repeat for each condition.", valueName: "id")) var condition: [String] = []
    @Option(name: .customLong("enrolled-on"), help: ArgumentHelp("Enrolment date, YYYY-MM-DD (default: today).", valueName: "date")) var enrolledOn: String?
    @Option(name: .customLong("research-consent"), help: ArgumentHelp("yes or no: may anonymised data about this patient go to research endpoints (default: no).", valueName: "yes|no")) var researchConsent: String = "no"
    @Option(name: .customLong("prior-treatment"), help: ArgumentHelp("A treatment tried before ketamine, CATEGORY[:ADEQUATE-TRIALS]; repeat for each. Categories: \(PriorTreatmentCategory.allowedWords).", valueName: "treatment")) var priorTreatment: [String] = []

    func validate() throws {
        if condition.isEmpty { throw ValidationError("Missing expected argument '--condition <id>' (give at least one)") }
    }

    func run() throws {
        let catalog = try global.catalog()
        let consent: Bool
        switch researchConsent.lowercased() {
        case "yes", "y", "true": consent = true
        case "no", "n", "false": consent = false
        default: throw InputError(field: "research-consent", got: researchConsent, allowed: "yes or no")
        }
        let enrollment = Enrollment(
            identity: PatientIdentity(mrn: mrn, givenName: given, familyName: family,
                                      birthDate: try ClinicDay.parse(birthDate, field: "birth-date")),
            sex: try Sex.parse(sex, field: "sex"),
            conditions: condition.map { $0.lowercased() },
            enrolledOn: try enrolledOn.map { try ClinicDay.parse($0, field: "enrolled-on") } ?? ClinicDay.today(),
            researchConsent: consent,
            priorTreatments: try priorTreatment.map { try PriorTreatment.parse($0) })
        let registry = try global.openRegistry()
        let patient = try registry.enroll(enrollment, catalog: catalog, actor: global.actorName)
        if output.json { return try printJSON(patient) }
        print(patient.id)
        note("Enrolled \(patient.id) for \(patient.conditions.joined(separator: ", ")). Next: 'ketareg infusion add \(patient.id) ...' or 'ketareg assess \(patient.id) ...'.")
    }
}

struct Patients: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the clinic's patients.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("Only patients enrolled for this condition.", valueName: "id")) var condition: String?

    func run() throws {
        let catalog = try global.catalog()
        if let condition, catalog.condition(condition.lowercased()) == nil {
            throw CatalogError.noSuchCondition(id: condition, known: catalog.conditionIDs)
        }
        let patients = try global.openRegistry().patients(condition: condition?.lowercased())
        if output.json { return try printJSON(["patients": patients]) }
        if patients.isEmpty {
            print("No patients\(condition.map { " enrolled for \($0)" } ?? ""). Enrol one with 'ketareg enroll --help'.")
            return
        }
        var rows = [["ID", "NAME", "MRN", "SEX", "ENROLLED", "CONDITIONS", "INFUSIONS", "LAST ASSESSED", "CONSENT", "FLAGS"]]
        for patient in patients {
            rows.append([patient.id, "\(patient.familyName), \(patient.givenName)", patient.mrn, patient.sex, patient.enrolledOn,
                         patient.conditions.joined(separator: ","), String(patient.infusions), patient.lastAssessedOn ?? "-",
                         patient.consentWithdrawnOn != nil ? "withdrawn" : (patient.researchConsent ? "yes" : "no"),
                         patient.flags.isEmpty ? "" : patient.flags.joined(separator: ",")])
        }
        print(table(rows))
        print("\(patients.count) patient\(patients.count == 1 ? "" : "s").")
    }
}

struct PatientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patient",
        abstract: "Show one patient, or record that they withdrew research consent.",
        subcommands: [Show.self, WithdrawConsent.self]
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The clinic's page for one patient: conditions, history, a timeline of infusions and scores, adverse events, co-interventions."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: ArgumentHelp("The patient's registry id, e.g. P-000042.", valueName: "id")) var id: String

        func run() throws {
            let patient = try patientID(id)
            let registry = try global.openRegistry()
            let catalog = try global.catalog()
            var page = try registry.patientPage(patient)
            page.courses = try courseProgress(registry: registry, patient: patient, catalog: catalog, today: ClinicDay.today())
            if output.json { return try printJSON(page) }
            print(PatientPageText(page: page, catalog: catalog).render())
        }
    }

    struct WithdrawConsent: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "withdraw-consent",
            abstract: "Record that a patient withdrew research consent: no later export includes them.",
            discussion: "Clinical recording goes on as before. The reason is kept in the audit trail and never exported."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: ArgumentHelp("The patient's registry id.", valueName: "id")) var id: String
        @Option(help: ArgumentHelp("Why consent was withdrawn (required).", valueName: "text")) var reason: String
        @Option(help: ArgumentHelp("When, YYYY-MM-DD (default: today).", valueName: "date")) var on: String?

        func run() throws {
            let date = try on.map { try ClinicDay.parse($0, field: "on") } ?? ClinicDay.today()
            let patient = try global.openRegistry().withdrawConsent(try patientID(id), on: date, reason: reason, actor: global.actorName)
            if output.json { return try printJSON(patient) }
            print("\(patient.id) withdrew research consent on \(patient.consentWithdrawnOn ?? date.description); no export built from now on includes them.")
        }
    }
}

/// Where a patient is in the course of each of their conditions.
func courseProgress(registry: Registry, patient: RecordID, catalog: ConditionCatalog, today: ClinicalDate) throws -> [CourseProgress] {
    guard let history = try registry.histories(patient: patient).first else { return [] }
    return CourseProgress.all(patient: history, catalog: catalog, today: today)
}

/// Reads a patient id as typed, or says what one looks like.
func patientID(_ text: String, field: String = "<id>") throws -> RecordID {
    guard let id = RecordID(text), id.kind == .patient else {
        throw InputError(field: field, got: text, allowed: "a patient id such as P-000042 (see 'ketareg patients')")
    }
    return id
}
