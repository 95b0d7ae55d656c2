import ConditionTesting
import DeclarativeConditions
import Depression
import Foundation
import RegistryCore
import Testing

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

/// A reproducible random number generator for answer vectors.
struct Vectors: RandomNumberGenerator {
    var state: UInt64 = 88_172_645_463_325_252
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}

@Suite("Declarative modules")
struct DeclarativeTests {
    @Test("PHQ-9 and QIDS-SR16 declared in YAML score exactly as the compiled ones on every vector, including refusals")
    func sameAsCompiled() throws {
        let declared = try ConditionFileLoader.load(
            file: fixtures.appendingPathComponent("depression-declared.yaml").path)
        #expect(ConditionConformance.problems(in: declared) == [])
        var random = Vectors()
        for (compiled, declaredID) in [(PHQ9.scale, "phq9-declared"), (QIDSSR16.scale, "qids-declared")] {
            let twin = try #require(declared.scale(declaredID))
            var vectors: [[Int?]] = (0...Int(compiled.range.upperBound)).compactMap {
                ConditionConformance.answers(scoring: Double($0), on: compiled)
            }
            vectors += ConditionConformance.invalidAnswerSets(compiled).map(\.1)
            for _ in 0..<3000 {
                vectors.append(
                    compiled.items.map { _ in
                        Int.random(in: 0..<10, using: &random) == 0 ? nil : Int.random(in: -1...4, using: &random)
                    })
            }
            for answers in vectors {
                let expected = Result { try compiled.score(answers) }
                let got = Result { try twin.score(answers) }
                switch (expected, got) {
                case (.success(let a), .success(let b)):
                    #expect(a.score == b.score && a.band?.id == b.band?.id, "\(answers)")
                case (.failure, .failure): break
                default: Issue.record("\(declaredID) and \(compiled.id) disagree on \(answers): \(expected) vs \(got)")
                }
            }
        }
        let catalog = try ConditionCatalog([declared])
        #expect(
            try catalog.assess(scale: "phq9-declared", answers: [0, 0, 0, 0, 0, 0, 0, 0, 1]).flags == ["suicide-risk"])
    }

    @Test("Every module in Registry/conditions passes the conformance kit")
    func shippedModules() throws {
        let folder = repository.appendingPathComponent("Registry/conditions").path
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter {
            $0.hasSuffix(".yaml") || $0.hasSuffix(".yml")
        }
        let modules = try ConditionFileLoader.load(directory: folder)
        // Every file found is a module, whatever the folder holds.
        #expect(!files.isEmpty && modules.count == files.count)
        for module in modules { #expect(ConditionConformance.problems(in: module) == [], "\(module.file)") }
        // A researcher's new file beside the shipped ones is checked the same way.
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("conditions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: copy) }
        for file in files {
            try FileManager.default.copyItem(
                atPath: (folder as NSString).appendingPathComponent(file),
                toPath: copy.appendingPathComponent(file).path)
        }
        try FileManager.default.copyItem(
            at: fixtures.appendingPathComponent("ocd.yaml"), to: copy.appendingPathComponent("ocd.yaml"))
        let withOCD = try ConditionFileLoader.load(directory: copy.path)
        #expect(withOCD.count == files.count + 1 && withOCD.contains { $0.id == "ocd" })
        for module in withOCD { #expect(ConditionConformance.problems(in: module) == [], "\(module.file)") }
    }

    @Test(
        "Y-BOCS declared with summed subscores: hand-worked totals, obsessions and compulsions, every band boundary, refusals"
    )
    func ybocs() throws {
        let ocd = try ConditionFileLoader.load(file: fixtures.appendingPathComponent("ocd.yaml").path)
        let scale = try #require(ocd.scale("ybocs"))
        #expect(scale.subscores.map(\.id) == ["obsessions", "compulsions"])
        #expect(scale.subscores.allSatisfy { $0.method == .sum && $0.range == 0...20 && $0.minimumAnswered == 5 })
        // Hand-worked: obsessions 3+3+2+2+3 = 13, compulsions 2+2+1+1+2 = 8, total 21, moderate.
        let worked = try scale.score([3, 3, 2, 2, 3, 2, 2, 1, 1, 2])
        #expect(
            worked.score == 21 && worked.band?.id == "moderate" && worked.subscore("obsessions") == 13
                && worked.subscore("compulsions") == 8)
        // Every band boundary, from answers that sum to it: obsessions fill first.
        for (total, band) in [
            (0, "subclinical"), (7, "subclinical"), (8, "mild"), (15, "mild"), (16, "moderate"), (23, "moderate"),
            (24, "severe"), (31, "severe"), (32, "extreme"), (40, "extreme"),
        ] {
            let answers = (0..<10).map { min(4, max(0, total - $0 * 4)) }
            let result = try scale.score(answers)
            #expect(result.score == Double(total) && result.band?.id == band, "\(total)")
            #expect(result.subscore("obsessions")! + result.subscore("compulsions")! == Double(total))
        }
        // Invalid answers are refused as for any scale; a summed subscore needs all its items.
        #expect(throws: ScaleError.self) { try scale.score([3, 3, 2, 2, 3, 2, 2, 1, 1, 5]) }
        #expect(throws: ScaleError.self) { try scale.score([3, 3, 2, 2, 3, 2, 2, 1, 1]) }
        #expect(throws: ScaleError.self) { try scale.score([3, nil, 2, 2, 3, 2, 2, 1, 1, 2]) }
        // The outcome rule on a subscore judges the subscore: obsessions 20 -> 13 is a 35% fall.
        let rule = try #require(ocd.outcomeRules.first { $0.id == "obsessions-response" })
        #expect(
            rule.subscore == "obsessions" && rule.isMet(baseline: 20, current: 13) == true
                && rule.isMet(baseline: 20, current: 14) == false)
        #expect(ConditionConformance.problems(in: ocd) == [])
        // The conformance kit catches a subscore range that the items cannot reach.
        let text = try String(contentsOf: fixtures.appendingPathComponent("ocd.yaml"), encoding: .utf8)
        let wrong = text.replacingOccurrences(
            of: #"{id: obsessions, items: ["1", "2", "3", "4", "5"]}"#,
            with: #"{id: obsessions, items: ["1", "2", "3", "4", "5"], range: [0, 25]}"#)
        #expect(wrong != text)
        #expect(
            ConditionConformance.problems(in: try ConditionFileLoader.parse(wrong, file: "ocd.yaml")) == [
                "ybocs: subscore obsessions of the highest answers is 20, not 25"
            ])
        // Versions are read as written: unquoted 1.0 and 1.10 are text, not numbers.
        #expect(ocd.version == "1.0" && scale.version == "1.10")
    }

    @Test("applies-to: every-condition makes a shared module: its scales join every condition; a course is refused")
    func sharedModule() throws {
        let text = """
            id: sleep
            name: Sleep (every condition)
            version: "1"
            summary: Sleep quality for any patient.
            applies-to: every-condition
            scales:
              - id: sleep-nrs
                name: Sleep quality rating
                version: "1"
                licence: free
                range: [0, 10]
                direction: higher-is-better
                items:
                  - {id: "1", label: sleep quality last week, answers: {min: 0, max: 10}}
                scoring: {method: sum}
                scoring-description: The rating.
            outcome-rules:
              - {id: sleep-improvement, scale: sleep-nrs, improvement-points: 2}
            """
        let module = try ConditionFileLoader.parse(text, file: "sleep.yaml")
        #expect(module.scope == .everyCondition)
        let catalog = try ConditionCatalog([DepressionModule(), module])
        #expect(catalog.conditionIDs == ["depression"])
        #expect(catalog.condition("depression")?.outcomeRules.contains { $0.id == "sleep-improvement" } == true)
        #expect(try catalog.assess(scale: "sleep-nrs", answers: [7]).forEveryCondition)
        // A shared module has no course or primary scale of its own, and the scope is one of two words.
        for (replace, with, message, line) in [
            (
                "applies-to: every-condition",
                "applies-to: every-condition\ncourse: {description: x, infusions: 1, within-days: 1, end-of-course-window-days: 1}",
                "unknown key 'course'", 6
            ),
            (
                "applies-to: every-condition", "applies-to: every-condition\nprimary-scale: sleep-nrs",
                "unknown key 'primary-scale'", 6
            ),
            (
                "applies-to: every-condition", "applies-to: all",
                "applies-to 'all' is not one of one-condition (the default), every-condition", 5
            ),
        ] {
            do {
                _ = try ConditionFileLoader.parse(
                    text.replacingOccurrences(of: replace, with: with), file: "sleep.yaml")
                Issue.record("loaded with \(with)")
            } catch {
                #expect(error.message.contains(message) && error.line == line, "\(error)")
            }
        }
    }

    @Test("Subscores by every method: a mean, a prorated sum with its minimum, a scale's own method by default")
    func subscoreMethods() throws {
        let module = try ConditionFileLoader.parse(
            """
            id: methods
            name: Methods
            version: "1"
            summary: Subscores of every kind.
            primary-scale: s
            scales:
              - id: s
                name: S
                version: "1"
                licence: free
                range: [0, 18]
                answers: {min: 0, max: 3}
                items:
                  - {id: a, label: a}
                  - {id: b, label: b}
                  - {id: c, label: c}
                  - {id: d, label: d}
                  - {id: e, label: e}
                  - {id: f, label: f}
                scoring: {method: prorated-sum, minimum-answered: 4}
                scoring-description: Prorated sum.
                subscores:
                  - {id: first, items: [a, b, c]}
                  - {id: mean, items: [d, e, f], method: mean, minimum-answered: 2}
                  - {id: whole, items: [a, b, c, d, e, f], method: sum, range: [0, 18]}
            """, file: "methods.yaml")
        let scale = try #require(module.scale("s"))
        // The scale's own method (prorated, needing 4 of 6) gives the subscore 2 of 3 needed.
        #expect(
            scale.subscores.map(\.method) == [.proratedSum, .mean, .sum] && scale.subscores[0].minimumAnswered == 2)
        let full = try scale.score([1, 2, 3, 0, 1, 2])
        #expect(full.subscore("first") == 6 && full.subscore("mean") == 1 && full.subscore("whole") == 9)
        // (1 + 3) / 2 * 3 = 6; the mean of 1 and 2; the sum cannot be made with a gap, and says why.
        let gaps = try scale.score([1, nil, 3, nil, 1, 2])
        #expect(gaps.subscore("first") == 6 && gaps.subscore("mean") == 1.5 && gaps.subscore("whole") == nil)
        #expect(gaps.notes.contains { $0.hasPrefix("whole not scored: 4 of 6 items answered") }, "\(gaps.notes)")
    }

    @Test("PCL-5: 20 items 0-4, total 0-80, provisional diagnosis at 33, a 10-point change is meaningful")
    func pcl5() throws {
        let ptsd = try ConditionFileLoader.load(
            file: repository.appendingPathComponent("Registry/conditions/ptsd.yaml").path)
        let pcl5 = try #require(ptsd.scale("pcl5"))
        #expect(pcl5.items.count == 20 && pcl5.range == 0...80 && pcl5.licence.status == .publicDomain)
        // Hand-worked: 2 on every item is 40, provisional PTSD.
        #expect(try pcl5.score(Array(repeating: 2, count: 20)).score == 40)
        for (total, band) in [
            (32, "below-threshold"), (33, "provisional-ptsd"), (0, "below-threshold"), (80, "provisional-ptsd"),
        ] {
            let answers = try #require(ConditionConformance.answers(scoring: Double(total), on: pcl5))
            #expect(try pcl5.score(answers).band?.id == band)
        }
        #expect(throws: ScaleError.self) { try pcl5.score(Array(repeating: 5, count: 20)) }
        #expect(throws: ScaleError.self) { try pcl5.score(Array(repeating: 1, count: 19) + [nil]) }
        let meaningful = try #require(ptsd.outcomeRules.first { $0.id == "meaningful-improvement" })
        #expect(meaningful.isMet(baseline: 50, current: 40) == true)
        #expect(meaningful.isMet(baseline: 50, current: 41) == false)
    }

    @Test("The guide's YAML example loads and passes the conformance kit once its elided items are filled in")
    func guideExample() throws {
        let guide = try String(
            contentsOf: repository.appendingPathComponent("docs/adding-a-condition.md"), encoding: .utf8)
        let start = try #require(guide.range(of: "```yaml\n"))
        let end = try #require(guide.range(of: "```", range: start.upperBound..<guide.endIndex))
        var example = String(guide[start.upperBound..<end.lowerBound])
        // The guide shows two of the twenty items; add the other eighteen where it says so.
        let rest = (3...20).map { "      - {id: \"\($0)\", label: \"item \($0)\"}" }.joined(separator: "\n")
        example = example.replacingOccurrences(
            of: "      # ... one line per item, in the order they are answered", with: rest)
        let module = try ConditionFileLoader.parse(example, file: "docs/adding-a-condition.md")
        #expect(module.id == "ptsd")
        #expect(ConditionConformance.problems(in: module) == [])
    }

    @Test("Reverse-scored items and prorated sums")
    func reverseAndProrated() throws {
        let module = try ConditionFileLoader.parse(
            """
            id: wellbeing
            name: Well-being
            version: "1"
            summary: A test.
            primary-scale: wb
            scales:
              - id: wb
                name: Well-being
                version: "1"
                licence: free
                range: [0, 12]
                answers: {min: 0, max: 3}
                items:
                  - {id: a, label: calm}
                  - {id: b, label: worried, reverse: true}
                  - {id: c, label: rested}
                  - {id: d, label: tense, reverse: true}
                scoring: {method: prorated-sum, minimum-answered: 3}
                scoring-description: Prorated sum.
            """, file: "wellbeing.yaml")
        let scale = try #require(module.scale("wb"))
        #expect(try scale.score([3, 0, 3, 0]).score == 12)  // reversed items: 0 scores 3
        #expect(try scale.score([1, 2, 1, nil]).score == 4)  // (1 + 1 + 1) / 3 * 4
        #expect(throws: ScaleError.self) { try scale.score([1, nil, 1, nil]) }
    }
}
