import ConditionTesting
import Depression
import RegistryCore
import Testing

@Suite("PHQ-9")
struct PHQ9Tests {
    let scale = PHQ9.scale

    @Test("Hand-worked: 1+2+3+1+2+3+1+2+1 = 16, moderately severe")
    func handWorkedExample() throws {
        let result = try scale.score([1, 2, 3, 1, 2, 3, 1, 2, 1])
        #expect(result.score == 16)
        #expect(result.band?.id == "moderately-severe")
    }

    @Test("All zeros score 0 (minimal); all threes score 27 (severe)")
    func ends() throws {
        #expect(try scale.score(Array(repeating: 0, count: 9)).band?.id == "minimal")
        let top = try scale.score(Array(repeating: 3, count: 9))
        #expect(top.score == 27)
        #expect(top.band?.id == "severe")
    }

    @Test(
        "Every band boundary, both sides",
        arguments: [
            (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
            (15, "moderately-severe"), (19, "moderately-severe"), (20, "severe"),
        ])
    func bandBoundaries(score: Int, band: String) throws {
        // Fill items with 3s from the first until the total is reached.
        var answers = [Int?](repeating: 0, count: 9)
        var left = score
        for index in answers.indices where left > 0 {
            answers[index] = min(3, left)
            left -= answers[index]!
        }
        let result = try scale.score(answers)
        #expect(result.score == Double(score))
        #expect(result.band?.id == band)
    }

    @Test("An unanswered item makes the total invalid, naming the item")
    func unansweredItem() {
        #expect(
            throws: ScaleError.tooFewAnswered(
                scale: "phq9", part: "the total", needed: 9, answered: 8, unansweredItems: [4])
        ) {
            try scale.score([1, 1, 1, nil, 1, 1, 1, 1, 1])
        }
    }

    @Test("Answers out of range are refused with the item and the allowed values", arguments: [-1, 4, 10])
    func outOfRange(value: Int) {
        var answers = [Int?](repeating: 1, count: 9)
        answers[2] = value
        #expect(
            throws: ScaleError.answerNotAllowed(
                scale: "phq9", item: 3, itemLabel: "trouble with sleep",
                allowed: "a whole number from 0 to 3", got: String(value))
        ) {
            try scale.score(answers)
        }
    }

    @Test(
        "Typed answers: words, decimals and wrong counts are refused",
        arguments: [
            "1,1,1,1,1,1,1,1", "1,1,1,1,1,1,1,1,1,1", "1,1,x,1,1,1,1,1,1", "1,1,1.5,1,1,1,1,1,1", "1,1,,1,1,1,1,1,one",
        ])
    func typedAnswersRefused(text: String) {
        #expect(throws: ScaleError.self) { try scale.parseAnswers(text) }
    }

    @Test("Typed answers keep an empty entry as unanswered")
    func typedEmptyEntry() throws {
        #expect(try scale.parseAnswers("3, ,2,0,0,0,0,0,1") == [3, nil, 2, 0, 0, 0, 0, 0, 1])
    }

    @Test("Item 9 above 0 raises suicide-risk; 0 does not", arguments: [(0, false), (1, true), (2, true), (3, true)])
    func suicideRisk(item9: Int, flagged: Bool) throws {
        let catalog = try ConditionCatalog([DepressionModule()])
        let scored = try catalog.assess(scale: "phq9", answers: [0, 0, 0, 0, 0, 0, 0, 0, item9])
        #expect(scored.flags == (flagged ? ["suicide-risk"] : []))
    }

    @Test("Response is at least 50% lower than baseline; remission is below 5")
    func outcomeRules() throws {
        let rules = DepressionModule().outcomeRules
        let response = try #require(rules.first { $0.id == "response" })
        let remission = try #require(rules.first { $0.id == "remission" })
        #expect(response.isMet(baseline: 20, current: 10) == true)
        #expect(response.isMet(baseline: 20, current: 11) == false)
        #expect(response.isMet(baseline: 15, current: 7) == true)  // 53.3%
        #expect(response.isMet(baseline: 15, current: 8) == false)  // 46.7%
        #expect(remission.isMet(baseline: 20, current: 4) == true)
        #expect(remission.isMet(baseline: 20, current: 5) == false)
    }
}
