import RegistryCore
import RegistryStore

/// Recording an assessment: the scale found, a duplicate refused before any answer is asked, the
/// answers scored with the condition's safety checks, the record written with its flags, and the
/// flags it raised. `ketareg assess` calls it; any other front door (a patient's own form) calls the
/// same, so that scoring, duplicates and flags are one rule wherever the answers come from.
public struct AssessmentRecording: Sendable {
    /// An assessment as recorded: the stored record, its score as computed, and the safety flags it
    /// raised (open, for a clinician to review).
    public struct Recorded: Sendable {
        /// The record as stored, with its id.
        public let assessment: AssessmentView
        /// The score, band, subscores and the flags' names, as the catalog computed them.
        public let scored: ScoredAssessment
        /// The open safety flags this assessment raised, oldest first.
        public let raisedFlags: [SafetyFlagView]
    }

    /// The registry written to.
    public let registry: Registry
    /// The conditions and scales of this run.
    public let catalog: ConditionCatalog

    /// Recording into `registry`, scoring with `catalog`.
    public init(registry: Registry, catalog: ConditionCatalog) {
        self.registry = registry
        self.catalog = catalog
    }

    /// The scale with this id (any case), or ``CatalogError/noSuchScale(id:known:)`` naming the
    /// known ones.
    public func scale(_ id: String) throws -> any AssessmentScale {
        try catalog.scale(named: id)
    }

    /// Refuses, before a form is filled in, an assessment the registry would refuse as a duplicate
    /// (the same patient, scale, day and timepoint), unless it is a genuine second administration:
    /// no answer typed is then lost to the refusal. The write checks again, inside its transaction.
    public func checkNotRecorded(
        patient: RecordID, scale: any AssessmentScale, on date: ClinicalDate, timepoint: Timepoint,
        repeatAdministration: Bool
    ) throws {
        guard !repeatAdministration else { return }
        try registry.refuseDuplicateAssessment(patient: patient, scale: scale.id, on: date, timepoint: timepoint)
    }

    /// Scores `answers` (one per item; nil for an item left unanswered) and records them: refused,
    /// with nothing written, when an answer or the day is not allowed, the patient is not enrolled
    /// for the scale's condition, or the same assessment is on record and this is not a repeat.
    public func record(
        patient: RecordID, scale: any AssessmentScale, answers: [Int?], on date: ClinicalDate,
        timepoint: Timepoint, repeatAdministration: Bool, actor: String
    ) throws -> Recorded {
        let scored = try catalog.assess(scale: scale.id, answers: answers)
        let assessment = try registry.addAssessment(
            scored, patient: patient, on: date, timepoint: timepoint, repeat: repeatAdministration, actor: actor)
        return Recorded(
            assessment: assessment, scored: scored,
            raisedFlags: try registry.openFlags(raisedBy: assessment.id, patient: patient))
    }
}
