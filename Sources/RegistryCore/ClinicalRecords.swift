/// A new patient as entered at enrolment. Identifying fields are kept apart from clinical ones so
/// that storage can keep them in their own table.
public struct Enrollment: Sendable, Hashable {
    /// Who the patient is: MRN, names and birth date, stored apart from the clinical record.
    public var identity: PatientIdentity
    /// The patient's sex as recorded at enrolment.
    public var sex: Sex
    /// The ids of the conditions the patient is enrolled for (`depression`), each in the catalog;
    /// ``validated(against:today:)`` drops repeats.
    public var conditions: [String]
    /// The day of enrolment, never after the clinic's day.
    public var enrolledOn: ClinicalDate
    /// Whether the patient consented to their data being used for research.
    public var researchConsent: Bool
    /// Treatments tried and failed before ketamine.
    public var priorTreatments: [PriorTreatment]

    /// An enrolment as entered, unchecked; ``validated(against:today:)`` checks it.
    public init(
        identity: PatientIdentity, sex: Sex, conditions: [String], enrolledOn: ClinicalDate,
        researchConsent: Bool, priorTreatments: [PriorTreatment] = []
    ) {
        self.identity = identity
        self.sex = sex
        self.conditions = conditions
        self.enrolledOn = enrolledOn
        self.researchConsent = researchConsent
        self.priorTreatments = priorTreatments
    }

    /// Checks every field against the catalog and the calendar (`today`: the clinic's day).
    public func validated(against catalog: ConditionCatalog, today: ClinicalDate) throws -> Enrollment {
        try identity.validate()
        guard !conditions.isEmpty else {
            throw InputError(
                field: "condition", got: "", allowed: "at least one of \(catalog.conditionIDs.joined(separator: ", "))")
        }
        for condition in conditions where catalog.condition(condition) == nil {
            throw InputError(
                field: "condition", got: condition, allowed: "one of \(catalog.conditionIDs.joined(separator: ", "))")
        }
        _ = try enrolledOn.notInFuture(field: "enrolled-on", today: today)
        guard identity.birthDate <= enrolledOn else {
            throw InputError(
                field: "birth-date", got: identity.birthDate.description,
                allowed: "a date on or before the enrolment date (\(enrolledOn))")
        }
        guard identity.birthDate.age(on: enrolledOn) <= 120 else {
            throw InputError(
                field: "birth-date", got: identity.birthDate.description,
                allowed: "a date giving an age of at most 120 at enrolment")
        }
        var copy = self
        var seen: Set<String> = []
        copy.conditions = conditions.filter { seen.insert($0).inserted }
        return copy
    }
}

/// Who a patient is. These fields never leave the clinic and live in their own table.
public struct PatientIdentity: Sendable, Hashable {
    /// The clinic's medical record number.
    public var mrn: String
    /// The patient's given name, 1 to 200 characters on one line once validated.
    public var givenName: String
    /// The patient's family name, 1 to 200 characters on one line once validated.
    public var familyName: String
    /// The patient's date of birth, on or before enrolment and no more than 120 years before it.
    public var birthDate: ClinicalDate

    /// An identity, with white space trimmed from both ends of the MRN and the names.
    public init(mrn: String, givenName: String, familyName: String, birthDate: ClinicalDate) {
        self.mrn = mrn.trimmedWhitespace
        self.givenName = givenName.trimmedWhitespace
        self.familyName = familyName.trimmedWhitespace
        self.birthDate = birthDate
    }

    func validate() throws(InputError) {
        guard !mrn.isEmpty, mrn.count <= 64, !mrn.contains(where: \.isNewline) else {
            throw InputError(
                field: "mrn", got: mrn, allowed: "the clinic's record number, 1 to 64 characters on one line")
        }
        for (field, value) in [("given", givenName), ("family", familyName)] {
            guard !value.isEmpty, value.count <= 200, !value.contains(where: \.isNewline) else {
                throw InputError(field: field, got: value, allowed: "a name of 1 to 200 characters on one line")
            }
        }
    }
}

/// An adverse event as entered, with the infusion it followed when known.
public struct AdverseEventEntry: Sendable, Hashable {
    /// What happened, in the registry's vocabulary (`nausea`).
    public var term: AdverseEventTerm
    /// How severe it was: mild, moderate or severe.
    public var grade: AdverseEventGrade
    /// Whether it was serious; a serious adverse event raises the `serious-adverse-event` flag.
    public var serious: Bool
    /// The day it began, never after the clinic's day.
    public var onset: ClinicalDate
    /// The day it resolved, on or after the onset; `nil` while it lasts or when not known.
    public var resolvedOn: ClinicalDate?

    /// An adverse event as entered, not serious and unresolved unless told otherwise.
    public init(
        term: AdverseEventTerm, grade: AdverseEventGrade, serious: Bool = false,
        onset: ClinicalDate, resolvedOn: ClinicalDate? = nil
    ) {
        self.term = term
        self.grade = grade
        self.serious = serious
        self.onset = onset
        self.resolvedOn = resolvedOn
    }

    /// Reads `TERM[:GRADE][:serious]` as given with an infusion (`nausea:mild`,
    /// `hypertension:severe:serious`). The grade defaults to mild.
    public static func parse(_ text: String, onset: ClinicalDate, field: String = "adverse") throws(InputError)
        -> AdverseEventEntry
    {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count) else {
            throw InputError(field: field, got: text, allowed: "TERM[:GRADE][:serious], e.g. nausea:moderate")
        }
        let term = try AdverseEventTerm.parse(parts[0], field: field)
        let grade = parts.count > 1 ? try AdverseEventGrade.parse(parts[1], field: field) : .mild
        var serious = false
        if parts.count == 3 {
            guard parts[2].lowercased() == "serious" else {
                throw InputError(
                    field: field, got: text, allowed: "TERM:GRADE:serious, where the third part is the word 'serious'")
            }
            serious = true
        }
        return AdverseEventEntry(term: term, grade: grade, serious: serious, onset: onset)
    }

    /// Checks that the onset and any resolution are no later than `today` and that it resolved no earlier than its
    /// onset, throwing ``InputError`` naming the field.
    public func validated(today: ClinicalDate) throws(InputError) -> AdverseEventEntry {
        _ = try onset.notInFuture(field: "onset", today: today)
        if let resolvedOn {
            _ = try resolvedOn.notInFuture(field: "resolved", today: today)
            guard resolvedOn >= onset else {
                throw InputError(
                    field: "resolved", got: resolvedOn.description, allowed: "a date on or after the onset (\(onset))")
            }
        }
        return self
    }
}

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

/// Vital signs and observations during an infusion, any number of times (a continuous infusion
/// over days is watched every few hours).
public struct InfusionObservationEntry: Sendable, Hashable {
    /// The day of the observation, never after the clinic's day.
    public var date: ClinicalDate
    /// The time of day of the observation.
    public var time: ClockTime
    /// Blood pressure at the observation.
    public var bloodPressure: BloodPressure?
    /// Heart rate in beats per minute, 20 to 250.
    public var heartRate: Int?
    /// Oxygen saturation (SpO2) in %, 50 to 100.
    public var oxygenSaturation: Int?
    /// Whether sedation was observed.
    public var sedation: Bool
    /// Whether dissociation was observed.
    public var dissociation: Bool
    /// Whether respiratory depression was observed.
    public var respiratoryDepression: Bool

    /// An observation at `date` and `time`, unchecked; ``validated(today:)`` checks it.
    public init(
        date: ClinicalDate, time: ClockTime, bloodPressure: BloodPressure? = nil, heartRate: Int? = nil,
        oxygenSaturation: Int? = nil, sedation: Bool = false, dissociation: Bool = false,
        respiratoryDepression: Bool = false
    ) {
        self.date = date
        self.time = time
        self.bloodPressure = bloodPressure
        self.heartRate = heartRate
        self.oxygenSaturation = oxygenSaturation
        self.sedation = sedation
        self.dissociation = dissociation
        self.respiratoryDepression = respiratoryDepression
    }

    /// Reads `YYYY-MM-DDTHH:MM` (a space may stand for the T).
    public static func parseMoment(_ text: String, field: String = "at", today: ClinicalDate? = nil) throws(InputError)
        -> (ClinicalDate, ClockTime)
    {
        let trimmed = text.trimmedSpaces
        let parts = trimmed.split(whereSeparator: { $0 == "T" || $0 == "t" || $0 == " " }).map(String.init)
        guard parts.count == 2 else {
            throw InputError(
                field: field, got: text, allowed: "a date and time as YYYY-MM-DDTHH:MM (e.g. 2026-03-02T14:30)")
        }
        return (
            try ClinicalDate.parse(parts[0], field: field, today: today), try ClockTime.parse(parts[1], field: field)
        )
    }

    /// Checks the readings; at least one reading or observation is needed.
    public func validated(today: ClinicalDate) throws(InputError) -> InfusionObservationEntry {
        _ = try date.notInFuture(field: "at", today: today)
        if let heartRate { _ = try checkRange(heartRate, 20...250, field: "heart-rate", unit: "beats per minute") }
        if let oxygenSaturation { _ = try checkRange(oxygenSaturation, 50...100, field: "spo2", unit: "%") }
        guard
            bloodPressure != nil || heartRate != nil || oxygenSaturation != nil || sedation || dissociation
                || respiratoryDepression
        else {
            throw InputError(
                field: "bp", got: "",
                allowed:
                    "at least one reading: blood pressure, heart rate, SpO2, sedation, dissociation or respiratory depression"
            )
        }
        return self
    }
}

/// A treatment alongside ketamine during a course.
public struct CoInterventionEntry: Sendable, Hashable {
    /// What the treatment was (`magnesium`, `acupuncture`).
    public var kind: CoInterventionKind
    /// The day it started, never after the clinic's day.
    public var from: ClinicalDate
    /// The day it stopped, on or after `from`; `nil` while it goes on or when not known.
    public var to: ClinicalDate?

    /// A co-intervention from `from`, until `to` when it has stopped.
    public init(kind: CoInterventionKind, from: ClinicalDate, to: ClinicalDate? = nil) {
        self.kind = kind
        self.from = from
        self.to = to
    }

    /// Checks that it started no later than `today` and stopped no earlier than it started, throwing ``InputError``
    /// naming the field.
    public func validated(today: ClinicalDate) throws(InputError) -> CoInterventionEntry {
        _ = try from.notInFuture(field: "from", today: today)
        if let to, to < from {
            throw InputError(field: "to", got: to.description, allowed: "a date on or after the start, \(from)")
        }
        return self
    }
}
