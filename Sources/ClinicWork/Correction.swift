import RegistryCore
import RegistryStore

/// Correcting a record: one path for every kind of record, each change audited with its reason.
/// The change must be for the record's own kind; observations and course markers can only be
/// marked entered in error (then recorded again as they should be); patients and flags are not
/// corrected here (a patient's identity has its own edit, a flag is reviewed).
public struct Correction {
    /// What is to change, by the kind of record it is for.
    public enum Change {
        /// New answers (scored again by the catalog), a new day or a new timepoint; nil keeps each.
        case assessment(answers: [Int?]?, on: ClinicalDate?, timepoint: Timepoint?)
        /// Edits to an infusion's fields, validated again.
        case infusion((inout InfusionEntry) throws -> Void)
        /// Edits to an adverse event's fields, validated again.
        case adverseEvent((inout AdverseEventEntry) throws -> Void)
        /// Edits to a co-intervention's fields, validated again.
        case coIntervention((inout CoInterventionEntry) throws -> Void)

        /// The edit of an infusion's fields, when this change is one.
        var infusionEdit: ((inout InfusionEntry) throws -> Void)? {
            if case .infusion(let edit) = self { edit } else { nil }
        }

        /// The edit of an adverse event's fields, when this change is one.
        var adverseEventEdit: ((inout AdverseEventEntry) throws -> Void)? {
            if case .adverseEvent(let edit) = self { edit } else { nil }
        }

        /// The edit of a co-intervention's fields, when this change is one.
        var coInterventionEdit: ((inout CoInterventionEntry) throws -> Void)? {
            if case .coIntervention(let edit) = self { edit } else { nil }
        }

        /// The kind of record the change is for.
        public var kind: RecordKind {
            switch self {
            case .assessment: .assessment
            case .infusion: .infusion
            case .adverseEvent: .adverseEvent
            case .coIntervention: .coIntervention
            }
        }
    }

    /// The record after the correction.
    public enum Corrected: Sendable {
        /// An assessment as now stored, scored again when its answers changed.
        case assessment(AssessmentView)
        /// An infusion as now stored.
        case infusion(InfusionView)
        /// An adverse event as now stored.
        case adverseEvent(AdverseEventView)
        /// A co-intervention as now stored.
        case coIntervention(CoInterventionView)
        /// A record only marked entered in error (its id): none of its stored values was read, so
        /// a record damaged behind the program's back, whose view would not read, is taken out too.
        case marked(String)
    }

    /// Why a correction cannot be made as asked; nothing was written.
    public enum Refusal: Error, Sendable, Hashable {
        /// The id is of a patient or a flag, which are not corrected as records are.
        case notCorrectable(RecordKind)
        /// The change is for another kind of record than the one named.
        case changeForAnotherKind(record: RecordKind, change: RecordKind)
        /// An observation or course marker can only be marked entered in error.
        case onlyMarkable(RecordKind)
    }

    /// The registry written to.
    public let registry: Registry
    /// The catalog that scores corrected answers.
    public let catalog: ConditionCatalog

    /// Corrections in `registry`, scored with `catalog`.
    public init(registry: Registry, catalog: ConditionCatalog) {
        self.registry = registry
        self.catalog = catalog
    }

    /// Corrects `record`: applies `change` (for the record's own kind) and, with `enteredInError`,
    /// marks it so (kept on file, out of timelines and outcomes). Marked with no change, none of the
    /// record's stored values is read, so a record damaged behind the program's back can still be
    /// taken out. A reason is required; the audit trail keeps what it was and what it became.
    public func correct(
        _ record: RecordID, change: Change?, enteredInError: Bool, reason: String, actor: String
    ) throws -> Corrected {
        switch record.kind {
        case .patient, .flag: throw Refusal.notCorrectable(record.kind)
        case .observation, .courseEvent:
            guard change == nil, enteredInError else { throw Refusal.onlyMarkable(record.kind) }
        case .assessment, .infusion, .adverseEvent, .coIntervention:
            break
        }
        if change == nil, enteredInError {
            return .marked(try registry.markEnteredInError(record, reason: reason, actor: actor))
        }
        if let change, change.kind != record.kind {
            throw Refusal.changeForAnotherKind(record: record.kind, change: change.kind)
        }
        // No change and no mark: the store refuses it as changing nothing, naming the record.
        let mark: Bool? = enteredInError ? true : nil
        switch record.kind {
        case .assessment:
            var (answers, on, timepoint): ([Int?]?, ClinicalDate?, Timepoint?) = (nil, nil, nil)
            if case .assessment(let given, let day, let point)? = change {
                (answers, on, timepoint) = (given, day, point)
            }
            return .assessment(
                try registry.correctAssessment(
                    record, answers: answers, on: on, timepoint: timepoint, enteredInError: mark, catalog: catalog,
                    reason: reason, actor: actor))
        case .infusion:
            return .infusion(
                try registry.correctInfusion(
                    record, reason: reason, actor: actor, enteredInError: mark, change: change?.infusionEdit))
        case .adverseEvent:
            return .adverseEvent(
                try registry.correctAdverseEvent(
                    record, reason: reason, actor: actor, enteredInError: mark, change: change?.adverseEventEdit))
        default:
            return .coIntervention(
                try registry.correctCoIntervention(
                    record, reason: reason, actor: actor, enteredInError: mark, change: change?.coInterventionEdit))
        }
    }

    /// The scale an assessment was recorded on, to read corrected answers against.
    public func scale(ofAssessment record: RecordID) throws -> any AssessmentScale {
        try catalog.scale(named: registry.scaleOfAssessment(record))
    }
}
