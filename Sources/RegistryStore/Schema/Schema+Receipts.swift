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

/// The endpoints' privacy floors, held by the schema itself: a file edited with another tool
/// cannot give an endpoint a minimum cell or k of one, or below the network minimum without a
/// reason. `verify` checks that the triggers are there, as written.
extension Schema {
    static let floorsMigration =
        "Hold the endpoints' privacy floors in the schema: endpoint.small_reason and its triggers"

    static let endpointFloorTriggers = """
        CREATE TRIGGER endpoint_floors_insert BEFORE INSERT ON endpoint
        WHEN NEW.min_cell NOT BETWEEN 2 AND 1000 OR NEW.k NOT BETWEEN 2 AND 1000
          OR ((NEW.min_cell < 5 OR NEW.k < 5) AND COALESCE(TRIM(NEW.small_reason), '') = '')
          OR NEW.profile NOT IN ('summary', 'records', 'fhir') OR NEW.timeout_seconds NOT BETWEEN 1 AND 3600
        BEGIN SELECT RAISE(ABORT, 'an endpoint below the privacy floors: min_cell and k 5 to 1000, or 2 to 4 with a small_reason'); END;
        CREATE TRIGGER endpoint_floors_update BEFORE UPDATE OF min_cell, k, small_reason, profile, timeout_seconds ON endpoint
        WHEN NEW.min_cell NOT BETWEEN 2 AND 1000 OR NEW.k NOT BETWEEN 2 AND 1000
          OR ((NEW.min_cell < 5 OR NEW.k < 5) AND COALESCE(TRIM(NEW.small_reason), '') = '')
          OR NEW.profile NOT IN ('summary', 'records', 'fhir') OR NEW.timeout_seconds NOT BETWEEN 1 AND 3600
        BEGIN SELECT RAISE(ABORT, 'an endpoint below the privacy floors: min_cell and k 5 to 1000, or 2 to 4 with a small_reason'); END;
        """

    static func holdEndpointFloors(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE endpoint ADD COLUMN small_reason TEXT")
        try db.execute(
            sql: "UPDATE endpoint SET small_reason = ? WHERE min_cell < 5 OR k < 5",
            arguments: [EndpointSettings.reasonBeforeReasons])
        // Endpoints set outside the ranges by another tool before the floors existed are kept as
        // they are (verify names them against their audit rows): the triggers hold every change
        // from now on.
        try db.execute(sql: endpointFloorTriggers)
    }
}
