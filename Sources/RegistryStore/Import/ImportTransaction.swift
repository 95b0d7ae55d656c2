import GRDB
import GRDBSQLite

/// What an import keeps for the length of its transaction, on its connection: it holds the write
/// lock, so nothing else writes meanwhile, and every row it writes goes through the code below.
///
/// - The audit chain's head (the last row's id and hash), instead of each audit row reading it
///   back from SQLite: a query per audit row, a tenth of a row's SQLite work.
/// - Its statements, by the address of their SQL literal, instead of GRDB's cache, which hashes
///   and compares the whole SQL text on every call (several hundred bytes for an insert).
///
/// It is set only inside that transaction (``current``, a task-local value) and goes with it, a
/// rolled-back import's included; everywhere else each audit row reads the head from the table
/// and each statement comes from GRDB's cache.
final class ImportTransaction: @unchecked Sendable {
    private let database: ObjectIdentifier
    /// The last audit row written, once this transaction has written one.
    var auditID: Int64?
    var auditHash = AuditChain.genesis
    private var statements: [UnsafeRawPointer: (Statement, TextBindings)] = [:]

    init(_ db: Database) { database = ObjectIdentifier(db) }

    @TaskLocal static var current: ImportTransaction?

    /// The import transaction running on `db`, if one is.
    static func current(on db: Database) -> ImportTransaction? {
        guard let transaction = current, transaction.database == ObjectIdentifier(db) else { return nil }
        return transaction
    }

    /// GRDB's cached statement for `sql`, looked up once per literal, and its text buffer, kept
    /// from one run to the next. (A statement runs to its end before the code that runs it runs
    /// it again, so one buffer per statement is never shared.)
    func statement(_ db: Database, _ sql: StaticString) throws -> (Statement, TextBindings) {
        let key = UnsafeRawPointer(sql.utf8Start)
        if let known = statements[key] { return known }
        let statement = try db.cachedStatement(sql: sql.description)
        let entry = (statement, TextBindings(parameters: Int(sqlite3_bind_parameter_count(statement.sqliteStatement))))
        statements[key] = entry
        return entry
    }
}
