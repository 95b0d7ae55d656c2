import ConditionTesting
import DeclarativeConditions
import Depression
import Foundation
import RegistryCore
import Testing

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
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
        let declared = try ConditionFileLoader.load(file: fixtures.appendingPathComponent("depression-declared.yaml").path)
        #expect(ConditionConformance.problems(in: declared) == [])
        var random = Vectors()
        for (compiled, declaredID) in [(PHQ9.scale, "phq9-declared"), (QIDSSR16.scale, "qids-declared")] {
            let twin = try #require(declared.scale(declaredID))
            var vectors: [[Int?]] = (0...Int(compiled.range.upperBound)).compactMap { ConditionConformance.answers(scoring: Double($0), on: compiled) }
            vectors += ConditionConformance.invalidAnswerSets(compiled).map(\.1)
            for _ in 0..<3000 {
                vectors.append(compiled.items.map { _ in Int.random(in: 0..<10, using: &random) == 0 ? nil : Int.random(in: -1...4, using: &random) })
            }
            for answers in vectors {
                let expected = Result { try compiled.score(answers) }
                let got = Result { try twin.score(answers) }
                switch (expected, got) {
                case let (.success(a), .success(b)):
                    #expect(a.score == b.score && a.band?.id == b.band?.id, "\(answers)")
                case (.failure, .failure): break
                default: Issue.record("\(declaredID) and \(compiled.id) disagree on \(answers): \(expected) vs \(got)")
                }
            }
        }
        let catalog = try ConditionCatalog([declared])
        #expect(try catalog.assess(scale: "phq9-declared", answers: [0, 0, 0, 0, 0, 0, 0, 0, 1]).flags == ["suicide-risk"])
    }

    @Test("Every module in Registry/conditions passes the conformance kit")
    func shippedModules() throws {
        let folder = repository.appendingPathComponent("Registry/conditions").path
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
        let modules = try ConditionFileLoader.load(directory: folder)
        // Every file found is a module, whatever the folder holds.
        #expect(!files.isEmpty && modules.count == files.count)
        for module in modules { #expect(ConditionConformance.problems(in: module) == [], "\(module.file)") }
        // A researcher's new file beside the shipped ones is checked the same way.
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("conditions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: copy) }
        for file in files { try FileManager.default.copyItem(atPath: (folder as NSString).appendingPathComponent(file), toPath: copy.appendingPathComponent(file).path) }
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("ocd.yaml"), to: copy.appendingPathComponent("ocd.yaml"))
        let withOCD = try ConditionFileLoader.load(directory: copy.path)
        #expect(withOCD.count == files.count + 1 && withOCD.contains { $0.id == "ocd" })
        for module in withOCD { #expect(ConditionConformance.problems(in: module) == [], "\(module.file)") }
    }

    @Test("Y-BOCS declared with summed subscores: hand-worked totals, obsessions and compulsions, every band boundary, refusals")
    func ybocs() throws {
        let ocd = try ConditionFileLoader.load(file: fixtures.appendingPathComponent("ocd.yaml").path)
        let scale = try #require(ocd.scale("ybocs"))
        #expect(scale.subscores.map(\.id) == ["obsessions", "compulsions"])
        #expect(scale.subscores.allSatisfy { $0.method == .sum && $0.range == 0...20 && $0.minimumAnswered == 5 })
        // Hand-worked: obsessions 3+3+2+2+3 = 13, compulsions 2+2+1+1+2 = 8, total 21, moderate.
        let worked = try scale.score([3, 3, 2, 2, 3, 2, 2, 1, 1, 2])
        #expect(worked.score == 21 && worked.band?.id == "moderate" && worked.subscore("obsessions") == 13 && worked.subscore("compulsions") == 8)
        // Every band boundary, from answers that sum to it: obsessions fill first.
        for (total, band) in [(0, "subclinical"), (7, "subclinical"), (8, "mild"), (15, "mild"), (16, "moderate"), (23, "moderate"),
                              (24, "severe"), (31, "severe"), (32, "extreme"), (40, "extreme")] {
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
        #expect(rule.subscore == "obsessions" && rule.isMet(baseline: 20, current: 13) == true && rule.isMet(baseline: 20, current: 14) == false)
        #expect(ConditionConformance.problems(in: ocd) == [])
        // The conformance kit catches a subscore range that the items cannot reach.
        let text = try String(contentsOf: fixtures.appendingPathComponent("ocd.yaml"), encoding: .utf8)
        let wrong = text.replacingOccurrences(of: #"{id: obsessions, items: ["1", "2", "3", "4", "5"]}"#, with: #"{id: obsessions, items: ["1", "2", "3", "4", "5"], range: [0, 25]}"#)
        #expect(wrong != text)
        #expect(ConditionConformance.problems(in: try ConditionFileLoader.parse(wrong, file: "ocd.yaml")) == ["ybocs: subscore obsessions of the highest answers is 20, not 25"])
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
        for (replace, with, message, line) in [("applies-to: every-condition", "applies-to: every-condition\ncourse: {description: x, infusions: 1, within-days: 1, end-of-course-window-days: 1}", "unknown key 'course'", 6),
                                         ("applies-to: every-condition", "applies-to: every-condition\nprimary-scale: sleep-nrs", "unknown key 'primary-scale'", 6),
                                         ("applies-to: every-condition", "applies-to: all", "applies-to 'all' is not one of one-condition (the default), every-condition", 5)] {
            do {
                _ = try ConditionFileLoader.parse(text.replacingOccurrences(of: replace, with: with), file: "sleep.yaml")
                Issue.record("loaded with \(with)")
            } catch {
                #expect(error.message.contains(message) && error.line == line, "\(error)")
            }
        }
    }

    @Test("Subscores by every method: a mean, a prorated sum with its minimum, a scale's own method by default")
    func subscoreMethods() throws {
        let module = try ConditionFileLoader.parse("""
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
        #expect(scale.subscores.map(\.method) == [.proratedSum, .mean, .sum] && scale.subscores[0].minimumAnswered == 2)
        let full = try scale.score([1, 2, 3, 0, 1, 2])
        #expect(full.subscore("first") == 6 && full.subscore("mean") == 1 && full.subscore("whole") == 9)
        // (1 + 3) / 2 * 3 = 6; the mean of 1 and 2; the sum cannot be made with a gap, and says why.
        let gaps = try scale.score([1, nil, 3, nil, 1, 2])
        #expect(gaps.subscore("first") == 6 && gaps.subscore("mean") == 1.5 && gaps.subscore("whole") == nil)
        #expect(gaps.notes.contains { $0.hasPrefix("whole not scored: 4 of 6 items answered") }, "\(gaps.notes)")
    }

    @Test("PCL-5: 20 items 0-4, total 0-80, provisional diagnosis at 33, a 10-point change is meaningful")
    func pcl5() throws {
        let ptsd = try ConditionFileLoader.load(file: repository.appendingPathComponent("Registry/conditions/ptsd.yaml").path)
        let pcl5 = try #require(ptsd.scale("pcl5"))
        #expect(pcl5.items.count == 20 && pcl5.range == 0...80 && pcl5.licence.status == .publicDomain)
        // Hand-worked: 2 on every item is 40, provisional PTSD.
        #expect(try pcl5.score(Array(repeating: 2, count: 20)).score == 40)
        for (total, band) in [(32, "below-threshold"), (33, "provisional-ptsd"), (0, "below-threshold"), (80, "provisional-ptsd")] {
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
        let guide = try String(contentsOf: repository.appendingPathComponent("docs/adding-a-condition.md"), encoding: .utf8)
        let start = try #require(guide.range(of: "```yaml\n"))
        let end = try #require(guide.range(of: "```", range: start.upperBound..<guide.endIndex))
        var example = String(guide[start.upperBound..<end.lowerBound])
        // The guide shows two of the twenty items; add the other eighteen where it says so.
        let rest = (3...20).map { "      - {id: \"\($0)\", label: \"item \($0)\"}" }.joined(separator: "\n")
        example = example.replacingOccurrences(of: "      # ... one line per item, in the order they are answered", with: rest)
        let module = try ConditionFileLoader.parse(example, file: "docs/adding-a-condition.md")
        #expect(module.id == "ptsd")
        #expect(ConditionConformance.problems(in: module) == [])
    }

    @Test("Reverse-scored items and prorated sums")
    func reverseAndProrated() throws {
        let module = try ConditionFileLoader.parse("""
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
        #expect(try scale.score([3, 0, 3, 0]).score == 12)   // reversed items: 0 scores 3
        #expect(try scale.score([1, 2, 1, nil]).score == 4)  // (1 + 1 + 1) / 3 * 4
        #expect(throws: ScaleError.self) { try scale.score([1, nil, 1, nil]) }
    }
}

@Suite("Broken condition files are reported with the file, the line and what to write")
struct BrokenFileTests {
    static let valid = """
        id: ptsd-test
        name: Test
        version: "1"
        summary: A test.
        primary-scale: s
        scales:
          - id: s
            name: S
            version: "1"
            licence: free
            range: [0, 6]
            answers: {min: 0, max: 3}
            items:
              - {id: "1", label: one}
              - {id: "2", label: two}
            scoring: {method: sum}
            scoring-description: Sum.
            bands:
              - {id: low, min: 0, max: 2}
              - {id: high, min: 3, max: 6}
        outcome-rules:
          - {id: response, scale: s, improvement-percent: 50}
        """

    @Test("The valid example loads")
    func validLoads() throws {
        #expect(ConditionConformance.problems(in: try ConditionFileLoader.parse(Self.valid, file: "t.yaml")) == [])
    }

    @Test("Each mistake names its line and the fix", arguments: [
        ("unknown key", "    scoring-description: Sum.", "    scoring-descripton: Sum.", 17, "unknown key 'scoring-descripton' in a scale (did you mean 'scoring-description'?)"),
        ("overlapping bands", "      - {id: high, min: 3, max: 6}", "      - {id: high, min: 2, max: 6}", 20, "band high overlaps low, which ends at 2; start it at 3"),
        ("a band gap", "      - {id: high, min: 3, max: 6}", "      - {id: high, min: 4, max: 6}", 20, "a gap between low (ending at 2) and high; start high at 3"),
        ("bands short of the range", "      - {id: high, min: 3, max: 6}", "      - {id: high, min: 3, max: 5}", 20, "the last band ends at 5 but the highest score is 6; end it at 6"),
        ("a rule naming a missing scale", "  - {id: response, scale: s, improvement-percent: 50}", "  - {id: response, scale: phq9, improvement-percent: 50}", 22, "the rule names scale 'phq9', which this file does not define; write one of: s"),
        ("a duplicate item id", "      - {id: \"2\", label: two}", "      - {id: \"1\", label: two}", 15, "a second item with the id '1' in scale s"),
        ("a missing required key", "summary: A test.\n", "", 1, "the condition needs 'summary'"),
        ("subscores under a method that has none", "    scoring: {method: sum}", "    scoring: {method: sum, subscores: [{name: x, items: [\"1\"], minimum-answered: 1}]}", 16,
         "'subscores' is not used by method sum (only by means); method sum takes no other key. Subscores of any method go in the scale's own 'subscores' list"),
        ("a minimum for a sum", "    scoring: {method: sum}", "    scoring: {method: sum, minimum-answered: 1}", 16, "'minimum-answered' is not used by method sum (only by prorated-sum)"),
        ("an unknown scoring method", "    scoring: {method: sum}", "    scoring: {method: total}", 16, "scoring method 'total' is not one of sum, prorated-sum, highest-in-domains, means"),
        ("an unknown key in a subscore", "    scoring: {method: sum}", "    scoring: {method: sum}\n    subscores:\n      - {id: x, items: [\"1\"], wieght: 2}", 18,
         "unknown key 'wieght' in a subscore of scale s; write one of: id, items, method, minimum-answered, range"),
        ("a subscore naming a missing item", "    scoring: {method: sum}", "    scoring: {method: sum}\n    subscores:\n      - {id: x, items: [\"1\", \"3\"]}", 18,
         "subscore x names item '3', which scale s does not have; its items are 1, 2"),
        ("a subscore's unknown method", "    scoring: {method: sum}", "    scoring: {method: sum}\n    subscores:\n      - {id: x, items: [\"1\"], method: median}", 18,
         "a subscore's method 'median' is not one of sum, mean, prorated-sum"),
        ("a minimum for a summed subscore", "    scoring: {method: sum}", "    scoring: {method: sum}\n    subscores:\n      - {id: x, items: [\"1\", \"2\"], minimum-answered: 1}", 18,
         "a summed subscore needs every item answered"),
        ("a check on an item and the score", "  - {id: response, scale: s, improvement-percent: 50}", "  - {id: response, scale: s, improvement-percent: 50}\nsafety-checks:\n  - {flag: high, scale: s, description: d, item: \"1\", at-least: 2, score-at-least: 5}", 24,
         "a safety check is on an item (item and at-least) or on the score (score-at-least), not both"),
        ("a code with a wrong check digit", "primary-scale: s", "primary-scale: s\ncodes:\n  - {system: snomed, code: \"47505004\"}", 7,
         "SNOMED CT id '47505004' fails its Verhoeff check digit"),
        ("an item code of an unknown shape", "      - {id: \"2\", label: two}", "      - {id: \"2\", label: two, codes: [{system: loinc, code: \"44250\"}]}", 15,
         "LOINC code '44250' is not of the form 12345-6"),
        ("an answer range upside down", "    answers: {min: 0, max: 3}", "    answers: {min: 3, max: 0}", 12, "answers' min must be below max"),
        ("a rule with no criterion", "  - {id: response, scale: s, improvement-percent: 50}", "  - {id: response, scale: s}", 22, "an outcome rule needs exactly one of improvement-percent"),
        ("not YAML", "    range: [0, 6]", "    range: [0, 6", 12, "this is not valid YAML"),
        ("a bad id", "id: ptsd-test", "id: PTSD Test", 1, "the condition's id 'PTSD Test' is not an id"),
        ("an answer limit near Int.max", "    answers: {min: 0, max: 3}", "    answers: {min: 0, max: 9223372036854775807}", 12, "answers' min and max must be from -1000 to 1000"),
        ("a score range beyond the limit", "    range: [0, 6]", "    range: [0, 1e300]", 11, "range must lie within -1000000 to 1000000"),
    ])
    func mistake(name: String, replace: String, with: String, line: Int, message: String) {
        let text = Self.valid.replacingOccurrences(of: replace, with: with)
        #expect(text != Self.valid, "the test's replacement did not apply")
        do {
            _ = try ConditionFileLoader.parse(text, file: "broken.yaml")
            Issue.record("\(name): loaded")
        } catch {
            #expect(error.file == "broken.yaml")
            #expect(error.line == line, "\(name): \(error)")
            #expect(error.message.contains(message), "\(name): \(error)")
        }
    }

    @Test("A course may state its maintenance and re-treatment conventions; 'none' leaves re-treatment to 'ketareg course start'")
    func courseConventions() throws {
        let course = """

            course:
              description: four infusions within three weeks
              infusions: 4
              within-days: 21
              end-of-course-window-days: 7
              maintenance: boosters monthly
              retreatment-after-days: 60
            """
        let module = try ConditionFileLoader.parse(Self.valid + course, file: "t.yaml")
        #expect(module.course.maintenance == "boosters monthly")
        #expect(module.course.retreatmentAfterDays == 60)
        let manual = try ConditionFileLoader.parse(Self.valid + course.replacingOccurrences(of: "retreatment-after-days: 60", with: "retreatment-after-days: none"), file: "t.yaml")
        #expect(manual.course.retreatmentAfterDays == nil)
        let defaulted = try ConditionFileLoader.parse(Self.valid + course.replacingOccurrences(of: "\n  retreatment-after-days: 60", with: ""), file: "t.yaml")
        #expect(defaulted.course.retreatmentAfterDays == Course.defaultRetreatmentAfterDays)
        // Day counts are bounded, so no date arithmetic on them can overflow.
        for (key, value) in [("retreatment-after-days: 60", "retreatment-after-days: 9223372036854775807"), ("within-days: 21", "within-days: 0"),
                             ("infusions: 4", "infusions: -1")] {
            do {
                _ = try ConditionFileLoader.parse(Self.valid + course.replacingOccurrences(of: key, with: value), file: "t.yaml")
                Issue.record("\(value) loaded")
            } catch {
                #expect(error.message.contains("must be a whole number"), "\(value): \(error)")
            }
        }
    }

    @Test("A scale may have 200 items; 201, or 100,000, is refused at the list's first line")
    func itemLimit() throws {
        func file(items count: Int) -> String {
            Self.valid.replacingOccurrences(of: "      - {id: \"1\", label: one}\n      - {id: \"2\", label: two}",
                                            with: (1...count).map { "      - {id: \"\($0)\", label: item}" }.joined(separator: "\n"))
                .replacingOccurrences(of: "range: [0, 6]", with: "range: [0, \(count * 3)]")
                .replacingOccurrences(of: "      - {id: high, min: 3, max: 6}", with: "      - {id: high, min: 3, max: \(count * 3)}")
        }
        _ = try ConditionFileLoader.parse(file(items: 200), file: "t.yaml")
        for count in [201, 100_000] {
            do {
                _ = try ConditionFileLoader.parse(file(items: count), file: "t.yaml")
                Issue.record("\(count) items loaded")
            } catch {
                #expect(error.line == 14, "\(error)")
                #expect(error.message.contains("has \(count) items; a scale may have at most 200"), "\(error)")
            }
        }
    }

    @Test("An id already used by a compiled module is reported at the file's line, and nothing is loaded")
    func clashWithCompiled() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("conditions-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.valid.replacingOccurrences(of: "id: ptsd-test", with: "id: depression").write(to: folder.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        let declared = try ConditionFileLoader.load(directory: folder.path)
        #expect(throws: ConditionFileErrors.self) { try ConditionFileLoader.catalog(compiled: [DepressionModule()], declarative: declared) }
        do {
            _ = try ConditionFileLoader.catalog(compiled: [DepressionModule()], declarative: declared)
        } catch let error as ConditionFileErrors {
            #expect(error.errors.first?.line == 1)
            #expect(error.errors.first?.message.contains("two condition modules have the id 'depression'") == true)
        }
        // Every broken file in a folder is reported, not just the first.
        try "id: [".write(to: folder.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        try "nothing: here".write(to: folder.appendingPathComponent("c.yml"), atomically: true, encoding: .utf8)
        do {
            _ = try ConditionFileLoader.load(directory: folder.path)
            Issue.record("loaded broken files")
        } catch {
            #expect(error.errors.map { ($0.file as NSString).lastPathComponent } == ["b.yaml", "c.yml"])
        }
    }
}
