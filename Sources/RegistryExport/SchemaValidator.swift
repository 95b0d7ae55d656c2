import Foundation

/// Validates JSON documents against the subset of JSON Schema draft 2020-12 the payload schemas
/// use: `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `const`,
/// `minimum`, `maximum`, `minLength`, `pattern` and `$ref` into `$defs`. A schema using any other
/// keyword is refused, so the validator never silently ignores a rule.
public struct SchemaValidator: Sendable {
    let root: [String: JSONValue]
    /// Each `pattern` of the schema, compiled once: a payload checks thousands of strings against
    /// the same few.
    private let patterns: CompiledPatterns

    static let understood: Set<String> = ["$schema", "$id", "title", "description", "$defs", "type", "properties", "required",
                                          "additionalProperties", "items", "enum", "const", "minimum", "maximum", "minLength", "pattern", "$ref"]

    public init(schema text: String) throws {
        guard case .object(let root) = try JSONValue.parse(Data(text.utf8)) else {
            throw SchemaError(path: "", message: "the schema is not a JSON object")
        }
        self.root = root
        var compiled: [String: NSRegularExpression] = [:]
        func collect(_ value: JSONValue) throws {
            switch value {
            case .object(let object):
                if case .string(let pattern)? = object["pattern"], compiled[pattern] == nil {
                    do { compiled[pattern] = try NSRegularExpression(pattern: pattern) } catch {
                        throw SchemaError(path: "#", message: "the pattern \(pattern) is not a regular expression")
                    }
                }
                for child in object.values { try collect(child) }
            case .array(let array): for child in array { try collect(child) }
            default: break
            }
        }
        try collect(.object(root))
        patterns = CompiledPatterns(compiled)
        try checkKeywords(root, path: "#")
    }

    /// Every way a document breaks the schema; empty when it conforms.
    public func problems(in document: Data) -> [SchemaError] {
        let value: JSONValue
        do { value = try JSONValue.parse(document) } catch {
            return [error as? SchemaError ?? SchemaError(path: "", message: "not JSON")]
        }
        var errors: [SchemaError] = []
        var path: [String] = []
        validate(value, against: root, path: &path, errors: &errors)
        return errors
    }

    private func checkKeywords(_ schema: [String: JSONValue], path: String) throws {
        for (key, value) in schema {
            guard Self.understood.contains(key) else { throw SchemaError(path: path, message: "the validator does not understand '\(key)'") }
            if key == "$defs" || key == "properties", case .object(let children) = value {
                for (name, child) in children { if case .object(let child) = child { try checkKeywords(child, path: "\(path)/\(key)/\(name)") } }
            } else if key == "items" || key == "additionalProperties", case .object(let child) = value {
                try checkKeywords(child, path: "\(path)/\(key)")
            }
        }
    }

    private func resolve(_ schema: [String: JSONValue]) -> [String: JSONValue] {
        guard case .string(let reference)? = schema["$ref"], reference.hasPrefix("#/$defs/"),
              case .object(let definitions)? = root["$defs"],
              case .object(let target)? = definitions[String(reference.dropFirst("#/$defs/".count))] else { return schema }
        return resolve(target)
    }

    /// `path` holds the names and indexes down to `value`; it is joined only to report a failure.
    private func validate(_ value: JSONValue, against schema: [String: JSONValue], path: inout [String], errors: inout [SchemaError]) {
        let schema = resolve(schema)
        func fail(_ message: String) { errors.append(SchemaError(path: path.isEmpty ? "/" : path.map { "/" + $0 }.joined(), message: message)) }
        if case .string(let type)? = schema["type"], !matches(value, type: type) {
            return fail("expected \(type), found \(describe(value))")
        }
        if let constant = schema["const"], value != constant { fail("expected \(render(constant))") }
        if case .array(let options)? = schema["enum"], !options.contains(value) {
            fail("expected one of \(options.map(render).joined(separator: ", ")), found \(render(value))")
        }
        if case .number(let number) = value {
            if case .number(let minimum)? = schema["minimum"], number < minimum { fail("\(number) is below the minimum \(minimum)") }
            if case .number(let maximum)? = schema["maximum"], number > maximum { fail("\(number) is above the maximum \(maximum)") }
        }
        if case .string(let text) = value {
            if case .number(let minLength)? = schema["minLength"], Double(text.count) < minLength { fail("shorter than \(Int(minLength))") }
            if case .string(let pattern)? = schema["pattern"], !patterns.matches(text, pattern) {
                fail("'\(text)' does not match \(pattern)")
            }
        }
        if case .object(let object) = value {
            var properties: [String: JSONValue] = [:]
            if case .object(let named)? = schema["properties"] { properties = named }
            if case .array(let required)? = schema["required"] {
                for case .string(let name) in required where object[name] == nil { fail("missing required property '\(name)'") }
            }
            for (name, child) in object.sorted(by: { $0.key < $1.key }) {
                if case .object(let propertySchema)? = properties[name] {
                    path.append(name)
                    validate(child, against: propertySchema, path: &path, errors: &errors)
                    path.removeLast()
                } else if case .bool(false)? = schema["additionalProperties"] {
                    fail("property '\(name)' is not allowed")
                } else if case .object(let additional)? = schema["additionalProperties"] {
                    path.append(name)
                    validate(child, against: additional, path: &path, errors: &errors)
                    path.removeLast()
                }
            }
        }
        if case .array(let array) = value, case .object(let items)? = schema["items"] {
            for (index, element) in array.enumerated() {
                path.append(String(index))
                validate(element, against: items, path: &path, errors: &errors)
                path.removeLast()
            }
        }
    }

    private func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number): true
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

/// A schema's patterns, compiled; read-only after they are made, and NSRegularExpression may be
/// used from several threads at once.
private final class CompiledPatterns: @unchecked Sendable {
    private let expressions: [String: NSRegularExpression]
    init(_ expressions: [String: NSRegularExpression]) { self.expressions = expressions }

    /// Whether the pattern is found in the text (JSON Schema patterns are not anchored).
    func matches(_ text: String, _ pattern: String) -> Bool {
        guard let expression = expressions[pattern] else { return text.range(of: pattern, options: .regularExpression) != nil }
        return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

/// Where a document breaks its schema.
public struct SchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { "\(path): \(message)" }
}
