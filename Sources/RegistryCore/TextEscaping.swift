/// Escapes shared by every place that writes JSON or HTML by hand: the audit trail's rows, the
/// clinic's reports, the hub's output and forest plots.

/// Whether `text` goes into a JSON string literal as it is: no quote, backslash or control
/// character (most text has nothing to escape).
public func needsNoJSONEscaping(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { needsNoJSONEscaping($0) }
}

/// The same for UTF-8 bytes.
@inlinable
public func needsNoJSONEscaping(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    for byte in bytes where byte < 0x20 || byte == 0x22 || byte == 0x5C { return false }
    return true
}

/// A JSON string literal.
public func jsonString(_ text: String) -> String {
    var out = ""
    appendJSONString(text, to: &out)
    return out
}

/// Appends `text` as a JSON string literal, escaped as `JSONEncoder` escapes it (`\b` and `\f`
/// by name, other control characters as `\u00XX`, slashes as they are): for JSON written by
/// hand, piece by piece.
public func appendJSONString(_ text: String, to out: inout String) {
    if needsNoJSONEscaping(text) {
        out += "\""
        out += text
        out += "\""
    } else {
        var bytes: [UInt8] = []
        appendJSONString(text, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }
}

/// The same into UTF-8 bytes, the one place the escapes are written: JSON built as bytes (the
/// audit rows an import writes, the records payload) costs a fraction of JSON built as a `String`.
public func appendJSONString(_ text: String, to out: inout [UInt8]) {
    var text = text
    text.withUTF8 { bytes in
        out.append(UInt8(ascii: "\""))
        if needsNoJSONEscaping(bytes) {
            out.append(contentsOf: bytes)
        } else {
            let digits: StaticString = "0123456789abcdef"
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    out.append(UInt8(ascii: "\\"))
                    out.append(byte)
                case UInt8(ascii: "\n"):
                    out.append(UInt8(ascii: "\\"))
                    out.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"):
                    out.append(UInt8(ascii: "\\"))
                    out.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"):
                    out.append(UInt8(ascii: "\\"))
                    out.append(UInt8(ascii: "t"))
                case 0x08:
                    out.append(UInt8(ascii: "\\"))
                    out.append(UInt8(ascii: "b"))
                case 0x0C:
                    out.append(UInt8(ascii: "\\"))
                    out.append(UInt8(ascii: "f"))
                case 0..<0x20:
                    // UTF-8 keeps every byte below 0x80 for its own character, so a control
                    // character is always one byte here.
                    out.append(contentsOf: [
                        UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                        digits.utf8Start[Int(byte >> 4)], digits.utf8Start[Int(byte & 0x0F)],
                    ])
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// `value` in decimal, as `String(value)` writes it, into UTF-8 bytes.
public func appendDecimal(_ value: Int, to out: inout [UInt8]) {
    if value < 0 { out.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    var divisor: UInt = 1
    while magnitude / divisor >= 10 { divisor *= 10 }
    while divisor > 0 {
        out.append(UInt8(ascii: "0") + UInt8(magnitude / divisor))
        magnitude %= divisor
        divisor /= 10
    }
}

/// A finite number as JSONEncoder writes it, into UTF-8 bytes: `5` for whole values, the
/// shortest exact form otherwise.
public func appendJSONNumber(_ value: Double, to out: inout [UInt8]) {
    // Negative zero is "-0" to JSONEncoder; `Int` would lose its sign.
    if value == 0 {
        if value.sign == .minus { out.append(UInt8(ascii: "-")) }
        out.append(UInt8(ascii: "0"))
    } else if value == value.rounded() && abs(value) < 1e15 {
        appendDecimal(Int(value), to: &out)
    } else {
        // The encoder's form: the shortest description, without a trailing ".0"
        // (1000000000000000.0 is written 1000000000000000).
        let text = value.description.utf8
        out.append(contentsOf: text.count > 2 && text.suffix(2).elementsEqual(".0".utf8) ? text.dropLast(2) : text[...])
    }
}

/// Text made safe to place in HTML and SVG.
public func escapeHTML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(character)
        }
    }
    return out
}

/// Whether `text` is one line of plain text of `length` characters: no control character (a
/// newline or a tab included). For short free text kept and shown later: a reason, a name.
public func isPlainLine(_ text: String, length: ClosedRange<Int>) -> Bool {
    length.contains(text.count) && !text.unicodeScalars.contains { $0.properties.generalCategory == .control }
}
