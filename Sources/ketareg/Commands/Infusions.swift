import ArgumentParser
import ClinicWork
import RegistryCore
import RegistryStore

struct InfusionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infusion",
        abstract: "Record ketamine infusions and esketamine sessions.",
        subcommands: [Add.self, Observe.self, Rate.self]
    )

    struct Add: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract:
                "Record one infusion or esketamine session with its monitoring observations and adverse events.",
            discussion: """
                Give a dose by weight (--dose-mg-per-kg), a fixed dose (--dose-mg) or, for a \
                continuous iv infusion, the rate it started at (--rate-mg-per-kg-per-hour) with \
                each change (--rate-step, or later 'ketareg infusion rate'). With --weight-kg the \
                total in mg is worked out (for a titrated infusion, the integral of its steps); a \
                --total-mg (the pump's) that differs from it by more than 10% is refused. Ranges \
                by route, after the published protocols: by weight 0.05-2 mg/kg iv (0.5 mg/kg over \
                40 minutes for depression), 0.05-1 subcutaneous, up to 5 im, intranasal, oral or \
                sublingual, over at most a day; a continuous iv infusion at 0.05-2 mg/kg/h for up \
                to 7 days (Schwenk 2018: 5 days, mean maximum 0.76 mg/kg/h); fixed doses in the \
                ranges of --dose-mg.

                Esketamine (--drug esketamine, SPRAVATO) is a nasal spray in 28 mg devices: \
                --dose-mg 28, 56 or 84, intranasal only, never by weight; --minutes defaults to the \
                5 minutes between devices. Record the REMS monitoring form's fields: --bp-before, \
                --bp-after (about 40 minutes after), --bp-discharge, --sedation, --dissociation \
                and --ready-to-leave; a session monitored for less than 2 hours after dosing \
                raises a flag for review. 'ketareg session form I-...' prints the form.

                Every infusion is for one or more of the patient's conditions: --for names it when \
                the patient has more than one (repeat it, or give A,B, for an infusion given for \
                several). Each condition's course counts its own infusions, a shared one in each.

                Examples:
                  ketareg infusion add P-000042 --on today --at 09:30 --dose-mg-per-kg 0.5 --weight-kg 72 \\
                    --minutes 40 --bp-before 128/82 --bp-after 142/90 --adverse nausea:mild
                  ketareg infusion add P-000043 --for migraine --on 2026-03-02 --at 08:00 \\
                    --rate-mg-per-kg-per-hour 0.12 --rate-step 14:00=0.3 --rate-step 2026-03-03T08:00=0.5 \\
                    --minutes 7200 --weight-kg 85
                  ketareg infusion add P-000044 --drug esketamine --dose-mg 56 --on today --at 10:00 \\
                    --bp-before 126/80 --bp-after 138/86 --bp-discharge 124/78 --dissociation --ready-to-leave 12:15
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
            if fields.doseMgPerKg == nil, fields.doseMg == nil, fields.rateMgPerKgPerHour == nil {
                throw ValidationError(
                    "Missing expected argument '--dose-mg-per-kg <x>' (a dose by weight), '--dose-mg <mg>' (a fixed dose: esketamine's devices) or '--rate-mg-per-kg-per-hour <r>' (a continuous infusion)"
                )
            }
            if fields.minutes == nil, fields.drug.map({ (try? Drug.parse($0, field: "drug")) != .esketamine }) ?? true {
                throw ValidationError("Missing expected argument '--minutes <n>'")
            }
        }

        func run() throws {
            let registry = try global.openRegistry()
            let patient = try patientID(id, registry: registry)
            // Esketamine's devices are used 5 minutes apart: 1, 5 or 10 minutes of dosing.
            let devices = fields.doseMg.map { $0 >= 84 ? 3 : $0 >= 56 ? 2 : 1 } ?? 1
            let minutes = fields.minutes ?? max(1, 5 * (devices - 1))
            var entry = InfusionEntry(date: try ClinicDay.today(), dosing: .dose(mgPerKg: 0), minutes: minutes)
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
                Observations show on the patient's page and report. --rate records the pump's new \
                rate at the same moment, as 'ketareg infusion rate' does (first: when it is \
                refused, nothing is written).

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
        @Option(
            help: ArgumentHelp(
                "A continuous infusion's new rate from this moment, mg/kg/h (0 to 2; 0 pauses it).", valueName: "r"))
        var rate: Double?

        func run() throws {
            let id = try infusionID(infusion)
            let (date, time) = try InfusionObservationEntry.parseMoment(at, today: try ClinicDay.today())
            let entry = InfusionObservationEntry(
                date: date, time: time, bloodPressure: try bp.map { try BloodPressure.parse($0, field: "bp") },
                heartRate: heartRate, oxygenSaturation: spo2, sedation: sedation, dissociation: dissociation,
                respiratoryDepression: respiratoryDepression)
            let work = TreatmentRecording(registry: try global.openRegistry())
            let observed =
                bp != nil || heartRate != nil || spo2 != nil || sedation || dissociation || respiratoryDepression
            if observed { _ = try entry.validated(today: try ClinicDay.today()) }
            if let rate {
                let infusion = try work.rate(
                    infusion: id, on: date, at: time, rate: rate, pumpTotalMg: nil, actor: global.actorName)
                if !observed {
                    if json { return try printJSON(infusion) }
                    print(infusion.id)
                    return note(
                        "Recorded the rate of \(infusion.id) from \(date)T\(time): \(formatScore(rate)) mg/kg/h.")
                }
            }
            let recorded = try work.observation(entry, infusion: id, actor: global.actorName)
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

/// An infusion id as typed, or the error that names the option.
func infusionID(_ text: String, field: String = "<infusion-id>") throws -> RecordID {
    guard let id = RecordID(text), id.kind == .infusion else {
        throw InputError(
            field: field, got: text, allowed: "an infusion id such as I-000012 (see 'ketareg patient show')")
    }
    return id
}

extension InfusionCommand {
    struct Rate: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "rate",
            abstract: "Record a continuous infusion's rate change, or the pump's total when it ends.",
            discussion: """
                Each change is kept as a step; the infusion's total is the integral of its steps \
                (rate x hours x weight, step by step), worked out again at every change. Give the \
                pump's own total with --total-mg (at the end, or with a change): it is accepted \
                within 10% of that integral. A step must fall after the infusion started and \
                before it ended; 0 pauses it. Audited as a change of the infusion.

                Examples:
                  ketareg infusion rate I-000012 --at 14:00 --rate 0.3
                  ketareg infusion rate I-000012 --at 2026-03-04T08:00 --rate 0.5
                  ketareg infusion rate I-000012 --total-mg 4100
                """
        )

        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("The infusion's id, e.g. I-000012.", valueName: "infusion-id")) var infusion:
            String
        @Option(
            help: ArgumentHelp(
                "When the rate changed: HH:MM on the infusion's first day, or YYYY-MM-DDTHH:MM.", valueName: "moment"))
        var at: String?
        @Option(help: ArgumentHelp("The new rate, mg/kg/h (0 to 2; 0 pauses it).", valueName: "r")) var rate: Double?
        @Option(
            name: .customLong("total-mg"),
            help: ArgumentHelp("The pump's total in mg, within 10% of the integral of the steps.", valueName: "mg"))
        var totalMg: Double?

        func validate() throws {
            if rate == nil, totalMg == nil {
                throw ValidationError("Missing expected argument '--rate <r>' (with --at) or '--total-mg <mg>'")
            }
            if (rate == nil) != (at == nil) {
                throw ValidationError(
                    rate == nil
                        ? "--at needs '--rate <r>': the rate from then on" : "Missing expected argument '--at <moment>'"
                )
            }
        }

        func run() throws {
            let id = try infusionID(infusion)
            var date: ClinicalDate?
            var time: ClockTime?
            if let at {
                if at.contains("T") || at.contains(" ") {
                    (date, time) = try InfusionObservationEntry.parseMoment(at, today: try ClinicDay.today())
                } else {
                    time = try ClockTime.parse(at, field: "at")
                }
            }
            let infusion = try TreatmentRecording(registry: try global.openRegistry()).rate(
                infusion: id, on: date, at: time, rate: rate, pumpTotalMg: totalMg, actor: global.actorName)
            if json { return try printJSON(infusion) }
            print(infusion.id)
            note(
                "Recorded \(infusion.id): \(infusion.dosingText)"
                    + (infusion.totalMg.map { ", \(formatScore($0)) mg in all" } ?? "") + ".")
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
