import RegistryCore

/// How often a scheduled export is built: once in each calendar day, ISO week or month.
public enum ExportInterval: String, Vocabulary {
    /// Once a calendar day.
    case daily
    /// Once an ISO 8601 week (Monday to Sunday).
    case weekly
    /// Once a calendar month.
    case monthly
}

/// An endpoint's export schedule.
public struct ExportSchedule: Sendable, Codable, Hashable {
    /// The endpoint the schedule builds for.
    public let endpoint: String
    /// How often its export is built.
    public let every: ExportInterval

    /// The schedule of `endpoint`, built `every` day, week or month.
    public init(endpoint: String, every: ExportInterval) {
        self.endpoint = endpoint
        self.every = every
    }
}

/// Where an export stands in the outbox.
public enum DeliveryState: String, Vocabulary {
    /// Built, not yet accepted: it will be tried (again) when due.
    case pending
    /// The endpoint accepted it; it is never sent again.
    case delivered
    /// It cannot be delivered as it is (refused, or a lasting fault); only a retry puts it back.
    case failed
}
