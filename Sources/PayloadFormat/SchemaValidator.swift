import Foundation
import RegistryCore

/// Validates JSON documents against the subset of JSON Schema draft 2020-12 the payload schemas
/// use: `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `const`,
/// `minimum`, `maximum`, `minLength`, `pattern` and `$ref` into `$defs`. A schema using any other
/// keyword is refused, so the validator never silently ignores a rule.
public struct SchemaValidator: Sendable {
    let root: [String: JSONValue]
    /// The schema compiled once into nodes with their keywords read, `$ref`s resolved and
    /// patterns compiled: a payload has hundreds of thousands of values to check.
    private let compiled: SchemaNode

    static let understood: Set<String> = [
        "$schema", "$id", "title", "description", "$defs", "type", "properties", "required",
        "additionalProperties", "items", "enum", "const", "minimum", "maximum", "minLength", "pattern", "$ref",
    ]

    /// Compiles a schema's text once. Throws ``SchemaError`` when the text is not a JSON object,
    /// uses a keyword the validator does not understand, or has a pattern that is not a regular
    /// expression.
    public init(schema text: String) throws {
        guard case .object(let root) = try JSONValue.parse(Data(text.utf8)) else {
            throw SchemaError(path: "", message: "the schema is not a JSON object")
        }
        self.root = root
        try Self.checkKeywords(root, path: "#")
        var definitions: [String: SchemaNode] = [:]
        compiled = try Self.compile(root, root: root, definitions: &definitions)
    }

    /// Every way a document breaks the schema; empty when it conforms.
    public func problems(in document: Data) -> [SchemaError] {
        let value: JSONValue
        do { value = try JSONValue.parse(document) } catch {
            return [error as? SchemaError ?? SchemaError(path: "", message: "not JSON")]
        }
        return problems(in: value)
    }

    /// Every way an already parsed document breaks the schema; empty when it conforms.
    public func problems(in value: JSONValue) -> [SchemaError] {
        problems(in: value, against: compiled, at: [], patternMatches: Self.firstMatch)
    }

    /// A validator for the items of the top-level array property `name`, for a payload written
    /// one row at a time: a document conforms exactly when its rows conform to this and the
    /// document with the array empty conforms to the whole schema, as long as the array's schema
    /// says nothing but its type and its items (which is checked here: `nil` otherwise).
    /// Validators of several arrays may share `verdicts`, the cache of strings already checked
    /// against a pattern (a payload's pseudonyms appear in every array).
    public func items(of name: String, verdicts: SchemaVerdicts = SchemaVerdicts()) -> SchemaItemValidator? {
        guard let array = compiled.properties[name], let items = array.items, array.type == "array",
            array.constant == nil,
            array.options == nil, array.pattern == nil, array.minimum == nil, array.maximum == nil,
            array.minLength == nil,
            array.properties.isEmpty, array.required.isEmpty
        else { return nil }
        return SchemaItemValidator(validator: self, node: items, name: name, verdicts: verdicts)
    }

    /// Whether `value` conforms to `node`: exactly when ``validate(_:against:path:errors:patternMatches:)``
    /// finds nothing, without building a report (the tests hold the two together).
    func conforms(_ value: JSONValue, to node: SchemaNode) -> Bool {
        if node.type != nil {
            guard let kind = node.kind, matches(value, kind: kind) else { return false }
        }
        if let constant = node.constant, value != constant { return false }
        if let options = node.options, !options.contains(value) { return false }
        switch value {
        case .number(let number):
            if let minimum = node.minimum, number < minimum { return false }
            if let maximum = node.maximum, number > maximum { return false }
        case .string(let text):
            if let minLength = node.minLength, Double(text.count) < minLength { return false }
            if let (_, expression) = node.pattern, !Self.firstMatch(expression, text) { return false }
        case .object(let object):
            for name in node.required where object[name] == nil { return false }
            for (name, child) in object {
                if let property = node.properties[name] {
                    if !conforms(child, to: property) { return false }
                } else {
                    switch node.additional {
                    case .allowed: break
                    case .forbidden: return false
                    case .schema(let additional): if !conforms(child, to: additional) { return false }
                    }
                }
            }
        case .array(let array):
            if let items = node.items { for element in array where !conforms(element, to: items) { return false } }
        default: break
        }
        return true
    }

    /// Whether an already parsed document conforms: exactly when ``problems(in:)-(JSONValue)`` is
    /// empty, and cheaper.
    public func conforms(_ value: JSONValue) -> Bool { conforms(value, to: compiled) }

    func problems(
        in value: JSONValue, against node: SchemaNode, at prefix: [String],
        patternMatches: (NSRegularExpression, String) -> Bool
    ) -> [SchemaError] {
        var errors: [SchemaError] = []
        var path = prefix
        validate(value, against: node, path: &path, errors: &errors, patternMatches: patternMatches)
        // Members are visited in no particular order (a dictionary's); the report's order is the
        // paths', then the messages'.
        return errors.sorted { ($0.path, $0.message) < ($1.path, $1.message) }
    }

    private static func checkKeywords(_ schema: [String: JSONValue], path: String) throws {
        for (key, value) in schema {
            guard understood.contains(key) else {
                throw SchemaError(path: path, message: "the validator does not understand '\(key)'")
            }
            if key == "$defs" || key == "properties", case .object(let children) = value {
                for (name, child) in children {
                    if case .object(let child) = child { try checkKeywords(child, path: "\(path)/\(key)/\(name)") }
                }
            } else if key == "items" || key == "additionalProperties", case .object(let child) = value {
                try checkKeywords(child, path: "\(path)/\(key)")
            }
        }
    }

    /// A node for `schema`, following `$ref` into `$defs` (each definition compiled once, so a
    /// definition that refers to itself is fine).
    private static func compile(
        _ schema: [String: JSONValue], root: [String: JSONValue], definitions: inout [String: SchemaNode]
    ) throws -> SchemaNode {
        if case .string(let reference)? = schema["$ref"], reference.hasPrefix("#/$defs/"),
            case .object(let all)? = root["$defs"]
        {
            let name = String(reference.dropFirst("#/$defs/".count))
            if case .object(let target)? = all[name] {
                if let known = definitions[name] { return known }
                if case .string? = target["$ref"] {
                    // A reference to a reference (the payload schemas have none in a cycle).
                    let node = try compile(target, root: root, definitions: &definitions)
                    definitions[name] = node
                    return node
                }
                let node = SchemaNode()
                definitions[name] = node
                try fill(node, from: target, root: root, definitions: &definitions)
                return node
            }
        }
        let node = SchemaNode()
        try fill(node, from: schema, root: root, definitions: &definitions)
        return node
    }

    private static func fill(
        _ node: SchemaNode, from schema: [String: JSONValue], root: [String: JSONValue],
        definitions: inout [String: SchemaNode]
    ) throws {
        if case .string(let type)? = schema["type"] {
            node.type = type
            node.kind = SchemaNode.Kind(rawValue: type)
        }
        node.constant = schema["const"]
        if case .array(let options)? = schema["enum"] { node.options = options }
        if case .number(let minimum)? = schema["minimum"] { node.minimum = minimum }
        if case .number(let maximum)? = schema["maximum"] { node.maximum = maximum }
        if case .number(let minLength)? = schema["minLength"] { node.minLength = minLength }
        if case .string(let pattern)? = schema["pattern"] {
            do { node.pattern = (pattern, try NSRegularExpression(pattern: pattern)) } catch {
                throw SchemaError(path: "#", message: "the pattern \(pattern) is not a regular expression")
            }
        }
        if case .object(let named)? = schema["properties"] {
            for (name, child) in named {
                if case .object(let child) = child {
                    node.properties[name] = try compile(child, root: root, definitions: &definitions)
                }
            }
        }
        if case .array(let required)? = schema["required"] {
            node.required = required.compactMap { if case .string(let name) = $0 { name } else { nil } }
        }
        switch schema["additionalProperties"] {
        case .bool(false)?: node.additional = .forbidden
        case .object(let additional)?:
            node.additional = .schema(try compile(additional, root: root, definitions: &definitions))
        default: node.additional = .allowed
        }
        if case .object(let items)? = schema["items"] {
            node.items = try compile(items, root: root, definitions: &definitions)
        }
    }

    /// `path` holds the names and indexes down to `value`; it is joined only to report a failure.
    static func firstMatch(_ expression: NSRegularExpression, _ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    private func validate(
        _ value: JSONValue, against node: SchemaNode, path: inout [String], errors: inout [SchemaError],
        patternMatches: (NSRegularExpression, String) -> Bool
    ) {
        func fail(_ message: String) {
            errors.append(SchemaError(path: path.isEmpty ? "/" : path.map { "/" + $0 }.joined(), message: message))
        }
        if let type = node.type, !matches(value, type: type) {
            return fail("expected \(type), found \(describe(value))")
        }
        if let constant = node.constant, value != constant { fail("expected \(render(constant))") }
        if let options = node.options, !options.contains(value) {
            fail("expected one of \(options.map(render).joined(separator: ", ")), found \(render(value))")
        }
        switch value {
        case .number(let number):
            if let minimum = node.minimum, number < minimum { fail("\(number) is below the minimum \(minimum)") }
            if let maximum = node.maximum, number > maximum { fail("\(number) is above the maximum \(maximum)") }
        case .string(let text):
            if let minLength = node.minLength, Double(text.count) < minLength { fail("shorter than \(Int(minLength))") }
            if let (pattern, expression) = node.pattern, !patternMatches(expression, text) {
                fail("'\(text)' does not match \(pattern)")
            }
        case .object(let object):
            for name in node.required where object[name] == nil { fail("missing required property '\(name)'") }
            for (name, child) in object {
                if let property = node.properties[name] {
                    path.append(name)
                    validate(child, against: property, path: &path, errors: &errors, patternMatches: patternMatches)
                    path.removeLast()
                } else {
                    switch node.additional {
                    case .allowed: break
                    case .forbidden: fail("property '\(name)' is not allowed")
                    case .schema(let additional):
                        path.append(name)
                        validate(
                            child, against: additional, path: &path, errors: &errors, patternMatches: patternMatches)
                        path.removeLast()
                    }
                }
            }
        case .array(let array):
            if let items = node.items {
                for (index, element) in array.enumerated() {
                    path.append(String(index))
                    validate(element, against: items, path: &path, errors: &errors, patternMatches: patternMatches)
                    path.removeLast()
                }
            }
        default: break
        }
    }

    /// ``matches(_:type:)`` for a type read once into its kind (no string compared per value).
    private func matches(_ value: JSONValue, kind: SchemaNode.Kind) -> Bool {
        switch (kind, value) {
        case (.object, .object), (.array, .array), (.string, .string), (.boolean, .bool), (.null, .null),
            (.number, .number):
            true
        case (.integer, .number(let number)): number == number.rounded()
        default: false
        }
    }

    private func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null),
            ("number", .number):
            true
        case ("integer", .number(let number)): number == number.rounded()
        default: false
        }
    }

    private func render(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "'\(text)'"
        case .number(let number): number == number.rounded() ? String(Int(number)) : String(number)
        case .bool(let flag): String(flag)
        case .null: "null"
        case .object: "an object"
        case .array: "an array"
        }
    }

    private func describe(_ value: JSONValue) -> String {
        switch value {
        case .string: "a string"
        case .object: "an object"
        case .array: "an array"
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        }
    }
}

/// Where a document breaks its schema.
