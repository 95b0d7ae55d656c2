import RegistryCore

/// Neuropathic chronic pain treated with ketamine: pain rating, pain severity and interference, and
/// the two screening instruments for a neuropathic component.
///
/// Outcome rules follow IMMPACT: a pain rating at least 30% lower than baseline is a moderate
/// improvement, at least 50% lower a substantial one; a BPI-SF interference score at least 1 point
/// lower is meaningful.
public struct NeuropathicPainModule: Condition {
    /// The module; it has no settings.
    public init() {}

    /// The condition's id: `neuropathic-pain`.
    public let id = "neuropathic-pain"
    /// SNOMED CT 247398009 "Neuropathic pain". ICD-10 has no code for neuropathic pain as such
    /// (only its causes and sites), so none is given.
    public let codes: [StandardCode] = [.snomed("247398009", "Neuropathic pain")]
    /// The name a clinician reads.
    public let name = "Neuropathic chronic pain"
    /// The version of the module's definitions.
    public let version = "1.0"
    /// What the module records, in one sentence.
    public let summary =
        "Neuropathic chronic pain: pain rating with IMMPACT improvement thresholds, BPI-SF severity and interference, DN4 and painDETECT screening."
    /// The average pain rating (`pain-nrs`): the scale outcome reports lead with.
    public let primaryScale = PainRating.scale.id

    /// The average pain rating, BPI-SF, DN4 and painDETECT, in that order.
    public var scales: [any AssessmentScale] {
        [PainRating.scale, BPISF.scale, DN4.scale, PainDETECT.scale]
    }

    /// Three infusions within two weeks, then assessment, with visits about one and three months in.
    /// Boosters every 4 to 12 weeks are maintenance, so re-treatment starts only after 120 days
    /// without an infusion.
    public var course: Course {
        Course(
            description: "three infusions within two weeks, then assessment", infusions: 3, withinDays: 14,
            endOfCourseWindowDays: 7,
            followUps: [
                FollowUpVisit(id: "visit-1", name: "1-month visit", targetDay: 30, earliestDay: 21, latestDay: 45),
                FollowUpVisit(id: "visit-2", name: "3-month visit", targetDay: 90, earliestDay: 75, latestDay: 120),
            ],
            maintenance: "booster infusions every 4 to 12 weeks while the relief lasts",
            retreatmentAfterDays: 120)
    }

    /// Moderate (at least 30% lower than baseline) and substantial (at least 50% lower) improvement
    /// of the pain rating, and BPI-SF interference at least 1 point lower.
    public var outcomeRules: [OutcomeRule] {
        [
            OutcomeRule(
                id: "moderate-improvement", scale: PainRating.scale.id, criterion: .percentImprovement(atLeast: 30)),
            OutcomeRule(
                id: "substantial-improvement", scale: PainRating.scale.id, criterion: .percentImprovement(atLeast: 50)),
            OutcomeRule(
                id: "interference-improvement", name: "BPI-SF interference improvement",
                scale: BPISF.scale.id, subscore: "interference", criterion: .pointImprovement(atLeast: 1)),
        ]
    }
}
