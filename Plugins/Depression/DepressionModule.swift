import RegistryCore

/// Treatment-resistant depression treated with ketamine: self-report and clinician-rated scales,
/// with dissociation monitored around each infusion.
///
/// Outcome rules: response is a score at least 50% lower than baseline on PHQ-9, MADRS or QIDS-SR16;
/// remission is PHQ-9 below 5, MADRS 10 or below (the stricter of the published conventions; some
/// use 12), QIDS-SR16 5 or below. A PHQ-9 item 9 answer above 0 raises `suicide-risk`.
public struct DepressionModule: Condition {
    /// The module; it has no settings.
    public init() {}

    /// The condition's id: `depression`.
    public let id = "depression"
    /// SNOMED CT 35489007 "Depressive disorder"; ICD-10 (WHO) F32 "Depressive episode" and F33
    /// "Recurrent depressive disorder", the two a treatment-resistant course is coded under.
    public let codes: [StandardCode] = [
        .snomed("35489007", "Depressive disorder"), .icd10("F32", "Depressive episode"),
        .icd10("F33", "Recurrent depressive disorder"),
    ]
    /// The name a clinician reads.
    public let name = "Treatment-resistant depression"
    /// The version of the module's definitions.
    public let version = "1.0"
    /// What the module records, in one sentence.
    public let summary =
        "Treatment-resistant depression: PHQ-9, MADRS and QIDS-SR16 outcomes, CADSS-6 dissociation around infusions, suicide-risk flag on PHQ-9 item 9."
    /// PHQ-9 (`phq9`): the scale outcome reports lead with.
    public let primaryScale = PHQ9.scale.id

    /// PHQ-9, MADRS, QIDS-SR16 and CADSS-6, in that order.
    public var scales: [any AssessmentScale] {
        [PHQ9.scale, MADRS.scale, QIDSSR16.scale, CADSS6.scale]
    }

    /// An induction of six infusions within four weeks (ORKA-1: 4-8 infusions over 7-28 days),
    /// assessed within two weeks of the last, with visits about two and four months in; booster
    /// infusions after it are maintenance, and an infusion after 90 days without one starts a
    /// re-treatment course.
    public var course: Course {
        Course(
            description: "induction: six infusions within four weeks", infusions: 6, withinDays: 28,
            endOfCourseWindowDays: 14,
            followUps: [
                FollowUpVisit(id: "visit-1", name: "2-month visit", targetDay: 60, earliestDay: 45, latestDay: 89),
                FollowUpVisit(id: "visit-2", name: "4-month visit", targetDay: 120, earliestDay: 90, latestDay: 150),
            ],
            maintenance: "booster infusions every 2 to 6 weeks after the induction",
            retreatmentAfterDays: Course.defaultRetreatmentAfterDays)
    }

    /// Response (at least 50% lower than baseline) on PHQ-9, MADRS and QIDS-SR16; remission as
    /// PHQ-9 below 5, MADRS 10 or below, QIDS-SR16 5 or below.
    public var outcomeRules: [OutcomeRule] {
        [
            OutcomeRule(id: "response", scale: PHQ9.scale.id, criterion: .percentImprovement(atLeast: 50)),
            OutcomeRule(id: "remission", scale: PHQ9.scale.id, criterion: .scoreBelow(5)),
            OutcomeRule(
                id: "madrs-response", name: "MADRS response", scale: MADRS.scale.id,
                criterion: .percentImprovement(atLeast: 50)),
            OutcomeRule(
                id: "madrs-remission", name: "MADRS remission", scale: MADRS.scale.id,
                criterion: .scoreAtMost(MADRS.remissionThreshold)),
            OutcomeRule(
                id: "qids-response", name: "QIDS-SR16 response", scale: QIDSSR16.scale.id,
                criterion: .percentImprovement(atLeast: 50)),
            OutcomeRule(
                id: "qids-remission", name: "QIDS-SR16 remission", scale: QIDSSR16.scale.id, criterion: .scoreAtMost(5)),
        ]
    }

    /// `suicide-risk`, raised by PHQ-9 item 9 above 0, MADRS item 10 at 4 or above, or QIDS-SR16
    /// item 12 at 2 or above.
    public var safetyChecks: [SafetyCheck] {
        [
            PHQ9.suicideRisk,
            SafetyCheck(
                flag: "suicide-risk", scale: "madrs",
                description:
                    "MADRS item 10 (suicidal thoughts) at 4 or above: review suicide risk with the patient before they leave.",
                trigger: .itemAtLeast(item: "10", value: 4)),
            SafetyCheck(
                flag: "suicide-risk", scale: "qids-sr16",
                description:
                    "QIDS-SR16 item 12 (thoughts of death or suicide) at 2 or above: review suicide risk with the patient before they leave.",
                trigger: .itemAtLeast(item: "12", value: 2)),
        ]
    }
}
