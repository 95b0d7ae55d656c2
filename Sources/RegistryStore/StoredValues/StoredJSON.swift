import Foundation
import GRDB
import RegistryCore

/// A value that writes its own JSON, byte for byte what `encodeJSON` would write, because it is
/// encoded once per row of a bulk import.
protocol HandEncodedJSON {
    var json: String { get }
}

/// One JSON object written member by member, compact, into UTF-8 bytes, for the hand-encoded
/// views: the caller gives the members in the order JSONEncoder's `.sortedKeys` gives them, and
/// an absent optional is left out, as the encoder leaves it out. Names are plain keys (nothing in
/// them to escape), but for ``number(escapingName:_:)``.
struct JSONObjectWriter {
    private var out: [UInt8]
    private var first = true

    init(capacity: Int = 256) {
        out = []
        out.reserveCapacity(capacity)
        out.append(UInt8(ascii: "{"))
    }

    private mutating func key(_ name: StaticString) {
        if !first { out.append(UInt8(ascii: ",")) }
        out.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
        first = false
    }

    mutating func string(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        appendJSONString(value, to: &out)
    }

    mutating func strings(_ name: StaticString, _ values: [String]) {
        key(name)
        appendJSONStringList(values, to: &out)
    }

    mutating func bool(_ name: StaticString, _ value: Bool) {
        key(name)
        if value {
            out.append(contentsOf: [UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: "u"), UInt8(ascii: "e")])
        } else {
            out.append(contentsOf: [
                UInt8(ascii: "f"), UInt8(ascii: "a"), UInt8(ascii: "l"), UInt8(ascii: "s"), UInt8(ascii: "e"),
            ])
        }
    }

    mutating func int(_ name: StaticString, _ value: Int?) {
        guard let value else { return }
        key(name)
        appendDecimal(value, to: &out)
    }

    mutating func number(_ name: StaticString, _ value: Double?) {
        guard let value else { return }
        key(name)
        appendJSONNumber(value, to: &out)
    }

    /// A list of whole numbers where `null` stands for a missing one (an assessment's answers).
    mutating func ints(_ name: StaticString, _ values: [Int?]) {
        key(name)
        appendJSONIntList(values, to: &out)
    }

    /// A name that may need escaping (a subscore's, a condition's id), as a key.
    private mutating func key(escaping name: String) {
        if !first { out.append(UInt8(ascii: ",")) }
        appendJSONString(name, to: &out)
        out.append(UInt8(ascii: ":"))
        first = false
    }

    /// A number under a name that may need escaping (a subscore's, say).
    mutating func number(escapingName name: String, _ value: Double) {
        key(escaping: name)
        appendJSONNumber(value, to: &out)
    }

    /// A string under a name that may need escaping (a condition's id, say).
    mutating func string(escapingName name: String, _ value: String) {
        key(escaping: name)
        appendJSONString(value, to: &out)
    }

    /// A list of objects, each written by `write`.
    mutating func objects<Element>(_ name: StaticString, _ elements: [Element], _ write: (Element) -> JSONObjectWriter)
    {
        key(name)
        out.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: write(element).out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }

    /// A member whose value is an object written by another writer.
    mutating func object(_ name: StaticString, _ value: JSONObjectWriter) {
        key(name)
        out.append(contentsOf: value.out)
        out.append(UInt8(ascii: "}"))
    }

    var text: String {
        var bytes = out
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}

func encodeJSON<T: Encodable>(_ value: T) -> String {
    if let value = value as? HandEncodedJSON { return value.json }
    return encodeWithJSONEncoder(value)
}

/// Foundation's encoder, sorted keys, no escaped slashes.
func encodeWithJSONEncoder<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try! encoder.encode(value), as: UTF8.self)
}

/// A list of strings as `encodeJSON` writes it.
func jsonStringList(_ values: [String]) -> String {
    var out: [UInt8] = []
    appendJSONStringList(values, to: &out)
    return String(decoding: out, as: UTF8.self)
}

func appendJSONStringList(_ values: [String], to out: inout [UInt8]) {
    out.append(UInt8(ascii: "["))
    for (index, value) in values.enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        appendJSONString(value, to: &out)
    }
    out.append(UInt8(ascii: "]"))
}

/// Whole numbers, `null` for a missing one, as `encodeJSON` writes `[Int?]`.
func appendJSONIntList(_ values: [Int?], to out: inout [UInt8]) {
    out.append(UInt8(ascii: "["))
    for (index, value) in values.enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        if let value {
            appendDecimal(value, to: &out)
        } else {
            out.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
        }
    }
    out.append(UInt8(ascii: "]"))
}

func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
    try? JSONDecoder().decode(type, from: Data(text.utf8))
}

/// A stored value that a change is about to write back or act on, read strictly: one that does
/// not read as KetaReg stores it is refused, never replaced by a default or dropped (a correction
/// would then write the default back: an adverse event's grade as mild, an infusion without its
/// start time or medication, an assessment's open safety flags closed). `what` names the record
/// and field, `kind` what it should be; the stored text itself is not repeated.
/// `remedy` says what the clinic can do about it, after verifying the registry.
func stored<Value>(
    _ what: @autoclosure () -> String, as kind: @autoclosure () -> String,
    remedy: [RegistryError.Remedy] = StoredValue.recordRemedy,
    _ read: () throws -> Value?
) throws -> Value {
    if let value = try? read() { return value }
    throw RegistryError.storage(
        "\(what()): not \(kind()) as KetaReg stores it; nothing changed. "
            + "The registry was changed outside KetaReg or is damaged",
        remedies: [.verifyRegistry] + remedy)
}

/// What a stored-value error suggests.
enum StoredValue {
    /// For a field of a clinical record, which can be taken out without reading it.
    static let recordRemedy: [RegistryError.Remedy] = [.markEnteredInError, .restoreBackup]
    /// For a field of the patient, which no change writes again.
    static let restoreRemedy: [RegistryError.Remedy] = [.restoreBackup]
    /// For the end of one of a patient's conditions.
    static func conditionEndRemedy(_ patient: String, _ condition: String) -> [RegistryError.Remedy] {
        [.recordConditionEndAgain(patient: patient, condition: condition)]
    }
}

/// A stored word of a vocabulary, read as ``stored(_:as:_:)`` reads.
func storedWord<Word: Vocabulary>(
    _ text: String, _ what: @autoclosure () -> String,
    remedy: [RegistryError.Remedy] = StoredValue.recordRemedy
) throws -> Word {
    try stored(what(), as: "one of \(Word.allowedWords)", remedy: remedy) { Word(rawValue: text) }
}

/// A stored JSON list of text (`["a","b"]`), read as ``stored(_:as:_:)`` reads.
func storedStringList(_ text: String, _ what: @autoclosure () -> String) throws -> [String] {
    try stored(what(), as: "a list of text") { parseStringList(text) }
}

/// A stored day (`YYYY-MM-DD`), read as ``stored(_:as:_:)`` reads.
func storedDate(
    _ text: String, _ what: @autoclosure () -> String,
    remedy: [RegistryError.Remedy] = StoredValue.recordRemedy
) throws -> ClinicalDate {
    try stored(what(), as: "a date (YYYY-MM-DD)", remedy: remedy) { try ClinicalDate.parse(text, field: "on") }
}

/// A stored time of day (`HH:MM`), read as ``stored(_:as:_:)`` reads.
func storedTime(_ text: String, _ what: @autoclosure () -> String) throws -> ClockTime {
    try stored(what(), as: "a time (HH:MM)") { try ClockTime.parse(text, field: "at") }
}

/// ``decodeJSON(_:_:)`` for a column read in bulk that is most often empty (`[]`, `{}`): the
/// decoder runs only when there is something to decode.
func decodeJSONUnlessEmpty<T: Decodable>(_ type: T.Type, _ text: String?, empty: String) -> T? {
    guard let text, text != empty else { return nil }
    return decodeJSON(type, text)
}

/// A stored list of answers for a page or a view, empty when it does not read
/// (``parseIntList(_:)``; what a change writes back, a page or an export shows is read strictly
/// instead, with ``storedAnswers(_:_:)``).
func decodeIntList(_ text: String) -> [Int?] {
    parseIntList(text) ?? []
}

/// A stored list of answers, read as ``stored(_:as:_:)`` reads.
func storedAnswers(_ text: String, _ what: @autoclosure () -> String) throws -> [Int?] {
    try stored(what(), as: "a list of answers") { parseIntList(text) }
}

/// A stored list of answers (`[1,null,3]`, as ``appendJSONIntList(_:to:)`` writes one): read
/// by hand when it is in that form, else decoded; nil when it is not a JSON list of whole
/// numbers and nulls.
func parseIntList(_ text: String) -> [Int?]? {
    var text = text
    let plain: [Int?]? = text.withUTF8 { bytes in
        let end = bytes.count - 1
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "["), bytes[end] == UInt8(ascii: "]") else { return nil }
        if bytes.count == 2 { return [] }
        var values: [Int?] = []
        // One pass, part by part between commas (no array of slices: its first use alone cost
        // more than the rest of a short command's reading).
        var start = 1
        while true {
            var stop = start
            while stop < end && bytes[stop] != UInt8(ascii: ",") { stop += 1 }
            if stop - start == 4, bytes[start] == UInt8(ascii: "n"), bytes[start + 1] == UInt8(ascii: "u"),
                bytes[start + 2] == UInt8(ascii: "l"), bytes[start + 3] == UInt8(ascii: "l")
            {
                values.append(nil)
            } else {
                var first = start
                var negative = false
                if first < stop, bytes[first] == UInt8(ascii: "-") {
                    negative = true
                    first += 1
                }
                // Digits only, no leading zero (which JSON does not allow), short enough not to overflow.
                let count = stop - first
                guard count >= 1, count <= 15, count == 1 || bytes[first] != UInt8(ascii: "0") else { return nil }
                var magnitude = 0
                for position in first..<stop {
                    let digit = bytes[position] &- UInt8(ascii: "0")
                    guard digit <= 9 else { return nil }
                    magnitude = magnitude * 10 + Int(digit)
                }
                values.append(negative ? -magnitude : magnitude)
            }
            if stop == end { return values }
            start = stop + 1
        }
    }
    return plain ?? decodeJSON([Int?].self, text)
}

/// A stored list of ids for a page or a view, empty when it does not read (``parseStringList(_:)``;
/// what a change writes back or a history computes with is read strictly instead).
func decodeStringList(_ text: String?) -> [String] {
    guard let text else { return [] }
    return parseStringList(text) ?? []
}

/// A stored list of ids (`["a","b"]`, as the encoder writes one): split by hand when nothing in
/// it is escaped, else decoded; nil when it is not a JSON list of text. Histories read one per
/// assessment.
func parseStringList(_ text: String) -> [String]? {
    if text == "[]" { return [] }
    let plain: [String]? =
        text.utf8.withContiguousStorageIfAvailable { bytes in
            // `["a","b"]`: between the outer `["` and `"]`, quotes only in `","` separators.
            let count = bytes.count
            guard count >= 4, bytes[0] == UInt8(ascii: "["), bytes[1] == UInt8(ascii: "\""),
                bytes[count - 2] == UInt8(ascii: "\""),
                bytes[count - 1] == UInt8(ascii: "]"), !bytes.contains(UInt8(ascii: "\\"))
            else { return nil }
            let parts = bytes[2..<(count - 2)].split(separator: UInt8(ascii: "\""), omittingEmptySubsequences: false)
            var items: [String] = []
            items.reserveCapacity(parts.count / 2 + 1)
            for (index, part) in parts.enumerated() {
                if index % 2 == 0 {
                    items.append(String(decoding: UnsafeBufferPointer(rebasing: part), as: UTF8.self))
                } else if part.count != 1 || part.first != UInt8(ascii: ",") {
                    return nil
                }
            }
            return parts.count % 2 == 1 ? items : nil
        } ?? nil
    // Anything else (escapes, other quotes) is left to the decoder.
    return plain ?? decodeJSON([String].self, text)
}

extension Dictionary {
    /// `nil` for an empty dictionary, so that an encoder leaves the key out.
    var nilIfEmpty: Self? { isEmpty ? nil : self }
}
