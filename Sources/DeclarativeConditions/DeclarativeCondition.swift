import RegistryCore

/// A condition module read from a file: the same `Condition` value a compiled module is, so that
/// nothing else in the program can tell the two apart.
public struct DeclarativeCondition: Condition {
    /// The condition's id (`id`), lower case with digits and hyphens.
    public let id: String
    /// The name a clinician reads (`name`).
    public let name: String
    /// The version of the module's definitions (`version`).
    public let version: String
    /// What the module covers, in one or two sentences (`summary`).
    public let summary: String
    /// The id of the scale outcome reports lead with (`primary-scale`); for a module that applies
    /// to every condition, its first scale.
    public let primaryScale: String
    /// The file's scales, in the file's order (`scales`).
    public let standardScales: [StandardScale]
    /// The response, remission and improvement rules (`outcome-rules`); empty when the file has
    /// none.
    public let outcomeRules: [OutcomeRule]
    /// The checks that raise flags when an assessment is entered (`safety-checks`); empty when the
    /// file has none.
    public let safetyChecks: [SafetyCheck]
    /// The usual course and when its assessments are due (`course`); the protocol's default (one
    /// infusion assessed within a week, visits about one and three months later) when the file has
    /// none.
    public let course: Course
    /// `every-condition` for a module of scales any patient may be assessed on (`applies-to`).
    public let scope: ModuleScope
    /// SNOMED CT and ICD-10 codes for the condition (`codes`).
    public let codes: [StandardCode]
    /// The file it was read from, for messages.
    public let file: String
    /// The line of the condition's id, and of each scale's (`scale:ID`), for messages.
    public let lines: [String: Int]

    /// The file's scales (``standardScales``), as the protocol gives them.
    public var scales: [any AssessmentScale] { standardScales }
}
