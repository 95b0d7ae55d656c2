/// One ketamine or esketamine administration with its monitoring observations, after the
/// esketamine (SPRAVATO REMS) patient monitoring form.
public struct InfusionEntry: Sendable, Hashable {
    /// The condition it was given for; the registry fills it in when the patient has only one.
    public var condition: String?
    /// Other conditions of the patient it was given for as well (depression and neuropathic pain
    /// treated by the same infusions): it counts in each condition's course.
    public var alsoFor: [String] = []
    /// The drug: ketamine unless told otherwise.
    public var drug: Drug
    /// The day of the infusion, never after the clinic's day.
    public var date: ClinicalDate
    /// The time of day it started, when recorded; a multi-day infusion's end is counted from it.
    public var time: ClockTime?
    /// How much was given: a dose in mg/kg or in mg, or for a continuous infusion the rate it
    /// started at in mg/kg/h.
    public var dosing: Dosing
    /// A continuous infusion's rate changes, as the pump was set; its total is their integral.
    public var rateSteps: [RateStep]
    /// The patient's body weight in kg, 2 to 400.
    public var weightKg: Double?
    /// Total dose in mg; computed from weight and dose (or rate and duration) when not given.
    public var totalMg: Double?
    /// How long the infusion lasted, in minutes: 1 to 1440 for a dose, up to 10 080 (7 days) for a continuous infusion.
    public var minutes: Int
    /// How it was given; intravenous by default, and always for a continuous infusion.
    public var route: InfusionRoute
    /// Blood pressure before dosing.
    public var bloodPressureBefore: BloodPressure?
    /// About 40 minutes after dosing.
    public var bloodPressureAfter: BloodPressure?
    /// Blood pressure at discharge.
    public var bloodPressureAtDischarge: BloodPressure?
    /// Heart rate in beats per minute, 20 to 250.
    public var heartRate: Int?
    /// Oxygen saturation (SpO2) in %, 50 to 100; below the clinic's threshold it raises `low-oxygen-saturation`.
    public var oxygenSaturation: Int?
    /// Minutes of monitoring after dosing ended, 0 to 14 400; worked out from ``readyToLeave`` when
    /// not given.
    public var monitoringMinutes: Int?
    /// When the patient was judged ready to leave (the REMS form's discharge time).
    public var readyToLeave: ClockTime?
    /// Sedatives or stimulants taken alongside, by name.
    public var concomitantMedication: [String]
    /// Whether sedation was observed.
    public var sedation: Bool
    /// Whether dissociation was observed.
    public var dissociation: Bool
    /// Whether respiratory depression was observed; it raises the `respiratory-depression` flag.
    public var respiratoryDepression: Bool
    /// Adverse events after this infusion, each checked with it.
    public var adverseEvents: [AdverseEventEntry]

    /// An infusion as entered, intravenous and with nothing observed unless told otherwise; ``validated(today:)``
    /// checks it.
    public init(
        condition: String? = nil, date: ClinicalDate, time: ClockTime? = nil, dosing: Dosing, weightKg: Double? = nil,
        totalMg: Double? = nil, minutes: Int, route: InfusionRoute = .iv,
        bloodPressureBefore: BloodPressure? = nil, bloodPressureAfter: BloodPressure? = nil,
        bloodPressureAtDischarge: BloodPressure? = nil, heartRate: Int? = nil,
        oxygenSaturation: Int? = nil, monitoringMinutes: Int? = nil,
        concomitantMedication: [String] = [], sedation: Bool = false, dissociation: Bool = false,
        respiratoryDepression: Bool = false, adverseEvents: [AdverseEventEntry] = [], drug: Drug = .ketamine,
        rateSteps: [RateStep] = [], readyToLeave: ClockTime? = nil
    ) {
        self.drug = drug
        self.rateSteps = rateSteps
        self.readyToLeave = readyToLeave
        self.condition = condition
        self.date = date
        self.time = time
        self.dosing = dosing
        self.weightKg = weightKg
        self.totalMg = totalMg
        self.minutes = minutes
        self.route = route
        self.bloodPressureBefore = bloodPressureBefore
        self.bloodPressureAfter = bloodPressureAfter
        self.bloodPressureAtDischarge = bloodPressureAtDischarge
        self.heartRate = heartRate
        self.oxygenSaturation = oxygenSaturation
        self.monitoringMinutes = monitoringMinutes
        self.concomitantMedication = concomitantMedication
        self.sedation = sedation
        self.dissociation = dissociation
        self.respiratoryDepression = respiratoryDepression
        self.adverseEvents = adverseEvents
    }

    /// The dose per kg of a bolus or timed infusion.
    public var doseMgPerKg: Double? {
        if case .dose(let dose) = dosing { return dose }
        return nil
    }

    /// The REMS form's total time: minutes from the start of dosing (the first device) to the end
    /// of monitoring; `nil` when the monitoring is not recorded.
    public var sessionMinutes: Int? {
        monitoringMinutes.map { monitoring in
            let (sum, overflow) = monitoring.addingReportingOverflow(minutes)
            return overflow ? Int.max : sum
        }
    }

    /// A fixed dose in mg.
    public var doseMg: Double? {
        if case .fixed(let mg) = dosing { return mg }
        return nil
    }

    /// The rate a continuous infusion started at.
    public var rateMgPerKgPerHour: Double? {
        if case .rate(let rate) = dosing { return rate }
        return nil
    }

    /// The highest rate of a continuous intravenous infusion, mg/kg/h, as it starts and at any
    /// step (Schwenk 2018: mean maximum 0.76; CRPS protocols up to 0.35-0.5; 2 leaves room for
    /// the highest published).
    public static let rateRange: ClosedRange<Double> = 0.05...2
    /// A bolus, timed infusion or nasal spray session lasts at most a day; longer is a continuous
    /// infusion, given by rate.
    public static let doseMinutesRange: ClosedRange<Int> = 1...1_440
    /// A continuous infusion lasts up to seven days (refractory headache protocols run five).
    public static let rateMinutesRange: ClosedRange<Int> = 1...10_080
    /// The REMS asks that a patient given esketamine be monitored for at least two hours after
    /// dosing.
    public static let esketamineMonitoringMinutes = 120
    /// The body weights accepted, in kg.
    public static let weightRange: ClosedRange<Double> = 2...400
    /// The total doses accepted, in mg.
    public static let totalMgRange: ClosedRange<Double> = 0.1...20_000
    /// How far a total typed by hand may differ from dose x weight (or rate x hours x weight).
    public static let totalTolerance = 0.10

    /// The total in mg that the dose (or the rate's steps and duration) and weight imply; a fixed
    /// dose is its own total.
    public func expectedTotalMg(weightKg: Double?) -> Double? {
        switch dosing {
        case .fixed(let mg): mg
        case .dose(let dose): weightKg.map { dose * $0 }
        case .rate: weightKg.map { mgPerKgByRate * $0 }
        }
    }

    /// How the expected total is worked out, in words.
    func totalWords(weightKg: Double) -> String {
        switch dosing {
        case .fixed(let mg): "the dose of \(formatScore(mg)) mg"
        case .dose(let dose): "\(formatScore(dose)) mg/kg x \(formatScore(weightKg)) kg"
        case .rate(let rate) where rateSteps.isEmpty:
            "\(formatScore(rate)) mg/kg/h x \(formatScore(Double(minutes) / 60)) hours x \(formatScore(weightKg)) kg"
        case .rate:
            "its \(rateSteps.count + 1) rates over \(formatScore(Double(minutes) / 60)) hours (\(formatScore((mgPerKgByRate * 1000).rounded() / 1000)) mg/kg) x \(formatScore(weightKg)) kg"
        }
    }

    /// Checks every field, filling in the total dose (from the weight, or a fixed dose) and the
    /// monitoring time (from the time the patient was ready to leave) when they are not given.
    /// `today` is the clinic's day: an infusion cannot be recorded for a later one.
    public func validated(today: ClinicalDate) throws(InputError) -> InfusionEntry {
        var copy = self
        _ = try date.notInFuture(field: "on", today: today)
        guard let allowed = drug.dosing(route: route) else {
            throw InputError(
                field: "route", got: route.rawValue,
                allowed: drug.routes.map(\.rawValue).joined(separator: ", ") + ": \(drug) is given no other way")
        }
        let how = "for \(drug) by the \(route.rawValue) route"
        switch dosing {
        case .dose(let dose):
            guard let range = allowed.mgPerKg else {
                throw InputError(
                    field: "dose-mg-per-kg", got: formatScore(dose),
                    allowed:
                        "a fixed dose (dose-mg) of \(allowed.fixedDoseWords ?? "a fixed amount"): \(drug) is not dosed by weight"
                )
            }
            _ = try checkRange(dose, range, field: "dose-mg-per-kg", unit: "mg/kg \(how)")
        case .fixed(let mg):
            guard allowed.accepts(mg: mg) else {
                throw InputError(
                    field: "dose-mg", got: formatScore(mg),
                    allowed: (allowed.fixedDoseWords ?? "no fixed dose; give a dose per kg (dose-mg-per-kg)")
                        + " \(how)")
            }
        case .rate(let rate):
            guard allowed.continuous else {
                throw InputError(
                    field: "route", got: route.rawValue,
                    allowed: "iv: a continuous infusion (a rate in mg/kg/h) is intravenous ketamine")
            }
            _ = try checkRange(rate, Self.rateRange, field: "rate-mg-per-kg-per-hour", unit: "mg/kg/h")
            _ = try checkRange(minutes, Self.rateMinutesRange, field: "minutes", unit: "minutes (7 days)")
        }
        if rateMgPerKgPerHour == nil {
            guard Self.doseMinutesRange.contains(minutes) else {
                throw InputError(
                    field: "minutes", got: String(minutes),
                    allowed:
                        "\(Self.doseMinutesRange.lowerBound) to \(Self.doseMinutesRange.upperBound) minutes for a dose; a longer, continuous infusion is recorded as a rate in mg/kg/h"
                )
            }
        }
        copy.rateSteps = try checkedRateSteps()
        if let weightKg { _ = try checkRange(weightKg, Self.weightRange, field: "weight-kg", unit: "kg") }
        if let totalMg { _ = try checkRange(totalMg, Self.totalMgRange, field: "total-mg", unit: "mg") }
        if let heartRate { _ = try checkRange(heartRate, 20...250, field: "heart-rate", unit: "beats per minute") }
        if let oxygenSaturation { _ = try checkRange(oxygenSaturation, 50...100, field: "spo2", unit: "%") }
        if let monitoringMinutes {
            _ = try checkRange(monitoringMinutes, 0...14_400, field: "monitoring-minutes", unit: "minutes")
        } else if let readyToLeave {
            guard let time else {
                throw InputError(
                    field: "ready-to-leave", got: readyToLeave.description,
                    allowed: "a time with the start time of dosing (at): the monitoring is counted from it")
            }
            // Monitoring runs from the end of dosing to the time the patient was ready to leave,
            // the next day when that time is earlier on the clock.
            let end = (time.minuteOfDay + minutes) % 1440
            let monitoring = (readyToLeave.minuteOfDay - end + 1440) % 1440
            // A session of at most a day is not followed by half a day's monitoring: a time before
            // dosing ended was typed wrongly.
            guard rateMgPerKgPerHour != nil || monitoring <= 720 else {
                throw InputError(
                    field: "ready-to-leave", got: readyToLeave.description,
                    allowed:
                        "a time after dosing ended (\(ClockTime(hour: end / 60, minute: end % 60)!)) and within 12 hours of it"
                )
            }
            copy.monitoringMinutes = monitoring
        }
        for name in concomitantMedication where name.trimmedWhitespace.isEmpty || name.count > 100 {
            throw InputError(field: "concomitant", got: name, allowed: "a medication name of 1 to 100 characters")
        }
        if let expected = copy.expectedTotalMg(weightKg: weightKg) {
            let words = copy.totalWords(weightKg: weightKg ?? 0)
            if let totalMg {
                guard abs(totalMg - expected) <= Self.totalTolerance * expected else {
                    throw InputError(
                        field: "total-mg", got: formatScore(totalMg),
                        allowed: "a total within 10% of \(words) = \(formatScore((expected * 100).rounded() / 100)) mg")
                }
            } else {
                copy.totalMg = (expected * 100).rounded() / 100
                guard Self.totalMgRange.contains(copy.totalMg!) else {
                    throw InputError(
                        field: "total-mg", got: formatScore(copy.totalMg!),
                        allowed:
                            "\(formatScore(Self.totalMgRange.lowerBound)) to \(formatScore(Self.totalMgRange.upperBound)) mg; \(words) gives more"
                    )
                }
            }
        }
        copy.adverseEvents = try adverseEvents.map { ae throws(InputError) in try ae.validated(today: today) }
        return copy
    }

    /// The rate steps in order, each checked: only on a continuous infusion with a start time,
    /// inside its run, one a minute, within the rates a step may set.
    func checkedRateSteps() throws(InputError) -> [RateStep] {
        guard let first = rateSteps.first else { return [] }
        guard rateMgPerKgPerHour != nil else {
            throw InputError(
                field: "rate", got: formatScore(first.mgPerKgPerHour),
                allowed: "rate changes on a continuous infusion only (one given by rate-mg-per-kg-per-hour)")
        }
        guard time != nil else {
            throw InputError(
                field: "at", got: "a rate change without the infusion's start time",
                allowed: "an infusion with its start time (at, HH:MM): rate changes are timed from it")
        }
        let steps = rateSteps.sorted()
        for (index, step) in steps.enumerated() {
            guard step.minute >= 1, step.minute < minutes else {
                throw InputError(
                    field: "at", got: "\(step.minute) minutes after the start",
                    allowed: "a moment after the infusion started and before it ended (1 to \(minutes - 1) minutes in)")
            }
            if index > 0, steps[index - 1].minute == step.minute {
                throw InputError(
                    field: "at", got: "two rates \(step.minute) minutes after the start",
                    allowed: "one rate at a time; correct the infusion to change a step")
            }
            _ = try checkRange(step.mgPerKgPerHour, RateStep.rateRange, field: "rate", unit: "mg/kg/h (0 is a pause)")
        }
        return steps
    }
}
