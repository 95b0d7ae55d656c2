/// How much ketamine was given: a dose for a bolus or timed infusion, or the highest rate reached
/// in a continuous infusion.
public enum Dosing: Sendable, Hashable {
    /// A bolus or timed infusion: mg per kg of body weight in all.
    case dose(mgPerKg: Double)
    /// A continuous infusion: the highest rate reached, mg per kg per hour.
    case rate(mgPerKgPerHour: Double)
}

/// One ketamine administration with its monitoring observations, after the esketamine monitoring
/// form.
public struct InfusionEntry: Sendable, Hashable {
    /// The condition it was given for; the registry fills it in when the patient has only one.
    public var condition: String?
    /// Other conditions of the patient it was given for as well (depression and neuropathic pain
    /// treated by the same infusions): it counts in each condition's course.
    public var alsoFor: [String] = []
    /// The day of the infusion, never after the clinic's day.
    public var date: ClinicalDate
    /// The time of day it started, when recorded; a multi-day infusion's end is counted from it.
    public var time: ClockTime?
    /// How much was given: a dose in mg/kg, or for a continuous infusion the highest rate in mg/kg/h.
    public var dosing: Dosing
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
    /// Minutes of monitoring after dosing, 0 to 14 400.
    public var monitoringMinutes: Int?
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
        respiratoryDepression: Bool = false, adverseEvents: [AdverseEventEntry] = []
    ) {
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

    /// The highest rate of a continuous infusion.
    public var rateMgPerKgPerHour: Double? {
        if case .rate(let rate) = dosing { return rate }
        return nil
    }

    /// Dose per kg of a bolus or timed infusion given intravenously: sub-anaesthetic infusions for
    /// depression (0.5 mg/kg over 40 minutes), pain and headache (up to 1-2 mg/kg).
    public static let intravenousDoseRange: ClosedRange<Double> = 0.05...2
    /// Dose per kg by the other routes (intramuscular, intranasal, oral), whose bioavailability is
    /// lower: up to 5 mg/kg.
    public static let otherRouteDoseRange: ClosedRange<Double> = 0.05...5
    /// The highest rate of a continuous intravenous infusion, mg/kg/h (Schwenk 2018: mean maximum
    /// 0.76; CRPS protocols up to 0.35-0.5; 2 leaves room for the highest published).
    public static let rateRange: ClosedRange<Double> = 0.05...2
    /// A bolus or timed infusion lasts at most a day; longer is a continuous infusion, given by rate.
    public static let doseMinutesRange: ClosedRange<Int> = 1...1_440
    /// A continuous infusion lasts up to seven days (refractory headache protocols run five).
    public static let rateMinutesRange: ClosedRange<Int> = 1...10_080
    /// The body weights accepted, in kg.
    public static let weightRange: ClosedRange<Double> = 2...400
    /// The total doses accepted, in mg.
    public static let totalMgRange: ClosedRange<Double> = 0.1...20_000
    /// How far a total typed by hand may differ from dose x weight (or rate x hours x weight).
    public static let totalTolerance = 0.10

    /// The allowed dose per kg for a route.
    public static func doseRange(route: InfusionRoute) -> ClosedRange<Double> {
        route == .iv ? intravenousDoseRange : otherRouteDoseRange
    }

    /// The total in mg that the dose (or rate and duration) and weight imply.
    public func expectedTotalMg(weightKg: Double) -> Double {
        switch dosing {
        case .dose(let dose): dose * weightKg
        case .rate(let rate): rate * Double(minutes) / 60 * weightKg
        }
    }

    /// Checks every field, filling in the total dose from weight when it is not given. `today` is the
    /// clinic's day: an infusion cannot be recorded for a later one.
    public func validated(today: ClinicalDate) throws(InputError) -> InfusionEntry {
        var copy = self
        _ = try date.notInFuture(field: "on", today: today)
        switch dosing {
        case .dose(let dose):
            _ = try checkRange(
                dose, Self.doseRange(route: route), field: "dose-mg-per-kg",
                unit: "mg/kg for the \(route.rawValue) route")
            guard Self.doseMinutesRange.contains(minutes) else {
                throw InputError(
                    field: "minutes", got: String(minutes),
                    allowed:
                        "\(Self.doseMinutesRange.lowerBound) to \(Self.doseMinutesRange.upperBound) minutes for a dose; a longer, continuous infusion is recorded as a rate in mg/kg/h"
                )
            }
        case .rate(let rate):
            guard route == .iv else {
                throw InputError(
                    field: "route", got: route.rawValue,
                    allowed: "iv: a continuous infusion (a rate in mg/kg/h) is intravenous")
            }
            _ = try checkRange(rate, Self.rateRange, field: "rate-mg-per-kg-per-hour", unit: "mg/kg/h")
            _ = try checkRange(minutes, Self.rateMinutesRange, field: "minutes", unit: "minutes (7 days)")
        }
        if let weightKg { _ = try checkRange(weightKg, Self.weightRange, field: "weight-kg", unit: "kg") }
        if let totalMg { _ = try checkRange(totalMg, Self.totalMgRange, field: "total-mg", unit: "mg") }
        if let heartRate { _ = try checkRange(heartRate, 20...250, field: "heart-rate", unit: "beats per minute") }
        if let oxygenSaturation { _ = try checkRange(oxygenSaturation, 50...100, field: "spo2", unit: "%") }
        if let monitoringMinutes {
            _ = try checkRange(monitoringMinutes, 0...14_400, field: "monitoring-minutes", unit: "minutes")
        }
        for name in concomitantMedication where name.trimmedWhitespace.isEmpty || name.count > 100 {
            throw InputError(field: "concomitant", got: name, allowed: "a medication name of 1 to 100 characters")
        }
        if let weightKg {
            let expected = expectedTotalMg(weightKg: weightKg)
            let how =
                switch dosing {
                case .dose(let dose): "\(formatScore(dose)) mg/kg x \(formatScore(weightKg)) kg"
                case .rate(let rate):
                    "\(formatScore(rate)) mg/kg/h x \(formatScore(Double(minutes) / 60)) hours x \(formatScore(weightKg)) kg"
                }
            if let totalMg {
                guard abs(totalMg - expected) <= Self.totalTolerance * expected else {
                    throw InputError(
                        field: "total-mg", got: formatScore(totalMg),
                        allowed: "a total within 10% of \(how) = \(formatScore((expected * 100).rounded() / 100)) mg")
                }
            } else {
                copy.totalMg = (expected * 100).rounded() / 100
                guard Self.totalMgRange.contains(copy.totalMg!) else {
                    throw InputError(
                        field: "total-mg", got: formatScore(copy.totalMg!),
                        allowed:
                            "\(formatScore(Self.totalMgRange.lowerBound)) to \(formatScore(Self.totalMgRange.upperBound)) mg; \(how) gives more"
                    )
                }
            }
        }
        copy.adverseEvents = try adverseEvents.map { ae throws(InputError) in try ae.validated(today: today) }
        return copy
    }
}
