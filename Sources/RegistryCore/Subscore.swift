/// A part of a scale scored on its own beside the headline score: the Y-BOCS obsessions (items 1-5)
/// and compulsions (items 6-10), the BPI-SF severity and interference means.
///
/// Outcome rules may name a subscore instead of the headline score; assessments store every
/// subscore that could be scored, and say why one could not.
public struct SubscoreDefinition: Sendable, Hashable {
    /// How the subscore's items become its value.
    public enum Method: String, Sendable, Hashable, CaseIterable, Codable {
        /// The sum of its items; every item must be answered.
        case sum
        /// The mean of its answered items, with at least `minimumAnswered` answered.
        case mean
        /// The mean of its answered items times its number of items, rounded to two decimals,
        /// with at least `minimumAnswered` answered.
        case proratedSum = "prorated-sum"
    }

    /// A stable id within the scale, lower case (`obsessions`).
    public let id: String
    /// Item ids, each a scored item of the scale, each once.
    public let items: [String]
    /// How the items become the subscore's value.
    public let method: Method
    /// The fewest answered items for which the subscore is scored (all of them for a sum).
    public let minimumAnswered: Int
    /// The lowest and highest value the subscore can take.
    public let range: ClosedRange<Double>

    /// A subscore of `scale`'s items. The range, when not given, follows from the items' values;
    /// `minimumAnswered` defaults to every item.
    public init(
        _ id: String, items: [String], method: Method, minimumAnswered: Int? = nil, range: ClosedRange<Double>? = nil,
        of scaleItems: [ScaleItem]
    ) {
        self.id = id
        self.items = items
        self.method = method
        self.minimumAnswered = method == .sum ? items.count : (minimumAnswered ?? items.count)
        self.range = range ?? Self.range(of: items, method: method, scaleItems: scaleItems)
    }

    /// The values the items allow, summed for a sum (prorated or not), the widest item's for a mean.
    public static func range(of items: [String], method: Method, scaleItems: [ScaleItem]) -> ClosedRange<Double> {
        let ranges = items.compactMap { id in scaleItems.first { $0.id == id }?.response.scoredValueRange }
        guard !ranges.isEmpty else { return 0...0 }
        switch method {
        case .sum, .proratedSum:
            return Double(ranges.reduce(0) { $0 + $1.lowerBound })...Double(ranges.reduce(0) { $0 + $1.upperBound })
        case .mean:
            return Double(ranges.map(\.lowerBound).min()!)...Double(ranges.map(\.upperBound).max()!)
        }
    }

    /// The subscore from the scored values of the answered items (by item id), or why it cannot be
    /// scored.
    public func value(_ values: [String: Int]) -> Result<Double, SubscoreShortfall> {
        let answered = items.compactMap { values[$0] }
        guard answered.count >= max(minimumAnswered, 1) else {
            return .failure(
                SubscoreShortfall(
                    answered: answered.count, needed: minimumAnswered,
                    unanswered: items.filter { values[$0] == nil }))
        }
        let sum = Double(answered.reduce(0, +))
        switch method {
        case .sum: return .success(sum)
        case .mean: return .success(sum / Double(answered.count))
        case .proratedSum: return .success((sum / Double(answered.count) * Double(items.count) * 100).rounded() / 100)
        }
    }

    /// What the subscore is, in words: "sum of items 1, 2, 3, 4, 5 (0-20)".
    public var description: String {
        let what: String =
            switch method {
            case .sum: "sum of items"
            case .mean: "mean of items"
            case .proratedSum: "sum of items, prorated when some are unanswered,"
            }
        let minimum =
            method == .sum || minimumAnswered == items.count
            ? "" : "; at least \(minimumAnswered) of \(items.count) answered"
        return
            "\(what) \(items.joined(separator: ", ")) (\(formatScore(range.lowerBound))-\(formatScore(range.upperBound))\(minimum))"
    }
}

/// Why a subscore could not be scored: too few of its items answered.
public struct SubscoreShortfall: Error, Sendable, Hashable {
    /// How many of the subscore's items were answered.
    public let answered: Int
    /// How many answered items the subscore needs.
    public let needed: Int
    /// The unanswered items' ids.
    public let unanswered: [String]
}
