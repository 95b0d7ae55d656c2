import ArgumentParser
import RegistryCore
import RegistryStore

struct PatientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patient",
        abstract:
            "Find patients, show one, correct their identity and contact details, record their consent and conditions.",
        subcommands: [Find.self, Show.self, Edit.self, Consent.self, ConditionCommand.self, WithdrawConsent.self]
    )

    struct Find: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "find",
            abstract: "Find patients by MRN or name: id, name, MRN, birth year and conditions.",
            discussion: """
                An MRN matches exactly. A name matches from the start of the given or family name, \
                of either order ("ann smi", "smith a") or of any part of it, ignoring case, accents \
                and punctuation: 'nunez' and 'obrien' both find Nuñez-O'Brien. Every command that \
                takes a patient id takes the MRN too.

                Examples:
                  ketareg patient find 558201
                  ketareg patient find nunez
                """
        )

        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("An MRN, or the start of a name.", valueName: "text")) var text: String

        func run() throws {
            let found = try global.openRegistry().findPatients(text)
            if json { return try printJSON(["patients": found]) }
            if found.isEmpty {
                print(
                    "No patient has the MRN \(escapingControlCharacters(text)) or a name starting so. 'ketareg patients' lists everyone."
                )
                return
            }
            print(
                table(
                    [["ID", "NAME", "MRN", "BORN", "CONDITIONS"]]
                        + found.map {
                            [
                                $0.id, "\($0.familyName), \($0.givenName)", $0.mrn, String($0.birthYear),
                                $0.conditions.joined(separator: ","),
                            ]
                        }))
            print(counted(found.count, "patient") + " found.")
        }
    }

    struct Show: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract:
                "The clinic's page for one patient: conditions, history, a timeline of infusions and scores, adverse events, co-interventions."
        )

        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("The patient's registry id (P-000042) or MRN.", valueName: "id")) var id: String

        func run() throws {
            let registry = try global.openRegistry()
            let patient = try patientID(id, registry: registry)
            let catalog = try global.catalog()
            let (read, history) = try registry.patientPageAndHistory(patient)
            var page = read
            page.courses = CourseProgress.all(patient: history, catalog: catalog, today: try ClinicDay.today())
            if json { return try printJSON(page) }
            print(PatientPageText(page: page, catalog: catalog).render())
        }
    }

    struct Edit: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "edit",
            abstract: "Correct a patient's name, birth date or MRN, or set their phone, email or address.",
            discussion: """
                Give only the fields that change, and --reason. These details stay at the clinic: \
                they are never exported, and the audit trail records which fields changed, who \
                changed them, when and why, but never a value before or after, so do not write the \
                values into the reason. An empty value ("") clears a phone, email or address.

                Examples:
                  ketareg patient edit P-000042 --family "Nuñez-O'Brien" --reason "spelling at enrolment"
                  ketareg patient edit 558201 --phone "+44 20 7946 0958" --reason "new number"
                """
        )

        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("The patient's registry id (P-000042) or MRN.", valueName: "id")) var id: String
        @Option(help: ArgumentHelp("Given name.", valueName: "name")) var given: String?
        @Option(help: ArgumentHelp("Family name.", valueName: "name")) var family: String?
        @Option(name: .customLong("birth-date"), help: ArgumentHelp("Date of birth, YYYY-MM-DD.", valueName: "date"))
        var birthDate: String?
        @Option(help: ArgumentHelp("The clinic's medical record number.", valueName: "mrn")) var mrn: String?
        @Option(help: ArgumentHelp("Phone number: digits with spaces, + - ( ) or .", valueName: "number")) var phone:
            String?
        @Option(help: ArgumentHelp("Email address.", valueName: "address")) var email: String?
        @Option(help: ArgumentHelp("Postal address on one line.", valueName: "text")) var address: String?
        @Option(
            help: ArgumentHelp("Why the details change (required; without the details themselves).", valueName: "text"))
        var reason: String

        func validate() throws {
            if [given, family, birthDate, mrn, phone, email, address].allSatisfy({ $0 == nil }) {
                throw ValidationError(
                    "Give at least one field to change: --given, --family, --birth-date, --mrn, --phone, --email or --address"
                )
            }
        }

        func run() throws {
            let registry = try global.openRegistry()
            let patient = try patientID(id, registry: registry)
            let edit = IdentityEdit(
                givenName: given, familyName: family,
                birthDate: try birthDate.map { try ClinicDay.parse($0, field: "birth-date") },
                mrn: mrn, phone: phone, email: email, address: address)
            let changed = try registry.editIdentity(patient, edit, reason: reason, actor: global.actorName)
            if json {
                return try printJSON(["patient": patient.description, "changed": changed.joined(separator: ",")])
            }
            print(
                "\(patient): changed \(changed.joined(separator: ", ")). The audit trail names the fields and the reason, not the values."
            )
        }
    }

    struct Consent: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "consent",
            abstract: "Record a research-consent decision: given (again) or withdrawn, from a day on.",
            discussion: """
                Exports follow the decision in force on the day they are built: a patient who \
                withdrew is left out of every export built from that day, and one who consents \
                (again) is in every export built from then on. Clinical recording goes on either \
                way. Decisions are kept in order with their reasons ('patient show' lists them); the \
                reason is never exported. 'withdraw-consent' is a shorthand for --research no.

                Examples:
                  ketareg patient consent P-000042 --research yes --on 2026-11-20 --reason "signed form v3"
                  ketareg patient consent 558201 --research no --on today --reason "asked by phone"
                """
        )

        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("The patient's registry id (P-000042) or MRN.", valueName: "id")) var id: String
        @Option(help: ArgumentHelp("yes (consent given) or no (withdrawn).", valueName: "yes|no")) var research: String
        @Option(help: ArgumentHelp("The day the decision took effect, YYYY-MM-DD or today.", valueName: "date")) var on:
            String
        @Option(help: ArgumentHelp("How consent was given, or why it was withdrawn (required).", valueName: "text"))
        var reason: String

        func run() throws {
            let decision: Bool
            switch research.lowercased() {
            case "yes", "y", "true": decision = true
            case "no", "n", "false": decision = false
            default: throw InputError(field: "research", got: research, allowed: "yes or no")
            }
            let date = try ClinicDay.parse(on, field: "on")
            let registry = try global.openRegistry()
            let patient = try registry.setConsent(
                try patientID(id, registry: registry), research: decision, on: date, reason: reason,
                actor: global.actorName)
            if json { return try printJSON(patient) }
            print(
                decision
                    ? "\(patient.id) gave research consent from \(date); exports built from then on include them."
                    : "\(patient.id) withdrew research consent on \(date); no export built from then on includes them.")
        }
    }

    struct ConditionCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "condition",
            abstract: "Add a condition to a patient, or end one.",
            discussion: """
                An ended condition has nothing due and takes no new infusions from the day after it \
                ended; its courses still count in outcomes. Adding it again takes it up again. An \
                end damaged outside KetaReg (no longer a day) is recorded again by ending the \
                condition again.

                Examples:
                  ketareg patient condition add P-000042 migraine --on 2026-11-20 --reason "referred by neurology"
                  ketareg patient condition end P-000042 depression --on today --reason "in remission, discharged"
                """,
            subcommands: [Add.self, End.self]
        )

        struct Add: RegistryCommand {
            static let configuration = CommandConfiguration(
                commandName: "add", abstract: "Add a condition to a patient from a day on (see 'ketareg conditions').")
            @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
            @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
            @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
            @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
            @Argument(help: ArgumentHelp("The patient's registry id (P-000042) or MRN.", valueName: "id")) var id:
                String
            @Argument(
                help: ArgumentHelp("The condition id, e.g. migraine.", valueName: "condition"),
                completion: conditionCompletion) var condition: String
            @Option(help: ArgumentHelp("The day, YYYY-MM-DD or today.", valueName: "date")) var on: String
            @Option(
                help: ArgumentHelp("Why, in a few words (kept in the audit trail, never exported).", valueName: "text"))
            var reason: String?

            func run() throws {
                let registry = try global.openRegistry()
                let patient = try registry.addCondition(
                    try patientID(id, registry: registry), condition: condition,
                    on: try ClinicDay.parse(on, field: "on"),
                    reason: reason, catalog: try global.moduleCatalog(), actor: global.actorName)
                if json { return try printJSON(patient) }
                print("\(patient.id) now has \(patient.conditions.joined(separator: ", ")).")
            }
        }

        struct End: RegistryCommand {
            static let configuration = CommandConfiguration(
                commandName: "end", abstract: "End one of a patient's conditions on a day.")
            @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
            @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
            @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
            @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
            @Argument(help: ArgumentHelp("The patient's registry id (P-000042) or MRN.", valueName: "id")) var id:
                String
            @Argument(help: ArgumentHelp("The condition id.", valueName: "condition"), completion: conditionCompletion)
            var condition: String
            @Option(help: ArgumentHelp("The day, YYYY-MM-DD or today.", valueName: "date")) var on: String
            @Option(
                help: ArgumentHelp("Why, in a few words (kept in the audit trail, never exported).", valueName: "text"))
            var reason: String?

            func run() throws {
                let registry = try global.openRegistry()
                let date = try ClinicDay.parse(on, field: "on")
                let patient = try registry.endCondition(
                    try patientID(id, registry: registry), condition: condition, on: date, reason: reason,
                    actor: global.actorName)
                if json { return try printJSON(patient) }
                print("\(patient.id)'s \(condition.lowercased()) ended on \(date): nothing is due for it from then on.")
            }
        }
    }

    struct WithdrawConsent: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "withdraw-consent",
            abstract: "Record that a patient withdrew research consent: no later export includes them.",
            discussion:
                "Clinical recording goes on as before. The reason is kept in the audit trail and never exported."
        )

        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("The patient's registry id (P-000042) or MRN.", valueName: "id")) var id: String
        @Option(help: ArgumentHelp("Why consent was withdrawn (required).", valueName: "text")) var reason: String
        @Option(help: ArgumentHelp("When, YYYY-MM-DD (default: today).", valueName: "date")) var on: String?

        func run() throws {
            let date = try on.map { try ClinicDay.parse($0, field: "on") } ?? ClinicDay.today()
            let registry = try global.openRegistry()
            let patient = try registry.withdrawConsent(
                try patientID(id, registry: registry), on: date, reason: reason, actor: global.actorName)
            if json { return try printJSON(patient) }
            print(
                "\(patient.id) withdrew research consent on \(patient.consentWithdrawnOn ?? date.description); no export built from now on includes them."
            )
        }
    }
}
