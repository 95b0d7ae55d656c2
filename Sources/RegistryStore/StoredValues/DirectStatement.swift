import GRDB
import GRDBSQLite

/// One of GRDB's cached statements, bound and stepped with SQLite's own calls.
///
/// Used only where a bulk import runs a statement for every row (the record's insert, its audit
/// row and the audit chain's head, the flags it raises, an enrolment's rows, the patient's
/// conditions): GRDB's `StatementArguments` box every value and bind it through generic code that
/// costs more than SQLite's own work there. It is meant for plain INSERTs and SELECTs inside a
/// transaction that GRDB opened: it does not notify GRDB's transaction observers (the registry
/// registers none) and does not begin or end transactions.
///
/// Values are bound in the order of the statement's `?`, starting from the first.
struct DirectStatement {
    private let statement: Statement
    private let handle: OpaquePointer
    private let connection: OpaquePointer?
    private var index: Int32 = 0
    private let texts: TextBindings

    /// `sql` is a literal: an import's transaction keeps its statements, and their buffers, by the
    /// literal's address (``ImportTransaction``).
    init(_ db: Database, sql: StaticString) throws {
        if let transaction = ImportTransaction.current(on: db) {
            (statement, texts) = try transaction.statement(db, sql)
            texts.reset()
        } else {
            statement = try db.cachedStatement(sql: sql.description)
            texts = TextBindings(parameters: Int(sqlite3_bind_parameter_count(statement.sqliteStatement)))
        }
        handle = statement.sqliteStatement
        connection = db.sqliteConnection
        // A statement that failed last time reports that failure again here; it was thrown then.
        // Its bindings are all replaced before it runs (checked by `checkBindings`).
        sqlite3_reset(handle)
    }

    private mutating func next() -> Int32 {
        index += 1
        return index
    }

    mutating func bind(_ value: String?) {
        let at = next()
        guard var value else {
            sqlite3_bind_null(handle, at)
            return
        }
        value.withUTF8 { bytes in
            texts.slots.append((at, texts.bytes.count, bytes.count))
            texts.bytes.append(contentsOf: bytes)
        }
    }

    mutating func bind(_ value: Int64?) {
        let at = next()
        if let value { sqlite3_bind_int64(handle, at, value) } else { sqlite3_bind_null(handle, at) }
    }

    mutating func bind(_ value: Int?) {
        bind(value.map(Int64.init))
    }

    mutating func bind(_ value: Double?) {
        let at = next()
        if let value { sqlite3_bind_double(handle, at, value) } else { sqlite3_bind_null(handle, at) }
    }

    mutating func bind(_ value: Bool) {
        sqlite3_bind_int64(handle, next(), value ? 1 : 0)
    }

    /// Refuses to run with a `?` left unbound, which would otherwise keep its last value.
    private func checkBindings() throws {
        guard index == sqlite3_bind_parameter_count(handle) else {
            throw DatabaseError(
                resultCode: .SQLITE_MISUSE,
                message: "\(index) values bound for \(sqlite3_bind_parameter_count(handle)) parameters",
                sql: statement.sql)
        }
    }

    /// Runs `body` with the text values bound, then resets the statement and unbinds everything,
    /// so that SQLite keeps no pointer into the buffer once it is gone.
    private func withTextsBound<Result>(_ body: () throws -> Result) throws -> Result {
        try checkBindings()
        return try texts.bytes.withUnsafeBufferPointer { buffer in
            defer {
                sqlite3_reset(handle)
                sqlite3_clear_bindings(handle)
            }
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            for slot in texts.slots {
                // A nil destructor is SQLITE_STATIC: the bytes outlive the statement's use of them.
                sqlite3_bind_text(handle, slot.parameter, base + slot.offset, Int32(slot.count), nil)
            }
            return try body()
        }
    }

    /// Runs a statement that returns no rows.
    func execute() throws {
        try withTextsBound {
            let code = sqlite3_step(handle)
            guard code == SQLITE_DONE else { throw failure(code) }
        }
    }

    /// Runs a query and reads each row with `read`, which gets SQLite's statement for its
    /// `sqlite3_column_*` calls.
    func forEachRow(_ read: (Row) throws -> Void) throws {
        try withTextsBound {
            while true {
                let code = sqlite3_step(handle)
                if code == SQLITE_DONE { return }
                guard code == SQLITE_ROW else { throw failure(code) }
                try read(Row(handle: handle))
            }
        }
    }

    /// A row of a query, read by column number (from 0). Each reader gives nil for NULL; a
    /// value of another type is converted as SQLite converts it.
    struct Row {
        fileprivate let handle: OpaquePointer

        func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

        func int64(_ column: Int32) -> Int64? { isNull(column) ? nil : sqlite3_column_int64(handle, column) }

        func int(_ column: Int32) -> Int? { isNull(column) ? nil : Int(sqlite3_column_int64(handle, column)) }

        func double(_ column: Int32) -> Double? { isNull(column) ? nil : sqlite3_column_double(handle, column) }

        /// SQLite's booleans: 0 is false, any other number true; nil for NULL.
        func bool(_ column: Int32) -> Bool? { isNull(column) ? nil : sqlite3_column_int64(handle, column) != 0 }

        func string(_ column: Int32) -> String? {
            guard let text = sqlite3_column_text(handle, column) else { return nil }
            let count = Int(sqlite3_column_bytes(handle, column))
            return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
        }

        /// A value the schema says is never NULL: a NULL (a file changed behind the program's
        /// back) is an error naming the column, not a crash or a made-up value.
        func required<Value>(_ read: (Int32) -> Value?, _ column: Int32) throws -> Value {
            guard let value = read(column) else {
                let name = sqlite3_column_name(handle, column).map { String(cString: $0) } ?? "column \(column)"
                throw DatabaseError(
                    resultCode: .SQLITE_MISMATCH, message: "\(name) is NULL where the registry always has a value",
                    sql: sqlite3_sql(handle).map { String(cString: $0) })
            }
            return value
        }
    }

    private func failure(_ code: Int32) -> DatabaseError {
        let message = connection.map { String(cString: sqlite3_errmsg($0)) }
        sqlite3_reset(handle)
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }
}

/// A query's rows, stepped one at a time with SQLite's own calls and read by column position:
/// for reads that walk whole tables (every patient's history), where GRDB's `Row` costs more
/// per value than SQLite's work. The statement is its own (not cached), so that several cursors
/// can be open at once; it is reset when the cursor goes. Like ``DirectStatement``, for use
/// inside a transaction GRDB opened.
final class DirectCursor {
    private let statement: Statement
    private let handle: OpaquePointer
    private let connection: OpaquePointer?
    private var finished = false

    init(_ db: Database, sql: String, arguments: StatementArguments = []) throws {
        statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection
    }

    deinit { sqlite3_reset(handle) }

    /// The next row, valid until the next call; nil after the last.
    func next() throws -> DirectStatement.Row? {
        guard !finished else { return nil }
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return DirectStatement.Row(handle: handle) }
        finished = true
        guard code == SQLITE_DONE else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) }
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        return nil
    }
}

extension Database {
    /// The first row of a query, read by `read` with SQLite's own column calls; nil when there is
    /// no row. For the few single values read on every command (the journal mode, the tables that
    /// make a registry): GRDB's generic `fetchOne` made the runtime look types up for the first
    /// time, 1.4M instructions of a `patient show` for the journal mode alone.
    func firstValue<Value>(_ sql: String, arguments: StatementArguments = [], _ read: (DirectStatement.Row) -> Value?)
        throws -> Value?
    {
        let cursor = try DirectCursor(self, sql: sql, arguments: arguments)
        guard let row = try cursor.next() else { return nil }
        return read(row)
    }
}

/// A statement's text values: their bytes, one after another, and where each one goes. They are
/// bound when the statement runs, as pointers into this buffer that SQLite reads without copying
/// (`SQLITE_STATIC`), valid for as long as the statement runs, and unbound before it returns.
/// Copying each value into its own allocation, as `SQLITE_TRANSIENT` does, cost an import more
/// than the rest of binding. The first byte is never a value's, so the buffer always has an
/// address, even for an empty text. An import reuses one per statement (``ImportTransaction``).
final class TextBindings {
    @exclusivity(unchecked) var bytes: [UInt8] = [0]
    @exclusivity(unchecked) var slots: [(parameter: Int32, offset: Int, count: Int)] = []

    init(parameters: Int) {
        // Room for a typical row's texts (an audit row's JSON grows it once): growing from empty
        // cost more than binding.
        bytes.reserveCapacity(1024)
        slots.reserveCapacity(parameters)
    }

    /// Empty again, keeping the room.
    func reset() {
        bytes.removeLast(bytes.count - 1)
        slots.removeAll(keepingCapacity: true)
    }
}
