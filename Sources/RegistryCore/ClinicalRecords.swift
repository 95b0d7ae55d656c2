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
    /// The day research consent was given, when it was signed before enrolment (a patient already
    /// in care when the clinic adopted the registry); `nil` for the day of enrolment.
    public var consentedOn: ClinicalDate?
    /// Treatments tried and failed before ketamine.
    public var priorTreatments: [PriorTreatment]

    /// An enrolment as entered, unchecked; ``validated(against:today:)`` checks it.
    public init(
        identity: PatientIdentity, sex: Sex, conditions: [String], enrolledOn: ClinicalDate,
        researchConsent: Bool, consentedOn: ClinicalDate? = nil, priorTreatments: [PriorTreatment] = []
    ) {
        self.identity = identity
        self.sex = sex
        self.conditions = conditions
        self.enrolledOn = enrolledOn
        self.researchConsent = researchConsent
        self.consentedOn = consentedOn
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
        if let consentedOn {
            guard researchConsent else {
                throw InputError(
                    field: "consented-on", got: consentedOn.description,
                    allowed: "a day only with research consent yes")
            }
            _ = try consentedOn.notInFuture(field: "consented-on", today: today)
            guard consentedOn >= identity.birthDate, consentedOn <= enrolledOn else {
                throw InputError(
                    field: "consented-on", got: consentedOn.description,
                    allowed:
                        "a day from the birth date (\(identity.birthDate)) to the enrolment (\(enrolledOn)); a consent given later is recorded with 'patient consent'"
                )
            }
        }
        var copy = self
        if consentedOn == enrolledOn { copy.consentedOn = nil }
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
    /// What it was, in the clinic's words (`other`: what the treatment was; any kind: a detail),
    /// one line of at most 200 characters; `nil` for none. Kept at the clinic: never exported.
    public var note: String?

    /// A co-intervention from `from`, until `to` when it has stopped.
    public init(kind: CoInterventionKind, from: ClinicalDate, to: ClinicalDate? = nil, note: String? = nil) {
        self.kind = kind
        self.from = from
        self.to = to
        self.note = note
    }

    /// Checks that it started no later than `today`, stopped no earlier than it started, and that
    /// its note is one line of at most 200 characters (trimmed; empty is none), throwing
    /// ``InputError`` naming the field.
    public func validated(today: ClinicalDate) throws(InputError) -> CoInterventionEntry {
        _ = try from.notInFuture(field: "from", today: today)
        if let to, to < from {
            throw InputError(field: "to", got: to.description, allowed: "a date on or after the start, \(from)")
        }
        var copy = self
        copy.note = note.map(\.trimmedWhitespace).flatMap { $0.isEmpty ? nil : $0 }
        if let note = copy.note {
            guard note.count <= 200,
                !note.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
            else {
                throw InputError(field: "note", got: note, allowed: "one line of at most 200 characters")
            }
        }
        return copy
    }
}
