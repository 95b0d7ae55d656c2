import RegistryCore

/// Quality of life, for every condition: the scales any patient may be assessed on, whatever they
/// are enrolled for. The catalog adds them, their outcome rule and their checks to every
/// condition, so each is judged within the patient's own course: baseline before its first
/// infusion, end of course, follow-up visits.
///
/// Outcome rule: a meaningful improvement in well-being is a WHO-5 percentage score at least 10
/// points higher than at baseline (Topp et al. 2015).
public struct QualityOfLifeModule: Condition {
    /// The module; it has no settings.
    public init() {}

    /// The module's id: `quality-of-life`.
    public let id = "quality-of-life"
    /// The name a clinician reads.
    public let name = "Quality of life (every condition)"
    /// The version of the module's definitions.
    public let version = "1.0"
    /// What the module records, in one sentence.
    public let summary = "Well-being on the WHO-5, for a patient of any condition."
    /// The WHO-5 (`who5`); the catalog does not use a shared module's primary scale.
    public let primaryScale = WHO5.scale.id
    /// `every-condition`: the catalog adds the WHO-5 and its rule to every condition.
    public let scope = ModuleScope.everyCondition

    /// The WHO-5 alone.
    public var scales: [any AssessmentScale] { [WHO5.scale] }

    /// Well-being improvement: a WHO-5 percentage score at least 10 points higher than at baseline.
    public var outcomeRules: [OutcomeRule] {
        [
            OutcomeRule(
                id: "wellbeing-improvement", name: "well-being improvement", scale: WHO5.scale.id,
                criterion: .pointImprovement(atLeast: 10))
        ]
    }
}
