import Foundation
import GRDB
@testable import RegistryStore
import RegistryTestSupport
import Testing

@Suite("Statements bound and stepped directly")
struct DirectStatementTests {
    @Test("Values are stored as GRDB would store them: empty text is text, not NULL; absent values are NULL; text keeps every byte")
    func values() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("d.sqlite").path)
        let texts: [String?] = ["", "é\u{1F600}", "with 'quote' and \"double\"", String(repeating: "x", count: 100_000), nil]
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (n INTEGER, d REAL, b INTEGER, s TEXT)")
            for (index, text) in texts.enumerated() {
                var insert = try DirectStatement(db, sql: "INSERT INTO t (n, d, b, s) VALUES (?, ?, ?, ?)")
                insert.bind(index == 4 ? nil : Int64(index) - 2)
                insert.bind(index == 4 ? nil : Double(index) / 4)
                insert.bind(index % 2 == 0)
                insert.bind(text)
                try insert.execute()
            }
            let rows = try Row.fetchAll(db, sql: "SELECT n, d, b, s, typeof(s) AS kind FROM t ORDER BY rowid")
            #expect(rows.map { $0["s"] as String? } == texts)
            #expect(rows.map { $0["kind"] as String } == ["text", "text", "text", "text", "null"])
            #expect(rows.map { $0["n"] as Int64? } == [-2, -1, 0, 1, nil])
            #expect(rows.map { $0["d"] as Double? } == [0, 0.25, 0.5, 0.75, nil])
            #expect(rows.map { $0["b"] as Bool } == [true, false, true, false, true])
            var read: [String?] = []
            var query = try DirectStatement(db, sql: "SELECT s FROM t WHERE n >= ? ORDER BY rowid")
            query.bind(Int64(-1))
            try query.forEachRow { row in read.append(row.string(0)) }
            #expect(read == Array(texts[1...3]))
        }
    }

    @Test("A statement with a parameter left unbound is refused before it runs, and nothing is written")
    func unbound() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("d.sqlite").path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (a TEXT, b TEXT)")
            var first = try DirectStatement(db, sql: "INSERT INTO t (a, b) VALUES (?, ?)")
            first.bind("a")
            first.bind("b")
            try first.execute()
            var second = try DirectStatement(db, sql: "INSERT INTO t (a, b) VALUES (?, ?)")
            second.bind("only a")
            #expect(throws: DatabaseError.self) { try second.execute() }
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM t") == 1)
        }
    }

    @Test("A failing statement throws SQLite's error and can be run again")
    func failure() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("d.sqlite").path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (a TEXT UNIQUE)")
            for (value, fails) in [("x", false), ("x", true), ("y", false)] {
                var insert = try DirectStatement(db, sql: "INSERT INTO t (a) VALUES (?)")
                insert.bind(value)
                if fails {
                    do {
                        try insert.execute()
                        Issue.record("a duplicate was accepted")
                    } catch let error as DatabaseError {
                        #expect(error.resultCode == .SQLITE_CONSTRAINT)
                        #expect(error.message?.contains("UNIQUE") == true)
                    }
                } else {
                    try insert.execute()
                }
            }
            #expect(try String.fetchAll(db, sql: "SELECT a FROM t ORDER BY a") == ["x", "y"])
        }
    }

    @Test("A cursor reads every row by position as GRDB reads it, several cursors at once; a NULL where a value is required and a failing step are errors")
    func cursor() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("c.sqlite").path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (n INTEGER, d REAL, b INTEGER, s TEXT)")
            try db.execute(sql: "INSERT INTO t VALUES (1, 0.5, 1, 'é'), (2, NULL, 0, ''), (NULL, 3, NULL, NULL), (4, 2.25, 7, 'x''y')")
        }
        try queue.read { db in try readCursors(db) }
    }

    private func readCursors(_ db: Database) throws {
        func describe(_ row: DirectStatement.Row) -> String {
            let number = row.double(1).map { String($0) } ?? "-"
            let flag = row.bool(2).map { String($0) } ?? "-"
            return "\(row.int64(0) ?? -1)|\(number)|\(flag)|\(row.string(3) ?? "-")"
        }
        let first = try DirectCursor(db, sql: "SELECT n, d, b, s FROM t WHERE n IS NOT NULL ORDER BY n")
        let second = try DirectCursor(db, sql: "SELECT n FROM t WHERE n > ? ORDER BY n DESC", arguments: [1])
        var read: [String] = []
        var others: [Int?] = []
        while let row = try first.next() {
            read.append(describe(row))
            others.append(try second.next()?.int(0))
        }
        #expect(read == ["1|0.5|true|é", "2|-|false|", "4|2.25|true|x'y"])
        #expect(others == [4, 2, nil])
        #expect(try first.next() == nil)
        // The same rows through GRDB.
        let rows = try Row.fetchAll(db, sql: "SELECT n, d, b, s FROM t WHERE n IS NOT NULL ORDER BY n")
        let viaGRDB: [String] = rows.map { row in
            let number = (row[1] as Double?).map { String($0) } ?? "-"
            let flag = (row[2] as Bool?).map { String($0) } ?? "-"
            let text: String? = row[3]
            return "\(row[0] as Int64)|\(number)|\(flag)|\(text ?? "-")"
        }
        #expect(viaGRDB == read)

        let nulls = try DirectCursor(db, sql: "SELECT d AS score FROM t WHERE n = 2")
        let row = try #require(try nulls.next())
        let error = #expect(throws: DatabaseError.self) { _ = try row.required(row.double, 0) }
        #expect(error?.message?.contains("score is NULL") == true)

        let failing = try DirectCursor(db, sql: "SELECT json(s) FROM t WHERE n = 4")
        #expect(throws: DatabaseError.self) { _ = try failing.next() }
        #expect(try failing.next() == nil)
    }
}
