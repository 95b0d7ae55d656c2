import Depression
import Foundation
import GRDB
import Migraine
import NeuropathicPain
import RegistryCore
import RegistryTestSupport
import Testing

@testable import RegistryStore

@Suite("The schema's CHECK constraints say what the code says")
struct InfusionCheckTests {
    @Test(
        "Thousands of infusions near every range's edges: the database accepts a row written behind the program's back exactly when the code would"
    )
    func checksAgreeWithCode() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        let date = try ClinicalDate.parse("2026-02-01", field: "d")
        var random = SeededGenerator(seed: 2026_11_26)
        let doses = [0.0, 0.04, 0.049, 0.05, 0.5, 0.99, 1, 1.01, 1.99, 2, 2.01, 4.99, 5, 5.01, 9]
        let fixedDoses = [
            0.0, 0.5, 1, 4.9, 5, 9.9, 10, 28, 56, 84, 85, 99.9, 100, 100.1, 250, 251, 300, 301, 400, 401, 500, 501,
        ]
        let minuteChoices = [0, 1, 40, 1_439, 1_440, 1_441, 7_200, 10_080, 10_081]
        let weights: [Double?] = [nil, 1.9, 2, 70, 400, 401]
        var accepted = 0
        var refused = 0
        var acceptedByKind: [String: Int] = [:]
        for _ in 0..<4_000 {
            let drug: Drug = Int.random(in: 0..<5, using: &random) == 0 ? .esketamine : .ketamine
            let kind = drug == .esketamine && Bool.random(using: &random) ? 1 : Int.random(in: 0..<3, using: &random)
            let dosing: Dosing =
                switch kind {
                case 0: .dose(mgPerKg: doses.randomElement(using: &random)!)
                case 1:
                    .fixed(
                        mg: drug == .esketamine && Bool.random(using: &random)
                            ? [28, 56, 84].randomElement(using: &random)! : fixedDoses.randomElement(using: &random)!)
                default: .rate(mgPerKgPerHour: doses.randomElement(using: &random)!)
                }
            let minutes = minuteChoices.randomElement(using: &random)!
            // Esketamine mostly as it is given (intranasal, in devices), so that both sides of its
            // edges are tried often.
            let route =
                drug == .esketamine && Bool.random(using: &random)
                ? .intranasal : InfusionRoute.allCases.randomElement(using: &random)!
            let weight = weights.randomElement(using: &random)!
            var total: Double?
            let plain = InfusionEntry(date: date, dosing: dosing, weightKg: weight, minutes: minutes, route: route)
            if let expected = plain.expectedTotalMg(weightKg: weight), Bool.random(using: &random) {
                // A continuous infusion's total is checked against its steps by the code only (the
                // steps are in another table): there the table checks its range.
                let factor = kind == 2 ? 1 : [0.85, 0.9, 0.95, 1, 1.05, 1.1, 1.15].randomElement(using: &random)!
                total = (expected * factor * 100).rounded() / 100
            }
            let entry = InfusionEntry(
                date: date, dosing: dosing, weightKg: weight, totalMg: total, minutes: minutes, route: route,
                drug: drug)
            let codeAccepts: Bool
            let validated: InfusionEntry
            do {
                validated = try entry.validated(today: testToday)
                codeAccepts = true
            } catch {
                validated = entry
                codeAccepts = false
            }
            let databaseAccepts: Bool
            do {
                try fixture.database().write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO infusion (patient_id, condition_id, given_on, dose_mg_per_kg, dose_mg, rate_mg_per_kg_per_hour, weight_kg, total_mg, minutes, route,
                                                  drug, concomitant_medication, sedation, dissociation, respiratory_depression)
                            VALUES (?, 'depression', '2026-02-01', ?, ?, ?, ?, ?, ?, ?, ?, '[]', 0, 0, 0)
                            """,
                        arguments: [
                            patient.row, validated.doseMgPerKg, validated.doseMg, validated.rateMgPerKgPerHour,
                            validated.weightKg, validated.totalMg, validated.minutes, validated.route.rawValue,
                            validated.drug.rawValue,
                        ])
                }
                databaseAccepts = true
            } catch {
                databaseAccepts = false
            }
            if codeAccepts { acceptedByKind["\(drug) \(kind)", default: 0] += 1 }
            let described =
                "\(drug) \(dosing) \(minutes) min \(route.rawValue) weight \(weight.map { "\($0)" } ?? "-") total \(total.map { "\($0)" } ?? "-")"
            #expect(codeAccepts == databaseAccepts, "\(described): code \(codeAccepts), database \(databaseAccepts)")
            if codeAccepts { accepted += 1 } else { refused += 1 }
        }
        // Both sides of the edges were tried.
        #expect(accepted > 100, "accepted \(accepted)")
        #expect(refused > 1_000, "refused \(refused)")
        // Each drug and kind of dose was accepted somewhere: ketamine by weight, fixed and by rate,
        // esketamine in devices.
        for kind in ["ketamine 0", "ketamine 1", "ketamine 2", "esketamine 1"] {
            #expect(acceptedByKind[kind, default: 0] > 5, "\(kind): \(acceptedByKind)")
        }
    }

    /// The route was first checked with an IN list, for which SQLite builds a temporary table on
    /// every insert; a migration rebuilt the table with comparisons. Both registries, new and
    /// migrated, must accept exactly the routes the code knows.
    @Test(
        "The route is checked by comparisons, in a new registry and in one migrated from 2026-11-26: every route the code knows is stored, nothing else"
    )
    func routeCheck() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let source = try #require(
            Bundle.module.url(forResource: "registry-2026-11-26", withExtension: "sqlite", subdirectory: "Fixtures"))
        let migrated = fixture.folder.appendingPathComponent("old.sqlite").path
        try FileManager.default.copyItem(atPath: source.path, toPath: migrated)
        // Every migration before this one first, as opening the registry would run them.
        let courseDays = Dictionary(uniqueKeysWithValues: testCatalog.conditions.map { ($0.id, $0.course.withinDays) })
        let old = try DatabaseQueue(path: migrated)
        try Schema.migrator(courseDays: courseDays, clock: testClock).migrate(
            old, upTo: "Remember what each summary cell was published with, and for which patients")
        let before = try old.read { db in
            (
                try Row.fetchAll(db, sql: "SELECT * FROM infusion ORDER BY id").map(\.description),
                try Int.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'infusion'")
            )
        }
        try old.close()
        _ = try Registry.open(
            at: migrated, today: testToday, clock: testClock, random: testRandom, catalog: testCatalog)
        let patient = try fixture.enroll()
        for (path, patientID) in [(fixture.path, patient.row), (migrated, Int64(1))] {
            let database = try DatabaseQueue(path: path)
            let definition = try #require(
                try database.read {
                    try String.fetchOne(
                        $0, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'infusion'")
                })
            #expect(definition.contains(Schema.routeCheckSixRoutes), "\(path)")
            #expect(!definition.contains(" IN ("), "\(path)")
            let indexes = try database.read {
                try String.fetchAll(
                    $0,
                    sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'infusion' ORDER BY name")
            }
            #expect(indexes == ["infusion_on_patient_condition", "infusion_on_patient_id"], "\(path)")
            let condition = try #require(
                try database.read {
                    try String.fetchOne(
                        $0, sql: "SELECT condition_id FROM patient_condition WHERE patient_id = ?",
                        arguments: [patientID])
                })
            for route in InfusionRoute.allCases.map(\.rawValue) + [
                "IV", "Oral", "Sublingual", "sub-cutaneous", "", "iv ", " iv", "oral;", "intranasal-spray", "'iv'",
            ] {
                var stored = true
                do {
                    try database.write { db in
                        try db.execute(
                            sql: """
                                INSERT INTO infusion (patient_id, condition_id, given_on, dose_mg_per_kg, minutes, route, concomitant_medication, sedation, dissociation, respiratory_depression)
                                VALUES (?, ?, '2026-02-01', 0.5, 40, ?, '[]', 0, 0, 0)
                                """, arguments: [patientID, condition, route])
                    }
                } catch let error as DatabaseError {
                    #expect(error.resultCode == .SQLITE_CONSTRAINT, "\(route.debugDescription): \(error)")
                    stored = false
                }
                #expect(stored == (InfusionRoute(rawValue: route) != nil), "\(path): \(route.debugDescription)")
            }
        }
        // The migration kept every row as it was, ids included, and new ids go on from
        // AUTOINCREMENT's high-water mark: the four routes the code knows were stored after it.
        let database = try DatabaseQueue(path: migrated)
        let seq = try #require(before.1)
        let after = try database.read { db in
            (
                try Row.fetchAll(
                    db,
                    sql:
                        "SELECT \(Schema.infusionColumnsBeforeDrugs) FROM infusion WHERE id <= ? AND drug = 'ketamine' ORDER BY id",
                    arguments: [seq]
                ).map(\.description),
                try Int.fetchAll(db, sql: "SELECT id FROM infusion WHERE id > ? ORDER BY id", arguments: [seq])
            )
        }
        #expect(!before.0.isEmpty)
        #expect(after.0 == before.0)
        #expect(after.1 == Array(seq + 1...seq + InfusionRoute.allCases.count))
        // Adverse events still refer to infusions, foreign key and all.
        func addEvent(infusion: Int) throws {
            try database.write { db in
                try db.execute(
                    sql:
                        "INSERT INTO adverse_event (patient_id, infusion_id, term, grade, serious, onset) VALUES (1, ?, 'nausea', 'mild', 0, '2026-02-01')",
                    arguments: [infusion])
            }
        }
        try addEvent(infusion: seq + 1)
        do {
            try addEvent(infusion: 999_999)
            Issue.record("an adverse event on an infusion that does not exist was stored")
        } catch let error as DatabaseError {
            #expect(error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY, "\(error)")
        }
    }
}

@Suite("Histories read back")
struct HistoryOrderTests {
    @Test("A history lists assessments by day, and by order of entry within a day, whatever order they were entered in")
    func assessmentsByDayThenEntry() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        let entries: [(day: String, answers: [Int], timepoint: Timepoint, repeat: Bool)] = [
            ("2026-01-20", [1, 1, 1, 1, 1, 1, 1, 1, 0], .followUp, false),
            ("2026-01-12", [2, 2, 2, 2, 2, 2, 2, 2, 0], .baseline, false),
            ("2026-01-20", [0, 0, 0, 0, 0, 0, 0, 0, 0], .followUp, true),
            ("2026-01-11", [3, 3, 3, 3, 3, 3, 3, 3, 0], .baseline, false),
            ("2026-01-20", [1, 0, 0, 0, 0, 0, 0, 0, 0], .postInfusion, false),
        ]
        for entry in entries {
            _ = try fixture.registry.addAssessment(
                try fixture.catalog.assess(scale: "phq9", answers: entry.answers), patient: patient,
                on: try ClinicalDate.parse(entry.day, field: "on"), timepoint: entry.timepoint,
                repeat: entry.repeat, actor: "nurse.a")
        }
        let history = try #require(try fixture.registry.histories(patient: patient).first)
        #expect(
            history.assessments.map(\.date.description) == [
                "2026-01-11", "2026-01-12", "2026-01-20", "2026-01-20", "2026-01-20",
            ])
        #expect(history.assessments.map(\.score) == [24, 16, 8, 0, 1])
        // The same order when every patient is read at once.
        #expect(
            try fixture.registry.histories().first { $0.patient == history.patient }?.assessments == history.assessments
        )
    }
}
