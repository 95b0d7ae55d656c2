import RegistryCore

/// Quality of life, for every condition: the scales any patient may be assessed on, whatever they
/// are enrolled for. The catalog adds them, their outcome rule and their checks to every
/// condition, so each is judged within the patient's own course: baseline before its first
/// infusion, end of course, follow-up visits.
///
/// Outcome rule: a meaningful improvement in well-being is a WHO-5 percentage score at least 10
/// points higher than at baseline (Topp et al. 2015).
public struct QualityOfLifeModule: Condition {
    public init() {}

    public let id = "quality-of-life"
    public let name = "Quality of life (every condition)"
    public let version = "1.0"
    public let summary = "Well-being on the WHO-5, for a patient of any condition."
    public let primaryScale = WHO5.scale.id
    public let scope = ModuleScope.everyCondition

    public var scales: [any AssessmentScale] { [WHO5.scale] }

    public var outcomeRules: [OutcomeRule] {
        [
            OutcomeRule(
                id: "wellbeing-improvement", name: "well-being improvement", scale: WHO5.scale.id,
                criterion: .pointImprovement(atLeast: 10))
        ]
    }
}
