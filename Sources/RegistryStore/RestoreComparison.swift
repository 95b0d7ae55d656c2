import Foundation
import GRDB
import RegistryCore

/// The replaced registry (a consistent copy of it) against the backup.
struct RestoreComparison {
    var replacedChain: ChainAnchor?
    var sharedRows = 0
    var laterRows = 0
    var exports: [RestoreRecord.Export] = []

    static let nothing = RestoreComparison()

    private init() {}

    /// Whether restoring discards anything of the replaced registry.
    var discardsAnything: Bool { laterRows > 0 || !exports.isEmpty }

    init(replaced: String, backup: String) throws {
        var reading = Configuration()
        reading.readonly = true
        let queue = try DatabaseQueue(path: replaced, configuration: reading)
        defer { try? queue.close() }
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS backup", arguments: [backup])
            defer { try? db.execute(sql: "DETACH DATABASE backup") }
            let last = try Row.fetchOne(db, sql: "SELECT id, hash FROM main.audit ORDER BY id DESC LIMIT 1")
            let replacedRows = Int((last?["id"] as Int64?) ?? 0)
            if let last, let head = last["hash"] as String? {
                replacedChain = ChainAnchor(head: head, rows: replacedRows)
            }
            let backupRows = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM backup.audit") ?? 0
            // The chain links every row to the one before it: two chains that agree at a row agree
            // on every row before it, so the shared prefix is found by halving.
            var low = 0
            var high = min(replacedRows, backupRows)
            while low < high {
                let middle = (low + high + 1) / 2
                let same =
                    try Bool.fetchOne(
                        db,
                        sql:
                            "SELECT (SELECT hash FROM main.audit WHERE id = ?1) IS (SELECT hash FROM backup.audit WHERE id = ?1)",
                        arguments: [middle]) ?? false
                if same { low = middle } else { high = middle - 1 }
            }
            sharedRows = low
            laterRows = replacedRows - low
            guard try db.tableExists("outbox"), try db.tableExists("outbox", in: "backup") else { return }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.id, r.endpoint, r.state, r.payload_sha256, r.payload FROM main.outbox r
                    LEFT JOIN backup.outbox b ON b.id = r.id
                    WHERE b.id IS NULL OR (r.state = 'delivered' AND b.state != 'delivered')
                    ORDER BY r.created_at, r.id
                    """)
            exports = rows.map { row in
                let (head, rows) = Registry.chainCarried(by: row["payload"] as Data? ?? Data())
                return RestoreRecord.Export(
                    id: row["id"], endpoint: row["endpoint"], state: row["state"], payloadSha256: row["payload_sha256"],
                    head: head, rows: rows)
            }
        }
    }

    /// What restoring would discard, in words.
    func described(unreadable: Bool) -> String {
        if unreadable {
            return "the registry it replaces, which cannot be read: what it holds beyond the backup is not known"
        }
        var parts: [String] = []
        if laterRows > 0 {
            let rows =
                laterRows == 1
                ? "audit row \(sharedRows + 1)" : "audit rows \(sharedRows + 1)-\(sharedRows + laterRows)"
            parts.append("the registry's \(rows), which the backup does not have")
        }
        let delivered = exports.filter { $0.state == "delivered" }.count
        if delivered > 0 {
            parts.append(
                "the record of \(delivered) delivered export\(delivered == 1 ? "" : "s") (kept, if restored anyway)")
        }
        let other = exports.count - delivered
        if other > 0 { parts.append("\(other) export\(other == 1 ? "" : "s") not yet delivered") }
        return parts.joined(separator: ", and ")
    }
}
