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
