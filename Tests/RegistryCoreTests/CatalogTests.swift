import ConditionTesting
import Depression
import Migraine
import NeuropathicPain
import RegistryCore
import Testing

/// A small condition assembled in the test, so that each catalog rule can be broken on purpose.
struct TestCondition: Condition {
    var id = "test-condition"
    var name = "Test condition"
    var version = "1"
    var summary = "For tests."
    var scales: [any AssessmentScale] = [TestCondition.scale()]
    var primaryScale = "test-scale"
    var outcomeRules: [OutcomeRule] = [
        OutcomeRule(id: "response", scale: "test-scale", criterion: .percentImprovement(atLeast: 50))
    ]
    var safetyChecks: [SafetyCheck] = []

    static func scale(
        id: String = "test-scale", bands: [SeverityBand] = [SeverityBand("low", 0...2), SeverityBand("high", 3...6)]
    ) -> StandardScale {
        StandardScale(
            id: id, name: "Test scale", version: "1",
            items: [
                ScaleItem(id: "1", label: "one", response: .number(0...3)),
                ScaleItem(id: "2", label: "two", response: .number(0...3)),
            ],
            range: 0...6, bands: bands, licence: Licence(.free, note: ""), scoringDescription: "sum")
    }
}

@Suite("Condition catalog")
struct CatalogTests {
    @Test("A well-formed condition loads and passes the conformance kit")
    func loads() throws {
        let catalog = try ConditionCatalog([TestCondition()])
        #expect(catalog.scale("test-scale") != nil)
        #expect(ConditionConformance.problems(in: TestCondition()) == [])
    }

    @Test("Two conditions with one id are refused")
    func duplicateCondition() {
        #expect(throws: CatalogError.duplicateCondition(id: "test-condition")) {
            try ConditionCatalog([TestCondition(), TestCondition()])
        }
    }

    @Test("Two scales with one id are refused, even across conditions")
    func duplicateScale() {
        var other = TestCondition()
        other.id = "other"
        #expect(
            throws: CatalogError.duplicateScale(
                id: "test-scale", firstCondition: "test-condition", secondCondition: "other")
        ) {
            try ConditionCatalog([TestCondition(), other])
        }
    }

    @Test("Ids must be lower case with inner hyphens", arguments: ["PHQ9", "phq 9", "-phq", "phq-", "", "phq_9"])
    func malformedIDs(id: String) {
        var condition = TestCondition()
        condition.id = id
        #expect(throws: CatalogError.malformedID(kind: "condition", id: id)) { try ConditionCatalog([condition]) }
    }

    @Test("A rule, primary scale or safety check naming a missing scale is refused")
    func unknownScale() {
        var rule = TestCondition()
        rule.outcomeRules = [OutcomeRule(id: "response", scale: "nope", criterion: .pointImprovement(atLeast: 1))]
        #expect(
            throws: CatalogError.unknownScale(
                condition: "test-condition", scale: "nope", usedBy: "outcome rule 'response'")
        ) { try ConditionCatalog([rule]) }
        var primary = TestCondition()
        primary.primaryScale = "nope"
        #expect(throws: CatalogError.self) { try ConditionCatalog([primary]) }
        var check = TestCondition()
        check.safetyChecks = [
            SafetyCheck(flag: "f", scale: "test-scale", description: "", trigger: .itemAtLeast(item: "9", value: 1))
        ]
        #expect(throws: CatalogError.unknownItem(scale: "test-scale", item: "9", check: "f")) {
            try ConditionCatalog([check])
        }
    }

    @Test("Bands with a gap, an overlap, or short of the range are refused")
    func badBands() {
        for bands in [
            [SeverityBand("low", 0...2), SeverityBand("high", 4...6)],
            [SeverityBand("low", 0...3), SeverityBand("high", 3...6)],
            [SeverityBand("low", 0...2), SeverityBand("high", 3...5)],
            [SeverityBand("low", 1...2), SeverityBand("high", 3...6)],
        ] {
            var condition = TestCondition()
            condition.scales = [TestCondition.scale(bands: bands)]
            #expect(throws: CatalogError.self) { try ConditionCatalog([condition]) }
        }
    }

    @Test("Errors read as sentences that say what to do")
    func messages() {
        #expect(
            CatalogError.duplicateScale(id: "phq9", firstCondition: "a", secondCondition: "b").description
                == "scale id 'phq9' is used by both 'a' and 'b'; scale ids must be unique across all conditions")
        #expect(
            CatalogError.noSuchScale(id: "phq", known: ["phq9", "madrs"]).description
                == "unknown scale 'phq'; known scales: phq9, madrs")
    }

    @Test("An item-triggered safety check fires at its threshold and not below")
    func safetyCheck() throws {
        var condition = TestCondition()
        condition.safetyChecks = [
            SafetyCheck(flag: "watch", scale: "test-scale", description: "", trigger: .itemAtLeast(item: "2", value: 2))
        ]
        let catalog = try ConditionCatalog([condition])
        #expect(try catalog.assess(scale: "test-scale", answers: [3, 1]).flags == [])
        #expect(try catalog.assess(scale: "test-scale", answers: [0, 2]).flags == ["watch"])
        #expect(throws: CatalogError.self) { try catalog.assess(scale: "nope", answers: [0, 0]) }
    }
}

@Suite("Outcome rules")
struct OutcomeRuleTests {
    @Test("Percentage improvement: exactly at the threshold counts; a zero baseline cannot be judged")
    func percent() {
        let rule = OutcomeRule(id: "r", scale: "s", criterion: .percentImprovement(atLeast: 50))
        #expect(rule.isMet(baseline: 10, current: 5) == true)
        #expect(rule.isMet(baseline: 10, current: 5.01) == false)
        #expect(rule.isMet(baseline: 0, current: 0) == nil)
        #expect(rule.isMet(baseline: nil, current: 3) == nil)
        #expect(rule.isMet(baseline: 10, current: 12) == false)
    }

    @Test("For a scale where higher is better, improvement is a rise")
    func higherIsBetter() {
        let rule = OutcomeRule(id: "r", scale: "s", criterion: .pointImprovement(atLeast: 10))
        #expect(rule.isMet(baseline: 40, current: 50, direction: .higherIsBetter) == true)
        #expect(rule.isMet(baseline: 40, current: 30, direction: .higherIsBetter) == false)
        let remission = OutcomeRule(id: "r", scale: "s", criterion: .scoreAtMost(10))
        #expect(remission.isMet(baseline: nil, current: 10) == true)
        #expect(remission.isMet(baseline: nil, current: 10.5) == false)
    }

    @Test("Rules describe themselves in words")
    func words() {
        #expect(
            OutcomeRule(id: "r", scale: "phq9", criterion: .percentImprovement(atLeast: 50)).describe(
                direction: .higherIsWorse)
                == "phq9 at least 50% lower than baseline")
        #expect(
            OutcomeRule(id: "r", scale: "phq9", criterion: .scoreBelow(5)).describe(direction: .higherIsWorse)
                == "phq9 below 5")
        #expect(
            OutcomeRule(id: "r", scale: "bpi-sf", subscore: "interference", criterion: .pointImprovement(atLeast: 1))
                .describe(direction: .higherIsWorse)
                == "bpi-sf interference at least 1 point lower than baseline")
    }
}

/// A scale that forgets to check its answers and scores past its range.
struct CarelessScale: AssessmentScale {
    let id = "careless"
    let name = "Careless"
    let version = "1"
    let items = [
        ScaleItem(id: "1", label: "one", response: .number(0...3)),
        ScaleItem(id: "2", label: "two", response: .number(0...3)),
    ]
    let range: ClosedRange<Double> = 0...5
    let licence = Licence(.free, note: "")
    let scoringDescription = "sum"
    let bands = [SeverityBand("low", 0...2), SeverityBand("high", 3...5)]
    func score(_ answers: [Int?]) throws(ScaleError) -> ScaleResult {
        let total = Double(answers.compactMap { $0 }.reduce(0, +))
        return ScaleResult(score: total, band: bands.band(for: total))
    }
}

@Suite("Conformance kit")
struct ConformanceKitTests {
    @Test("The kit finds a scale that accepts invalid answers and misses its range, and a flag that cannot fire")
    func findsProblems() {
        var condition = TestCondition()
        condition.scales = [CarelessScale()]
        condition.primaryScale = "careless"
        condition.outcomeRules = []
        condition.safetyChecks = [
            SafetyCheck(flag: "never", scale: "careless", description: "", trigger: .scoreAtLeast(99))
        ]
        let problems = ConditionConformance.problems(in: condition)
        #expect(problems.contains("careless: highest answers score 6.0, not 5.0"))
        #expect(problems.contains("careless: accepted item 1 answered 4"))
        #expect(problems.contains("careless: accepted no answers at all"))
        #expect(problems.contains("never: no answers to careless raise it"))
    }
}

@Suite("Standard codes")
struct StandardCodeTests {
    @Test("Published codes pass their check digits; one digit changed fails (LOINC Mod 10, SNOMED CT Verhoeff)")
    func checkDigits() {
        let published: [StandardCode] = [
            .loinc("44261-6"), .loinc("44249-1"), .loinc("44250-9"), .loinc("44255-8"), .loinc("44259-0"),
            .loinc("44254-1"),
            .loinc("44251-7"), .loinc("44258-2"), .loinc("44252-5"), .loinc("44253-3"), .loinc("44260-8"),
            .loinc("LA6708-7"),
            .snomed("37796009"), .snomed("35489007"), .snomed("247398009"), .snomed("47505003"), .icd10("F32"),
            .icd10("F43.1"), .icd10("G43"),
        ]
        for code in published { #expect(code.shapeProblem == nil, "\(code.code)") }
        for (code, problem) in [
            (StandardCode.loinc("44261-5"), "wrong check digit (expected 6)"), (.loinc("44216-6"), "wrong check digit"),
            (.loinc("4426-16"), "not of the form"), (.snomed("37796008"), "Verhoeff"),
            (.snomed("37769009"), "Verhoeff"),
            (.snomed("0037796009"), "6 to 18 digits"), (.icd10("f32"), "not of the form"),
            (.icd10("F3"), "not of the form"),
            (.icd10("F43."), "not of the form"), (StandardCode(system: "loinc org", code: "x"), "not a URI"),
        ] {
            #expect(code.shapeProblem?.contains(problem) == true, "\(code.code): \(code.shapeProblem ?? "accepted")")
        }
    }

    @Test("The conformance kit names a malformed or repeated code wherever it is: condition, score, item, band")
    func kitFindsBadCodes() {
        struct Coded: Condition {
            let id = "coded", name = "", version = "1", summary = "", primaryScale = "coded-scale"
            let codes: [StandardCode] = [.snomed("37796008")]
            var scales: [any AssessmentScale] {
                [
                    StandardScale(
                        id: "coded-scale", name: "C", version: "1",
                        items: [
                            ScaleItem(id: "1", label: "a", response: .number(0...3), codes: [.loinc("44250-9")]),
                            ScaleItem(id: "2", label: "b", response: .number(0...3), codes: [.loinc("44250-9")]),
                        ],
                        range: 0...6,
                        bands: [SeverityBand("low", 0...3, codes: [.loinc("LA67087")]), SeverityBand("high", 4...6)],
                        licence: Licence(.free, note: ""), scoringDescription: "Sum.",
                        codes: [.loinc("44261-6"), .loinc("44261-6")])
                ]
            }
            var outcomeRules: [OutcomeRule] { [] }
        }
        let problems = ConditionConformance.problems(in: Coded())
        for expected in [
            "condition coded: SNOMED CT id '37796008' fails its Verhoeff check digit",
            "coded-scale score: code 44261-6 is given twice",
            "coded-scale band low: LOINC answer code 'LA67087' is not of the form LA1234-5",
            "coded-scale: item code 44250-9 is given to two items",
        ] {
            #expect(problems.contains(expected), "\(problems)")
        }
    }

    @Test("Every shipped module's codes pass the kit, and PHQ-9 carries its published LOINC codes")
    func shipped() throws {
        for module in [DepressionModule(), MigraineModule(), NeuropathicPainModule()] as [any Condition] {
            #expect(!module.codes.isEmpty && ConditionConformance.problems(in: module) == [], "\(module.id)")
        }
        let phq9 = try #require(DepressionModule().scale("phq9"))
        #expect(phq9.codes.map(\.code) == ["44261-6"] && phq9.formCodes.map(\.code) == ["44249-1"])
        #expect(
            phq9.items.map { $0.codes.first?.code } == [
                "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8",
            ])
    }
}
