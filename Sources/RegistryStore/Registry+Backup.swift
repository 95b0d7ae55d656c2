import Foundation
import GRDB
import RegistryCore

/// What a backup or a restore wrote, checked after writing.
public struct BackupSummary: Sendable, Codable, Hashable {
    /// The path of the file written: the backup, or the registry restored.
    public let file: String
    /// The file's size in bytes once written and checked (0 if its size cannot be read).
    public let bytes: Int
    /// Rows in each table of the copy.
    public let rows: [String: Int]
    /// The named migrations the copy has applied.
    public let migrations: [String]
    /// The copy's audit-chain head and row count: kept elsewhere, they show later whether the
    /// history up to them was rewritten (`verify --anchor`); nil for an empty trail.
    public var chain: ChainAnchor? = nil
}

extension Registry {
    /// Copies the registry into a new file (mode 0600) with SQLite's online backup: a consistent
    /// snapshot even while other commands write. Refuses to overwrite a file. The copy is checked
    /// after writing (`PRAGMA integrity_check`, a KetaReg registry, every table readable).
    public func backup(to destination: String) throws -> BackupSummary {
        try Self.createPrivateFile(destination, what: "backup")
        do {
            try Self.copy(pool, to: destination)
            return try Self.check(destination)
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            if let error = error as? RegistryError { throw error }
            throw RegistryError.storage("cannot back up the registry to \(destination): \(error); nothing was kept")
        }
    }

    /// Writes a consistent copy of `source` (SQLite's online backup) into the empty file at
    /// `path`, left in rollback-journal mode: a file of its own, without the WAL files every reader
    /// of a WAL database leaves.
    static func copy(_ source: some DatabaseReader, to path: String) throws {
        let target = try DatabaseQueue(path: path)
        try source.backup(to: target)
        try target.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
        try target.close()
    }

    /// Checks a registry file: SQLite's integrity check, the registry's own tables, every table
    /// readable. Returns what it holds.
    static func check(_ path: String) throws -> BackupSummary {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                let problems = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                guard problems == ["ok"] else {
                    throw RegistryError.storage("\(path) is damaged: \(problems.prefix(3).joined(separator: "; "))")
                }
                guard try db.tableExists("registry_info"), try db.tableExists("grdb_migrations") else {
                    throw RegistryError.storage("\(path) is not a KetaReg registry")
                }
                var rows: [String: Int] = [:]
                for table in try String.fetchAll(
                    db,
                    sql:
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                ) {
                    rows[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.quotedDatabaseIdentifier)")
                }
                let migrations = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
                let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                var summary = BackupSummary(file: path, bytes: bytes, rows: rows, migrations: migrations)
                if let last = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1"),
                    let head = last["hash"] as String?
                {
                    summary.chain = ChainAnchor(head: head, rows: Int(last["id"] as Int64))
                }
                return summary
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError.storage("\(path) cannot be read as a KetaReg registry: \(error)")
        }
    }

    /// Creates an empty file readable by its owner alone, refusing to overwrite one.
    static func createPrivateFile(_ path: String, what: String) throws {
        let descriptor = Foundation.open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST {
                throw RegistryError.refused("\(path) already exists; a \(what) never overwrites a file")
            }
            throw RegistryError.storage("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
    }
}
