import ConditionTesting
import Depression
import RegistryCore
import Testing

@Suite("Depression module")
struct DepressionModuleTests {
    @Test("The module passes the conformance kit")
    func conformance() {
        #expect(ConditionConformance.problems(in: DepressionModule()) == [])
    }
}

@Suite("MADRS")
struct MADRSTests {
    let scale = MADRS.scale

    @Test("Hand-worked: 4+4+3+2+2+3+4+3+2+1 = 28, moderate")
    func handWorked() throws {
        let result = try scale.score([4, 4, 3, 2, 2, 3, 4, 3, 2, 1])
        #expect(result.score == 28)
        #expect(result.band?.id == "moderate")
    }

    @Test(
        "Every band boundary, both sides",
        arguments: [
            (6, "normal"), (7, "mild"), (19, "mild"), (20, "moderate"), (34, "moderate"), (35, "severe"),
            (60, "severe"),
        ])
    func bands(score: Int, band: String) throws {
        let answers = try #require(ConditionConformance.answers(scoring: Double(score), on: scale))
        #expect(try scale.score(answers).band?.id == band)
    }

    @Test("Items are 0-6: 7 is refused")
    func outOfRange() {
        #expect(throws: ScaleError.self) { try scale.score([7, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }
    }

    @Test("Remission is 10 or below (the convention shown by scale show), response at least 50% lower")
    func rules() throws {
        let rules = DepressionModule().outcomeRules
        let remission = try #require(rules.first { $0.id == "madrs-remission" })
        #expect(remission.isMet(baseline: 30, current: 10) == true)
        #expect(remission.isMet(baseline: 30, current: 11) == false)
        #expect(scale.scoringDescription.contains("10 or below"))
        let response = try #require(rules.first { $0.id == "madrs-response" })
        #expect(response.isMet(baseline: 30, current: 15) == true)
        #expect(response.isMet(baseline: 30, current: 16) == false)
    }
}

@Suite("QIDS-SR16")
struct QIDSTests {
    let scale = QIDSSR16.scale

    @Test("Hand-worked: domains take the highest item; 16 items to 9 domains")
    func handWorked() throws {
        // sleep max(1,3,0,2)=3; sad 2; appetite/weight max(0,2,1,0)=2; concentration 1; self 1;
        // suicide 0; interest 2; energy 3; psychomotor max(1,2)=2. Total 16: severe.
        let result = try scale.score([1, 3, 0, 2, 2, 0, 2, 1, 0, 1, 1, 0, 2, 3, 1, 2])
        #expect(result.score == 16)
        #expect(result.band?.id == "severe")
    }

    @Test("Respondents answer either item 6 or 7, and 8 or 9: the other may be left empty")
    func appetiteEitherOr() throws {
        let result = try scale.score([1, 1, 1, 1, 1, 2, nil, nil, 3, 1, 1, 1, 1, 1, 1, 1])
        #expect(result.score == 1 + 1 + 3 + 1 + 1 + 1 + 1 + 1 + 1)
    }

    @Test("A domain with no answered item makes the score invalid")
    func missingDomain() {
        #expect(
            throws: ScaleError.tooFewAnswered(
                scale: "qids-sr16", part: "the psychomotor domain", needed: 1, answered: 0, unansweredItems: [15, 16])
        ) {
            try scale.score([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, nil, nil])
        }
    }

    @Test(
        "Every band boundary, both sides",
        arguments: [
            (5, "none"), (6, "mild"), (10, "mild"), (11, "moderate"), (15, "moderate"), (16, "severe"), (20, "severe"),
            (21, "very-severe"), (27, "very-severe"),
        ])
    func bands(score: Int, band: String) throws {
        let answers = try #require(ConditionConformance.answers(scoring: Double(score), on: scale))
        #expect(try scale.score(answers).score == Double(score))
        #expect(try scale.score(answers).band?.id == band)
    }

    @Test("Remission is 5 or below")
    func remission() throws {
        let rule = try #require(DepressionModule().outcomeRules.first { $0.id == "qids-remission" })
        #expect(rule.isMet(baseline: 18, current: 5) == true)
        #expect(rule.isMet(baseline: 18, current: 6) == false)
    }
}

@Suite("CADSS-6")
struct CADSS6Tests {
    @Test("Sum of six items 0-4, no bands, no outcome rule")
    func scoring() throws {
        let result = try CADSS6.scale.score([0, 1, 2, 3, 4, 2])
        #expect(result.score == 12)
        #expect(result.band == nil)
        #expect(CADSS6.scale.items.map(\.id) == ["1", "2", "6", "7", "15", "22"])
        #expect(!DepressionModule().outcomeRules.contains { $0.scale == "cadss6" })
        #expect(throws: ScaleError.self) { try CADSS6.scale.score([0, 1, 2, 3, 5, 2]) }
    }
}
