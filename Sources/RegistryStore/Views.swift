import RegistryCore

/// One line of the clinic's patient list.
public struct PatientSummary: Sendable, Codable, Hashable {
    /// The patient's id (`P-000042`).
    public let id: String
    /// The clinic's medical record number, held by no other patient in the registry.
    public let mrn: String
    /// The given name, as recorded.
    public let givenName: String
    /// The family name, as recorded.
    public let familyName: String
    /// The stored word as it is (one of ``Sex``'s words unless the file was changed behind the
    /// program's back): this line is what a consent change answers with, and a withdrawal is never
    /// blocked by damage, so it shows the stored text rather than refuse it. The patient's page
    /// reads it strictly.
    public let sex: String
    /// The day of enrolment, `YYYY-MM-DD`.
    public let enrolledOn: String
    /// The ids of the conditions the patient is enrolled for, in the order they were added, ended
    /// ones included.
    public let conditions: [String]
    /// Whether research consent stands, as the patient's last consent decision left it.
    public let researchConsent: Bool
    /// The day research consent was withdrawn, `YYYY-MM-DD`; `nil` unless the last decision was a
    /// withdrawal.
    public let consentWithdrawnOn: String?
    /// How many infusions are recorded, those entered in error not counted.
    public let infusions: Int
    /// The day of the latest assessment not entered in error, `YYYY-MM-DD`; `nil` before any.
    public let lastAssessedOn: String?
    /// The kinds of safety flag still open for this patient, each once, in the order they were
    /// first raised.
    public let flags: [String]
}

/// Everything the clinic records about one patient: the clinic's page for that patient.
public struct PatientPage: Sendable, Codable {
    /// The patient's id (`P-000042`).
    public let id: String
    /// The clinic's medical record number.
    public let mrn: String
    /// The given name, as recorded.
    public let givenName: String
    /// The family name, as recorded.
    public let familyName: String
    /// The date of birth, `YYYY-MM-DD`: part of the identity, never exported.
    public let birthDate: String
    /// The phone number, if recorded. Contact details are kept with the identity and never
    /// exported.
    public let phone: String?
    /// The email address, if recorded; never exported.
    public let email: String?
    /// The postal address, if recorded; never exported.
    public let address: String?
    /// Age in whole years on the day of enrolment.
    public let ageAtEnrolment: Int
    /// Sex as recorded at enrolment, read strictly: a stored word this version does not know stops
    /// the page.
    public let sex: Sex
    /// The day of enrolment, `YYYY-MM-DD`.
    public let enrolledOn: String
    /// The ids of the conditions the patient is enrolled for, in the order they were added, ended
    /// ones included.
    public let conditions: [String]
    /// Conditions ended (`patient condition end`), with the day.
    public let endedConditions: [String: String]
    /// Whether research consent stands, as the patient's last consent decision left it.
    public let researchConsent: Bool
    /// The day research consent was withdrawn, `YYYY-MM-DD`; `nil` unless the last decision was a
    /// withdrawal.
    public let consentWithdrawnOn: String?
    /// Why research consent was withdrawn, in the words recorded; `nil` unless the last decision
    /// was a withdrawal.
    public let consentWithdrawalReason: String?
    /// Every research-consent decision, oldest first.
    public let consentDecisions: [ConsentDecision]
    /// Treatments tried before ketamine, as recorded at enrolment, in the order entered.
    public let priorTreatments: [PriorTreatment]
    /// Every infusion, by day and start time, those entered in error included and marked.
    public let infusions: [InfusionView]
    /// Every assessment, by day, those entered in error included and marked.
    public let assessments: [AssessmentView]
    /// Every adverse event, by onset, those entered in error included and marked.
    public let adverseEvents: [AdverseEventView]
    /// Every co-intervention, by the day it started, those entered in error included and marked.
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
    /// The infusion's id (`I-`).
    public let id: String
    /// The patient's id (`P-000042`).
    public let patient: String
    /// The condition it was given for.
    public let condition: String
    /// The day it was given, `YYYY-MM-DD`.
    public let on: String
    /// The time dosing started, `HH:MM` on the 24-hour clock; `nil` when not recorded.
    public let at: String?
    /// A bolus or timed infusion's dose; absent for a continuous infusion.
    public let doseMgPerKg: Double?
    /// A continuous infusion's highest rate; absent for a bolus or timed infusion.
    public let rateMgPerKgPerHour: Double?
    /// Body weight in kg on the day; `nil` when not recorded.
    public let weightKg: Double?
    /// The total dose in mg, as entered or worked out from the dose (or rate and duration) and the
    /// weight; `nil` when neither a total nor a weight was given.
    public let totalMg: Double?
    /// How long the dose or infusion ran, in minutes.
    public let minutes: Int
    /// How ketamine was given: `iv`, `im`, `intranasal` or `oral`.
    public let route: String
    /// Blood pressure before dosing, `SYS/DIA` in mmHg; `nil` when not recorded.
    public let bpBefore: String?
    /// Blood pressure about 40 minutes after dosing, `SYS/DIA` in mmHg; `nil` when not recorded.
    public let bpAfter: String?
    /// Blood pressure at discharge, `SYS/DIA` in mmHg; `nil` when not recorded.
    public let bpDischarge: String?
    /// Heart rate in beats per minute; `nil` when not recorded.
    public let heartRate: Int?
    /// Oxygen saturation (SpO2), per cent; `nil` when not recorded.
    public let spo2: Int?
    /// Minutes of monitoring after dosing; `nil` when not recorded.
    public let monitoringMinutes: Int?
    /// Sedatives or stimulants taken alongside, by name.
    public let concomitantMedication: [String]
    /// Whether sedation was observed.
    public let sedation: Bool
    /// Whether dissociation was observed.
    public let dissociation: Bool
    /// Whether respiratory depression was recorded (it raises a `respiratory-depression` flag).
    public let respiratoryDepression: Bool
    /// The ids (`AE-`) of the adverse events recorded as following this infusion.
    public let adverseEvents: [String]
    /// Whether it was marked entered in error: kept on file and in the audit trail, left out of
    /// histories, outcomes and exports.
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
    /// The observation's id (`O-`).
    public let id: String
    /// The id (`I-`) of the infusion it was made during.
    public let infusion: String
    /// The patient's id (`P-000042`).
    public let patient: String
    /// The day of the observation, `YYYY-MM-DD`.
    public let on: String
    /// The time of the observation, `HH:MM` on the 24-hour clock.
    public let at: String
    /// Blood pressure, `SYS/DIA` in mmHg; `nil` when not measured.
    public let bp: String?
    /// Heart rate in beats per minute; `nil` when not measured.
    public let heartRate: Int?
    /// Oxygen saturation (SpO2), per cent; `nil` when not measured.
    public let spo2: Int?
    /// Whether sedation was observed.
    public let sedation: Bool
    /// Whether dissociation was observed.
    public let dissociation: Bool
    /// Whether respiratory depression was recorded (it raises a `respiratory-depression` flag).
    public let respiratoryDepression: Bool
    /// Whether it was marked entered in error: kept on file and in the audit trail, left out of
    /// histories, outcomes and exports.
    public let enteredInError: Bool
}

/// A course started or ended by hand.
public struct CourseEventView: Sendable, Codable, Hashable {
    /// The marker's id (`CE-`).
    public let id: String
    /// The patient's id (`P-000042`).
    public let patient: String
    /// The condition whose course it starts or ends.
    public let condition: String
    /// `start` or `end`.
    public let kind: String
    /// The day the course starts or ends, `YYYY-MM-DD`.
    public let on: String
    /// For a start: `induction` or `re-treatment`.
    public let courseKind: String?
    /// Why, in the clinician's words: required for an end, optional for a start.
    public let reason: String?
    /// Whether it was marked entered in error: kept on file and in the audit trail, left out of
    /// histories, outcomes and exports.
    public let enteredInError: Bool
}

/// A stored assessment: every answer, the score, subscores, band, flags and the scale version.
public struct AssessmentView: Sendable, Codable, Hashable {
    /// The assessment's id (`A-`).
    public let id: String
    /// The patient's id (`P-000042`).
    public let patient: String
    /// The condition it was recorded for.
    public let condition: String
    /// The scale's id in the condition catalog.
    public let scale: String
    /// The version of the scale it was scored with.
    public let scaleVersion: String
    /// The day it was taken, `YYYY-MM-DD`.
    public let on: String
    /// When in the course it was taken: `baseline`, `post-infusion` or `follow-up`.
    public let timepoint: String
    /// The raw answer to each item, in the scale's order; `nil` for an item without an answer.
    public let answers: [Int?]
    /// The score the scale gave these answers.
    public let score: Double
    /// Subscores by name; `nil` when there are none.
    public let subscores: [String: Double]?
    /// The id of the scale's severity band the score falls in; `nil` when there is none.
    public let band: String?
    /// The names of the safety flags the scale's checks raised for these answers.
    public let flags: [String]
    /// Whether it was marked entered in error: kept on file and in the audit trail, left out of
    /// histories, outcomes and exports.
    public let enteredInError: Bool
}

/// A stored adverse event.
public struct AdverseEventView: Sendable, Codable, Hashable {
    /// The adverse event's id (`AE-`).
    public let id: String
    /// The patient's id (`P-000042`).
    public let patient: String
    /// The id (`I-`) of the infusion it followed; `nil` when it was recorded on its own.
    public let infusion: String?
    /// What happened, as one of the adverse-event terms (`nausea`, `dizziness`, ..., `other`).
    public let term: String
    /// How severe it was: `mild`, `moderate` or `severe`.
    public let grade: String
    /// Whether it was recorded as serious (which raises a `serious-adverse-event` flag).
    public let serious: Bool
    /// The day it began, `YYYY-MM-DD`.
    public let onset: String
    /// The day it resolved, `YYYY-MM-DD`; `nil` until that is recorded.
    public let resolvedOn: String?
    /// Whether it was marked entered in error: kept on file and in the audit trail, left out of
    /// histories, outcomes and exports.
    public let enteredInError: Bool
}

/// A stored co-intervention.
public struct CoInterventionView: Sendable, Codable, Hashable {
    /// The co-intervention's id (`C-`).
    public let id: String
    /// The patient's id (`P-000042`).
    public let patient: String
    /// What the treatment was: `diet`, `magnesium`, `essential-oil`, `acupuncture`, `yoga`,
    /// `massage` or `other`.
    public let kind: String
    /// The day it started, `YYYY-MM-DD`.
    public let from: String
    /// The day it ended, `YYYY-MM-DD`; `nil` while it goes on.
    public let to: String?
    /// Whether it was marked entered in error: kept on file and in the audit trail, left out of
    /// histories, outcomes and exports.
    public let enteredInError: Bool
}

/// One row of the audit trail: who changed what, when, from what to what, and why.
public struct AuditEntry: Sendable, Codable, Hashable {
    /// The row's number in the audit chain: 1 for the first, then one more for each row, without
    /// gaps.
    public let id: Int64
    /// When the change was written, by the registry's clock: ISO 8601 UTC to the millisecond
    /// (`yyyy-mm-ddThh:mm:ss.mmmZ`).
    public let at: String
    /// Who made the change, by the name the program gave (the actor).
    public let actor: String
    /// What was done: `enroll`, `add`, `correct`, `raise`, `review`, `set`, `build-export` and the
    /// like.
    public let action: String
    /// The kind of thing changed: a record kind's noun (`patient`, `infusion`, `flag`, ...), or
    /// `identity`, `endpoint`, `export` or `setting`.
    public let entity: String
    /// Which one: a record's id (`P-000042`), an endpoint's name, an export's id or a setting's
    /// key.
    public let entityId: String
    /// The id (`P-`) of the patient the change concerns; `nil` for endpoints, exports and settings.
    public let patient: String?
    /// The record before the change, as JSON; absent for a new record, and for changes that keep no
    /// earlier state (an identity edit, an export built or retried).
    public let before: String?
    /// The record after the change, as JSON; absent when there is none to show (an endpoint
    /// removed, an export retried).
    public let after: String?
    /// Why, in the words given with the change; `nil` when none was given.
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
