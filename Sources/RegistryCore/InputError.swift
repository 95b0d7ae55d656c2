import Foundation

/// A value a person entered that the registry refuses. The description names the field, what was
/// given and what is allowed: the sentence the command line prints.
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field as the command line and the CSV format call it (`dose-mg-per-kg`).
    public let field: String
    /// What was given, as typed.
    public let got: String
    /// What would be accepted, in words.
    public let allowed: String

    /// A refusal of `got` for `field`, with what is allowed in words.
    public init(field: String, got: String, allowed: String) {
        self.field = field
        self.got = got
        self.allowed = allowed
    }

    /// The refusal in plain words: `field: 'value' is not allowed; expected ...`. A front door names the
    /// field its own way (the command line as `--field`, an argument `<like-this>` or a variable
    /// `$LIKE_THIS` as written).
    public var description: String { "\(field): \(refusal)" }

    /// The refusal without the field's name: `'value' is not allowed; expected ...`, for a front door
    /// or a format that names the field itself.
    public var refusal: String { "'\(Self.quote(got))' is not allowed; expected \(allowed)" }

    /// How much of a refused value a message repeats.
    public static let quotedLength = 80

    /// A refused value as a message may repeat it: control and bidirectional-override characters
    /// written as `\u{…}` escapes, and at most ``quotedLength`` characters of it.
    public static func quote(_ value: String) -> String {
        let safe = escapingControlCharacters(value)
        guard safe.count > quotedLength else { return safe }
        return String(safe.prefix(quotedLength - 1)) + "… (\(value.count) characters)"
    }
}

/// Text with control characters (C0, DEL, C1) and the bidirectional controls that can reorder what
/// a terminal shows written as `\u{…}` escapes, so that a name or a value can never move the cursor,
/// change colours or disguise itself. Line breaks are escaped too.
public func escapingControlCharacters(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isUnsafeForDisplay) else { return text }
    var out = ""
    for scalar in text.unicodeScalars {
        if isUnsafeForDisplay(scalar) {
            out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}

private func isUnsafeForDisplay(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F: true
    case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: true
    default: false
    }
}

/// A fixed vocabulary of lower-case words (sex, route, adverse event term, ...). A word is written
/// as itself (`"\(Timepoint.postInfusion)"` is `post-infusion`), in text as in JSON.
public protocol Vocabulary: CaseIterable, RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible
where RawValue == String {}

extension Vocabulary {
    /// The word, as stored and shown.
    public var description: String { rawValue }

    /// The allowed words, for help and errors ("iv, im, intranasal, oral").
    public static var allowedWords: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Reads a word from this vocabulary, forgiving case and `_`/space for `-`.
    public static func parse(_ text: String, field: String) throws(InputError) -> Self {
        if let exact = Self(rawValue: text) { return exact }
        let wanted = text.trimmedSpaces.lowercased()
            .replacingOccurrences(of: "_", with: "-").replacingOccurrences(of: " ", with: "-")
        guard let value = Self(rawValue: wanted) else {
            throw InputError(field: field, got: text, allowed: "one of \(allowedWords)")
        }
        return value
    }
}

/// Checks a number against its allowed range, naming the field when it is refused.
public func checkRange<T: Comparable & CustomStringConvertible>(
    _ value: T, _ range: ClosedRange<T>, field: String, unit: String = ""
) throws(InputError) -> T {
    guard range.contains(value) else {
        throw InputError(
            field: field, got: value.description,
            allowed: "\(range.lowerBound) to \(range.upperBound)\(unit.isEmpty ? "" : " " + unit)")
    }
    return value
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs: a cheap trim for values read in bulk.
    public var trimmedSpaces: String {
        // Most values have nothing to trim. A space or tab is one byte in UTF-8, and no other
        // character's first or last byte is either, so the ends' bytes tell.
        let text = String(self)
        if let first = text.utf8.first, let last = text.utf8.last, first != 0x20, first != 0x09, last != 0x20,
            last != 0x09
        {
            return text
        }
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start] == " " || scalars[start] == "\t" { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)] == " " || scalars[scalars.index(before: end)] == "\t" {
            end = scalars.index(before: end)
        }
        return String(text.unicodeScalars[start..<end])
    }

    /// The text without leading and trailing white space as Foundation's
    /// `trimmingCharacters(in: .whitespaces)` defines it (tabs and every Unicode space separator),
    /// without its cost when there is nothing to trim: its first call in a run costs about 1M
    /// instructions. Text that starts and ends with a visible ASCII character is returned as it is.
    public var trimmedWhitespace: String {
        let text = String(self)
        if let first = text.utf8.first, let last = text.utf8.last, (0x21...0x7E).contains(first),
            (0x21...0x7E).contains(last)
        {
            return text
        }
        return text.trimmingCharacters(in: .whitespaces)
    }
}
