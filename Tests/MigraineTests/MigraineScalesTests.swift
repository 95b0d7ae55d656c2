import ConditionTesting
import Migraine
import RegistryCore
import Testing

@Suite("Migraine module")
struct MigraineModuleTests {
    @Test("The module passes the conformance kit")
    func conformance() {
        #expect(ConditionConformance.problems(in: MigraineModule()) == [])
    }

    @Test("Immediate response is at least 2 points lower pain; monthly-days response at least 50% fewer days")
    func rules() throws {
        let rules = MigraineModule().outcomeRules
        let response = try #require(rules.first { $0.id == "response" })
        #expect(response.scale == "headache-nrs")
        #expect(response.isMet(baseline: 8, current: 6) == true)
        #expect(response.isMet(baseline: 8, current: 7) == false)
        #expect(response.isMet(baseline: 2, current: 0) == true)
        let days = try #require(rules.first { $0.id == "monthly-days-response" })
        #expect(days.isMet(baseline: 20, current: 10) == true)
        #expect(days.isMet(baseline: 20, current: 11) == false)
        #expect(days.isMet(baseline: 0, current: 0) == nil)  // no percentage change from zero days
    }
}

@Suite("HIT-6")
struct HIT6Tests {
    let scale = HIT6.scale

    @Test("Answers score never 6, rarely 8, sometimes 10, very often 11, always 13")
    func optionValues() throws {
        for (position, value) in [6, 8, 10, 11, 13].enumerated() {
            #expect(try scale.score(Array(repeating: position, count: 6)).score == Double(value * 6))
        }
    }

    @Test("Hand-worked: never, rarely, sometimes, very often, always, sometimes = 6+8+10+11+13+10 = 58, substantial")
    func handWorked() throws {
        let answers = try scale.parseAnswers("never,rarely,sometimes,very-often,always,sometimes")
        let result = try scale.score(answers)
        #expect(result.score == 58)
        #expect(result.band?.id == "substantial")
    }

    @Test("Labels and positions are the same answer; forgiving spelling of 'very often'")
    func labelsAndPositions() throws {
        #expect(
            try scale.parseAnswers("0,1,2,3,4,3")
                == scale.parseAnswers("never,Rarely,SOMETIMES,very often,always,very_often"))
    }

    @Test(
        "Every band boundary, both sides",
        arguments: [
            (36, "little-or-none"), (49, "little-or-none"), (50, "some"), (55, "some"), (56, "substantial"),
            (59, "substantial"), (60, "severe"), (78, "severe"),
        ])
    func bands(score: Int, band: String) throws {
        let answers = try #require(ConditionConformance.answers(scoring: Double(score), on: scale))
        #expect(try scale.score(answers).band?.id == band)
    }

    @Test(
        "A scored value (11) is not a position and is refused, naming the labels",
        arguments: ["11", "5", "often", "-1"])
    func refused(text: String) {
        #expect(throws: ScaleError.self) { try scale.parseAnswers("0,0,0,0,0,\(text)") }
    }
}

@Suite("MIDAS")
struct MIDASTests {
    let scale = MIDAS.scale

    @Test("Hand-worked: items 1-5 summed, A and B recorded but not scored")
    func handWorked() throws {
        let result = try scale.score([3, 4, 2, 1, 5, 30, 7])
        #expect(result.score == 15)
        #expect(result.band?.id == "grade-3")
        #expect(try scale.score([3, 4, 2, 1, 5, nil, nil]).score == 15)
    }

    @Test(
        "Every grade boundary, both sides",
        arguments: [
            (5, "grade-1"), (6, "grade-2"), (10, "grade-2"), (11, "grade-3"), (20, "grade-3"), (21, "grade-4"),
        ])
    func bands(score: Int, band: String) throws {
        #expect(try scale.score([score, 0, 0, 0, 0, nil, nil]).band?.id == band)
    }

    @Test("Day counts above 90, B above 10, and an unanswered scored item are refused")
    func refused() {
        #expect(throws: ScaleError.self) { try scale.score([91, 0, 0, 0, 0, nil, nil]) }
        #expect(throws: ScaleError.self) { try scale.score([0, 0, 0, 0, 0, nil, 11]) }
        #expect(throws: ScaleError.self) { try scale.score([0, 0, nil, 0, 0, 0, 0]) }
    }
}

@Suite("Monthly headache days and headache pain rating")
struct SingleValueMigraineTests {
    @Test(
        "Headache pain rating bands",
        arguments: [
            (0, "none"), (1, "mild"), (3, "mild"), (4, "moderate"), (6, "moderate"), (7, "severe"), (10, "severe"),
        ])
    func nrsBands(value: Int, band: String) throws {
        #expect(try HeadachePainRating.scale.score([value]).band?.id == band)
    }

    @Test("Values outside 0-10 and 0-31 are refused")
    func ranges() throws {
        #expect(throws: ScaleError.self) { try HeadachePainRating.scale.parseAnswer("11", item: 1) }
        #expect(throws: ScaleError.self) { try MonthlyHeadacheDays.scale.parseAnswer("32", item: 1) }
        #expect(try MonthlyHeadacheDays.scale.score([31]).score == 31)
        #expect(MonthlyHeadacheDays.scale.bands.isEmpty)
    }
}
