/// A new patient as entered at enrolment. Identifying fields are kept apart from clinical ones so
/// that storage can keep them in their own table.
public struct Enrollment: Sendable, Hashable {
    public var identity: PatientIdentity
    public var sex: Sex
    public var conditions: [String]
    public var enrolledOn: ClinicalDate
    public var researchConsent: Bool
    public var priorTreatments: [PriorTreatment]

    public init(identity: PatientIdentity, sex: Sex, conditions: [String], enrolledOn: ClinicalDate,
                researchConsent: Bool, priorTreatments: [PriorTreatment] = []) {
        self.identity = identity
        self.sex = sex
        self.conditions = conditions
        self.enrolledOn = enrolledOn
        self.researchConsent = researchConsent
        self.priorTreatments = priorTreatments
    }

    /// Checks every field against the catalog and the calendar.
    public func validated(against catalog: ConditionCatalog) throws -> Enrollment {
        try identity.validate()
        guard !conditions.isEmpty else {
            throw InputError(field: "condition", got: "", allowed: "at least one of \(catalog.conditionIDs.joined(separator: ", "))")
        }
        for condition in conditions where catalog.condition(condition) == nil {
            throw InputError(field: "condition", got: condition, allowed: "one of \(catalog.conditionIDs.joined(separator: ", "))")
        }
        _ = try enrolledOn.notInFuture(field: "enrolled-on")
        guard identity.birthDate <= enrolledOn else {
            throw InputError(field: "birth-date", got: identity.birthDate.description,
                             allowed: "a date on or before the enrolment date (\(enrolledOn))")
        }
        guard identity.birthDate.age(on: enrolledOn) <= 120 else {
            throw InputError(field: "birth-date", got: identity.birthDate.description,
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
    public var givenName: String
    public var familyName: String
    public var birthDate: ClinicalDate

    public init(mrn: String, givenName: String, familyName: String, birthDate: ClinicalDate) {
        self.mrn = mrn.trimmingCharacters(in: .whitespaces)
        self.givenName = givenName.trimmingCharacters(in: .whitespaces)
        self.familyName = familyName.trimmingCharacters(in: .whitespaces)
        self.birthDate = birthDate
    }

    func validate() throws(InputError) {
        guard !mrn.isEmpty, mrn.count <= 64, !mrn.contains(where: \.isNewline) else {
            throw InputError(field: "mrn", got: mrn, allowed: "the clinic's record number, 1 to 64 characters on one line")
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
    public var term: AdverseEventTerm
    public var grade: AdverseEventGrade
    public var serious: Bool
    public var onset: ClinicalDate
    public var resolvedOn: ClinicalDate?

    public init(term: AdverseEventTerm, grade: AdverseEventGrade, serious: Bool = false,
                onset: ClinicalDate, resolvedOn: ClinicalDate? = nil) {
        self.term = term
        self.grade = grade
        self.serious = serious
        self.onset = onset
        self.resolvedOn = resolvedOn
    }

    /// Reads `TERM[:GRADE][:serious]` as given with an infusion (`nausea:mild`,
    /// `hypertension:severe:serious`). The grade defaults to mild.
    public static func parse(_ text: String, onset: ClinicalDate, field: String = "adverse") throws(InputError) -> AdverseEventEntry {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count) else {
            throw InputError(field: field, got: text, allowed: "TERM[:GRADE][:serious], e.g. nausea:moderate")
        }
        let term = try AdverseEventTerm.parse(parts[0], field: field)
        let grade = parts.count > 1 ? try AdverseEventGrade.parse(parts[1], field: field) : .mild
        var serious = false
        if parts.count == 3 {
            guard parts[2].lowercased() == "serious" else {
                throw InputError(field: field, got: text, allowed: "TERM:GRADE:serious, where the third part is the word 'serious'")
            }
            serious = true
        }
        return AdverseEventEntry(term: term, grade: grade, serious: serious, onset: onset)
    }

    public func validated() throws(InputError) -> AdverseEventEntry {
        _ = try onset.notInFuture(field: "onset")
        if let resolvedOn {
            _ = try resolvedOn.notInFuture(field: "resolved")
            guard resolvedOn >= onset else {
                throw InputError(field: "resolved", got: resolvedOn.description, allowed: "a date on or after the onset (\(onset))")
            }
        }
        return self
    }
}

/// One ketamine administration with its monitoring observations, after the esketamine monitoring
/// form.
public struct InfusionEntry: Sendable, Hashable {
    public var date: ClinicalDate
    public var time: ClockTime?
    public var doseMgPerKg: Double
    public var weightKg: Double?
    /// Total dose in mg; computed from weight and dose per kg when not given.
    public var totalMg: Double?
    public var minutes: Int
    public var route: InfusionRoute
    public var bloodPressureBefore: BloodPressure?
    /// About 40 minutes after dosing.
    public var bloodPressureAfter: BloodPressure?
    public var bloodPressureAtDischarge: BloodPressure?
    public var heartRate: Int?
    public var oxygenSaturation: Int?
    public var monitoringMinutes: Int?
    /// Sedatives or stimulants taken alongside, by name.
    public var concomitantMedication: [String]
    public var sedation: Bool
    public var dissociation: Bool
    public var respiratoryDepression: Bool
    public var adverseEvents: [AdverseEventEntry]

    public init(date: ClinicalDate, time: ClockTime? = nil, doseMgPerKg: Double, weightKg: Double? = nil,
                totalMg: Double? = nil, minutes: Int, route: InfusionRoute = .iv,
                bloodPressureBefore: BloodPressure? = nil, bloodPressureAfter: BloodPressure? = nil,
                bloodPressureAtDischarge: BloodPressure? = nil, heartRate: Int? = nil,
                oxygenSaturation: Int? = nil, monitoringMinutes: Int? = nil,
                concomitantMedication: [String] = [], sedation: Bool = false, dissociation: Bool = false,
                respiratoryDepression: Bool = false, adverseEvents: [AdverseEventEntry] = []) {
        self.date = date
        self.time = time
        self.doseMgPerKg = doseMgPerKg
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

    /// The allowed dose per kg: the range of ketamine doses used in these indications.
    public static let doseRange: ClosedRange<Double> = 0.05...5
    /// Up to ten days of continuous infusion (refractory headache protocols run five).
    public static let minutesRange: ClosedRange<Int> = 1...14_400

    /// Checks every field, filling in the total dose from weight when it is not given.
    public func validated() throws(InputError) -> InfusionEntry {
        var copy = self
        _ = try date.notInFuture(field: "on")
        _ = try checkRange(doseMgPerKg, Self.doseRange, field: "dose-mg-per-kg", unit: "mg/kg")
        _ = try checkRange(minutes, Self.minutesRange, field: "minutes", unit: "minutes")
        if let weightKg { _ = try checkRange(weightKg, 2...400, field: "weight-kg", unit: "kg") }
        if let totalMg { _ = try checkRange(totalMg, 0.1...2_000, field: "total-mg", unit: "mg") }
        if let heartRate { _ = try checkRange(heartRate, 20...250, field: "heart-rate", unit: "beats per minute") }
        if let oxygenSaturation { _ = try checkRange(oxygenSaturation, 50...100, field: "spo2", unit: "%") }
        if let monitoringMinutes { _ = try checkRange(monitoringMinutes, 0...14_400, field: "monitoring-minutes", unit: "minutes") }
        for name in concomitantMedication where name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 100 {
            throw InputError(field: "concomitant", got: name, allowed: "a medication name of 1 to 100 characters")
        }
        if copy.totalMg == nil, let weightKg {
            copy.totalMg = (doseMgPerKg * weightKg * 100).rounded() / 100
        }
        copy.adverseEvents = try adverseEvents.map { ae throws(InputError) in try ae.validated() }
        return copy
    }
}

/// A treatment alongside ketamine during a course.
public struct CoInterventionEntry: Sendable, Hashable {
    public var kind: CoInterventionKind
    public var from: ClinicalDate
    public var to: ClinicalDate?

    public init(kind: CoInterventionKind, from: ClinicalDate, to: ClinicalDate? = nil) {
        self.kind = kind
        self.from = from
        self.to = to
    }

    public func validated() throws(InputError) -> CoInterventionEntry {
        _ = try from.notInFuture(field: "from")
        if let to, to < from {
            throw InputError(field: "to", got: to.description, allowed: "a date on or after --from (\(from))")
        }
        return self
    }
}
