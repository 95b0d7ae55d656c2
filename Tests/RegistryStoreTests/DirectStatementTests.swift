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
}
