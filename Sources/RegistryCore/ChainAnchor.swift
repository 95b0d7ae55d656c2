/// A point of a clinic's audit chain kept somewhere the clinic's own staff cannot rewrite: the
/// hash of one audit row (the chain head when it was taken) and that row's number, which is how
/// many rows the chain had then. The hash covers every row before it, so a chain that still has
/// this hash at this row has kept its whole history up to there, and a chain with fewer rows was
/// cut short. A hub's signed receipt, a line written on paper by `ketareg audit anchor`, and every
/// delivered payload carry one.
public struct ChainAnchor: Sendable, Codable, Hashable {
    /// The row's hash: 64 lower-case hex digits.
    public let head: String
    /// The row's number (its id), 1 or more: the chain's length when the anchor was taken.
    public let rows: Int

    /// An anchor of `head` at row `rows`.
    public init(head: String, rows: Int) {
        self.head = head
        self.rows = rows
    }

    /// Whether `text` is a chain hash: 64 lower-case hex digits.
    public static func isHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
