import Depression
import Foundation
import Migraine
import NeuropathicPain
import PayloadFormat
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

@testable import RegistryExport

@Suite("The payload schemas' validator")
struct SchemaValidatorTests {
    let validator = try! SchemaValidator(
        schema: #"""
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "required": ["id", "rows"],
             "additionalProperties": false,
             "properties": {
               "id": {"type": "string", "pattern": "^[0-9a-f]{4}$"},
               "kind": {"enum": ["a", "b"]}, "version": {"const": 3},
               "rows": {"type": "array", "items": {"$ref": "#/$defs/row"}},
               "extra": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 9}}},
             "$defs": {"row": {"type": "object", "required": ["n"], "additionalProperties": false,
                               "properties": {"n": {"type": "number", "minimum": 1}, "name": {"type": "string", "minLength": 2},
                                              "code": {"type": "string", "pattern": "^[a-z]+$"},
                                              "child": {"$ref": "#/$defs/row"}}}}}
            """#)

    /// The report, checked against the validator's quick yes-or-no on the same document.
    func problems(_ document: String) -> [String] {
        let report = validator.problems(in: Data(document.utf8)).map(\.description)
        #expect(validator.conforms(try! JSONValue.parse(Data(document.utf8))) == report.isEmpty, "\(document)")
        return report
    }

    @Test("The quick yes-or-no agrees with the report on documents changed at random")
    func quickAgreesWithReport() {
        var generator = SeededGenerator(seed: 12)
        let values: [String] = [
            #""0a9f""#, #""0A9F""#, #""a""#, #""b""#, #""c""#, "3", "2", "0", "1", "1.5", "9", "10", "-1", "true",
            "null",
            "[]", "{}", #"{"n": 1}"#, #"{"n": 0}"#, #"{"n": 2, "name": "x"}"#, #"{"n": 2, "name": "xy"}"#,
            #"[{"n": 1}, {"n": 0}]"#, #"[{"n": 1, "child": {"n": 1, "mrn": "x"}}]"#, #"{"q": 9}"#, #"{"q": 10}"#,
        ]
        let names = ["id", "kind", "version", "rows", "extra", "leak", "n"]
        var agreed = 0
        var conforming = 0
        for _ in 0..<2_000 {
            // A conforming document with up to three members set at random (each name once).
            var members: [String: String] = ["id": #""0a9f""#, "rows": "[]"]
            for name in names.shuffled(using: &generator).prefix(Int.random(in: 0...3, using: &generator)) {
                members[name] = Bool.random(using: &generator) ? nil : values.randomElement(using: &generator)!
            }
            let document = "{" + members.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
            let report = problems(document)
            agreed += 1
            if report.isEmpty { conforming += 1 }
        }
        #expect(agreed == 2_000)
        // Both kinds of document were drawn (a conforming one needs a good id and rows).
        #expect(conforming > 0 && conforming < 2_000)
    }

    @Test("A document that keeps every rule passes, nested references included")
    func conforming() {
        #expect(
            problems(
                #"{"id": "0a9f", "kind": "b", "version": 3, "rows": [{"n": 2, "name": "xy", "child": {"n": 1}}], "extra": {"q": 9}}"#
            ) == [])
    }

    @Test(
        "Each broken rule is reported at its path",
        arguments: [
            (#"{"id": "0a9f", "rows": [], "leak": "P-000001"}"#, "/: property 'leak' is not allowed"),
            (#"{"rows": []}"#, "/: missing required property 'id'"),
            (#"{"id": "0A9F", "rows": []}"#, "/id: '0A9F' does not match ^[0-9a-f]{4}$"),
            (#"{"id": 12, "rows": []}"#, "/id: expected string, found a number"),
            (#"{"id": "0a9f", "kind": "c", "rows": []}"#, "/kind: expected one of 'a', 'b', found 'c'"),
            (#"{"id": "0a9f", "version": 2, "rows": []}"#, "/version: expected 3"),
            (#"{"id": "0a9f", "rows": [{"n": 1}, {"n": 0}]}"#, "/rows/1/n: 0.0 is below the minimum 1.0"),
            (
                #"{"id": "0a9f", "rows": [{"n": 1, "child": {"n": 1, "name": "x"}}]}"#,
                "/rows/0/child/name: shorter than 2"
            ),
            (
                #"{"id": "0a9f", "rows": [{"n": 1, "child": {"n": 1, "mrn": "x"}}]}"#,
                "/rows/0/child: property 'mrn' is not allowed"
            ),
            (#"{"id": "0a9f", "rows": [], "extra": {"q": 10}}"#, "/extra/q: 10.0 is above the maximum 9.0"),
            (#"{"id": "0a9f", "rows": [], "extra": {"q": 1.5}}"#, "/extra/q: expected integer, found a number"),
            (#"{"id": "0a9f", "rows": {}}"#, "/rows: expected array, found an object"),
        ])
    func broken(document: String, expected: String) {
        #expect(problems(document) == [expected])
    }

    @Test(
        "Rows checked one at a time get the report the whole document gets: layouts, repeated strings and failures mixed"
    )
    func rowByRow() throws {
        let items = try #require(validator.items(of: "rows"))
        let rows: [[(name: String, value: JSONValue)]] = [
            [("n", .number(1)), ("code", .string("ab"))],
            [("n", .number(1)), ("code", .string("ab"))],
            [("n", .number(1)), ("code", .string("AB"))],
            [("n", .number(1)), ("code", .string("ab"))],
            [("code", .string("ab")), ("n", .number(0))],
            [("code", .string("ab"))],
            [("n", .number(2)), ("mrn", .string("x"))],
            [("n", .number(2)), ("code", .string("AB"))],
            [("n", .number(2)), ("code", .number(3))],
            [("n", .number(2)), ("name", .string("xy")), ("code", .string("zz"))],
            [("n", .number(1)), ("code", .string("AB"))],
            [("n", .number(1)), ("code", .string("ab"))],
        ]
        var failed = 0
        for (index, row) in rows.enumerated() {
            let object = JSONValue.object(Dictionary(uniqueKeysWithValues: row.map { ($0.name, $0.value) }))
            let filler = Array(repeating: JSONValue.object(["n": .number(1)]), count: index)
            let expected = validator.problems(in: .object(["id": .string("0a9f"), "rows": .array(filler + [object])]))
            #expect(items.problems(inRow: row, index: index) == expected, "row \(index)")
            if !expected.isEmpty { failed += 1 }
        }
        #expect(failed == 7)
    }

    @Test("Several problems come back in the order of their paths, whatever order the members were read in")
    func ordered() {
        #expect(
            problems(#"{"zz": 1, "id": "x", "aa": 2, "rows": [{"n": 0}]}"#)
                == [
                    "/: property 'aa' is not allowed", "/: property 'zz' is not allowed",
                    "/id: 'x' does not match ^[0-9a-f]{4}$",
                    "/rows/0/n: 0.0 is below the minimum 1.0",
                ])
    }

    @Test("A type name JSON Schema does not have matches nothing, in the report and in the quick yes-or-no")
    func unknownType() throws {
        let odd = try SchemaValidator(schema: #"{"type": "object", "properties": {"a": {"type": "strnig"}}}"#)
        for document in [#"{"a": "x"}"#, #"{"a": 1}"#, #"{"a": null}"#] {
            let value = try JSONValue.parse(Data(document.utf8))
            #expect(!odd.conforms(value) && !odd.problems(in: value).isEmpty)
        }
        #expect(odd.conforms(try JSONValue.parse(Data(#"{"b": 1}"#.utf8))))
    }

    @Test("A keyword the validator does not know is refused rather than ignored")
    func unknownKeyword() {
        #expect(throws: SchemaError.self) { try SchemaValidator(schema: #"{"type": "object", "oneOf": []}"#) }
    }
}
