import ArgumentParser
import RegistryCore
import RegistryStore

/// The fields of an infusion record, shared by `infusion add` and `correct`.
struct InfusionFields: ParsableArguments {
    @Option(help: ArgumentHelp("Date given, YYYY-MM-DD or today.", valueName: "date")) var on: String?
    @Option(help: ArgumentHelp("Time dosing started, HH:MM.", valueName: "time")) var at: String?
    @Option(name: .customLong("dose-mg-per-kg"), help: ArgumentHelp("Dose in mg per kg of body weight, 0.05 to 5.", valueName: "x")) var doseMgPerKg: Double?
    @Option(name: .customLong("weight-kg"), help: ArgumentHelp("Body weight in kg; gives the total dose when --total-mg is not given.", valueName: "kg")) var weightKg: Double?
    @Option(name: .customLong("total-mg"), help: ArgumentHelp("Total dose in mg.", valueName: "mg")) var totalMg: Double?
    @Option(help: ArgumentHelp("Duration of the infusion in minutes (a 5-day continuous infusion is 7200).", valueName: "n")) var minutes: Int?
    @Option(help: ArgumentHelp("iv, im, intranasal or oral (default: iv).", valueName: "route")) var route: String?
    @Option(name: .customLong("bp-before"), help: ArgumentHelp("Blood pressure before dosing, SYS/DIA.", valueName: "sys/dia")) var bpBefore: String?
    @Option(name: .customLong("bp-after"), help: ArgumentHelp("Blood pressure about 40 minutes after dosing, SYS/DIA.", valueName: "sys/dia")) var bpAfter: String?
    @Option(name: .customLong("bp-discharge"), help: ArgumentHelp("Blood pressure at discharge, SYS/DIA.", valueName: "sys/dia")) var bpDischarge: String?
    @Option(name: .customLong("heart-rate"), help: ArgumentHelp("Heart rate, beats per minute.", valueName: "bpm")) var heartRate: Int?
    @Option(help: ArgumentHelp("Oxygen saturation, %.", valueName: "percent")) var spo2: Int?
    @Option(name: .customLong("monitoring-minutes"), help: ArgumentHelp("Minutes of monitoring after dosing.", valueName: "n")) var monitoringMinutes: Int?
    @Option(help: ArgumentHelp("A sedative or stimulant taken alongside, by name; repeat for each.", valueName: "name")) var concomitant: [String] = []
    @Flag(help: "Sedation was observed.") var sedation = false
    @Flag(help: "Dissociation was observed.") var dissociation = false
    @Flag(name: .customLong("respiratory-depression"), help: "Respiratory depression was observed.") var respiratoryDepression = false

    /// The first field given, by its option name; for `correct`, which refuses fields of another kind
    /// of record.
    func firstGiven(exceptDate: Bool = false) -> String? {
        let given: [(String, Bool)] = [
            ("on", on != nil && !exceptDate), ("at", at != nil), ("dose-mg-per-kg", doseMgPerKg != nil), ("weight-kg", weightKg != nil),
            ("total-mg", totalMg != nil), ("minutes", minutes != nil), ("route", route != nil), ("bp-before", bpBefore != nil),
            ("bp-after", bpAfter != nil), ("bp-discharge", bpDischarge != nil), ("heart-rate", heartRate != nil), ("spo2", spo2 != nil),
            ("monitoring-minutes", monitoringMinutes != nil), ("concomitant", !concomitant.isEmpty), ("sedation", sedation),
            ("dissociation", dissociation), ("respiratory-depression", respiratoryDepression),
        ]
        return given.first { $0.1 }?.0
    }

    /// Writes the given fields over an entry; fields not given stay as they are.
    func apply(to entry: inout InfusionEntry) throws {
        if let on { entry.date = try ClinicalDate.parse(on, field: "on") }
        if let at { entry.time = try ClockTime.parse(at, field: "at") }
        if let doseMgPerKg { entry.doseMgPerKg = doseMgPerKg }
        if let weightKg { entry.weightKg = weightKg }
        if let totalMg {
            entry.totalMg = totalMg
        } else if doseMgPerKg != nil || weightKg != nil {
            entry.totalMg = nil // recomputed from the new dose and weight
        }
        if let minutes { entry.minutes = minutes }
        if let route { entry.route = try InfusionRoute.parse(route, field: "route") }
        if let bpBefore { entry.bloodPressureBefore = try BloodPressure.parse(bpBefore, field: "bp-before") }
        if let bpAfter { entry.bloodPressureAfter = try BloodPressure.parse(bpAfter, field: "bp-after") }
        if let bpDischarge { entry.bloodPressureAtDischarge = try BloodPressure.parse(bpDischarge, field: "bp-discharge") }
        if let heartRate { entry.heartRate = heartRate }
        if let spo2 { entry.oxygenSaturation = spo2 }
        if let monitoringMinutes { entry.monitoringMinutes = monitoringMinutes }
        if !concomitant.isEmpty { entry.concomitantMedication = concomitant }
        if sedation { entry.sedation = true }
        if dissociation { entry.dissociation = true }
        if respiratoryDepression { entry.respiratoryDepression = true }
    }
}

struct InfusionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infusion",
        abstract: "Record ketamine infusions.",
        subcommands: [Add.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record one infusion with its monitoring observations and adverse events.",
            discussion: """
                Example:
                  ketareg infusion add P-000042 --on today --at 09:30 --dose-mg-per-kg 0.5 --weight-kg 72 \\
                    --minutes 40 --bp-before 128/82 --bp-after 142/90 --adverse nausea:mild
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: ArgumentHelp("The patient's registry id.", valueName: "id")) var id: String
        @OptionGroup var fields: InfusionFields
        @Option(help: ArgumentHelp("An adverse event after this infusion, TERM[:GRADE][:serious]; repeat for each. Terms: \(AdverseEventTerm.allowedWords); grades: \(AdverseEventGrade.allowedWords) (default mild).", valueName: "event")) var adverse: [String] = []

        func validate() throws {
            if fields.on == nil { throw ValidationError("Missing expected argument '--on <date>'") }
            if fields.doseMgPerKg == nil { throw ValidationError("Missing expected argument '--dose-mg-per-kg <x>'") }
            if fields.minutes == nil { throw ValidationError("Missing expected argument '--minutes <n>'") }
        }

        func run() throws {
            let patient = try patientID(id)
            var entry = InfusionEntry(date: .today, doseMgPerKg: fields.doseMgPerKg!, minutes: fields.minutes!)
            try fields.apply(to: &entry)
            entry.adverseEvents = try adverse.map { try AdverseEventEntry.parse($0, onset: entry.date) }
            let infusion = try global.openRegistry().addInfusion(entry, patient: patient, actor: global.actorName)
            if output.json { return try printJSON(infusion) }
            print(infusion.id)
            note("Recorded infusion \(infusion.id) for \(patient) on \(infusion.on)" + (infusion.adverseEvents.isEmpty ? "." : " with adverse events \(infusion.adverseEvents.joined(separator: ", "))."))
        }
    }
}

struct AdverseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adverse",
        abstract: "Record adverse events.",
        subcommands: [Add.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record an adverse event with its grade, seriousness, onset and resolution.",
            discussion: "Events noticed during an infusion can also be given with 'infusion add --adverse'."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: ArgumentHelp("The patient's registry id.", valueName: "id")) var id: String
        @Option(help: ArgumentHelp("One of \(AdverseEventTerm.allowedWords).", valueName: "term")) var term: String
        @Option(help: ArgumentHelp("One of \(AdverseEventGrade.allowedWords).", valueName: "grade")) var grade: String
        @Flag(help: "The event was serious.") var serious = false
        @Option(help: ArgumentHelp("Date of onset, YYYY-MM-DD.", valueName: "date")) var onset: String
        @Option(help: ArgumentHelp("Date it resolved, YYYY-MM-DD.", valueName: "date")) var resolved: String?
        @Option(help: ArgumentHelp("The infusion it followed, e.g. I-000007.", valueName: "id")) var infusion: String?

        func run() throws {
            let patient = try patientID(id)
            let entry = AdverseEventEntry(
                term: try AdverseEventTerm.parse(term, field: "term"), grade: try AdverseEventGrade.parse(grade, field: "grade"),
                serious: serious, onset: try ClinicalDate.parse(onset, field: "onset"),
                resolvedOn: try resolved.map { try ClinicalDate.parse($0, field: "resolved") })
            var infusionID: RecordID?
            if let infusion {
                guard let parsed = RecordID(infusion), parsed.kind == .infusion else {
                    throw InputError(field: "infusion", got: infusion, allowed: "an infusion id such as I-000007")
                }
                infusionID = parsed
            }
            let event = try global.openRegistry().addAdverseEvent(entry, patient: patient, infusion: infusionID, actor: global.actorName)
            if output.json { return try printJSON(event) }
            print(event.id)
        }
    }
}

struct CoInterventionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cointervention",
        abstract: "Record treatments alongside ketamine, which confound outcomes.",
        subcommands: [Add.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a co-intervention (diet, magnesium, yoga, ...) and when it ran.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: ArgumentHelp("The patient's registry id.", valueName: "id")) var id: String
        @Option(help: ArgumentHelp("One of \(CoInterventionKind.allowedWords) (acupuncture includes acupressure).", valueName: "kind")) var kind: String
        @Option(help: ArgumentHelp("Start date, YYYY-MM-DD.", valueName: "date")) var from: String
        @Option(help: ArgumentHelp("End date, YYYY-MM-DD (leave out while ongoing).", valueName: "date")) var to: String?

        func run() throws {
            let patient = try patientID(id)
            let entry = CoInterventionEntry(kind: try CoInterventionKind.parse(kind, field: "kind"),
                                            from: try ClinicalDate.parse(from, field: "from"),
                                            to: try to.map { try ClinicalDate.parse($0, field: "to") })
            let item = try global.openRegistry().addCoIntervention(entry, patient: patient, actor: global.actorName)
            if output.json { return try printJSON(item) }
            print(item.id)
        }
    }
}
