import ArgumentParser
import ClinicWork
import RegistryCore
import RegistryStore

/// The fields of an infusion record, shared by `infusion add` and `correct`.
struct InfusionFields: ParsableArguments {
    @Option(
        name: .customLong("for"),
        help: ArgumentHelp(
            "The condition it was given for: required when the patient has more than one. Repeat it (or give A,B) for an infusion given for several of the patient's conditions: it counts in each one's course.",
            valueName: "condition"))
    var condition: [String] = []
    @Option(help: ArgumentHelp("Date given, YYYY-MM-DD or today.", valueName: "date")) var on: String?
    @Option(help: ArgumentHelp("Time dosing started, HH:MM.", valueName: "time")) var at: String?
    @Option(
        name: .customLong("dose-mg-per-kg"),
        help: ArgumentHelp(
            "A bolus or timed infusion: dose in mg per kg, \(formatScore(InfusionEntry.intravenousDoseRange.lowerBound)) to \(formatScore(InfusionEntry.intravenousDoseRange.upperBound)) iv, up to \(formatScore(InfusionEntry.otherRouteDoseRange.upperBound)) im, intranasal or oral; over at most \(InfusionEntry.doseMinutesRange.upperBound) minutes.",
            valueName: "x")) var doseMgPerKg: Double?
    @Option(
        name: .customLong("rate-mg-per-kg-per-hour"),
        help: ArgumentHelp(
            "A continuous iv infusion: the highest rate reached, \(formatScore(InfusionEntry.rateRange.lowerBound)) to \(formatScore(InfusionEntry.rateRange.upperBound)) mg/kg/h, for up to \(InfusionEntry.rateMinutesRange.upperBound) minutes (7 days).",
            valueName: "r")) var rateMgPerKgPerHour: Double?
    @Option(
        name: .customLong("weight-kg"),
        help: ArgumentHelp(
            "Body weight in kg, \(formatScore(InfusionEntry.weightRange.lowerBound)) to \(formatScore(InfusionEntry.weightRange.upperBound)); gives the total dose when --total-mg is not given.",
            valueName: "kg")) var weightKg: Double?
    @Option(
        name: .customLong("total-mg"),
        help: ArgumentHelp(
            "Total dose in mg; with --weight-kg it must be within 10% of dose x weight (or rate x hours x weight).",
            valueName: "mg")) var totalMg: Double?
    @Option(help: ArgumentHelp("Duration in minutes (a 5-day continuous infusion is 7200).", valueName: "n"))
    var minutes: Int?
    @Option(help: ArgumentHelp("iv, im, intranasal or oral (default: iv).", valueName: "route")) var route: String?
    @Option(
        name: .customLong("bp-before"),
        help: ArgumentHelp("Blood pressure before dosing, SYS/DIA.", valueName: "sys/dia")) var bpBefore: String?
    @Option(
        name: .customLong("bp-after"),
        help: ArgumentHelp("Blood pressure about 40 minutes after dosing, SYS/DIA.", valueName: "sys/dia")) var bpAfter:
        String?
    @Option(
        name: .customLong("bp-discharge"),
        help: ArgumentHelp("Blood pressure at discharge, SYS/DIA.", valueName: "sys/dia")) var bpDischarge: String?
    @Option(name: .customLong("heart-rate"), help: ArgumentHelp("Heart rate, beats per minute.", valueName: "bpm"))
    var heartRate: Int?
    @Option(help: ArgumentHelp("Oxygen saturation, %.", valueName: "percent")) var spo2: Int?
    @Option(
        name: .customLong("monitoring-minutes"),
        help: ArgumentHelp("Minutes of monitoring after dosing.", valueName: "n")) var monitoringMinutes: Int?
    @Option(help: ArgumentHelp("A sedative or stimulant taken alongside, by name; repeat for each.", valueName: "name"))
    var concomitant: [String] = []
    @Flag(help: "Sedation was observed.") var sedation = false
    @Flag(help: "Dissociation was observed.") var dissociation = false
    @Flag(name: .customLong("respiratory-depression"), help: "Respiratory depression was observed.")
    var respiratoryDepression = false

    /// The first field given, by its option name; for `correct`, which refuses fields of another kind
    /// of record.
    func firstGiven(exceptDate: Bool = false) -> String? {
        let given: [(String, Bool)] = [
            ("for", !condition.isEmpty), ("on", on != nil && !exceptDate), ("at", at != nil),
            ("dose-mg-per-kg", doseMgPerKg != nil),
            ("rate-mg-per-kg-per-hour", rateMgPerKgPerHour != nil), ("weight-kg", weightKg != nil),
            ("total-mg", totalMg != nil), ("minutes", minutes != nil), ("route", route != nil),
            ("bp-before", bpBefore != nil),
            ("bp-after", bpAfter != nil), ("bp-discharge", bpDischarge != nil), ("heart-rate", heartRate != nil),
            ("spo2", spo2 != nil),
            ("monitoring-minutes", monitoringMinutes != nil), ("concomitant", !concomitant.isEmpty),
            ("sedation", sedation),
            ("dissociation", dissociation), ("respiratory-depression", respiratoryDepression),
        ]
        return given.first { $0.1 }?.0
    }

    /// Writes the given fields over an entry; fields not given stay as they are.
    func apply(to entry: inout InfusionEntry) throws {
        if doseMgPerKg != nil, rateMgPerKgPerHour != nil {
            throw InputError(
                field: "rate-mg-per-kg-per-hour", got: formatScore(rateMgPerKgPerHour!),
                allowed:
                    "either --dose-mg-per-kg (a bolus or timed infusion) or --rate-mg-per-kg-per-hour (a continuous infusion), not both"
            )
        }
        let conditions = condition.flatMap { $0.split(separator: ",").map { String($0).trimmedWhitespace } }
            .filter { !$0.isEmpty }
        if let first = conditions.first {
            entry.condition = first
            entry.alsoFor = Array(conditions.dropFirst())
        }
        if let on { entry.date = try ClinicDay.parse(on, field: "on") }
        if let at { entry.time = try ClockTime.parse(at, field: "at") }
        if let doseMgPerKg { entry.dosing = .dose(mgPerKg: doseMgPerKg) }
        if let rateMgPerKgPerHour { entry.dosing = .rate(mgPerKgPerHour: rateMgPerKgPerHour) }
        if let weightKg { entry.weightKg = weightKg }
        if let totalMg {
            entry.totalMg = totalMg
        } else if doseMgPerKg != nil || rateMgPerKgPerHour != nil || weightKg != nil || minutes != nil {
            entry.totalMg = nil  // recomputed from the new dose, rate, duration and weight
        }
        if let minutes { entry.minutes = minutes }
        if let route { entry.route = try InfusionRoute.parse(route, field: "route") }
        if let bpBefore { entry.bloodPressureBefore = try BloodPressure.parse(bpBefore, field: "bp-before") }
        if let bpAfter { entry.bloodPressureAfter = try BloodPressure.parse(bpAfter, field: "bp-after") }
        if let bpDischarge {
            entry.bloodPressureAtDischarge = try BloodPressure.parse(bpDischarge, field: "bp-discharge")
        }
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
        subcommands: [Add.self, Observe.self]
    )

    struct Add: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Record one infusion with its monitoring observations and adverse events.",
            discussion: """
                Give a dose (--dose-mg-per-kg) for a bolus or timed infusion, or the highest rate \
                reached (--rate-mg-per-kg-per-hour) for a continuous one; the range check applies \
                to it. With --weight-kg the total in mg is worked out; a --total-mg that differs \
                from it by more than 10% is refused. Ranges, after the published protocols: a \
                dose of 0.05-2 mg/kg iv (0.5 mg/kg over 40 minutes for depression), up to 5 mg/kg \
                im, intranasal or oral, over at most a day; a continuous iv infusion at \
                0.05-2 mg/kg/h for up to 7 days (Schwenk 2018: 5 days, mean maximum 0.76 mg/kg/h).

                Every infusion is for one or more of the patient's conditions: --for names it when \
                the patient has more than one (repeat it, or give A,B, for an infusion given for \
                several). Each condition's course counts its own infusions, a shared one in each.

                Examples:
                  ketareg infusion add P-000042 --on today --at 09:30 --dose-mg-per-kg 0.5 --weight-kg 72 \\
                    --minutes 40 --bp-before 128/82 --bp-after 142/90 --adverse nausea:mild
                  ketareg infusion add P-000043 --for migraine --on 2026-03-02 --at 08:00 \\
                    --rate-mg-per-kg-per-hour 0.76 --minutes 7200 --weight-kg 85
                Then record vital signs during it with 'ketareg infusion observe'.
                """
        )

        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("The patient's registry id (P-000042) or MRN.", valueName: "id")) var id: String
        @OptionGroup var fields: InfusionFields
        @Option(
            help: ArgumentHelp(
                "An adverse event after this infusion, TERM[:GRADE][:serious]; repeat for each. Terms: \(AdverseEventTerm.allowedWords); grades: \(AdverseEventGrade.allowedWords) (default mild).",
                valueName: "event")) var adverse: [String] = []

        func validate() throws {
            if fields.on == nil { throw ValidationError("Missing expected argument '--on <date>'") }
            if fields.doseMgPerKg == nil, fields.rateMgPerKgPerHour == nil {
                throw ValidationError(
                    "Missing expected argument '--dose-mg-per-kg <x>' (a bolus or timed infusion) or '--rate-mg-per-kg-per-hour <r>' (a continuous infusion)"
                )
            }
            if fields.minutes == nil { throw ValidationError("Missing expected argument '--minutes <n>'") }
        }

        func run() throws {
            let registry = try global.openRegistry()
            let patient = try patientID(id, registry: registry)
            var entry = InfusionEntry(date: try ClinicDay.today(), dosing: .dose(mgPerKg: 0), minutes: fields.minutes!)
            try fields.apply(to: &entry)
            entry.adverseEvents = try adverse.map { try AdverseEventEntry.parse($0, onset: entry.date) }
            let recorded = try TreatmentRecording(registry: registry).infusion(
                entry, patient: patient, actor: global.actorName)
            let infusion = recorded.record
            if json { return try printJSON(infusion) }
            print(infusion.id)
            printFlagsForReview(recorded.raisedFlags)
            note(
                "Recorded infusion \(infusion.id) for \(patient) (\(([infusion.condition] + (infusion.alsoFor ?? [])).joined(separator: " and "))) on \(infusion.on): \(infusion.dosingText)"
                    + (infusion.totalMg.map { ", \(formatScore($0)) mg in all" } ?? "")
                    + (infusion.adverseEvents.isEmpty
                        ? "." : ", with adverse events \(infusion.adverseEvents.joined(separator: ", "))."))
        }
    }

    struct Observe: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "observe",
            abstract:
                "Record vital signs or observations during an infusion (any number, e.g. every few hours of a continuous one).",
            discussion: """
                The moment must fall between the infusion's start and the end of the day it ends. \
                Observations show on the patient's page and report.

                Example:
                  ketareg infusion observe I-000012 --at 2026-03-03T14:00 --bp 134/86 --heart-rate 78 --spo2 97 --dissociation
                """
        )

        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("The infusion's id, e.g. I-000012.", valueName: "infusion-id")) var infusion:
            String
        @Option(help: ArgumentHelp("When, YYYY-MM-DDTHH:MM.", valueName: "moment")) var at: String
        @Option(help: ArgumentHelp("Blood pressure, SYS/DIA.", valueName: "sys/dia")) var bp: String?
        @Option(
            name: .customLong("heart-rate"),
            help: ArgumentHelp("Heart rate, beats per minute (20 to 250).", valueName: "bpm")) var heartRate: Int?
        @Option(help: ArgumentHelp("Oxygen saturation, % (50 to 100).", valueName: "percent")) var spo2: Int?
        @Flag(help: "Sedation was observed.") var sedation = false
        @Flag(help: "Dissociation was observed.") var dissociation = false
        @Flag(name: .customLong("respiratory-depression"), help: "Respiratory depression was observed.")
        var respiratoryDepression = false

        func run() throws {
            guard let id = RecordID(infusion), id.kind == .infusion else {
                throw InputError(
                    field: "<infusion-id>", got: infusion,
                    allowed: "an infusion id such as I-000012 (see 'ketareg patient show')")
            }
            let (date, time) = try InfusionObservationEntry.parseMoment(at, today: try ClinicDay.today())
            let entry = InfusionObservationEntry(
                date: date, time: time, bloodPressure: try bp.map { try BloodPressure.parse($0, field: "bp") },
                heartRate: heartRate, oxygenSaturation: spo2, sedation: sedation, dissociation: dissociation,
                respiratoryDepression: respiratoryDepression)
            let recorded = try TreatmentRecording(registry: try global.openRegistry()).observation(
                entry, infusion: id, actor: global.actorName)
            let observation = recorded.record
            if json { return try printJSON(observation) }
            print(observation.id)
            printFlagsForReview(recorded.raisedFlags)
            note(
                "Recorded observation \(observation.id) during \(observation.infusion) at \(observation.on) \(observation.at)."
            )
        }
    }
}

struct AdverseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adverse",
        abstract: "Record adverse events.",
        subcommands: [Add.self]
    )

    struct Add: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Record an adverse event with its grade, seriousness, onset and resolution.",
            discussion: "Events noticed during an infusion can also be given with 'infusion add --adverse'."
        )

        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("The patient's registry id (P-000042) or MRN.", valueName: "id")) var id: String
        @Option(help: ArgumentHelp("One of \(AdverseEventTerm.allowedWords).", valueName: "term")) var term: String
        @Option(help: ArgumentHelp("One of \(AdverseEventGrade.allowedWords).", valueName: "grade")) var grade: String
        @Flag(help: "The event was serious.") var serious = false
        @Option(help: ArgumentHelp("Date of onset, YYYY-MM-DD.", valueName: "date")) var onset: String
        @Option(help: ArgumentHelp("Date it resolved, YYYY-MM-DD.", valueName: "date")) var resolved: String?
        @Option(help: ArgumentHelp("The infusion it followed, e.g. I-000007.", valueName: "id")) var infusion: String?

        func run() throws {
            let registry = try global.openRegistry()
            let patient = try patientID(id, registry: registry)
            let entry = AdverseEventEntry(
                term: try AdverseEventTerm.parse(term, field: "term"),
                grade: try AdverseEventGrade.parse(grade, field: "grade"),
                serious: serious, onset: try ClinicDay.parse(onset, field: "onset"),
                resolvedOn: try resolved.map { try ClinicDay.parse($0, field: "resolved") })
            var infusionID: RecordID?
            if let infusion {
                guard let parsed = RecordID(infusion), parsed.kind == .infusion else {
                    throw InputError(field: "infusion", got: infusion, allowed: "an infusion id such as I-000007")
                }
                infusionID = parsed
            }
            let recorded = try TreatmentRecording(registry: registry).adverseEvent(
                entry, patient: patient, infusion: infusionID, actor: global.actorName)
            if json { return try printJSON(recorded.record) }
            print(recorded.record.id)
            printFlagsForReview(recorded.raisedFlags)
        }
    }
}

struct CoInterventionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cointervention",
        abstract: "Record treatments alongside ketamine, which confound outcomes.",
        subcommands: [Add.self]
    )

    struct Add: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Record a co-intervention (diet, magnesium, yoga, ...) and when it ran.")

        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("The patient's registry id (P-000042) or MRN.", valueName: "id")) var id: String
        @Option(
            help: ArgumentHelp(
                "One of \(CoInterventionKind.allowedWords) (acupuncture includes acupressure).", valueName: "kind"))
        var kind: String
        @Option(help: ArgumentHelp("Start date, YYYY-MM-DD.", valueName: "date")) var from: String
        @Option(help: ArgumentHelp("End date, YYYY-MM-DD (leave out while ongoing).", valueName: "date")) var to:
            String?
        @Option(
            help: ArgumentHelp(
                "What it was, in a few words (for 'other': the treatment); kept at the clinic, never exported.",
                valueName: "text")) var note: String?

        func run() throws {
            let registry = try global.openRegistry()
            let patient = try patientID(id, registry: registry)
            let entry = CoInterventionEntry(
                kind: try CoInterventionKind.parse(kind, field: "kind"),
                from: try ClinicDay.parse(from, field: "from"),
                to: try to.map { try ClinicDay.parse($0, field: "to") }, note: note)
            let item = try TreatmentRecording(registry: registry).coIntervention(
                entry, patient: patient, actor: global.actorName)
            if json { return try printJSON(item) }
            print(item.id)
        }
    }
}
