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

    public init(_ id: String, label: String? = nil, _ range: ClosedRange<Double>, codes: [StandardCode] = []) {
        self.codes = codes
        self.id = id
        self.label = label ?? id.replacingOccurrences(of: "-", with: " ")
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

/// A score as a person writes it: `14` for whole numbers, `5.25` otherwise.
public func formatScore(_ value: Double) -> String {
    if value == value.rounded() && abs(value) < 1e15 {
        return String(Int(value))
    }
    var text = String(format: "%.2f", value)
    while text.hasSuffix("0") { text.removeLast() }
    return text
}
