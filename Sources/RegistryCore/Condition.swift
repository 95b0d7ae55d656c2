/// A condition module: everything the registry knows about treating one condition with ketamine —
/// its assessment scales, how response and remission are judged, and which answers need a
/// clinician's attention.
///
/// A module is a value; the command line builds a ``ConditionCatalog`` from the compiled modules
/// and the declarative ones, and nothing else in the program can tell them apart. A module never
/// touches storage, exports or the terminal.
///
/// To write one: give it a stable ``id``, list its ``scales`` (usually ``StandardScale`` values),
/// name the ``primaryScale`` that outcome reports lead with, and add ``outcomeRules`` and
/// ``safetyChecks``. ``ConditionCatalog`` checks the whole module when it is loaded.
public protocol Condition: Sendable {
    /// A stable id, lower case with digits and hyphens (`migraine`, `neuropathic-pain`).
    var id: String { get }
    /// The name a clinician reads.
    var name: String { get }
    /// The version of the module's definitions.
    var version: String { get }
    /// One or two sentences on what the module covers.
    var summary: String { get }
    /// The condition's assessment scales. Scale ids are unique across the whole catalog.
    var scales: [any AssessmentScale] { get }
    /// The id of the scale outcome reports lead with.
    var primaryScale: String { get }
    /// Response, remission and improvement rules, each naming one of ``scales``.
    var outcomeRules: [OutcomeRule] { get }
    /// Checks that raise flags when an assessment is entered. Defaults to none.
    var safetyChecks: [SafetyCheck] { get }
    /// The usual course of infusions and when its assessments are due. Defaults to a single
    /// infusion assessed within a week, with visits about one and three months later.
    var course: Course { get }
    /// Whether this is a condition patients are enrolled for (the default), or a set of scales
    /// any patient may be assessed on whatever their condition (quality of life: WHO-5). The
    /// catalog adds a shared module's scales, outcome rules and safety checks to every condition;
    /// its own course and primary scale are not used.
    var scope: ModuleScope { get }
    /// What the condition is in SNOMED CT and ICD-10, each code checked against a published source.
    var codes: [StandardCode] { get }
    /// The protocol each course runs under, by its start day. Defaults to the module's own
    /// ``course`` for every course; a catalog given the clinic's protocols
    /// (``ConditionCatalog/withProtocols(_:)``) has the clinic's.
    var protocols: ProtocolSchedule { get }
}

/// What a module is for: one condition, or every condition (``Condition/scope``).
public enum ModuleScope: String, Sendable, Hashable, Codable {
    /// A condition patients are enrolled for.
    case condition
    /// Scales any patient may be assessed on, judged within each of their conditions' courses.
    case everyCondition = "every-condition"
}

extension Condition {
    /// No safety checks unless the module gives them.
    public var safetyChecks: [SafetyCheck] { [] }
    /// A condition patients are enrolled for, unless the module says it is shared by every condition.
    public var scope: ModuleScope { .condition }
    /// No SNOMED CT or ICD-10 codes unless the module gives them.
    public var codes: [StandardCode] { [] }
    /// The module's own course, for every course.
    public var protocols: ProtocolSchedule { ProtocolSchedule(module: TreatmentProtocol(moduleOf: self)) }

    /// By default one infusion, with the end-of-course assessment due within 7 days and visits aiming for days 30 (days
    /// 21-45) and 90 (days 75-120); re-treatment after 90 days without an infusion.
    public var course: Course {
        Course(
            description: "one infusion, assessed within a week", infusions: 1, withinDays: 1, endOfCourseWindowDays: 7,
            followUps: [
                FollowUpVisit(id: "visit-1", name: "visit 1", targetDay: 30, earliestDay: 21, latestDay: 45),
                FollowUpVisit(id: "visit-2", name: "visit 2", targetDay: 90, earliestDay: 75, latestDay: 120),
            ])
    }

    /// The scale with this id, if the condition has it.
    public func scale(_ id: String) -> (any AssessmentScale)? {
        scales.first { $0.id == id }
    }
}
