import Foundation
import RegistryCore

/// Strings already checked against a schema's patterns, with the verdict: a payload repeats its
/// pseudonyms and ids on every row, and a regular expression costs more than a lookup. Bounded:
/// emptied when it grows past 10,000. For one thread.
public final class SchemaVerdicts {
    struct Key: Hashable {
        let node: SchemaNode
        let text: String

        static func == (first: Key, second: Key) -> Bool { first.node === second.node && first.text == second.text }

        func hash(into hasher: inout Hasher) {
            hasher.combine(ObjectIdentifier(node))
            hasher.combine(text)
        }
    }

    var known: [Key: Bool] = [:]

    /// An empty cache, to share among the validators of one payload.
    public init() {}
}

/// Validates the rows of one array of a payload, one at a time, remembering the verdict on each
/// string checked against a pattern (in ``SchemaVerdicts``). For one thread.
public final class SchemaItemValidator {
    private let validator: SchemaValidator
    private let node: SchemaNode
    private let name: String
    private let verdicts: SchemaVerdicts
    /// The member names of recent rows, each with its properties resolved, whether the row has
    /// every required member, and the last string checked at each position with its verdict:
    /// rows come in a few layouts and repeat a patient's pseudonym row after row.
    private var layouts: [Layout] = []

    private struct Layout {
        let names: [String]
        let properties: [SchemaNode?]
        let hasRequired: Bool
        var lastText: [String?]
        var lastVerdict: [Bool]
    }

    init(validator: SchemaValidator, node: SchemaNode, name: String, verdicts: SchemaVerdicts) {
        self.validator = validator
        self.node = node
        self.name = name
        self.verdicts = verdicts
    }

    private func layout(of members: [(name: String, value: JSONValue)]) -> Int {
        for (index, layout) in layouts.enumerated() where layout.names.count == members.count {
            if zip(layout.names, members).allSatisfy({ $0 == $1.name }) { return index }
        }
        if layouts.count >= 16 { layouts.removeFirst() }
        layouts.append(
            Layout(
                names: members.map(\.name), properties: members.map { node.properties[$0.name] },
                hasRequired: node.required.allSatisfy { required in members.contains { $0.name == required } },
                lastText: Array(repeating: nil, count: members.count),
                lastVerdict: Array(repeating: false, count: members.count)))
        return layouts.count - 1
    }

    /// Every way row `index`, given as its members (each name once), breaks the schema, with paths
    /// from the document's root. The row is checked member by member without building the
    /// object or a report; only a row that fails is validated whole, for its report.
    public func problems(inRow members: [(name: String, value: JSONValue)], index: Int) -> [SchemaError] {
        func whole() -> [SchemaError] {
            let row = JSONValue.object(
                Dictionary(members.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }))
            return validator.problems(
                in: row, against: node, at: [name, String(index)], patternMatches: SchemaValidator.firstMatch)
        }
        guard node.type == "object", node.constant == nil, node.options == nil else { return whole() }
        let shape = layout(of: members)
        guard layouts[shape].hasRequired else { return whole() }
        for (position, member) in members.enumerated() {
            guard let property = layouts[shape].properties[position] else {
                if case .allowed = node.additional { continue }
                return whole()
            }
            if case .string(let text) = member.value, property.pattern != nil {
                if layouts[shape].lastText[position] == text {
                    if !layouts[shape].lastVerdict[position] { return whole() }
                    continue
                }
                let key = SchemaVerdicts.Key(node: property, text: text)
                let verdict: Bool
                if let known = verdicts.known[key] {
                    verdict = known
                } else {
                    verdict = validator.conforms(member.value, to: property)
                    if verdicts.known.count >= 10_000 { verdicts.known.removeAll(keepingCapacity: true) }
                    verdicts.known[key] = verdict
                }
                layouts[shape].lastText[position] = text
                layouts[shape].lastVerdict[position] = verdict
                if !verdict { return whole() }
            } else if !validator.conforms(member.value, to: property) {
                return whole()
            }
        }
        return []
    }
}

/// One schema object with its keywords read. Made once by the validator's initialiser and only
/// read afterwards (NSRegularExpression may be used from several threads at once).
final class SchemaNode: @unchecked Sendable {
    enum Additional {
        case allowed, forbidden
        case schema(SchemaNode)
    }

    /// JSON Schema's type names.
    enum Kind: String {
        case object, array, string, boolean, null, number, integer
    }

    var type: String?
    /// `type` when it is one of JSON Schema's names (an unknown name matches no value, as in
    /// ``SchemaValidator/matches(_:type:)``).
    var kind: Kind?
    var constant: JSONValue?
    var options: [JSONValue]?
    var minimum: Double?
    var maximum: Double?
    var minLength: Double?
    var pattern: (String, NSRegularExpression)?
    var properties: [String: SchemaNode] = [:]
    var required: [String] = []
    var additional: Additional = .allowed
    var items: SchemaNode?
}
