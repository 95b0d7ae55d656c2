import RegistryCore

/// Refractory migraine and chronic headache treated with ketamine: monthly headache days, pain
/// ratings, disability and impact.
///
/// Outcome rules: an immediate response is a headache pain rating at least 2 points lower at the
/// end of a course than at its start (Schwenk et al. 2018); a monthly-days response is at least 50%
/// fewer headache days than at baseline.
public struct MigraineModule: Condition {
    /// The module; it has no settings.
    public init() {}

    /// The condition's id: `migraine`.
    public let id = "migraine"
    /// SNOMED CT 37796009 "Migraine"; ICD-10 (WHO) G43 "Migraine".
    public let codes: [StandardCode] = [.snomed("37796009", "Migraine"), .icd10("G43", "Migraine")]
    /// The name a clinician reads.
    public let name = "Migraine and refractory headache"
    /// The version of the module's definitions.
    public let version = "1.0"
    /// What the module records, in one sentence.
    public let summary =
        "Refractory migraine and chronic headache: headache days, pain rating, MIDAS disability and HIT-6 impact."
    /// The headache pain rating (`headache-nrs`): the scale outcome reports lead with.
    public let primaryScale = HeadachePainRating.scale.id

    /// The headache pain rating, monthly headache days, MIDAS and HIT-6, in that order.
    public var scales: [any AssessmentScale] {
        [HeadachePainRating.scale, MonthlyHeadacheDays.scale, MIDAS.scale, HIT6.scale]
    }

    /// A five-day continuous inpatient infusion, scored at the end of the stay, with follow-up
    /// visits near day 38 and day 101 (Schwenk et al. 2018).
    public var course: Course {
        Course(
            description: "five-day continuous inpatient infusion", infusions: 1, withinDays: 7,
            endOfCourseWindowDays: 2,
            followUps: [
                FollowUpVisit(id: "visit-1", name: "visit 1", targetDay: 38, earliestDay: 21, latestDay: 69),
                FollowUpVisit(id: "visit-2", name: "visit 2", targetDay: 101, earliestDay: 70, latestDay: 160),
            ],
            maintenance: "outpatient booster infusions after the inpatient stay",
            retreatmentAfterDays: Course.defaultRetreatmentAfterDays)
    }

    /// Response: a headache pain rating at least 2 points lower than baseline; monthly-days
    /// response: at least 50% fewer headache days than baseline.
    public var outcomeRules: [OutcomeRule] {
        [
            OutcomeRule(id: "response", scale: HeadachePainRating.scale.id, criterion: .pointImprovement(atLeast: 2)),
            OutcomeRule(
                id: "monthly-days-response", name: "monthly headache days response",
                scale: MonthlyHeadacheDays.scale.id, criterion: .percentImprovement(atLeast: 50)),
        ]
    }
}
