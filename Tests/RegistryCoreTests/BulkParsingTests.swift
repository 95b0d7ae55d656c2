import Depression
import Foundation
import Migraine
import NeuropathicPain
import RegistryCore
import RegistryTestSupport
import Testing

/// The shortcuts an import takes for the common case (plain digit answers read from bytes, a row's
/// values read by column number) against the general rules they stand in for.
@Suite("Bulk parsing shortcuts")
struct BulkParsingTests {
    /// The documented rule, written out: split on commas (on semicolons when there is no comma),
    /// then every part through `parseAnswer`, which trims it and reads numbers, positions and labels.
    func reference(_ scale: StandardScale, _ text: String) throws(ScaleError) -> [Int?] {
        let separator: Character = !text.contains(",") && text.contains(";") ? ";" : ","
        let parts = text.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == scale.items.count else {
            throw .wrongNumberOfAnswers(scale: scale.id, expected: scale.items.count, got: parts.count)
        }
        var answers: [Int?] = []
        for (index, part) in parts.enumerated() { answers.append(try scale.parseAnswer(part, item: index + 1)) }
        return answers
    }

    func outcome(_ parse: () throws(ScaleError) -> [Int?]) -> Result<[Int?], ScaleError> {
        do { return .success(try parse()) } catch { return .failure(error) }
    }

    @Test(
        "Answers read by the digit shortcut are what the general parser reads, and refusals are its refusals",
        arguments: ["phq9", "dn4", "hit6", "midas"])
    func answersAsTheGeneralRule(id: String) throws {
        let scale = try #require([PHQ9.scale, DN4.scale, HIT6.scale, MIDAS.scale].first { $0.id == id })
        var random = SeededGenerator(seed: 12)
        let odd = [
            "", " ", "x", "+1", "-1", "1.0", "٣", "１", "0x1", "99999999999999999999", "007", "1 ", " 2", "yes", "no",
            "Y", "often", "never", "1e1",
        ]
        var shortcutCases = 0
        var refused = 0
        for _ in 0..<4000 {
            var count = scale.items.count
            if Int.random(in: 0..<10, using: &random) == 0 { count += Int.random(in: -2...2, using: &random) }
            var parts: [String] = []
            for index in 0..<max(count, 0) {
                let item = scale.items[min(index, scale.items.count - 1)]
                switch Int.random(in: 0..<40, using: &random) {
                case 0, 3: parts.append(odd.randomElement(using: &random)!)
                case 1:
                    if case .options(let options) = item.response {
                        parts.append(options.randomElement(using: &random)!.label)
                    } else {
                        parts.append("")
                    }
                case 2: parts.append(String(Int.random(in: -3...120, using: &random)))
                default:
                    switch item.response {
                    case .number(let range): parts.append(String(Int.random(in: range, using: &random)))
                    case .options(let options): parts.append(String(Int.random(in: options.indices, using: &random)))
                    }
                }
            }
            let text = parts.joined(separator: Bool.random(using: &random) ? "," : ";")
            if text.utf8.allSatisfy({
                $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";")
                    || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
            }) {
                shortcutCases += 1
            }
            let got = outcome { () throws(ScaleError) in try scale.parseAnswers(text) }
            if case .failure = got { refused += 1 }
            #expect(got == outcome { () throws(ScaleError) in try reference(scale, text) }, "\(scale.id): \(text)")
        }
        // Both paths were taken many times, accepted and refused.
        #expect(
            shortcutCases > 400 && refused > 400 && refused < 3600,
            "\(shortcutCases) through the shortcut, \(refused) refused")
    }

    @Test("Every column's number is its position in the format's column list")
    func columnNumbers() {
        #expect(ClinicalCSV.Column.allCases.count == ClinicalCSV.columns.count)
        for column in ClinicalCSV.Column.allCases {
            // `birthDate` is `birth-date`: the case's name in the format's spelling.
            let spelled = String(describing: column).reduce(into: "") { text, character in
                text += character.isUppercase ? "-" + character.lowercased() : String(character)
            }
            #expect(spelled == ClinicalCSV.columns[column.rawValue])
            #expect(ClinicalCSV.Column(name: column.name) == column)
        }
        #expect(ClinicalCSV.Column(name: "Birth-Date") == nil && ClinicalCSV.Column(name: "dose") == nil)
    }

    @Test(
        "A row read by column number is the row read by name: values trimmed, empty ones absent, the formula guard taken off"
    )
    func fieldsByNumberAndByName() {
        let columns: [ClinicalCSV.Column] = [.record, .mrn, .on, .given, .answers, .reason]
        let texts = ["assessment", "  M-1\t", "", "'=cmd", "'x", "\t "]
        let byNumber = ClinicalCSV.Fields(header: columns, fields: texts)
        let byName = ClinicalCSV.Fields(Dictionary(uniqueKeysWithValues: zip(columns.map(\.name), texts)))
        for column in ClinicalCSV.Column.allCases { #expect(byNumber[column] == byName[column], "\(column.name)") }
        #expect(
            byNumber[.mrn] == "M-1" && byNumber[.on] == nil && byNumber[.given] == "=cmd" && byNumber[.answers] == "'x"
                && byNumber[.reason] == nil && byNumber[.scale] == nil)
    }

    @Test("A value in a column the format does not have is refused by name, after the columns it has")
    func unknownColumns() throws {
        let row = [
            "record": "co-intervention", "mrn": "M-1", "on": "2026-01-02", "kind": "psychotherapy", "zebra": "1",
            "apple": " x ", "empty": " ",
        ]
        let catalog = try ConditionCatalog([])
        let unknown = #expect(throws: ClinicalCSV.RowError.self) {
            try ClinicalCSV.record(row, catalog: catalog, today: fixedDay)
        }
        #expect(unknown?.column == "apple")
        var stray = row
        stray["grade"] = "mild"
        let misplaced = #expect(throws: ClinicalCSV.RowError.self) {
            try ClinicalCSV.record(stray, catalog: catalog, today: fixedDay)
        }
        #expect(misplaced?.column == "grade")
    }

    @Test(
        "Trimming keeps inner spaces and takes off only spaces and tabs at the ends",
        arguments: [
            ("a b", "a b"), (" a", "a"), ("a\t", "a"), ("\t a b \t", "a b"), ("", ""), ("   ", ""), ("é", "é"),
            (" é ", "é"), ("\na\n", "\na\n"),
            ("\té", "é"), ("é\t", "é"), ("\u{00A0}a\u{00A0}", "\u{00A0}a\u{00A0}"), ("a\u{0301} ", "a\u{0301}"),
            (" \u{1F600}", "\u{1F600}"),
            ("\u{3000}a", "\u{3000}a"),
        ])
    func trimming(text: String, trimmed: String) {
        #expect(text.trimmedSpaces == trimmed)
        #expect(text[...].trimmedSpaces == trimmed)
    }

    @Test(
        "Trimming agrees with trimming spaces and tabs scalar by scalar, on random texts of spaces, tabs and multi-byte characters"
    )
    func trimmingAgreesWithScalars() {
        var random = SeededGenerator(seed: 31)
        let pieces: [String] = [
            " ", "\t", "a", "é", "\u{00A0}", "\u{2003}", "\u{1F600}", "\u{0301}", "\n", "\u{3000}", "1",
        ]
        for _ in 0..<4000 {
            let text = (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                .joined()
            var scalars = Array(text.unicodeScalars)
            while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
            while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
            var expected = String.UnicodeScalarView()
            expected.append(contentsOf: scalars)
            #expect(text.trimmedSpaces == String(expected), "\(text.debugDescription)")
        }
    }

    @Test(
        "Trimming white space agrees with Foundation's trimming of .whitespaces, on random texts of ASCII, spaces of every kind and multi-byte characters"
    )
    func whitespaceTrimmingAgreesWithFoundation() {
        var random = SeededGenerator(seed: 37)
        let pieces: [String] = [
            " ", "\t", "a", "P-000123", "~", "!", "é", "\u{00A0}", "\u{2003}", "\u{202F}", "\u{3000}", "\u{1F600}",
            "\u{0301}", "\n", "\r", "\u{7F}", "1",
        ]
        for _ in 0..<4000 {
            let text = (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                .joined()
            #expect(text.trimmedWhitespace == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
            #expect(
                text[...].trimmedWhitespace == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
    }
}
