import Foundation
import RegistryCore
import RegistryTestSupport
import Testing

@testable import RegistryStore

@Suite("Stored lists read back")
struct StoredListTests {
    @Test(
        "A stored list of ids reads back as the JSON decoder reads it, escapes, spaces and odd quoting included",
        arguments: [
            #"[]"#, #"["a"]"#, #"["phq9-item9","madrs-item10"]"#, #"["a\"b"]"#, #"["a","b\\"]"#, #"["a" , "b"]"#,
            #"[ "a","b" ]"#,
            #"["",""]"#, #"["a","b"c"]"#, #"["é","ü/x"]"#, #"["\u0041"]"#,
            #"["a","b","c"]"#, #"["a",","b"]"#, #"["a""b"]"#, #"[""]"#, #"["a",""]"#, #"["a",",","b"]"#, #"["a"]]"#,
            #"[["a"]"#,
        ])
    func lists(text: String) {
        // What the decoder reads; a text it refuses reads as no flags, as before.
        let expected: [String]
        do { expected = try JSONDecoder().decode([String].self, from: Data(text.utf8)) } catch { expected = [] }
        #expect(decodeStringList(text) == expected)
    }

    @Test("No list, or not a list, reads as none")
    func none() {
        #expect(decodeStringList(nil) == [])
        #expect(decodeStringList("not json") == [])
    }
}

@Suite("Numbers in hand-written JSON")
struct HandWrittenNumberTests {
    @Test(
        "A number in an audit row is written as JSONEncoder writes it, at the edges of its whole-number form",
        arguments: [
            0.0, -0.0, 1, -3, 12.5, 1.0 / 3, 2e-7, 999_999_999_999_999, 1e15, -1e15, 9.007199254740992e15, 1e16,
            1.2345e16, 123_456_789_012_345_678, -1e300, 5e-324,
        ])
    func numbers(value: Double) throws {
        var object = JSONObjectWriter()
        object.number("score", value)
        #expect(object.text == String(decoding: try JSONEncoder().encode(["score": value]), as: UTF8.self))
    }
}

@Suite("The patient list as JSON")
struct PatientListJSONTests {
    @Test(
        "Written by hand, byte for byte what JSONEncoder writes pretty-printed with sorted keys: odd text, empty lists, absent values, no patients"
    )
    func matchesEncoder() throws {
        var generator = SeededGenerator(seed: 31)
        let texts = [
            "", "Ann", "O'Brien \"Bob\"", "back\\slash", "a/b", "tab\there", "line\nbreak",
            "\u{8}\u{C}\u{1}\u{1F}\u{7F}",
            "Núñez", "日本", "😀 emoji", "\r\n",
        ]
        func text() -> String { texts.randomElement(using: &generator)! }
        for count in [0, 1, 2, 25] {
            let patients = (0..<count).map { index in
                PatientSummary(
                    id: "P-\(index)", mrn: text(), givenName: text(), familyName: text(), sex: text(),
                    enrolledOn: text(),
                    conditions: (0..<Int.random(in: 0...3, using: &generator)).map { _ in text() },
                    researchConsent: Bool.random(using: &generator),
                    consentWithdrawnOn: Bool.random(using: &generator) ? text() : nil,
                    infusions: Int.random(in: -1...5000, using: &generator),
                    lastAssessedOn: Bool.random(using: &generator) ? text() : nil,
                    flags: (0..<Int.random(in: 0...2, using: &generator)).map { _ in text() })
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let expected = String(decoding: try encoder.encode(["patients": patients]), as: UTF8.self)
            #expect(PatientSummary.prettyJSON(patients: patients) == expected)
        }
    }
}
