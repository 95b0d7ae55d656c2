import Foundation

/// A named range of scores with a clinical meaning ("moderate": PHQ-9 10 to 14).
///
/// Bands of a scale are listed from the lowest score up and must cover the scale's range with no
/// gap and no overlap. A score that falls between two bands' printed ranges (a mean of 4.5 on a
/// scale banded in whole numbers) belongs to the lower band: a band runs from its `lowerBound` up
/// to, but not including, the next band's `lowerBound`.
public struct SeverityBand: Sendable, Hashable {
    /// A stable id, lower case with hyphens, stored with each assessment ("moderately-severe").
    public let id: String
    /// The words a clinician reads ("moderately severe").
    public let label: String
    /// The lowest score in the band, inclusive.
    public let lowerBound: Double
    /// The highest score printed for the band, inclusive.
    public let upperBound: Double
    /// What the band means in a vocabulary (a LOINC answer code), when a published one exists.
    public let codes: [StandardCode]

    /// A band over `range` (whole numbers as printed, such as `10...14`); the label defaults to the id with hyphens as
    /// spaces.
    public init(_ id: String, label: String? = nil, _ range: ClosedRange<Double>, codes: [StandardCode] = []) {
        self.codes = codes
        self.id = id
        self.label = label ?? hyphensAsSpaces(id)
        self.lowerBound = range.lowerBound
        self.upperBound = range.upperBound
    }

    /// The band's range as printed ("10-14").
    public var rangeDescription: String {
        "\(formatScore(lowerBound))-\(formatScore(upperBound))"
    }
}

extension Array where Element == SeverityBand {
    /// The band a score falls in: the highest band whose lower bound is at or below the score.
    public func band(for score: Double) -> SeverityBand? {
        last { $0.lowerBound <= score }
    }
}

/// A score as a person writes it: `14` for whole numbers, `5.25` otherwise: rounded to two
/// decimals as printf's `%.2f` rounds them, without trailing zeros (`2.999` is `3`, `-0.001` is `0`).
public func formatScore(_ value: Double) -> String {
    if value == value.rounded() && abs(value) < 1e15 {
        return String(Int(value))
    }
    // Hundredths worked out directly: String(format:) costs a locale and a dynamic cast per
    // argument, a tenth of a short command's own work. Below 1e9 `value * 100` is within 1e-5 of
    // the exact product, so it rounds as printf does unless it lies within 1e-4 of a half, where
    // printf's exact expansion decides: those few go to printf.
    let hundredths = value * 100
    guard abs(value) < 1e9, abs(hundredths - hundredths.rounded(.down) - 0.5) > 1e-4 else {
        return trimmedDecimal(String(format: "%.2f", value))
    }
    let magnitude = Int64(abs(hundredths).rounded())
    guard magnitude != 0 else { return "0" }
    var text = value < 0 ? "-" : ""
    text += String(magnitude / 100)
    let fraction = magnitude % 100
    if fraction != 0 {
        text += fraction < 10 ? ".0" : "."
        text += String(fraction % 10 == 0 ? fraction / 10 : fraction)
    }
    return text
}

/// printf's fixed-point text without trailing zeros, a bare point or a negative zero.
private func trimmedDecimal(_ printed: String) -> String {
    var text = printed
    guard text.contains(".") else { return text }
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text == "-0" ? "0" : text
}

/// An id as words: its hyphens as spaces (`moderately-severe` reads "moderately severe").
public func hyphensAsSpaces(_ id: String) -> String {
    guard id.utf8.contains(UInt8(ascii: "-")) else { return id }
    return String(decoding: id.utf8.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
}
