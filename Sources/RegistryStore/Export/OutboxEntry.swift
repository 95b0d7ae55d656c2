import Foundation
import GRDB
import RegistryCore

public struct OutboxEntry: Sendable, Codable, Hashable {
    /// The export id, sent as the Idempotency-Key.
    public let id: String
    public let endpoint: String
    public let profile: String
    public let schema: String
    public let periodKey: String?
    public let payloadSHA256: String
    public let patients: Int
    public let createdAt: String
    /// Whether it waits to be sent, was accepted, or failed.
    public let state: DeliveryState
    public let attempts: Int
    public let nextAttemptAt: String
    public let lastStatus: Int?
    public let lastError: String?
    public let deliveredAt: String?
    public let responseDigest: String?
}

/// How one delivery attempt ended, as the exporter judged it.
public enum DeliveryOutcome: Sendable {
    case delivered(status: Int, responseDigest: String)
    case retry(status: Int?, reason: String, notBefore: Date)
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
            id: id, endpoint: endpoint, profile: profile, schema: schema, periodKey: periodKey,
            payloadSHA256: payloadSha256, patients: patients, createdAt: createdAt,
            state: try storedWord(state, "the state of export \(id)", remedy: StoredValue.restoreRemedy),
            attempts: attempts, nextAttemptAt: nextAttemptAt,
            lastStatus: lastStatus, lastError: lastError, deliveredAt: deliveredAt, responseDigest: responseDigest)
    }
}
