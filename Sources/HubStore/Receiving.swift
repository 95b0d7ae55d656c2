import Foundation
import HubCore
import PayloadFormat
import RegistryCore

/// The hub's side of the exporter's protocol, without HTTP: who is sending (nothing else is read
/// until the token is known), whether the request may be read, and what storing its payload
/// answers. `ketareg-hub serve` hands it the headers and the body and writes its answers; the rules
/// are here, testable on the store alone.
public struct Receiving: Sendable {
    /// One answer to a request: its HTTP status, its body, and the word the request log records.
    public struct Answer: Sendable, Hashable {
        /// The HTTP status code.
        public let status: Int
        /// The JSON body.
        public let body: HubAnswer
        /// One word for the request log (`stored`, `replay`, `unknown-token`, ...): never a reason.
        public let outcome: String
        /// Seconds for a `Retry-After` header, when the clinic should try again later.
        public var retryAfterSeconds: Int? = nil
        /// True when the answer asks for a token (`WWW-Authenticate: Bearer`).
        public var asksForToken = false
    }

    /// Who sent a request.
    public enum Sender: Sendable {
        /// A registered clinic whose token is not revoked: its id and name at the hub.
        case clinic(id: Int, name: String)
        /// Nobody the hub knows, or the database could not say: the answer to give.
        case refused(Answer)
    }

    /// The hub's database.
    public let store: HubDatabase
    /// The largest body accepted, in bytes.
    public let maximumBytes: Int
    /// The hub's key, which signs the receipt given for each stored payload that names its chain
    /// head and row count; without it no receipt is given.
    public let signingKey: HubSigningKey?

    /// Receiving into `store`, with bodies up to `maximumBytes`, receipts signed with `signingKey`.
    public init(store: HubDatabase, maximumBytes: Int, signingKey: HubSigningKey? = nil) {
        self.store = store
        self.maximumBytes = maximumBytes
        self.signingKey = signingKey
    }

    /// The clinic an `Authorization` header names (`Bearer TOKEN`), or the 401 or 503 answer.
    public func sender(authorization: String?) async -> Sender {
        guard let authorization, authorization.hasPrefix("Bearer "),
            case let token = String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces),
            !token.isEmpty
        else {
            return .refused(
                Answer(
                    status: 401,
                    body: HubAnswer(
                        .unauthorized,
                        reason: "send Authorization: Bearer TOKEN with the token the network gave your clinic"),
                    outcome: "no-token", asksForToken: true))
        }
        do {
            guard let found = try await store.clinic(forToken: token) else {
                return .refused(
                    Answer(
                        status: 401,
                        body: HubAnswer(.unauthorized, reason: "this token belongs to no registered clinic"),
                        outcome: "unknown-token", asksForToken: true))
            }
            return .clinic(id: found.id, name: found.name)
        } catch {
            return .refused(
                Answer(
                    status: 503,
                    body: HubAnswer(.unavailable, reason: "the hub's database is not answering; try again later"),
                    outcome: "database-unavailable", retryAfterSeconds: 30))
        }
    }

    /// The answer refusing a request by its headers before its body is read, or nil when the body
    /// may be read: an `Idempotency-Key` of 1 to 200 visible ASCII characters, a JSON
    /// `Content-Type` when one is given, a `Content-Length` within ``maximumBytes``.
    public func refusal(idempotencyKey key: String?, contentType: String?, contentLength: Int?) -> Answer? {
        guard let key, (1...200).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            return Answer(
                status: 400,
                body: HubAnswer(
                    .refused,
                    reason: "send an Idempotency-Key header: 1 to 200 visible ASCII characters (the export's id)"),
                outcome: "no-key")
        }
        if let contentType, !contentType.lowercased().hasPrefix("application/json") {
            return Answer(
                status: 415, body: HubAnswer(.refused, reason: "Content-Type must be application/json"),
                outcome: "not-json-type")
        }
        if let contentLength, contentLength > maximumBytes { return tooLarge }
        return nil
    }

    /// The answer to a body larger than ``maximumBytes``.
    public var tooLarge: Answer {
        Answer(
            status: 413,
            body: HubAnswer(
                .refused, reason: "the body is larger than this hub accepts (\(maximumBytes / 1024 / 1024) MiB)"),
            outcome: "too-large")
    }

    /// The answer to a body that could not be read from the connection.
    public static let unreadableBody = Answer(
        status: 400, body: HubAnswer(.refused, reason: "the body could not be read"), outcome: "unreadable-body")

    /// Reads `body` as a payload and stores it once for `clinic` (named `name` at the hub) under
    /// `key`: 202 stored, 409 the same bytes under this key before (nothing stored), 422 this key
    /// with other bytes or a value PostgreSQL refuses, 400 a payload its schema refuses (with the
    /// reason), 503 the database not answering. Only 202 stores anything. A 202 or 409 for a
    /// payload that names its chain head and row count carries the hub's signed receipt.
    public func receive(_ body: Data, clinic: Int, name: String, key: String) async -> Answer {
        let payload: ReceivedPayload
        do {
            payload = try PayloadIntake.read(body)
        } catch {
            return Answer(status: 400, body: HubAnswer(.refused, reason: error.reason), outcome: "invalid-payload")
        }
        do {
            switch try await store.store(payload, body: body, clinic: clinic, key: key) {
            case .stored(let id, let at):
                var answer = HubAnswer(
                    .received, payload: String(id), digest: payload.digest, schema: payload.schema,
                    period: payload.period)
                answer.receipt = try receipt(for: payload, clinic: name, key: key, at: at)
                return Answer(status: 202, body: answer, outcome: "stored")
            case .replay(let id, let at):
                var answer = HubAnswer(.alreadyReceived, payload: String(id), digest: payload.digest)
                answer.receipt = try receipt(for: payload, clinic: name, key: key, at: at)
                return Answer(status: 409, body: answer, outcome: "replay")
            case .ahead(let latest):
                return Answer(
                    status: 422,
                    body: HubAnswer(
                        .refused,
                        reason:
                            "the period \(payload.period) is more than a month after this hub's date (the latest it accepts now is \(latest)): check the clinic's clock"
                    ),
                    outcome: "period-ahead")
            case .conflict:
                return Answer(
                    status: 422,
                    body: HubAnswer(
                        .refused,
                        reason: "this Idempotency-Key came before with a different body; a new export needs a new key"),
                    outcome: "key-reused")
            }
        } catch  where HubDatabase.isPermanent(error) {
            return Answer(
                status: 422,
                body: HubAnswer(
                    .refused,
                    reason:
                        "PostgreSQL refused a value of this payload; tell the network's operators, quoting the export id"
                ),
                outcome: "not-storable")
        } catch {
            return Answer(
                status: 503,
                body: HubAnswer(.unavailable, reason: "the hub could not store the payload; try again later"),
                outcome: "database-unavailable", retryAfterSeconds: 30)
        }
    }

    /// The receipt for a stored payload: none without a signing key, or when the payload names no
    /// chain head and row count.
    func receipt(for payload: ReceivedPayload, clinic: String, key: String, at: Date) throws -> HubReceipt? {
        guard let signingKey, let head = payload.auditChainHead, let rows = payload.auditChainRows else { return nil }
        return try signingKey.receipt(
            clinic: clinic, export: key, digest: payload.digest, anchor: ChainAnchor(head: head, rows: rows),
            receivedAt: HubDatabase.receiptTime(at))
    }

    /// `GET /v1/receipts`: every receipt the hub holds for `clinic`, oldest first; 503 when the
    /// database does not answer or the hub has no key.
    public func receipts(clinic: Int) async -> Answer {
        guard let signingKey else {
            return Answer(
                status: 503, body: HubAnswer(.unavailable, reason: "this hub gives no receipts"),
                outcome: "no-signing-key")
        }
        do {
            var answer = HubAnswer(.ok)
            answer.receipts = try await store.receipts(clinic: clinic, signedWith: signingKey)
            return Answer(status: 200, body: answer, outcome: "receipts")
        } catch {
            return Answer(
                status: 503,
                body: HubAnswer(.unavailable, reason: "the hub's database is not answering; try again later"),
                outcome: "database-unavailable", retryAfterSeconds: 30)
        }
    }

    /// The health answer: 200 while the database answers, else 503.
    public func health() async -> Answer {
        do {
            _ = try await store.minimumCellSize()
            return Answer(status: 200, body: HubAnswer(.ok), outcome: "health")
        } catch {
            return Answer(status: 503, body: HubAnswer(.databaseUnavailable), outcome: "health")
        }
    }
}
