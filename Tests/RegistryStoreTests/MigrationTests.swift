import Depression
import Foundation
import GRDB
import Migraine
import NeuropathicPain
import RegistryCore
import RegistryTestSupport
import Testing

@testable import RegistryStore

@Suite("Migrations")
struct MigrationTests {
    @Test(
        "A registry made before exports existed is brought up to date on open, with ages at the first infusion filled in"
    )
    func upgradeFromFirstMigration() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("old.sqlite").path
        let pool = try DatabasePool(path: path)
        try Schema.migrator(courseDays: [:], clock: testClock).migrate(
            pool, upTo: "Create the registry: patients, identity, clinical records, audit")
        try pool.write { db in
            try db.execute(sql: "INSERT INTO registry_info (key, value) VALUES ('created-at', '2026-01-01')")
            try db.execute(
                sql:
                    "INSERT INTO patient (id, sex, enrolled_on, research_consent, created_at) VALUES (1, 'female', '2026-01-01', 1, 'x'), (2, 'male', '2026-01-01', 1, 'x')"
            )
            try db.execute(
                sql:
                    "INSERT INTO patient_identity VALUES (1, 'A', 'A', 'A', '1980-06-15'), (2, 'B', 'B', 'B', '1980-06-15')"
            )
            try db.execute(sql: "INSERT INTO patient_condition VALUES (1, 'depression'), (2, 'migraine')")
            // Patient 1's first infusion is the day before their 46th birthday; patient 2 has none.
            try db.execute(
                sql: """
                    INSERT INTO infusion (patient_id, given_on, dose_mg_per_kg, minutes, route, concomitant_medication, sedation, dissociation, respiratory_depression)
                    VALUES (1, '2026-06-20', 0.5, 40, 'iv', '[]', 0, 0, 0), (1, '2026-06-14', 0.5, 40, 'iv', '[]', 0, 0, 0)
                    """)
        }
        try pool.close()
        _ = try Registry.open(at: path, today: testToday, clock: testClock, random: testRandom, catalog: testCatalog)
        let ages = try DatabaseQueue(path: path).read {
            try Row.fetchAll($0, sql: "SELECT id, age_at_day_zero FROM patient ORDER BY id")
        }
        #expect(ages.map { $0["age_at_day_zero"] as Int? } == [45, nil])
        let tables = try DatabaseQueue(path: path).read {
            try String.fetchAll(
                $0,
                sql:
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('endpoint', 'outbox', 'export_schedule') ORDER BY name"
            )
        }
        #expect(tables == ["endpoint", "export_schedule", "outbox"])
    }

    @Test("Clinical writes keep the age at the first infusion beside the clinical data, through corrections too")
    func ageAtDayZero() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()  // born 1971-04-09
        func age() throws -> Int? {
            try fixture.database().read { try Int.fetchOne($0, sql: "SELECT age_at_day_zero FROM patient") }
        }
        #expect(try age() == nil)
        let later = try fixture.registry.addInfusion(
            InfusionEntry(
                date: try ClinicalDate.parse("2026-04-09", field: "d"), dosing: .dose(mgPerKg: 0.5), minutes: 40),
            patient: patient, actor: "n")
        #expect(try age() == 55)
        let first = try fixture.registry.addInfusion(
            InfusionEntry(
                date: try ClinicalDate.parse("2026-04-08", field: "d"), dosing: .dose(mgPerKg: 0.5), minutes: 40),
            patient: patient, actor: "n")
        #expect(try age() == 54)
        _ = try fixture.registry.correctInfusion(
            RecordID(first.id)!, reason: "wrong patient", actor: "n", enteredInError: true
        ) { _ in }
        #expect(try age() == 55)
        _ = later
    }
}

@Suite("Migrating a registry made by the code of 2026-11-26")
struct InfusionConditionMigrationTests {
    @Test(
        "Old infusions get a condition (the only one, or the first whose first course contains them), out-of-range rows are kept and marked, each decision is audited"
    )
    func migratesFixture() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try #require(
            Bundle.module.url(forResource: "registry-2026-11-26", withExtension: "sqlite", subdirectory: "Fixtures"))
        let path = folder.appendingPathComponent("old.sqlite").path
        try FileManager.default.copyItem(atPath: source.path, toPath: path)
        let registry = try Registry.open(
            at: path, today: testToday, clock: testClock, random: testRandom, catalog: testCatalog)
        let rows = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT id, condition_id, legacy_ranges, dose_mg_per_kg, rate_mg_per_kg_per_hour FROM infusion ORDER BY id"
            )
        }
        // P-000001 depression only; P-000002 neuropathic-pain then depression: days 0, 5, 10 in the
        // 14-day pain course, day 20 only in the 28-day depression course, day 72 in neither.
        #expect(
            rows.map { $0["condition_id"] as String } == [
                "depression", "depression", "depression", "neuropathic-pain", "neuropathic-pain",
                "neuropathic-pain", "depression", "neuropathic-pain", "migraine", "depression",
            ])
        // 3 mg/kg iv over 12000 minutes was allowed before; it is kept as it was, and marked.
        #expect(
            rows.map { $0["legacy_ranges"] as Bool } == [
                false, false, false, false, false, false, false, false, true, false,
            ])
        #expect(rows.allSatisfy { ($0["rate_mg_per_kg_per_hour"] as Double?) == nil })
        let audit = try registry.auditTrail().filter { $0.action == "migrate" }
        #expect(audit.count == 10)
        #expect(
            audit.first { $0.entityId == "I-000008" }?.reason?.contains("no condition's first course contains it")
                == true)
        #expect(audit.first { $0.entityId == "I-000009" }?.reason?.contains("kept as it was") == true)
        // Identity never enters the audit trail, the migration's rows included.
        for entry in audit { #expect(!(entry.after ?? "").contains("OLD-") && !(entry.reason ?? "").contains("Bo")) }
        // The migrated registry works: courses per condition, and the CHECK constraints hold for new rows.
        let history = try #require(try registry.histories(patient: RecordID("P-000002")!).first)
        #expect(history.infusions(for: "neuropathic-pain").count == 4)
        #expect(history.infusions(for: "depression").count == 1)
        #expect(throws: (any Error).self) {
            try DatabaseQueue(path: path).write { db in
                // 4 mg/kg iv: outside today's ranges
                try db.execute(sql: "UPDATE infusion SET dose_mg_per_kg = 4 WHERE id = 1")
            }
        }
        // Opening again changes nothing, and the migrated history is chained and verifies.
        _ = try Registry.open(at: path, today: testToday, clock: testClock, random: testRandom, catalog: testCatalog)
        #expect(try registry.auditTrail().filter { $0.action == "migrate" }.count == 10)
        let report = try registry.verify()
        #expect(report.intact, "\(report.problems)")
        #expect(report.auditRows == 33)

        // Corrections made after the migration state each record as this version reads it: that
        // must be the state the old rows and the migration's together describe.
        _ = try registry.correctInfusion(RecordID("I-000001")!, reason: "pump log", actor: "n") { $0.minutes = 45 }
        _ = try registry.correctInfusion(
            RecordID("I-000009")!, reason: "wrong chart", actor: "n", enteredInError: true, change: nil)
        let corrected = try registry.verify()
        #expect(corrected.intact, "\(corrected.problems)")
        #expect(corrected.auditRows == 35)

        // A row audited before the drug was recorded was ketamine: turned into an esketamine
        // session behind the program's back, it is named, though its audit rows never said "drug".
        try DatabaseQueue(path: path).write { db in
            try db.execute(
                sql:
                    "UPDATE infusion SET drug = 'esketamine', route = 'intranasal', dose_mg_per_kg = NULL, dose_mg = 56, weight_kg = NULL, total_mg = 56 WHERE id = 2"
            )
        }
        let tampered = try registry.verify()
        #expect(
            tampered.problems.contains { $0.record == "I-000002" && $0.detail.contains("drug") },
            "\(tampered.problems)")
    }
}
