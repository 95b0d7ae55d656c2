/// A value a person entered that the registry refuses. The description names the field, what was
/// given and what is allowed: the sentence the command line prints.
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field as the command line and the CSV format call it (`dose-mg-per-kg`).
    public let field: String
    /// What was given, as typed.
    public let got: String
    /// What would be accepted, in words.
    public let allowed: String

    public init(field: String, got: String, allowed: String) {
        self.field = field
        self.got = got
        self.allowed = allowed
    }

    public var description: String {
        // Positional arguments are written <like-this>; everything else is an option.
        let name = field.hasPrefix("<") ? field : "--" + field
        return "\(name): '\(got)' is not allowed; expected \(allowed)"
    }
}

/// A fixed vocabulary of lower-case words (sex, route, adverse event term, ...).
public protocol Vocabulary: CaseIterable, RawRepresentable, Sendable, Hashable, Codable where RawValue == String {}

extension Vocabulary {
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
        throw InputError(field: field, got: value.description,
                         allowed: "\(range.lowerBound) to \(range.upperBound)\(unit.isEmpty ? "" : " " + unit)")
    }
    return value
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs: a cheap trim for values read in bulk.
    public var trimmedSpaces: String {
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start] == " " || scalars[start] == "\t" { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)] == " " || scalars[scalars.index(before: end)] == "\t" { end = scalars.index(before: end) }
        return String(self[start..<end])
    }
}
