import ConditionTesting
import DeclarativeConditions
import Depression
import Foundation
import RegistryCore
import Testing

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

    @Test(
        "Each mistake names its line and the fix",
        arguments: [
            (
                "unknown key", "    scoring-description: Sum.", "    scoring-descripton: Sum.", 17,
                "unknown key 'scoring-descripton' in a scale (did you mean 'scoring-description'?)"
            ),
            (
                "overlapping bands", "      - {id: high, min: 3, max: 6}", "      - {id: high, min: 2, max: 6}", 20,
                "band high overlaps low, which ends at 2; start it at 3"
            ),
            (
                "a band gap", "      - {id: high, min: 3, max: 6}", "      - {id: high, min: 4, max: 6}", 20,
                "a gap between low (ending at 2) and high; start high at 3"
            ),
            (
                "bands short of the range", "      - {id: high, min: 3, max: 6}", "      - {id: high, min: 3, max: 5}",
                20, "the last band ends at 5 but the highest score is 6; end it at 6"
            ),
            (
                "a rule naming a missing scale", "  - {id: response, scale: s, improvement-percent: 50}",
                "  - {id: response, scale: phq9, improvement-percent: 50}", 22,
                "the rule names scale 'phq9', which this file does not define; write one of: s"
            ),
            (
                "a duplicate item id", "      - {id: \"2\", label: two}", "      - {id: \"1\", label: two}", 15,
                "a second item with the id '1' in scale s"
            ),
            ("a missing required key", "summary: A test.\n", "", 1, "the condition needs 'summary'"),
            (
                "subscores under a method that has none", "    scoring: {method: sum}",
                "    scoring: {method: sum, subscores: [{name: x, items: [\"1\"], minimum-answered: 1}]}", 16,
                "'subscores' is not used by method sum (only by means); method sum takes no other key. Subscores of any method go in the scale's own 'subscores' list"
            ),
            (
                "a minimum for a sum", "    scoring: {method: sum}", "    scoring: {method: sum, minimum-answered: 1}",
                16, "'minimum-answered' is not used by method sum (only by prorated-sum)"
            ),
            (
                "an unknown scoring method", "    scoring: {method: sum}", "    scoring: {method: total}", 16,
                "scoring method 'total' is not one of sum, prorated-sum, highest-in-domains, means"
            ),
            (
                "an unknown key in a subscore", "    scoring: {method: sum}",
                "    scoring: {method: sum}\n    subscores:\n      - {id: x, items: [\"1\"], wieght: 2}", 18,
                "unknown key 'wieght' in a subscore of scale s; write one of: id, items, method, minimum-answered, range"
            ),
            (
                "a subscore naming a missing item", "    scoring: {method: sum}",
                "    scoring: {method: sum}\n    subscores:\n      - {id: x, items: [\"1\", \"3\"]}", 18,
                "subscore x names item '3', which scale s does not have; its items are 1, 2"
            ),
            (
                "a subscore's unknown method", "    scoring: {method: sum}",
                "    scoring: {method: sum}\n    subscores:\n      - {id: x, items: [\"1\"], method: median}", 18,
                "a subscore's method 'median' is not one of sum, mean, prorated-sum"
            ),
            (
                "a minimum for a summed subscore", "    scoring: {method: sum}",
                "    scoring: {method: sum}\n    subscores:\n      - {id: x, items: [\"1\", \"2\"], minimum-answered: 1}",
                18,
                "a summed subscore needs every item answered"
            ),
            (
                "a check on an item and the score", "  - {id: response, scale: s, improvement-percent: 50}",
                "  - {id: response, scale: s, improvement-percent: 50}\nsafety-checks:\n  - {flag: high, scale: s, description: d, item: \"1\", at-least: 2, score-at-least: 5}",
                24,
                "a safety check is on an item (item and at-least) or on the score (score-at-least), not both"
            ),
            (
                "a code with a wrong check digit", "primary-scale: s",
                "primary-scale: s\ncodes:\n  - {system: snomed, code: \"47505004\"}", 7,
                "SNOMED CT id '47505004' fails its Verhoeff check digit"
            ),
            (
                "an item code of an unknown shape", "      - {id: \"2\", label: two}",
                "      - {id: \"2\", label: two, codes: [{system: loinc, code: \"44250\"}]}", 15,
                "LOINC code '44250' is not of the form 12345-6"
            ),
            (
                "an answer range upside down", "    answers: {min: 0, max: 3}", "    answers: {min: 3, max: 0}", 12,
                "answers' min must be below max"
            ),
            (
                "a rule with no criterion", "  - {id: response, scale: s, improvement-percent: 50}",
                "  - {id: response, scale: s}", 22, "an outcome rule needs exactly one of improvement-percent"
            ),
            ("not YAML", "    range: [0, 6]", "    range: [0, 6", 12, "this is not valid YAML"),
            ("a bad id", "id: ptsd-test", "id: PTSD Test", 1, "the condition's id 'PTSD Test' is not an id"),
            (
                "an answer limit near Int.max", "    answers: {min: 0, max: 3}",
                "    answers: {min: 0, max: 9223372036854775807}", 12, "answers' min and max must be from -1000 to 1000"
            ),
            (
                "a score range beyond the limit", "    range: [0, 6]", "    range: [0, 1e300]", 11,
                "range must lie within -1000000 to 1000000"
            ),
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

    @Test(
        "A course may state its maintenance and re-treatment conventions; 'none' leaves re-treatment to 'ketareg course start'"
    )
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
        let manual = try ConditionFileLoader.parse(
            Self.valid
                + course.replacingOccurrences(of: "retreatment-after-days: 60", with: "retreatment-after-days: none"),
            file: "t.yaml")
        #expect(manual.course.retreatmentAfterDays == nil)
        let defaulted = try ConditionFileLoader.parse(
            Self.valid + course.replacingOccurrences(of: "\n  retreatment-after-days: 60", with: ""), file: "t.yaml")
        #expect(defaulted.course.retreatmentAfterDays == Course.defaultRetreatmentAfterDays)
        // Day counts are bounded, so no date arithmetic on them can overflow.
        for (key, value) in [
            ("retreatment-after-days: 60", "retreatment-after-days: 9223372036854775807"),
            ("within-days: 21", "within-days: 0"),
            ("infusions: 4", "infusions: -1"),
        ] {
            do {
                _ = try ConditionFileLoader.parse(
                    Self.valid + course.replacingOccurrences(of: key, with: value), file: "t.yaml")
                Issue.record("\(value) loaded")
            } catch {
                #expect(error.message.contains("must be a whole number"), "\(value): \(error)")
            }
        }
    }

    @Test("A scale may have 200 items; 201, or 100,000, is refused at the list's first line")
    func itemLimit() throws {
        func file(items count: Int) -> String {
            Self.valid.replacingOccurrences(
                of: "      - {id: \"1\", label: one}\n      - {id: \"2\", label: two}",
                with: (1...count).map { "      - {id: \"\($0)\", label: item}" }.joined(separator: "\n")
            )
            .replacingOccurrences(of: "range: [0, 6]", with: "range: [0, \(count * 3)]")
            .replacingOccurrences(
                of: "      - {id: high, min: 3, max: 6}", with: "      - {id: high, min: 3, max: \(count * 3)}")
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
        try Self.valid.replacingOccurrences(of: "id: ptsd-test", with: "id: depression").write(
            to: folder.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        let declared = try ConditionFileLoader.load(directory: folder.path)
        #expect(throws: ConditionFileErrors.self) {
            try ConditionFileLoader.catalog(compiled: [DepressionModule()], declarative: declared)
        }
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
