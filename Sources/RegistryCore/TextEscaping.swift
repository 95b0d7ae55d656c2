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
    out += "\""
    if needsNoJSONEscaping(text) {
        out += text
    } else {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
    }
    out += "\""
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
