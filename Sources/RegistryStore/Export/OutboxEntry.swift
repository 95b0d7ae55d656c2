import Foundation
import GRDB
import RegistryCore

/// One stored export and where its delivery stands.
public struct OutboxEntry: Sendable, Codable, Hashable {
    /// The export id, sent as the Idempotency-Key.
    public let id: String
    /// The name of the endpoint it was built for and is sent to.
    public let endpoint: String
    /// The endpoint's profile when it was built.
    public let profile: ExportProfile
    /// The payload's schema id (`ketareg-summary/6`, `ketareg-records/5` or `ketareg-fhir/1`).
    public let schema: String
    /// For a scheduled export, its period (`daily:YYYY-MM-DD`, `weekly:YYYY-Www` or
    /// `monthly:YYYY-MM`), of which each endpoint has at most one export; `nil` for one made by
    /// hand.
    public let periodKey: String?
    /// SHA-256 of the stored payload, the exact bytes sent, in lower-case hex.
    public let payloadSHA256: String
    /// How many consenting patients the build read.
    public let patients: Int
    /// When it was built and stored, ISO 8601 UTC by the registry's clock.
    public let createdAt: String
    /// Whether it waits to be sent, was accepted, or failed.
    public let state: DeliveryState
    /// Delivery attempts recorded so far; putting a failed export back in the queue does not reset
    /// it.
    public let attempts: Int
    /// When it is next due to be sent, ISO 8601 UTC: a pending export is not claimed before then.
    public let nextAttemptAt: String
    /// The HTTP status of the last attempt; `nil` before any, or when no reply came.
    public let lastStatus: Int?
    /// Why the last attempt did not deliver it, as the exporter recorded it; `nil` before any
    /// attempt and once delivered.
    public let lastError: String?
    /// When the endpoint accepted it, ISO 8601 UTC by the registry's clock; `nil` until then.
    public let deliveredAt: String?
    /// The digest the exporter recorded of the accepting reply; `nil` until delivered.
    public let responseDigest: String?
}

/// How one delivery attempt ended, as the exporter judged it.
public enum DeliveryOutcome: Sendable {
    /// The endpoint accepted it: the export becomes delivered, keeping the status and the reply's
    /// digest.
    case delivered(status: Int, responseDigest: String)
    /// Not delivered yet: the export stays pending, keeping the status (if a reply came) and the
    /// reason, and is not claimed again before `notBefore`.
    case retry(status: Int?, reason: String, notBefore: Date)
    /// Not deliverable as it is: the export becomes failed, keeping the status (if any) and the
    /// reason, until it is put back in the queue by hand.
    case failed(status: Int?, reason: String)
}

struct OutboxRow: SnakeCaseRecord {
    static let databaseTableName = "outbox"
    var id: String
    var endpoint: String
    var profile: String
    var schema: String
    var periodKey: String?
    var payload: Data
    var payloadSha256: String
    var patients: Int
    var createdAt: String
    var state: String
    var attempts: Int
    var nextAttemptAt: String
    var lastStatus: Int?
    var lastError: String?
    var deliveredAt: String?
    var responseDigest: String?
    var leaseOwner: String?
    var leaseUntil: String?
    var contentSha256: String? = nil

    /// The entry, its state read strictly (a state this version does not know is refused).
    func entry() throws -> OutboxEntry {
        OutboxEntry(
            id: id, endpoint: endpoint,
            profile: try storedWord(profile, "the profile of export \(id)", remedy: StoredValue.restoreRemedy),
            schema: schema, periodKey: periodKey,
            payloadSHA256: payloadSha256, patients: patients, createdAt: createdAt,
            state: try storedWord(state, "the state of export \(id)", remedy: StoredValue.restoreRemedy),
            attempts: attempts, nextAttemptAt: nextAttemptAt,
            // Escaped as read too: a reply stored before replies were escaped, or written behind
            // the program's back, never reaches a terminal raw.
            lastStatus: lastStatus, lastError: lastError.map(escapingControlCharacters), deliveredAt: deliveredAt,
            responseDigest: responseDigest)
    }
}
