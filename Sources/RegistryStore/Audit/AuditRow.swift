import Foundation
import GRDB
import RegistryCore

struct AuditRow: SnakeCaseRecord {
    static let databaseTableName = "audit"
    var id: Int64?
    var at: String
    var actor: String
    var action: String
    var entity: String
    var entityId: String
    var patient: String?
    var before: String?
    var after: String?
    var reason: String?
    /// The operating-system account that ran the command, beside the `--actor` name.
    var account: String?
    /// SHA-256 over the previous row's hash and this row's canonical content.
    var hash: String? = nil

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// Appends the row to the chain through cached statements: every change writes one. The id is
    /// the previous row's plus one, and the hash covers it, so no row can be renumbered, removed or
    /// changed without breaking the chain from there on.
    mutating func insertFast(_ db: Database) throws {
        var previous = AuditChain.genesis
        var lastID: Int64 = 0
        let transaction = ImportTransaction.current(on: db)
        if let transaction, let headID = transaction.auditID {
            lastID = headID
            previous = transaction.auditHash
        } else {
            try DirectStatement(db, sql: "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").forEachRow { row in
                lastID = row.int64(0) ?? 0
                previous = row.string(1) ?? AuditChain.genesis
            }
        }
        id = lastID + 1
        hash = AuditChain.hash(previous: previous, row: self)
        var statement = try DirectStatement(
            db,
            sql: """
                INSERT INTO audit (id, at, actor, account, action, entity, entity_id, patient, before, after, reason, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        statement.bind(id)
        statement.bind(at)
        statement.bind(actor)
        statement.bind(account)
        statement.bind(action)
        statement.bind(entity)
        statement.bind(entityId)
        statement.bind(patient)
        statement.bind(before)
        statement.bind(after)
        statement.bind(reason)
        statement.bind(hash)
        try statement.execute()
        if let transaction, let hash {
            transaction.auditID = lastID + 1
            transaction.auditHash = hash
        }
    }
}
