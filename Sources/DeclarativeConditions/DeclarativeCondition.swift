import RegistryCore

/// A condition module read from a file: the same `Condition` value a compiled module is, so that
/// nothing else in the program can tell the two apart.
public struct DeclarativeCondition: Condition {
    public let id: String
    public let name: String
    public let version: String
    public let summary: String
    public let primaryScale: String
    public let standardScales: [StandardScale]
    public let outcomeRules: [OutcomeRule]
    public let safetyChecks: [SafetyCheck]
    public let course: Course
    /// `every-condition` for a module of scales any patient may be assessed on (`applies-to`).
    public let scope: ModuleScope
    /// SNOMED CT and ICD-10 codes for the condition (`codes`).
    public let codes: [StandardCode]
    /// The file it was read from, for messages.
    public let file: String
    /// The line of the condition's id, and of each scale's (`scale:ID`), for messages.
    public let lines: [String: Int]

    public var scales: [any AssessmentScale] { standardScales }
}
