/// The body of every answer a hub gives to `POST /v1/exports` (and `GET /v1/health` and
/// `GET /v1/receipts`): what the
/// exporter's protocol promises a clinic, encoded by the hub and readable by the clinic as this
/// type. Members a given answer does not use are absent from its JSON.
public struct HubAnswer: Sendable, Codable, Hashable {
    /// What happened, in one word.
    public enum Status: String, Sendable, Codable, Hashable {
        /// 202: the payload is stored.
        case received
        /// 409: a payload was stored under this key before, with the same bytes; nothing stored now.
        case alreadyReceived = "already-received"
        /// 400, 413, 415, 422: the request or its payload is refused; `reason` says why.
        case refused
        /// 401: no token, or one that belongs to no registered clinic.
        case unauthorized
        /// 503: the hub's database is not answering; try again after `Retry-After`.
        case unavailable
        /// Health: the database answers.
        case ok
        /// Health: the database does not answer.
        case databaseUnavailable = "database-unavailable"
    }

    /// What happened.
    public var status: Status
    /// Why a request was refused, in a sentence for the clinic's staff; never a payload's content.
    public var reason: String?
    /// The hub's id of the stored payload (202 and 409).
    public var payload: String?
    /// The SHA-256 of the payload's bytes, hex (202 and 409).
    public var digest: String?
    /// The payload's schema (202).
    public var schema: String?
    /// The payload's period, `YYYY-MM` (202).
    public var period: String?
    /// The hub's signed receipt for the stored payload (202 and 409, when the payload names its
    /// audit-chain head and row count).
    public var receipt: HubReceipt?
    /// Every receipt the hub holds for the asking clinic, oldest first (`GET /v1/receipts`).
    public var receipts: [HubReceipt]?

    /// An answer saying `status`, with the members it uses.
    public init(
        _ status: Status, reason: String? = nil, payload: String? = nil, digest: String? = nil, schema: String? = nil,
        period: String? = nil
    ) {
        self.status = status
        self.reason = reason
        self.payload = payload
        self.digest = digest
        self.schema = schema
        self.period = period
    }
}
