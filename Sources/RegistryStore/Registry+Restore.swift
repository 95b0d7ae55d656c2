import Foundation
import GRDB
import RegistryCore

/// What a restore did: the file restored, and what the registry it replaced held that the backup
/// does not.
public struct RestoreSummary: Sendable, Codable, Hashable {
    /// The restored registry, checked after writing (the restore's own audit row included).
    public let restored: BackupSummary
    /// The backup's audit-chain head and row count, as it was restored.
    public let backupChain: ChainAnchor?
    /// Whether there was a registry at the path, and whether it could be read.
    public let replaced: Replaced
    /// The replaced registry's chain head and row count, when it could be read.
    public let replacedChain: ChainAnchor?
    /// How many audit rows, from the first, the backup and the replaced registry share.
    public let sharedRows: Int
    /// The replaced registry's audit rows the backup does not have: discarded.
    public let discardedRows: Int
    /// Exports the replaced registry had delivered and the backup had not: their outbox rows, and
    /// the hubs' receipts for them, are kept in the restored registry, so that nothing is sent
    /// twice and what left stays on record.
    public let carriedExports: [String]
    /// Exports of the replaced registry the backup lacks that were not carried over (not
    /// delivered, or to an endpoint the backup does not have).
    public let discardedExports: [String]
    /// Whose release memory the restored registry keeps: `replaced` (the replaced registry's,
    /// merged with the backup's), `backup` (the backup's alone: nothing was published after it, or
    /// the replaced registry could not be read).
    public let releaseMemory: String
    /// Where a copy of the replaced registry is kept (mode 0600) when the restore discarded any of
    /// it; nil when nothing was discarded.
    public let keptAt: String?
    /// The audit row that records the restore in the restored registry.
    public let auditRow: Int

    /// Whether a registry was replaced.
    public enum Replaced: String, Sendable, Codable, Hashable {
        /// There was no registry at the path.
        case none
        /// There was one, and it was read before it was replaced.
        case readable
        /// There was a file that could not be read as a registry: what it held is not known.
        case unreadable
    }
}

extension Registry {
    /// Restores a backup to `path`. The backup is checked first; an existing registry at `path` is
    /// replaced only with `force`, through SQLite's backup API, so that a process that has the file
    /// open sees either the old registry or the restored one.
    ///
    /// A restore never rolls the registry back silently. When the registry it would replace holds
    /// anything the backup does not (audit rows after the backup's, a history that is not the
    /// backup's, exports), or cannot be read, the restore is refused unless `discardLater`; then a
    /// copy of the replaced registry is kept beside it, the exports it had delivered are carried
    /// into the restored outbox with their receipts, and its release memory too, so that the next
    /// summary is built against everything that left. Every restore is audited in the restored
    /// registry, naming what it discarded, which `verify` reads.
    public static func restore(
        from backup: String, to path: String, force: Bool, discardLater: Bool = false, actor: String,
        account: String? = nil, today: ClinicalDate, clock: any WallClock, random: any RandomSource,
        catalog: ConditionCatalog
    ) throws -> RestoreSummary {
        guard FileManager.default.fileExists(atPath: backup) else {
            throw RegistryError.refused("no file at \(backup) to restore from")
        }
        let backupSummary = try check(backup)
        let exists = FileManager.default.fileExists(atPath: path)
        if exists, !force {
            throw RegistryError.refused(
                "a registry already exists at \(path)", remedies: [.replaceExisting, .backUpFirst])
        }
        var replaced = RestoreSummary.Replaced.none
        var comparison = RestoreComparison.nothing
        var copy: String?
        if exists {
            // A name no other restore has taken (two in one second, or under a stopped clock).
            let stem = path + ".replaced-" + compactTimestamp(clock.now())
            var kept = stem
            var attempt = 1
            while true {
                do {
                    try createPrivateFile(kept, what: "copy of the replaced registry")
                    break
                } catch is RegistryError where FileManager.default.fileExists(atPath: kept) && attempt < 100 {
                    attempt += 1
                    kept = "\(stem)-\(attempt)"
                }
            }
            do {
                var reading = Configuration()
                reading.readonly = true
                let source = try DatabaseQueue(path: path, configuration: reading)
                try Self.copy(source, to: kept)
                try source.close()
                _ = try check(kept)
                replaced = .readable
            } catch let error as DatabaseError
                where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT
            {
                replaced = .unreadable
            } catch let error as RegistryError where error.kind == .storage {
                // check(kept): damaged, or not a KetaReg registry.
                replaced = .unreadable
            } catch {
                try? FileManager.default.removeItem(atPath: kept)
                throw RegistryError.storage(
                    "cannot read the registry at \(path) to compare it with the backup: \(error); nothing was restored")
            }
            if replaced == .readable {
                do {
                    comparison = try RestoreComparison(replaced: kept, backup: backup)
                    copy = kept
                } catch {
                    try? FileManager.default.removeItem(atPath: kept)
                    throw RegistryError.storage(
                        "cannot compare the registry at \(path) with the backup: \(error); nothing was restored")
                }
            } else if discardLater {
                // Kept as its bytes were (and its WAL's), and replaced by a new file: SQLite cannot
                // write a backup into a file that is not a database.
                do {
                    try? FileManager.default.removeItem(atPath: kept)
                    try writePrivateFile(try Data(contentsOf: URL(fileURLWithPath: path)), to: kept)
                    if let wal = try? Data(contentsOf: URL(fileURLWithPath: path + "-wal")) {
                        try writePrivateFile(wal, to: kept + "-wal")
                    }
                    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
                    try createPrivateFile(path, what: "registry")
                    copy = kept
                } catch {
                    throw RegistryError.storage(
                        "cannot set aside the unreadable file at \(path) to restore over it: \(error); it is as it was")
                }
            } else {
                try? FileManager.default.removeItem(atPath: kept)
            }
            let discards = replaced == .unreadable || comparison.discardsAnything
            if discards, !discardLater {
                if let copy { try? FileManager.default.removeItem(atPath: copy) }
                throw RegistryError.refused(
                    "restoring \(backup) would discard \(comparison.described(unreadable: replaced == .unreadable))",
                    remedies: [.discardLater])
            }
            if !discards, let kept = copy {
                try? FileManager.default.removeItem(atPath: kept)
                copy = nil
            }
        } else {
            try createPrivateFile(path, what: "registry")
        }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let source = try DatabaseQueue(path: backup, configuration: configuration)
            let target = try DatabasePool(path: path)
            try source.backup(to: target)
            try target.close()
            try source.close()
        } catch {
            if !exists { try? FileManager.default.removeItem(atPath: path) }
            throw RegistryError.storage("cannot restore \(backup) to \(path): \(error)")
        }
        var registry = try open(at: path, today: today, clock: clock, random: random, catalog: catalog)
        if let account { registry = registry.operated(byAccount: account) }
        let recorded = try registry.recordRestore(
            backup: backupSummary.chain, replaced: replaced, comparison: comparison,
            copy: replaced == .readable ? copy : nil, keptAt: copy, actor: actor)
        return RestoreSummary(
            restored: try check(path), backupChain: backupSummary.chain, replaced: replaced,
            replacedChain: comparison.replacedChain, sharedRows: comparison.sharedRows,
            discardedRows: comparison.laterRows, carriedExports: recorded.carried,
            discardedExports: comparison.exports.map(\.id).filter { !recorded.carried.contains($0) },
            releaseMemory: recorded.memory, keptAt: copy, auditRow: recorded.row)
    }

    /// In the restored registry, in one transaction: the replaced registry's delivered exports
    /// (with their receipts) and release memory carried over from its copy, and the restore's
    /// audit row.
    private func recordRestore(
        backup: ChainAnchor?, replaced: RestoreSummary.Replaced, comparison: RestoreComparison, copy: String?,
        keptAt: String?, actor: String
    ) throws -> (carried: [String], memory: String, row: Int) {
        try pool.writeWithoutTransaction { db in
            if let copy { try db.execute(sql: "ATTACH DATABASE ? AS replaced", arguments: [copy]) }
            defer { if copy != nil { try? db.execute(sql: "DETACH DATABASE replaced") } }
            var result: (carried: [String], memory: String, row: Int) = ([], "backup", 0)
            try db.inTransaction {
                if copy != nil {
                    result.carried = try carryDelivered(comparison.exports, db)
                    if try carryReleaseMemory(db) { result.memory = "replaced" }
                }
                let after = RestoreRecord(
                    backup: backup, replaced: replaced, replacedChain: comparison.replacedChain,
                    sharedRows: comparison.sharedRows, discardedRows: comparison.laterRows,
                    exports: comparison.exports.map { export in
                        var export = export
                        export.carried = result.carried.contains(export.id)
                        return export
                    },
                    releaseMemory: result.memory, keptAt: keptAt.map { ($0 as NSString).lastPathComponent },
                    releaseMemorySha256: try Self.releaseMemoryDigest(db))
                var row = AuditRow(
                    id: nil, at: timestamp(), actor: actor, action: "restore", entity: "registry",
                    entityId: "registry", patient: nil, before: nil, after: encodeJSON(after), reason: nil,
                    account: account)
                try row.insertFast(db)
                result.row = Int(row.id ?? 0)
                return .commit
            }
            return result
        }
    }

    /// Carries the replaced registry's delivered exports the backup lacks (or holds undelivered)
    /// into the restored outbox, with their receipts; returns their ids. An export to an endpoint
    /// the backup does not have, or for a period the restored outbox already holds another export
    /// for, is not carried.
    private func carryDelivered(_ exports: [RestoreRecord.Export], _ db: Database) throws -> [String] {
        let columns = try sharedColumns("outbox", db)
        guard !columns.isEmpty else { return [] }
        let list = columns.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let updated = columns.filter { $0 != "id" }.map {
            "\($0.quotedDatabaseIdentifier) = r.\($0.quotedDatabaseIdentifier)"
        }
        .joined(separator: ", ")
        var carried: [String] = []
        for export in exports where export.state == "delivered" {
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM main.outbox WHERE id = ?", arguments: [export.id]) == true {
                try db.execute(
                    sql:
                        "UPDATE main.outbox SET \(updated) FROM replaced.outbox r WHERE r.id = main.outbox.id AND r.id = ?",
                    arguments: [export.id])
            } else {
                guard
                    try Bool.fetchOne(
                        db, sql: "SELECT 1 FROM main.endpoint WHERE name = ?", arguments: [export.endpoint]) == true
                else { continue }
                try db.execute(
                    sql: "INSERT OR IGNORE INTO main.outbox (\(list)) SELECT \(list) FROM replaced.outbox WHERE id = ?",
                    arguments: [export.id])
                guard db.changesCount > 0 else { continue }
            }
            carried.append(export.id)
        }
        let receiptColumns = try sharedColumns("receipt", db)
        if !receiptColumns.isEmpty, !carried.isEmpty {
            let names = receiptColumns.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO main.receipt (\(names)) SELECT \(names) FROM replaced.receipt
                    WHERE export_id IN (SELECT value FROM json_each(?))
                    """,
                arguments: [encodeJSON(carried)])
        }
        return carried
    }

    /// The replaced registry's release memory, merged into the restored one: each cell as the
    /// registry that published it more often remembers it. The memory is kept when a summary is
    /// built, so it holds every release that may have left. Returns whether anything was carried.
    private func carryReleaseMemory(_ db: Database) throws -> Bool {
        guard try !sharedColumns("summary_cell", db).isEmpty, try !sharedColumns("summary_cell_member", db).isEmpty
        else { return false }
        // A cell's release list grows by one number at each release that published it anew.
        let newer = """
            SELECT r.key FROM replaced.summary_cell r LEFT JOIN main.summary_cell m ON m.key = r.key
            WHERE m.key IS NULL
               OR length(r.releases) - length(replace(r.releases, ',', '')) >= length(m.releases) - length(replace(m.releases, ',', ''))
            """
        let keys = try String.fetchAll(db, sql: newer)
        guard !keys.isEmpty else { return false }
        let chosen: StatementArguments = [encodeJSON(keys)]
        try db.execute(
            sql: "DELETE FROM main.summary_cell_member WHERE key IN (SELECT value FROM json_each(?))", arguments: chosen
        )
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO main.summary_cell (key, cell_values, computed_in, releases)
                SELECT key, cell_values, computed_in, releases FROM replaced.summary_cell
                WHERE key IN (SELECT value FROM json_each(?))
                """, arguments: chosen)
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO main.summary_cell_member (key, patient, since, until)
                SELECT key, patient, since, until FROM replaced.summary_cell_member
                WHERE key IN (SELECT value FROM json_each(?))
                """, arguments: chosen)
        return true
    }

    /// The columns `table` has in both the restored registry and the replaced one's copy (none when
    /// either lacks the table).
    private func sharedColumns(_ table: String, _ db: Database) throws -> [String] {
        let main = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?, 'main')", arguments: [table])
        let other = Set(
            try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?, 'replaced')", arguments: [table]))
        return main.filter(other.contains)
    }

    /// `20261208T011500Z`: a time for a file name.
    static func compactTimestamp(_ date: Date) -> String {
        isoTimestamp(date).filter { $0 != "-" && $0 != ":" }.split(separator: ".").first.map(String.init)
            .map { $0.hasSuffix("Z") ? $0 : $0 + "Z" } ?? "restore"
    }
}

/// What the restore's audit row says: the backup's chain, the replaced registry's, how much of
/// them they share, and each export of the replaced registry the backup lacked. `verify` reads it
/// to tell the anchors and witnesses of the discarded history from a rewrite.
struct RestoreRecord: Codable {
    /// One export the replaced registry had and the backup lacked (or had undelivered).
    struct Export: Codable {
        let id: String
        let endpoint: String
        let state: String
        let payloadSha256: String
        /// The audit-chain head and row count its payload carried: its receipt's anchor.
        let head: String?
        let rows: Int?
        var carried = false
    }
    let backup: ChainAnchor?
    let replaced: RestoreSummary.Replaced
    let replacedChain: ChainAnchor?
    let sharedRows: Int
    let discardedRows: Int
    let exports: [Export]
    let releaseMemory: String
    let keptAt: String?
    /// The release memory's digest once restored: what `verify` and the exporter compare with.
    var releaseMemorySha256: String? = nil
}
