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
                let digest = SHA256.hash(data: payload).map { String(format: "%02x", $0) }.joined()
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
}
