import Foundation
import GRDB
import RegistryTestSupport
import Testing

@testable import RegistryStore

@Suite("Statements bound and stepped directly")
struct DirectStatementTests {
    @Test(
        "Values are stored as GRDB would store them: empty text is text, not NULL; absent values are NULL; text keeps every byte"
    )
    func values() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("d.sqlite").path)
        let texts: [String?] = [
            "", "é\u{1F600}", "with 'quote' and \"double\"", String(repeating: "x", count: 100_000), nil,
        ]
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

    @Test(
        "A cursor reads every row by position as GRDB reads it, several cursors at once; a NULL where a value is required and a failing step are errors"
    )
    func cursor() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("c.sqlite").path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (n INTEGER, d REAL, b INTEGER, s TEXT)")
            try db.execute(
                sql:
                    "INSERT INTO t VALUES (1, 0.5, 1, 'é'), (2, NULL, 0, ''), (NULL, 3, NULL, NULL), (4, 2.25, 7, 'x''y')"
            )
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

@Suite("Rows read by position")
struct DirectRowTests {
    func json<Rows: Encodable>(_ rows: Rows) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(rows), as: UTF8.self)
    }

    @Test(
        "Every table the patient page reads gives, read by column position, the rows GRDB's decoding gives: NULLs, odd text and edge numbers included"
    )
    func sameRowsAsDecoding() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        var random = SeededGenerator(seed: 21)
        func text() -> String {
            ["a", "", "é漢字", "line\nbreak", "quote \" back\\slash", "2026-01-02", String(repeating: "x", count: 300)]
                .randomElement(using: &random)!
        }
        func maybe(_ value: DatabaseValueConvertible) -> DatabaseValueConvertible? {
            Bool.random(using: &random) ? value : nil
        }
        func number() -> Double { [0, -0.0, 0.5, 1e-9, 123456.789, -3, 1e15, 2].randomElement(using: &random)! }
        // Rows written behind the program's back, with every optional column both set and NULL.
        try fixture.database().writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            for id in 1...80 {
                try db.execute(
                    sql:
                        "INSERT INTO patient (id, sex, enrolled_on, research_consent, consent_withdrawn_on, consent_withdrawal_reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        id + 10, text(), text(), Bool.random(using: &random), maybe(text()), maybe(text()), text(),
                    ])
                try db.execute(
                    sql:
                        "INSERT INTO patient_identity (patient_id, mrn, given_name, family_name, birth_date, phone, email, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    arguments: [id + 10, "M\(id)", text(), text(), text(), maybe(text()), maybe(text()), maybe(text())])
                try db.execute(
                    sql: "INSERT INTO prior_treatment (patient_id, category, adequate_trials) VALUES (?, ?, ?)",
                    arguments: [id, text(), maybe(Int.random(in: -2...9, using: &random))])
                var infusion: [DatabaseValueConvertible?] = [id, text(), text(), maybe(text())]
                infusion += [
                    maybe(number()), maybe(number()), maybe(number()), maybe(number()),
                    Int.random(in: 0...10_080, using: &random), text(),
                ]
                infusion += (0..<9).map { _ in maybe(Int.random(in: -1...300, using: &random)) }
                infusion += [text()] + (0..<5).map { _ in Bool.random(using: &random) }
                try db.execute(
                    sql: """
                        INSERT INTO infusion (patient_id, condition_id, given_on, given_at, dose_mg_per_kg, rate_mg_per_kg_per_hour, weight_kg, total_mg, minutes, route,
                                              bp_before_systolic, bp_before_diastolic, bp_after_systolic, bp_after_diastolic, bp_discharge_systolic, bp_discharge_diastolic,
                                              heart_rate, oxygen_saturation, monitoring_minutes, concomitant_medication, sedation, dissociation, respiratory_depression,
                                              entered_in_error, legacy_ranges) VALUES (\(Array(repeating: "?", count: 25).joined(separator: ", ")))
                        """, arguments: StatementArguments(infusion))
                try db.execute(
                    sql:
                        "INSERT INTO adverse_event (patient_id, infusion_id, term, grade, serious, onset, resolved_on, entered_in_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        id, maybe(id), text(), text(), Bool.random(using: &random), text(), maybe(text()),
                        Bool.random(using: &random),
                    ])
                try db.execute(
                    sql: """
                        INSERT INTO assessment (patient_id, condition_id, scale_id, scale_version, assessed_on, timepoint, answers, score, subscores, band, flags, entered_in_error)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        id, text(), text(), text(), text(), text(), text(), number(), text(), maybe(text()), text(),
                        Bool.random(using: &random),
                    ])
                try db.execute(
                    sql:
                        "INSERT INTO co_intervention (patient_id, kind, from_date, to_date, entered_in_error) VALUES (?, ?, ?, ?, ?)",
                    arguments: [id, text(), text(), maybe(text()), Bool.random(using: &random)])
                try db.execute(
                    sql: """
                        INSERT INTO infusion_observation (infusion_id, patient_id, observed_on, observed_at, bp_systolic, bp_diastolic, heart_rate, oxygen_saturation,
                                                          sedation, dissociation, respiratory_depression, entered_in_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        id, id, text(), text(), maybe(120), maybe(80), maybe(61), maybe(97),
                        Bool.random(using: &random), Bool.random(using: &random),
                        Bool.random(using: &random), Bool.random(using: &random),
                    ])
                try db.execute(
                    sql:
                        "INSERT INTO course_event (patient_id, condition_id, kind, on_date, course_kind, reason, entered_in_error) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [id, text(), text(), text(), maybe(text()), maybe(text()), Bool.random(using: &random)])
            }
        }
        try fixture.registry.read { db in
            func same<Row: DirectRow & FetchableRecord & Encodable>(_ type: Row.Type, _ table: String, order: String)
                throws
            {
                let decoded = try json(Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY \(order)"))
                let direct = try json(Row.fetchAllDirect(db, "ORDER BY \(order)", arguments: []))
                #expect(decoded == direct, "\(table)")
            }
            try same(PatientRow.self, "patient", order: "id")
            try same(IdentityRow.self, "patient_identity", order: "patient_id")
            try same(PriorTreatmentRow.self, "prior_treatment", order: "id")
            try same(InfusionRow.self, "infusion", order: "id")
            try same(AdverseEventRow.self, "adverse_event", order: "id")
            try same(AssessmentRow.self, "assessment", order: "id")
            try same(CoInterventionRow.self, "co_intervention", order: "id")
            try same(InfusionObservationRow.self, "infusion_observation", order: "id")
            try same(CourseEventRow.self, "course_event", order: "id")
            let assessments = try AssessmentRow.fetchAllDirect(db, "", arguments: [])
            #expect(assessments.count == 80)
            let found = try PatientRow.fetchOneDirect(db, "WHERE id = ?", arguments: [11])
            #expect(found?.id == 11)
        }
    }

    @Test("A NULL where the schema has none is an error naming the column, not a crash")
    func nullRefused() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        // Behind the program's back: the table rebuilt without its NOT NULL, a sex removed.
        try fixture.database().writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA writable_schema = ON")
            try db.execute(
                sql:
                    "UPDATE sqlite_schema SET sql = replace(sql, '\"sex\" TEXT NOT NULL', '\"sex\" TEXT') WHERE name = 'patient'"
            )
        }
        try fixture.database().writeWithoutTransaction { db in try db.execute(sql: "UPDATE patient SET sex = NULL") }
        let reopened = try Registry.open(
            at: fixture.path, today: testToday, clock: testClock, random: testRandom, catalog: fixture.catalog)
        let error = #expect(throws: (any Error).self) { try reopened.patientPage(patient) }
        #expect("\(String(describing: error))".contains("sex is NULL"), "\(String(describing: error))")
    }

    @Test(
        "Stored answer lists are read as the decoder reads them",
        arguments: [
            "[]", "[1]", "[0,3,null,2]", "[null]", "[-1,12]", "[1, 2]", "[01]", "[1.5]", "[", "", "[1,]", "[,1]",
            "[null,null]", "[123456789012345]", "[\"1\"]",
            "[-]", "[nul]", "[nulll]", "[Null]", "[-0]", "[0]", "[1,null,-3]", "[1234567890123456]", "[1,,2]", "[ 1]",
            "[1a]", "[--1]",
        ])
    func answerLists(text: String) {
        // What the stored list read as before: the decoder's list, or none when it refuses the text.
        var decoded: [Int?] = []
        do { decoded = try JSONDecoder().decode([Int?].self, from: Data(text.utf8)) } catch { decoded = [] }
        #expect(decodeIntList(text) == decoded)
    }
}
