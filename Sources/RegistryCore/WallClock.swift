import Foundation

/// The time of day, as the program hands it to the libraries. No library reads the clock: the
/// executables make one clock at start-up (the system's, or a fixed moment from `$KETAREG_NOW`)
/// and pass it down, so a test sets the moment instead of waiting for it.
public protocol WallClock: Sendable {
    /// Now, as an instant (UTC).
    func now() -> Date
}

/// A clock that always says the same moment: `$KETAREG_NOW`, and tests.
public struct FixedClock: WallClock {
    /// The moment it says.
    public let moment: Date

    /// A clock stopped at `moment`.
    public init(_ moment: Date) { self.moment = moment }

    /// The fixed ``moment``, every time.
    public func now() -> Date { moment }

    /// `text` as an ISO 8601 instant (`2026-03-02T09:30:00Z`, with or without fractional seconds
    /// or an offset such as `+01:00`), or nil when it is not one.
    public static func parse(_ text: String) -> FixedClock? {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = plain.date(from: text) ?? fractional.date(from: text) else { return nil }
        return FixedClock(date)
    }
}
