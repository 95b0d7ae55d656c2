import RegistryCore

/// One line of the clinic's patient list.
public struct PatientSummary: Sendable, Codable, Hashable {
    public let id: String
    public let mrn: String
    public let givenName: String
    public let familyName: String
    /// The stored word as it is (one of ``Sex``'s words unless the file was changed behind the
    /// program's back): this line is what a consent change answers with, and a withdrawal is never
    /// blocked by damage, so it shows the stored text rather than refuse it. The patient's page
    /// reads it strictly.
    public let sex: String
    public let enrolledOn: String
    public let conditions: [String]
    public let researchConsent: Bool
    public let consentWithdrawnOn: String?
    public let infusions: Int
    public let lastAssessedOn: String?
    /// Safety flags raised by any assessment of this patient still on record.
    public let flags: [String]
}

/// Everything the clinic records about one patient: the clinic's page for that patient.
public struct PatientPage: Sendable, Codable {
    public let id: String
    public let mrn: String
    public let givenName: String
    public let familyName: String
    public let birthDate: String
    /// Contact details: kept with the identity, never exported.
    public let phone: String?
    public let email: String?
    public let address: String?
    public let ageAtEnrolment: Int
    public let sex: Sex
    public let enrolledOn: String
    public let conditions: [String]
    /// Conditions ended (`patient condition end`), with the day.
    public let endedConditions: [String: String]
    public let researchConsent: Bool
    public let consentWithdrawnOn: String?
    public let consentWithdrawalReason: String?
    /// Every research-consent decision, oldest first.
    public let consentDecisions: [ConsentDecision]
    public let priorTreatments: [PriorTreatment]
    public let infusions: [InfusionView]
    public let assessments: [AssessmentView]
    public let adverseEvents: [AdverseEventView]
    public let coInterventions: [CoInterventionView]
    /// Vital signs and observations during infusions.
    public let observations: [ObservationView]
    /// Courses started or ended by hand.
    public let courseEvents: [CourseEventView]
    /// The most recent assessment of each scale (not entered in error).
    public let latestScores: [AssessmentView]
    /// The kinds of safety flag still open, for clinician review.
    public let flags: [String]
    /// Every open safety flag, oldest first.
    public var openFlags: [SafetyFlagView] = []
    /// Where the patient is in each condition's course; filled in by whoever knows the courses.
    public var courses: [CourseProgress] = []
}

/// A stored infusion.
public struct InfusionView: Sendable, Codable, Hashable {
    public let id: String
    public let patient: String
    /// The condition it was given for.
    public let condition: String
    public let on: String
    public let at: String?
    /// A bolus or timed infusion's dose; absent for a continuous infusion.
    public let doseMgPerKg: Double?
    /// A continuous infusion's highest rate; absent for a bolus or timed infusion.
    public let rateMgPerKgPerHour: Double?
    public let weightKg: Double?
    public let totalMg: Double?
    public let minutes: Int
    public let route: String
    public let bpBefore: String?
    public let bpAfter: String?
    public let bpDischarge: String?
    public let heartRate: Int?
    public let spo2: Int?
    public let monitoringMinutes: Int?
    public let concomitantMedication: [String]
    public let sedation: Bool
    public let dissociation: Bool
    public let respiratoryDepression: Bool
    public let adverseEvents: [String]
    public let enteredInError: Bool
    /// Recorded before the dose ranges of 2026-11 and outside them; kept as it was.
    public let legacyRanges: Bool

    /// "0.5 mg/kg" or "0.76 mg/kg/h".
    public var dosingText: String {
        if let rateMgPerKgPerHour { return "\(formatScore(rateMgPerKgPerHour)) mg/kg/h" }
        return "\(formatScore(doseMgPerKg ?? 0)) mg/kg"
    }
}

/// Vital signs and observations recorded during an infusion.
public struct ObservationView: Sendable, Codable, Hashable {
    public let id: String
    public let infusion: String
    public let patient: String
    public let on: String
    public let at: String
    public let bp: String?
    public let heartRate: Int?
    public let spo2: Int?
    public let sedation: Bool
    public let dissociation: Bool
    public let respiratoryDepression: Bool
    public let enteredInError: Bool
}

/// A course started or ended by hand.
public struct CourseEventView: Sendable, Codable, Hashable {
    public let id: String
    public let patient: String
    public let condition: String
    /// `start` or `end`.
    public let kind: String
    public let on: String
    /// For a start: `induction` or `re-treatment`.
    public let courseKind: String?
    public let reason: String?
    public let enteredInError: Bool
}

/// A stored assessment: every answer, the score, subscores, band, flags and the scale version.
public struct AssessmentView: Sendable, Codable, Hashable {
    public let id: String
    public let patient: String
    public let condition: String
    public let scale: String
    public let scaleVersion: String
    public let on: String
    public let timepoint: String
    public let answers: [Int?]
    public let score: Double
    public let subscores: [String: Double]?
    public let band: String?
    public let flags: [String]
    public let enteredInError: Bool
}

/// A stored adverse event.
public struct AdverseEventView: Sendable, Codable, Hashable {
    public let id: String
    public let patient: String
    public let infusion: String?
    public let term: String
    public let grade: String
    public let serious: Bool
    public let onset: String
    public let resolvedOn: String?
    public let enteredInError: Bool
}

/// A stored co-intervention.
public struct CoInterventionView: Sendable, Codable, Hashable {
    public let id: String
    public let patient: String
    public let kind: String
    public let from: String
    public let to: String?
    public let enteredInError: Bool
}

/// One row of the audit trail: who changed what, when, from what to what, and why.
public struct AuditEntry: Sendable, Codable, Hashable {
    public let id: Int64
    public let at: String
    public let actor: String
    public let action: String
    public let entity: String
    public let entityId: String
    public let patient: String?
    /// The record before the change, as JSON; absent for a new record.
    public let before: String?
    /// The record after the change, as JSON.
    public let after: String?
    public let reason: String?
}

extension InfusionRow {
    func view(adverseEvents: [String]) -> InfusionView {
        func pressure(_ systolic: Int?, _ diastolic: Int?) -> String? {
            guard let systolic, let diastolic else { return nil }
            return "\(systolic)/\(diastolic)"
        }
        return InfusionView(
            id: RecordKind.infusion.displayID(id!), patient: RecordKind.patient.displayID(patientId),
            condition: conditionId,
            on: givenOn, at: givenAt, doseMgPerKg: doseMgPerKg, rateMgPerKgPerHour: rateMgPerKgPerHour,
            weightKg: weightKg, totalMg: totalMg,
            minutes: minutes, route: route,
            bpBefore: pressure(bpBeforeSystolic, bpBeforeDiastolic),
            bpAfter: pressure(bpAfterSystolic, bpAfterDiastolic),
            bpDischarge: pressure(bpDischargeSystolic, bpDischargeDiastolic),
            heartRate: heartRate, spo2: oxygenSaturation, monitoringMinutes: monitoringMinutes,
            concomitantMedication: decodeStringList(concomitantMedication),
            sedation: sedation, dissociation: dissociation, respiratoryDepression: respiratoryDepression,
            adverseEvents: adverseEvents, enteredInError: enteredInError, legacyRanges: legacyRanges)
    }
}

extension InfusionObservationRow {
    var view: ObservationView {
        ObservationView(
            id: RecordKind.observation.displayID(id!), infusion: RecordKind.infusion.displayID(infusionId),
            patient: RecordKind.patient.displayID(patientId), on: observedOn, at: observedAt,
            bp: bpSystolic.flatMap { systolic in bpDiastolic.map { "\(systolic)/\($0)" } }, heartRate: heartRate,
            spo2: oxygenSaturation,
            sedation: sedation, dissociation: dissociation, respiratoryDepression: respiratoryDepression,
            enteredInError: enteredInError)
    }
}

extension CourseEventRow {
    var view: CourseEventView {
        CourseEventView(
            id: RecordKind.courseEvent.displayID(id!), patient: RecordKind.patient.displayID(patientId),
            condition: conditionId,
            kind: kind, on: onDate, courseKind: courseKind, reason: reason, enteredInError: enteredInError)
    }
}

// The two views below are written straight into one string, keys in the order JSONEncoder's
// `.sortedKeys` gives them (tests compare the bytes with Foundation's): every infusion and
// assessment an import writes has its audit row.

extension InfusionView: HandEncodedJSON {
    var json: String {
        var object = JSONObjectWriter(capacity: 512)
        object.strings("adverseEvents", adverseEvents)
        object.string("at", at)
        object.string("bpAfter", bpAfter)
        object.string("bpBefore", bpBefore)
        object.string("bpDischarge", bpDischarge)
        object.strings("concomitantMedication", concomitantMedication)
        object.string("condition", condition)
        object.bool("dissociation", dissociation)
        object.number("doseMgPerKg", doseMgPerKg)
        object.bool("enteredInError", enteredInError)
        object.int("heartRate", heartRate)
        object.string("id", id)
        object.bool("legacyRanges", legacyRanges)
        object.int("minutes", minutes)
        object.int("monitoringMinutes", monitoringMinutes)
        object.string("on", on)
        object.string("patient", patient)
        object.number("rateMgPerKgPerHour", rateMgPerKgPerHour)
        object.bool("respiratoryDepression", respiratoryDepression)
        object.string("route", route)
        object.bool("sedation", sedation)
        object.int("spo2", spo2)
        object.number("totalMg", totalMg)
        object.number("weightKg", weightKg)
        return object.text
    }
}

extension AssessmentView: HandEncodedJSON {
    var json: String {
        var object = JSONObjectWriter(capacity: 384)
        object.ints("answers", answers)
        object.string("band", band)
        object.string("condition", condition)
        object.bool("enteredInError", enteredInError)
        object.strings("flags", flags)
        object.string("id", id)
        object.string("on", on)
        object.string("patient", patient)
        object.string("scale", scale)
        object.string("scaleVersion", scaleVersion)
        object.number("score", score)
        if let subscores {
            var members = JSONObjectWriter(capacity: 64)
            for (name, value) in subscores.sorted(by: { $0.key < $1.key }) {
                members.number(escapingName: name, value)
            }
            object.object("subscores", members)
        }
        object.string("timepoint", timepoint)
        return object.text
    }
}

extension AssessmentRow {
    var view: AssessmentView {
        let subscoreValues = decodeJSONUnlessEmpty([String: Double].self, subscores, empty: "{}") ?? [:]
        return AssessmentView(
            id: RecordKind.assessment.displayID(id!), patient: RecordKind.patient.displayID(patientId),
            condition: conditionId, scale: scaleId, scaleVersion: scaleVersion, on: assessedOn,
            timepoint: timepoint, answers: rawAnswers, score: score,
            subscores: subscoreValues.isEmpty ? nil : subscoreValues, band: band,
            flags: decodeStringList(flags), enteredInError: enteredInError)
    }
}

extension AdverseEventRow {
    var view: AdverseEventView {
        AdverseEventView(
            id: RecordKind.adverseEvent.displayID(id!), patient: RecordKind.patient.displayID(patientId),
            infusion: infusionId.map(RecordKind.infusion.displayID), term: term, grade: grade,
            serious: serious, onset: onset, resolvedOn: resolvedOn, enteredInError: enteredInError)
    }
}

extension CoInterventionRow {
    var view: CoInterventionView {
        CoInterventionView(
            id: RecordKind.coIntervention.displayID(id!), patient: RecordKind.patient.displayID(patientId),
            kind: kind, from: fromDate, to: toDate, enteredInError: enteredInError)
    }
}

extension AuditRow {
    var entry: AuditEntry {
        AuditEntry(
            id: id!, at: at, actor: actor, action: action, entity: entity, entityId: entityId,
            patient: patient, before: before, after: after, reason: reason)
    }
}

extension PatientSummary {
    /// `{"patients": [...]}` exactly as `JSONEncoder` writes it pretty-printed with sorted keys and
    /// unescaped slashes (the tests compare the two), written by hand: the encoder's generic
    /// machinery cost more than reading the list from SQLite.
    public static func prettyJSON(patients: [PatientSummary]) -> String {
        var out = "{\n  \"patients\" : ["
        func string(_ text: String) { appendJSONString(text, to: &out) }
        func list(_ items: [String]) {
            out += "["
            if items.isEmpty {
                out += "\n\n      ]"
                return
            }
            for (index, item) in items.enumerated() {
                out += index == 0 ? "\n        " : ",\n        "
                string(item)
            }
            out += "\n      ]"
        }
        func key(_ name: String, first: Bool = false) { out += (first ? "\n      \"" : ",\n      \"") + name + "\" : " }
        if patients.isEmpty {
            out += "\n\n  ]\n}"
            return out
        }
        for (index, patient) in patients.enumerated() {
            out += index == 0 ? "\n    {" : ",\n    {"
            key("conditions", first: true)
            list(patient.conditions)
            if let withdrawn = patient.consentWithdrawnOn {
                key("consentWithdrawnOn")
                string(withdrawn)
            }
            key("enrolledOn")
            string(patient.enrolledOn)
            key("familyName")
            string(patient.familyName)
            key("flags")
            list(patient.flags)
            key("givenName")
            string(patient.givenName)
            key("id")
            string(patient.id)
            key("infusions")
            out += String(patient.infusions)
            if let last = patient.lastAssessedOn {
                key("lastAssessedOn")
                string(last)
            }
            key("mrn")
            string(patient.mrn)
            key("researchConsent")
            out += patient.researchConsent ? "true" : "false"
            key("sex")
            string(patient.sex)
            out += "\n    }"
        }
        out += "\n  ]\n}"
        return out
    }
}
