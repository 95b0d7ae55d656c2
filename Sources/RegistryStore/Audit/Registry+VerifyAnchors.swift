import Crypto
import Foundation
import GRDB
import RegistryCore

extension Registry {
    /// Why the chain no longer holds `anchor`, or nil when it does: a chain shorter than the
    /// anchor's row was cut short; another hash at that row means the history up to it was
    /// rewritten.
    func anchorHeld(_ db: Database, _ anchor: VerifyReport.Anchor, chainLength: Int64) throws -> String? {
        let shown = anchor.head.prefix(16) + "..."
        guard Int64(anchor.rows) <= chainLength else {
            return
                "the audit trail has \(chainLength) row\(chainLength == 1 ? "" : "s"), but \(anchor.source) holds its head at row \(anchor.rows) (\(shown)): rows \(chainLength + 1)-\(anchor.rows) were removed, or the trail was rolled back"
        }
        let hash = try String.fetchOne(db, sql: "SELECT hash FROM audit WHERE id = ?", arguments: [anchor.rows])
        guard hash == anchor.head else {
            return
                "audit row \(anchor.rows) is not the head \(anchor.source) holds (\(shown)): the history up to that row was rewritten since"
        }
        return nil
    }

    /// Each export's outbox row against the audit row that built it: the row is there, with the
    /// payload digest the audit row recorded, and its payload still has that digest; and no export
    /// is in the outbox without its audit row.
    func checkExports(
        _ db: Database, built: [(id: String, row: Int64, after: String?)],
        problem: (String, Int64?, String) -> Void
    ) {
        guard (try? db.tableExists("outbox")) == true else { return }
        var stored: [String: (digest: String, actual: String)] = [:]
        if let rows = try? Row.fetchCursor(db, sql: "SELECT id, payload_sha256, payload FROM outbox") {
            while let row = try? rows.next() {
                let payload: Data = row["payload"] ?? Data()
                let digest = hexString(SHA256.hash(data: payload))
                stored[row["id"]] = (row["payload_sha256"] ?? "", digest)
            }
        }
        for export in built {
            guard let found = stored.removeValue(forKey: export.id) else {
                problem(
                    export.id, export.row,
                    "the export \(export.id), built at audit row \(export.row), is no longer in the outbox: it was deleted behind the program's back"
                )
                continue
            }
            let audited = export.after.flatMap(Self.jsonObject)?["payloadSha256"]
            if case .string(let digest)? = audited, digest != found.digest {
                problem(
                    export.id, export.row,
                    "the export \(export.id) is not the payload its audit row \(export.row) recorded: its digest was changed behind the program's back"
                )
            } else if found.actual != found.digest {
                problem(
                    export.id, export.row,
                    "the stored payload of the export \(export.id) is not the one built at audit row \(export.row): it was changed behind the program's back"
                )
            }
        }
        for id in stored.keys.sorted() {
            problem(
                id, nil,
                "the export \(id) is in the outbox without the audit row that builds an export: it was written behind the program's back"
            )
        }
    }

    /// What the endpoints hold: the head carried by each one's last delivered export must still be
    /// a row of the chain, or the history before it was rewritten since (unless a restore
    /// recorded it as of the history it discarded).
    func witnesses(
        _ db: Database, restores: [(row: Int64, record: RestoreRecord)], accept: Bool, note: (String) -> Void,
        problem: (String) -> Void
    ) throws -> [VerifyReport.Witness] {
        var witnesses: [VerifyReport.Witness] = []
        guard try db.tableExists("outbox") else { return [] }
        let delivered = try Row.fetchAll(
            db,
            sql: """
                SELECT id, endpoint, delivered_at, payload FROM outbox o WHERE state = 'delivered'
                  AND delivered_at = (SELECT MAX(delivered_at) FROM outbox WHERE endpoint = o.endpoint AND state = 'delivered')
                ORDER BY endpoint
                """)
        for row in delivered {
            guard let head = Self.chainCarried(by: row["payload"]).head else { continue }
            let inChain =
                try Bool.fetchOne(db, sql: "SELECT 1 FROM audit WHERE hash = ?", arguments: [head]) ?? false
            let witness = VerifyReport.Witness(
                endpoint: row["endpoint"], export: row["id"], deliveredAt: row["delivered_at"], chainHead: head,
                inChain: inChain)
            witnesses.append(witness)
            if !inChain, let restore = Self.restore(restores, carried: witness.export, head: head) {
                let words =
                    "the endpoint \(witness.endpoint) holds chain head \(head.prefix(16))... (export \(witness.export)) of the history the restore at audit row \(restore) discarded"
                if accept { note(words + " (restores accepted)") } else { problem(words + Self.unlessAccepted) }
            } else if !inChain {
                problem(
                    "the endpoint \(witness.endpoint) holds chain head \(head.prefix(16))... (export \(witness.export), delivered \(witness.deliveredAt ?? "?")), which is no longer in the audit trail: the history was rewritten since"
                )
            }
        }
        return witnesses
    }

    /// The audit-chain head and row count a stored payload carries (`auditChainHead`,
    /// `auditChainRows`); nil for what it lacks, or for a payload that is not a JSON object.
    static func chainCarried(by payload: Data) -> (head: String?, rows: Int?) {
        guard case .object(let members)? = try? JSONValue.parse(payload) else { return (nil, nil) }
        var carried: (head: String?, rows: Int?) = (nil, nil)
        if case .string(let head)? = members["auditChainHead"] { carried.head = head }
        if case .number(let rows)? = members["auditChainRows"] { carried.rows = Int(exactly: rows) }
        return carried
    }

    // MARK: - Restores

    /// Equal values of the member `key`; a patient's identity as older versions audited it (no
    /// seal) matches any.
    static func same(_ key: String, _ a: JSONValue?, _ b: JSONValue?) -> Bool {
        a == b
            || (key == "identity" && (a == .string(AuditedPatient.unsealed) || b == .string(AuditedPatient.unsealed)))
    }

    /// What a discarded-history problem adds: how an operator who made the restore checks the rest.
    static let unlessAccepted =
        ": if that restore was not made on purpose, the history was rewritten; if it was, verify with restores accepted checks the rest"

    /// A restore's audit row, read back; nil for any other row of the registry entity.
    static func restoreRecord(_ row: Row) -> RestoreRecord? {
        guard row["action"] == "restore", let after = row["after"] as String? else { return nil }
        return try? JSONDecoder().decode(RestoreRecord.self, from: Data(after.utf8))
    }

    /// The exports a restore carried into the outbox count as built at its row (an export the
    /// backup already held keeps its own build row).
    static func carried(
        by restore: RestoreRecord, at row: Int64, into built: inout [(id: String, row: Int64, after: String?)]
    ) {
        for export in restore.exports where export.carried && !built.contains(where: { $0.id == export.id }) {
            built.append((export.id, row, encodeJSON(["payloadSha256": export.payloadSha256])))
        }
    }

    /// The row of the restore that discarded the history `anchor` is a point of: the replaced
    /// registry's head, or the anchor an export of it carried.
    static func restore(_ restores: [(row: Int64, record: RestoreRecord)], discarded anchor: VerifyReport.Anchor)
        -> Int64?
    {
        restores.last { restore in
            let record = restore.record
            if let chain = record.replacedChain, chain.head == anchor.head, chain.rows == anchor.rows { return true }
            return record.exports.contains { $0.head == anchor.head && $0.rows == anchor.rows }
        }?.row
    }

    /// The row of the restore that carried `export`, whose payload held `head`.
    static func restore(_ restores: [(row: Int64, record: RestoreRecord)], carried export: String, head: String)
        -> Int64?
    {
        restores.last { $0.record.exports.contains { $0.id == export && $0.head == head && $0.carried } }?.row
    }

    /// A restore, in words, for `verify`'s notes.
    static func described(_ restore: RestoreRecord, at row: Int64) -> String {
        var words = "audit row \(row) restored a backup"
        if let backup = restore.backup { words += " of \(backup.rows) audit rows" }
        switch restore.replaced {
        case .none: words += " where there was no registry"
        case .unreadable: words += ", replacing a registry that could not be read: what it held is not known"
        case .readable:
            if restore.discardedRows > 0 {
                let (first, last) = (restore.sharedRows + 1, restore.sharedRows + restore.discardedRows)
                words +=
                    ", discarding \(first == last ? "row \(first)" : "rows \(first)-\(last)") of the registry it replaced"
                if let chain = restore.replacedChain { words += " (head \(chain.head.prefix(16))...)" }
            } else {
                words += " holding all the registry it replaced had"
            }
            let carried = restore.exports.filter(\.carried).count
            if carried > 0 { words += "; \(carried) delivered export\(carried == 1 ? " was" : "s were") kept" }
            let dropped = restore.exports.count - carried
            if dropped > 0 { words += "; \(dropped) export\(dropped == 1 ? " was" : "s were") discarded" }
        }
        return words
    }
}

extension Registry {
    /// The exports every audited restore named as the replaced registry's, carried or discarded:
    /// a hub may hold receipts for them that this registry does not keep. (Counted as such only
    /// when the operator accepts the restores: see ``verify(anchors:alsoFound:realToday:acceptRestores:)``.)
    public func exportsNamedByRestores() throws -> Set<String> {
        try read { db in
            var named: Set<String> = []
            for row in try Row.fetchAll(db, sql: "SELECT action, after FROM audit WHERE entity = 'registry'") {
                if let record = Self.restoreRecord(row) { named.formUnion(record.exports.map(\.id)) }
            }
            return named
        }
    }
}
