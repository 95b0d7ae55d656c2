import ConditionTesting
import Depression
import QualityOfLife
import RegistryCore
import Testing

@Suite("WHO-5 Well-Being Index, for every condition")
struct WHO5Tests {
    @Test("The module passes the conformance kit")
    func conformance() {
        #expect(ConditionConformance.problems(in: QualityOfLifeModule()) == [])
    }

    @Test("Hand-worked: answers 0-5 scored times 4, summed to the percentage score; bands at 28/32 and 48/52")
    func handWorked() throws {
        let scale = WHO5.scale
        // 3, 3, 2, 4, 1: raw 13, percentage 52: adequate.
        let worked = try scale.score([3, 3, 2, 4, 1])
        #expect(worked.score == 52 && worked.band?.id == "adequate")
        // Raw 7 (28) screens positive; raw 8 (32) to 12 (48) is poor; raw 13 (52) is adequate.
        for (answers, score, band) in [
            ([0, 0, 0, 0, 0], 0.0, "likely-depression"), ([2, 2, 1, 1, 1], 28, "likely-depression"),
            ([2, 2, 2, 1, 1], 32, "poor"), ([3, 3, 2, 2, 2], 48, "poor"), ([3, 3, 3, 2, 2], 52, "adequate"),
            ([5, 5, 5, 5, 5], 100, "adequate"),
        ] {
            let result = try scale.score(answers)
            #expect(result.score == score && result.band?.id == band, "\(answers)")
        }
        // Answers by their words too.
        #expect(try scale.score(scale.parseAnswers("all-of-the-time,at-no-time,3,3,3")).score == 56)
        // Refused: out of range, too few, a blank (all five are needed), a word it does not know.
        for bad in ["6,0,0,0,0", "1,1,1,1", "1,,1,1,1", "1,1,1,1,often", "-1,0,0,0,0", "1.5,0,0,0,0"] {
            #expect(throws: (any Error).self, "\(bad)") { try scale.score(try scale.parseAnswers(bad)) }
        }
    }

    @Test("A 10-point rise from baseline is a meaningful improvement, 8 is not; the rule reads higher as better")
    func rule() throws {
        let rule = try #require(QualityOfLifeModule().outcomeRules.first)
        #expect(rule.isMet(baseline: 40, current: 52, direction: .higherIsBetter) == true)
        #expect(rule.isMet(baseline: 40, current: 48, direction: .higherIsBetter) == false)
        #expect(rule.isMet(baseline: 60, current: 48, direction: .higherIsBetter) == false)
    }

    @Test("In a catalog, every condition gains WHO-5 and its rule; the shared module is no condition to enrol for")
    func catalog() throws {
        let catalog = try ConditionCatalog([DepressionModule(), QualityOfLifeModule()])
        #expect(catalog.conditionIDs == ["depression"])
        let depression = try #require(catalog.condition("depression"))
        #expect(
            depression.scale("who5") != nil && depression.outcomeRules.contains { $0.id == "wellbeing-improvement" })
        #expect(catalog.scaleIDs.filter { $0 == "who5" }.count == 1)
        let scored = try catalog.assess(scale: "who5", answers: [1, 1, 1, 1, 1])
        #expect(scored.forEveryCondition && scored.condition == "quality-of-life" && scored.result.score == 20)
        // A shared rule may not take a condition's rule id.
        struct Clash: Condition {
            let id = "clash", name = "", version = "1", summary = "", primaryScale = "who5",
                scope = ModuleScope.everyCondition
            var scales: [any AssessmentScale] { [WHO5.scale] }
            var outcomeRules: [OutcomeRule] {
                [OutcomeRule(id: "response", scale: "who5", criterion: .pointImprovement(atLeast: 10))]
            }
        }
        #expect(throws: CatalogError.duplicateRule(condition: "depression", rule: "response")) {
            try ConditionCatalog([DepressionModule(), Clash()])
        }
    }
}
