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
    @Option(help: ArgumentHelp("\(Drug.allowedWords) (default: ketamine).", valueName: "drug")) var drug: String?
    @Option(
        name: .customLong("dose-mg-per-kg"),
        help: ArgumentHelp(
            "A bolus or timed dose of ketamine in mg per kg: \(Self.rangeWords(\.mgPerKg)); over at most \(InfusionEntry.doseMinutesRange.upperBound) minutes.",
            valueName: "x")) var doseMgPerKg: Double?
    @Option(
        name: .customLong("dose-mg"),
        help: ArgumentHelp(
            "A fixed dose in mg: esketamine 28, 56 or 84 (whole 28 mg devices, intranasal); ketamine \(Self.rangeWords(\.mg)).",
            valueName: "mg")) var doseMg: Double?
    @Option(
        name: .customLong("rate-mg-per-kg-per-hour"),
        help: ArgumentHelp(
            "A continuous iv ketamine infusion: the rate it started at, \(formatScore(InfusionEntry.rateRange.lowerBound)) to \(formatScore(InfusionEntry.rateRange.upperBound)) mg/kg/h, for up to \(InfusionEntry.rateMinutesRange.upperBound) minutes (7 days).",
            valueName: "r")) var rateMgPerKgPerHour: Double?
    @Option(
        name: .customLong("rate-step"),
        help: ArgumentHelp(
            "A continuous infusion's rate change, AT=RATE (AT: HH:MM or YYYY-MM-DDTHH:MM; RATE in mg/kg/h, 0 to pause); repeat for each. The total is their integral.",
            valueName: "at=rate")) var rateStep: [String] = []
    @Option(
        name: .customLong("weight-kg"),
        help: ArgumentHelp(
            "Body weight in kg, \(formatScore(InfusionEntry.weightRange.lowerBound)) to \(formatScore(InfusionEntry.weightRange.upperBound)); gives the total dose when --total-mg is not given.",
            valueName: "kg")) var weightKg: Double?
    @Option(
        name: .customLong("total-mg"),
        help: ArgumentHelp(
            "Total dose in mg (a pump's total); with --weight-kg it must be within 10% of dose x weight (or the rate's steps x hours x weight); a fixed dose is its own total.",
            valueName: "mg")) var totalMg: Double?
    @Option(help: ArgumentHelp("Duration in minutes (a 5-day continuous infusion is 7200).", valueName: "n"))
    var minutes: Int?
    @Option(
        help: ArgumentHelp(
            "\(InfusionRoute.allowedWords) (default: iv; intranasal for esketamine).", valueName: "route"))
    var route: String?
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
        help: ArgumentHelp(
            "Minutes of monitoring after dosing ended; an esketamine session monitored less than 2 hours from the first device raises a flag.",
            valueName: "n"))
    var monitoringMinutes: Int?
    @Option(
        name: .customLong("ready-to-leave"),
        help: ArgumentHelp(
            "When the patient was judged ready to leave, HH:MM; gives the monitoring time when --monitoring-minutes is not given.",
            valueName: "time")) var readyToLeave: String?
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
            ("for", !condition.isEmpty), ("on", on != nil && !exceptDate), ("at", at != nil), ("drug", drug != nil),
            ("dose-mg-per-kg", doseMgPerKg != nil), ("dose-mg", doseMg != nil), ("rate-step", !rateStep.isEmpty),
            ("ready-to-leave", readyToLeave != nil),
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
        let dosings = [
            ("dose-mg-per-kg", doseMgPerKg), ("dose-mg", doseMg), ("rate-mg-per-kg-per-hour", rateMgPerKgPerHour),
        ].filter { $0.1 != nil }
        if dosings.count > 1 {
            throw InputError(
                field: dosings[1].0, got: formatScore(dosings[1].1!),
                allowed:
                    "one of --dose-mg-per-kg (a dose by weight), --dose-mg (a fixed dose) or --rate-mg-per-kg-per-hour (a continuous infusion), not \(dosings.map { "--\($0.0)" }.joined(separator: " and "))"
            )
        }
        let conditions = condition.flatMap { $0.split(separator: ",").map { String($0).trimmedWhitespace } }
            .filter { !$0.isEmpty }
        if let first = conditions.first {
            entry.condition = first
            entry.alsoFor = Array(conditions.dropFirst())
        }
        // Rate steps are kept from the start: a new start time keeps each step at its moment on the clock.
        let timeBefore = entry.time?.minuteOfDay ?? 0
        if let on { entry.date = try ClinicDay.parse(on, field: "on") }
        if let drug {
            entry.drug = try Drug.parse(drug, field: "drug")
            // Esketamine is a nasal spray: intranasal unless a route is given (and refused).
            if entry.drug == .esketamine, route == nil { entry.route = .intranasal }
        }
        if let doseMgPerKg { entry.dosing = .dose(mgPerKg: doseMgPerKg) }
        if let doseMg { entry.dosing = .fixed(mg: doseMg) }
        if let rateMgPerKgPerHour { entry.dosing = .rate(mgPerKgPerHour: rateMgPerKgPerHour) }
        if let weightKg { entry.weightKg = weightKg }
        if let minutes { entry.minutes = minutes }
        if let at { entry.time = try ClockTime.parse(at, field: "at") }
        // A new time of day is the pump started earlier or later: each step stays at its moment on
        // the clock. A new day alone moves the whole infusion, steps with it.
        let shift = at == nil ? 0 : timeBefore - (entry.time?.minuteOfDay ?? 0)
        if shift != 0, rateStep.isEmpty {
            entry.rateSteps = entry.rateSteps.map {
                RateStep(minute: $0.minute + shift, mgPerKgPerHour: $0.mgPerKgPerHour)
            }
        }
        if !rateStep.isEmpty {
            entry.rateSteps = try rateStep.map { try RateStep.parse($0, of: entry, field: "rate-step") }
        } else if doseMgPerKg != nil || doseMg != nil {
            entry.rateSteps = []
        }
        if let totalMg {
            entry.totalMg = totalMg
        } else if doseMgPerKg != nil || doseMg != nil || rateMgPerKgPerHour != nil || weightKg != nil || minutes != nil
            || !rateStep.isEmpty
        {
            entry.totalMg = nil  // recomputed from the new dose, rate, steps, duration and weight
        }
        if let route { entry.route = try InfusionRoute.parse(route, field: "route") }
        if let readyToLeave { entry.readyToLeave = try ClockTime.parse(readyToLeave, field: "ready-to-leave") }
        // The monitoring time a ready-to-leave time gave is worked out again when it, the start or
        // the length changes.
        if monitoringMinutes == nil, entry.readyToLeave != nil, readyToLeave != nil || at != nil || minutes != nil {
            entry.monitoringMinutes = nil
        }
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

    /// The ranges of one kind of dose over ketamine's routes, for help: "0.05-2 iv, ...".
    static func rangeWords(_ range: KeyPath<RouteDosing, ClosedRange<Double>?>) -> String {
        InfusionRoute.allCases.compactMap { route in
            Drug.ketamine.dosing(route: route)?[keyPath: range].map {
                "\(formatScore($0.lowerBound))-\(formatScore($0.upperBound)) \(route.rawValue)"
            }
        }.joined(separator: ", ")
    }
}
