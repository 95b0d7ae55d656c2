import RegistryCore

/// A stored infusion.
public struct InfusionView: Sendable, Codable, Hashable {
    /// The infusion's id (`I-`).
    public let id: String
    /// The patient's id (`P-000042`).
    public let patient: String
    /// The condition it was given for.
    public let condition: String
    /// The other conditions it was given for as well, sorted; `nil` when none. It counts in each
    /// one's course.
    public let alsoFor: [String]?
    /// The day it was given, `YYYY-MM-DD`.
    public let on: String
    /// The time dosing started, `HH:MM` on the 24-hour clock; `nil` when not recorded.
    public let at: String?
    /// The drug: ketamine or esketamine.
    public let drug: Drug
    /// A bolus or timed infusion's dose per kg; absent for a fixed dose or a continuous infusion.
    public let doseMgPerKg: Double?
    /// A fixed dose in mg (esketamine's devices, oral or sublingual ketamine, ...); absent otherwise.
    public let doseMg: Double?
    /// The rate a continuous infusion started at; absent for a dose.
    public let rateMgPerKgPerHour: Double?
    /// A continuous infusion's rate changes, in order; `nil` when it ran at one rate.
    public let rateSteps: [RateStepView]?
    /// Body weight in kg on the day; `nil` when not recorded.
    public let weightKg: Double?
    /// The total dose in mg, as entered or worked out from the dose (or rate and duration) and the
    /// weight; `nil` when neither a total nor a weight was given.
    public let totalMg: Double?
    /// How long the dose or infusion ran, in minutes.
    public let minutes: Int
    /// How ketamine was given.
    public let route: InfusionRoute
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
    /// When the patient was judged ready to leave, `HH:MM`; `nil` when not recorded.
    public let readyToLeave: String?
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

    /// "0.5 mg/kg", "56 mg esketamine", "0.1 mg/kg/h" or "0.1 -> 0.3 -> 0.76 mg/kg/h (2 changes,
    /// highest 0.76)".
    public var dosingText: String {
        let drugWord = drug == .ketamine ? "" : " \(drug.rawValue)"
        if let rateMgPerKgPerHour {
            guard let steps = rateSteps, !steps.isEmpty else { return "\(formatScore(rateMgPerKgPerHour)) mg/kg/h" }
            let rates = [rateMgPerKgPerHour] + steps.map(\.rateMgPerKgPerHour)
            let shown = rates.count <= 5 ? rates : Array(rates.prefix(2)) + [rates.last!]
            return shown.map(formatScore).joined(separator: rates.count <= 5 ? " -> " : " -> ... -> ")
                + " mg/kg/h (\(steps.count) change\(steps.count == 1 ? "" : "s"), highest \(formatScore(rates.max()!)))"
        }
        if let doseMg { return "\(formatScore(doseMg)) mg\(drugWord)" }
        return "\(formatScore(doseMgPerKg ?? 0)) mg/kg\(drugWord)"
    }
}

/// A change of a continuous infusion's rate.
public struct RateStepView: Sendable, Codable, Hashable {
    /// When the rate changed, `YYYY-MM-DDTHH:MM`.
    public let at: String
    /// Minutes after the infusion started.
    public let minute: Int
    /// The rate from then on, mg/kg/h (0: paused).
    public let rateMgPerKgPerHour: Double
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
    /// Whether it starts or ends a course.
    public let kind: CourseMarker.Kind
    /// The day the course starts or ends, `YYYY-MM-DD`.
    public let on: String
    /// For a start, the kind of course it starts; `nil` for an end, or a start that leaves it to
    /// the course timeline.
    public let courseKind: CourseKind?
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
    /// When in the course it was taken.
    public let timepoint: Timepoint
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
    /// What happened, as one of the adverse-event terms.
    public let term: AdverseEventTerm
    /// How severe it was.
    public let grade: AdverseEventGrade
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
    /// What the treatment was.
    public let kind: CoInterventionKind
    /// The day it started, `YYYY-MM-DD`.
    public let from: String
    /// The day it ended, `YYYY-MM-DD`; `nil` while it goes on.
    public let to: String?
    /// What it was, in the clinic's words; `nil` for none. Never exported.
    public let note: String?
    /// Whether it was marked entered in error: kept on file and in the audit trail, left out of
    /// histories, outcomes and exports.
    public let enteredInError: Bool
}
