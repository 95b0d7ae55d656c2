import Foundation
import GRDB
import RegistryCore

/// A hub's receipt for a delivered export, as the clinic keeps it: the anchor it vouches for and
/// the receipt's own JSON as the hub sent it, whose signature the exporter and `verify` check.
public struct StoredReceipt: Sendable, Codable, Hashable {
    /// The export (its outbox id and `Idempotency-Key`).
    public let export: String
    /// The endpoint it was delivered to.
    public let endpoint: String
    /// The chain head and row count the hub signed.
    public let anchor: ChainAnchor
    /// When the hub stored the payload, as the receipt says (ISO 8601 UTC).
    public let receivedAt: String
    /// The receipt's JSON, as received.
    public let body: String

    /// A receipt to keep.
    public init(export: String, endpoint: String, anchor: ChainAnchor, receivedAt: String, body: String) {
        self.export = export
        self.endpoint = endpoint
        self.anchor = anchor
        self.receivedAt = receivedAt
        self.body = body
    }
}

extension Registry {
    /// The chain's head now, and its row count: what `audit anchor` prints to keep elsewhere; nil
    /// for an empty audit trail.
    public func chainAnchor() throws -> ChainAnchor? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").flatMap { row in
                (row["hash"] as String?).map { ChainAnchor(head: $0, rows: Int(row["id"] as Int64)) }
            }
        }
    }

    /// Every receipt kept, oldest export first; none in a registry from before receipts.
    public func receipts() throws -> [StoredReceipt] {
        try read { db in
            guard try db.tableExists("receipt") else { return [] }
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT r.export_id, r.endpoint, r.chain_head, r.audit_rows, r.received_at, r.body
                    FROM receipt r LEFT JOIN outbox o ON o.id = r.export_id ORDER BY o.created_at, r.export_id
                    """
            ).map {
                StoredReceipt(
                    export: $0["export_id"], endpoint: $0["endpoint"],
                    anchor: ChainAnchor(head: $0["chain_head"], rows: $0["audit_rows"]), receivedAt: $0["received_at"],
                    body: $0["body"])
            }
        }
    }

    /// Keeps a receipt with the delivery it answers (inside ``recordDelivery``'s transaction); the
    /// first one kept for an export stays.
    func keep(_ receipt: StoredReceipt, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO receipt (export_id, endpoint, chain_head, audit_rows, received_at, body, stored_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                receipt.export, receipt.endpoint, receipt.anchor.head, receipt.anchor.rows, receipt.receivedAt,
                receipt.body, timestamp(),
            ])
    }

    /// Sets (or, with nil, forgets) the public key an endpoint's hub signs its receipts with,
    /// audited as a change of the endpoint's settings.
    public func setHubKey(endpoint name: String, key: String?, actor: String) throws {
        let before = try endpoint(name)
        var after = before
        after.hubKey = key
        after = try after.validated()
        try write { db in
            try db.execute(sql: "UPDATE endpoint SET hub_key = ? WHERE name = ?", arguments: [key, name])
            try auditEndpoint(db, actor: actor, action: "trust-hub", name: name, before: before, after: after)
        }
    }
}
