import GRDB

/// What anchors the audit chain outside the clinic: the hubs' signed receipts, and the key each
/// hub signs them with.
extension Schema {
    static let receiptsMigration = "Keep the hubs' signed receipts for delivered exports, and each hub's public key"

    static func keepReceipts(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE endpoint ADD COLUMN hub_key TEXT;
                CREATE TABLE receipt (
                    export_id TEXT PRIMARY KEY REFERENCES outbox(id) ON DELETE RESTRICT,
                    endpoint TEXT NOT NULL,
                    chain_head TEXT NOT NULL CHECK (length(chain_head) = 64),
                    audit_rows INTEGER NOT NULL CHECK (audit_rows >= 1),
                    received_at TEXT NOT NULL,
                    body TEXT NOT NULL,
                    stored_at TEXT NOT NULL
                );
                """)
    }
}
