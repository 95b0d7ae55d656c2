import ConditionTesting
import NeuropathicPain
import RegistryCore
import Testing

@Suite("Neuropathic pain module")
struct NeuropathicPainModuleTests {
    @Test("The module passes the conformance kit")
    func conformance() {
        #expect(ConditionConformance.problems(in: NeuropathicPainModule()) == [])
    }

    @Test("IMMPACT: at least 30% lower is moderate, at least 50% substantial improvement")
    func immpact() throws {
        let rules = NeuropathicPainModule().outcomeRules
        let moderate = try #require(rules.first { $0.id == "moderate-improvement" })
        let substantial = try #require(rules.first { $0.id == "substantial-improvement" })
        #expect(moderate.isMet(baseline: 10, current: 7) == true)
        #expect(moderate.isMet(baseline: 10, current: 8) == false)
        #expect(moderate.isMet(baseline: 7, current: 5) == false)  // 28.6%
        #expect(substantial.isMet(baseline: 8, current: 4) == true)
        #expect(substantial.isMet(baseline: 8, current: 5) == false)
    }
}

@Suite("Pain rating")
struct PainRatingTests {
    @Test(
        "Bands at every boundary",
        arguments: [
            (0, "none"), (1, "mild"), (4, "mild"), (5, "moderate"), (6, "moderate"), (7, "severe"), (10, "severe"),
        ])
    func bands(value: Int, band: String) throws {
        #expect(try PainRating.scale.score([value]).band?.id == band)
    }
}

@Suite("BPI-SF")
struct BPISFTests {
    let scale = BPISF.scale

    @Test("Hand-worked: severity (8+3+5+5)/4 = 5.25 moderate; interference (5+6+4+5+5+5+5)/7 = 5")
    func handWorked() throws {
        let result = try scale.score([8, 3, 5, 5, 5, 6, 4, 5, 5, 5, 5])
        #expect(result.score == 5.25)
        #expect(result.subscore("severity") == 5.25)
        #expect(result.subscore("interference") == 5)
        #expect(result.band?.id == "moderate")
    }

    @Test("Interference is the mean of answered items when at least 4 of 7 are answered")
    func interferenceFourOfSeven() throws {
        let result = try scale.score([2, 2, 2, 2, 4, 6, nil, 2, nil, nil, 4])
        #expect(result.subscore("interference") == 4)
        let tooFew = try scale.score([2, 2, 2, 2, 4, 6, nil, 2, nil, nil, nil])
        #expect(tooFew.subscore("interference") == nil)
        #expect(tooFew.notes == ["interference not scored: 3 of 7 items answered, at least 4 needed"])
    }

    @Test("Severity needs all four severity items")
    func severityRequired() {
        #expect(
            throws: ScaleError.tooFewAnswered(
                scale: "bpi-sf", part: "the severity score", needed: 4, answered: 3, unansweredItems: [2])
        ) {
            try scale.score([5, nil, 5, 5, 5, 5, 5, 5, 5, 5, 5])
        }
    }

    @Test(
        "A mean between bands belongs to the lower band: 4.5 is mild, 6.75 moderate, 7 severe",
        arguments: [
            ([5, 4, 5, 4], 4.5, "mild"), ([7, 7, 7, 6], 6.75, "moderate"), ([7, 7, 7, 7], 7.0, "severe"),
            ([1, 0, 0, 0], 0.25, "none"), ([1, 1, 1, 1], 1.0, "mild"),
        ])
    func meanBands(severity: [Int], score: Double, band: String) throws {
        let result = try scale.score(severity.map { Optional($0) } + [0, 0, 0, 0, 0, 0, 0])
        #expect(result.score == score)
        #expect(result.band?.id == band)
    }

    @Test("A one-point fall in interference is meaningful")
    func interferenceRule() throws {
        let rule = try #require(NeuropathicPainModule().outcomeRules.first { $0.id == "interference-improvement" })
        #expect(rule.subscore == "interference")
        #expect(rule.isMet(baseline: 6, current: 5) == true)
        #expect(rule.isMet(baseline: 6, current: 5.5) == false)
    }
}

@Suite("DN4")
struct DN4Tests {
    @Test(
        "Yes scores 1; 4 or more is likely neuropathic pain",
        arguments: [(3, "unlikely"), (4, "likely"), (0, "unlikely"), (10, "likely")])
    func threshold(yesCount: Int, band: String) throws {
        let answers = (0..<10).map { Optional($0 < yesCount ? 1 : 0) }
        let result = try DN4.scale.score(answers)
        #expect(result.score == Double(yesCount))
        #expect(result.band?.id == band)
    }

    @Test("yes/no, y/n and 1/0 are accepted; 2 and 'maybe' are refused")
    func typed() throws {
        #expect(try DN4.scale.parseAnswers("yes,no,y,n,1,0,YES,No,1,1") == [1, 0, 1, 0, 1, 0, 1, 0, 1, 1])
        #expect(throws: ScaleError.self) { try DN4.scale.parseAnswers("yes,no,y,n,1,0,YES,No,1,2") }
        #expect(throws: ScaleError.self) { try DN4.scale.parseAnswers("yes,no,y,n,1,0,YES,No,1,maybe") }
    }
}

@Suite("painDETECT")
struct PainDETECTTests {
    let scale = PainDETECT.scale

    @Test("The four-picture rule reaches the published range -1 to 38")
    func range() throws {
        #expect(try scale.score([5, 5, 5, 5, 5, 5, 5, 2, 1]).score == 38)
        #expect(try scale.score([0, 0, 0, 0, 0, 0, 0, 1, 0]).score == -1)
    }

    @Test(
        "Pattern pictures score 0, -1, +1, +1; radiating pain scores 2",
        arguments: [
            ("persistent-slight-fluctuations", 0), ("persistent-with-attacks", -1), ("attacks-without-pain-between", 1),
            ("attacks-with-pain-between", 1),
        ])
    func pattern(label: String, value: Int) throws {
        let answers = try scale.parseAnswers("2,2,2,2,2,2,2,\(label),yes")
        #expect(try scale.score(answers).score == Double(14 + value + 2))
    }

    @Test("Hand-worked: 3+4+1+2+0+3+2 = 15, attacks with pain between +1, radiating +2: 18, uncertain")
    func handWorked() throws {
        let result = try scale.score([3, 4, 1, 2, 0, 3, 2, 3, 1])
        #expect(result.score == 18)
        #expect(result.band?.id == "uncertain")
    }

    @Test(
        "Every band boundary, both sides",
        arguments: [(12, "unlikely"), (13, "uncertain"), (18, "uncertain"), (19, "likely")])
    func bands(score: Int, band: String) throws {
        let answers = try #require(ConditionConformance.answers(scoring: Double(score), on: scale))
        #expect(try scale.score(answers).band?.id == band)
    }

    @Test("Symptom items above 5, a fifth picture and an unanswered pattern are refused")
    func refused() {
        #expect(throws: ScaleError.self) { try scale.score([6, 0, 0, 0, 0, 0, 0, 0, 0]) }
        #expect(throws: ScaleError.self) { try scale.score([0, 0, 0, 0, 0, 0, 0, 4, 0]) }
        #expect(throws: ScaleError.self) { try scale.score([0, 0, 0, 0, 0, 0, 0, nil, 0]) }
    }
}
