import Foundation

/// A parsed JSON document, with booleans kept apart from numbers (which Foundation's
/// `JSONSerialization` does not do on every platform).
public indirect enum JSONValue: Sendable, Equatable {
    /// An object: its members by name.
    case object([String: JSONValue])
    /// An array of values, in order.
    case array([JSONValue])
    /// A string.
    case string(String)
    /// A number, integer or not.
    case number(Double)
    /// `true` or `false`, never a number.
    case bool(Bool)
    /// JSON `null`.
    case null

    /// Parses UTF-8 JSON text (RFC 8259).
    public static func parse(_ data: Data) throws -> JSONValue {
        var parser = Parser(bytes: [UInt8](data))
        parser.skipSpace()
        let value = try parser.value()
        parser.skipSpace()
        guard parser.position == parser.bytes.count else { throw parser.error("text after the end of the document") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0
        /// How many arrays and objects enclose the current value. A payload nests a few levels;
        /// hostile text nesting thousands deep must not exhaust the stack of whoever parses it
        /// (the hub parses what any client sends).
        var depth = 0
        static let maximumDepth = 64

        func error(_ message: String) -> SchemaError { SchemaError(path: "byte \(position)", message: message) }

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
        }

        mutating func expect(_ text: String) throws {
            for byte in text.utf8 {
                guard position < bytes.count, bytes[position] == byte else { throw error("expected \(text)") }
                position += 1
            }
        }

        mutating func value() throws -> JSONValue {
            guard position < bytes.count else { throw error("unexpected end") }
            switch bytes[position] {
            case UInt8(ascii: "{"):
                position += 1
                depth += 1
                defer { depth -= 1 }
                guard depth <= Self.maximumDepth else {
                    throw error("nested more than \(Self.maximumDepth) levels deep")
                }
                var object: [String: JSONValue] = [:]
                skipSpace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                    position += 1
                    return .object(object)
                }
                while true {
                    skipSpace()
                    guard case .string(let key) = try value() else { throw error("expected a property name") }
                    skipSpace()
                    try expect(":")
                    skipSpace()
                    // A repeated name is refused: readers differ on which one wins.
                    guard object.updateValue(try value(), forKey: key) == nil else {
                        throw error("the property \"\(escapingControlCharacters(key).prefix(40))\" appears twice")
                    }
                    skipSpace()
                    guard position < bytes.count else { throw error("unexpected end") }
                    if bytes[position] == UInt8(ascii: ",") {
                        position += 1
                        continue
                    }
                    try expect("}")
                    return .object(object)
                }
            case UInt8(ascii: "["):
                position += 1
                depth += 1
                defer { depth -= 1 }
                guard depth <= Self.maximumDepth else {
                    throw error("nested more than \(Self.maximumDepth) levels deep")
                }
                var array: [JSONValue] = []
                skipSpace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    return .array(array)
                }
                while true {
                    skipSpace()
                    array.append(try value())
                    skipSpace()
                    guard position < bytes.count else { throw error("unexpected end") }
                    if bytes[position] == UInt8(ascii: ",") {
                        position += 1
                        continue
                    }
                    try expect("]")
                    return .array(array)
                }
            case UInt8(ascii: "\""):
                position += 1
                var text: [UInt8] = []
                while position < bytes.count, bytes[position] != UInt8(ascii: "\"") {
                    if bytes[position] == UInt8(ascii: "\\") {
                        position += 1
                        guard position < bytes.count else { throw error("unexpected end") }
                        switch bytes[position] {
                        case UInt8(ascii: "n"): text.append(0x0A)
                        case UInt8(ascii: "t"): text.append(0x09)
                        case UInt8(ascii: "r"): text.append(0x0D)
                        case UInt8(ascii: "b"): text.append(0x08)
                        case UInt8(ascii: "f"): text.append(0x0C)
                        case UInt8(ascii: "u"):
                            guard position + 4 < bytes.count,
                                let code = UInt32(
                                    String(decoding: bytes[(position + 1)...(position + 4)], as: UTF8.self), radix: 16)
                            else {
                                throw error("bad \\u escape")
                            }
                            text.append(contentsOf: Array(String(Character(Unicode.Scalar(code) ?? "\u{FFFD}")).utf8))
                            position += 4
                        default: text.append(bytes[position])
                        }
                    } else {
                        text.append(bytes[position])
                    }
                    position += 1
                }
                try expect("\"")
                return .string(String(decoding: text, as: UTF8.self))
            case UInt8(ascii: "t"):
                try expect("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expect("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try expect("null")
                return .null
            default:
                let start = position
                while position < bytes.count, "+-0123456789.eE".utf8.contains(bytes[position]) { position += 1 }
                guard let number = Double(String(decoding: bytes[start..<position], as: UTF8.self)) else {
                    throw error("expected a value")
                }
                return .number(number)
            }
        }
    }
}

extension JSONValue: Encodable {
    /// Whole numbers are written without a decimal point, so that FHIR integers stay integers.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .object(let object): try container.encode(object)
        case .array(let array): try container.encode(array)
        case .string(let string): try container.encode(string)
        case .number(let number):
            if number == number.rounded(), abs(number) < 9_007_199_254_740_992 {
                try container.encode(Int64(number))
            } else {
                try container.encode(number)
            }
        case .bool(let bool): try container.encode(bool)
        case .null: try container.encodeNil()
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral
{
    /// A JSON string from a string literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// A JSON array from an array literal.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// A JSON object from a dictionary literal; of a key given twice, the last value is kept.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(Dictionary(elements) { $1 }) }
    /// A JSON number from an integer literal.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// A JSON boolean from a boolean literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// Where a JSON document, or a value in it, breaks a rule: its JSON Pointer path and why.
public struct SchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the rule is broken: a JSON Pointer into the document (`/conditions/0/id`, `/` for the whole), or `byte N`
    /// where the text cannot be parsed.
    public let path: String
    /// What is wrong, in words.
    public let message: String
    /// An error at `path`, saying what is wrong.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    /// The error as `path: message`.
    public var description: String { "\(path): \(message)" }
}
