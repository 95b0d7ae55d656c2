import Depression
import Foundation
import GRDB
import Migraine
import NeuropathicPain
import RegistryCore
import RegistryTestSupport
import Testing

@testable import RegistryStore

@Suite("Registry file")
struct RegistryFileTests {
    @Test("init creates the file 0600 in a new folder 0700, WAL mode, foreign keys on, the named migration applied")
    func creation() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let file = try FileManager.default.attributesOfItem(atPath: fixture.path)
        let folder = try FileManager.default.attributesOfItem(
            atPath: (fixture.path as NSString).deletingLastPathComponent)
        #expect((file[.posixPermissions] as? Int) == 0o600)
        #expect((folder[.posixPermissions] as? Int) == 0o700)
        let (mode, migrations, secret) = try fixture.database().read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"),
                try Data.fetchOne(db, sql: "SELECT secret FROM pseudonym_secret")
            )
        }
        #expect(mode == "wal")
        #expect(
            migrations == [
                "Create the registry: patients, identity, clinical records, audit",
                "Add research endpoints, export schedules, the outbox and patient.age_at_day_zero",
                "Give every infusion a condition and a dose or a rate; add observations during infusions and course markers",
                "Chain every audit row to the one before it with SHA-256, and record the operating-system account",
                "Add outbox.content_sha256: each payload's digest without its audit-chain head",
                "Add contact details to patient_identity: phone, email, address",
                "Let a patient's conditions start and end: patient_condition.started_on, ended_on, end_reason",
                "Keep research consent as a history of decisions, each with its day: consent_event",
                "Make every safety flag a record with its rule, its source and its review: safety_flag",
                "Remember what each summary cell was published with, and for which patients",
                "Check an infusion's route with comparisons, not an IN list",
                "Add co_intervention.note: what an 'other' co-intervention was, in the clinic's words",
                "Let one infusion count for several of the patient's conditions: infusion_also_for",
                Schema.drugsAndRoutesMigration, Schema.receiptsMigration, Schema.floorsMigration,
            ])
        #expect(secret?.count == 32)
        #expect(try fixture.registry.clinicName() == "Test clinic")
    }

    @Test("init refuses to overwrite an existing registry and leaves it unchanged")
    func noOverwrite() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        try fixture.enroll()
        let before = try dumpDatabase(fixture.path)
        #expect(throws: RegistryError.self) {
            try Registry.create(at: fixture.path, clinic: nil, today: testToday, clock: testClock, random: testRandom)
        }
        #expect(try dumpDatabase(fixture.path) == before)
    }

    @Test("Opening a missing file or a file that is not a registry is a storage error that says what to do")
    func openErrors() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try Registry.open(
                at: folder.appendingPathComponent("none.sqlite").path, today: testToday, clock: testClock,
                random: testRandom, catalog: testCatalog)
            Issue.record("opened a missing registry")
        } catch {
            #expect(error.kind == .storage)
            #expect(error.remedies == [.createRegistry, .chooseAnotherRegistry])
        }
        let other = folder.appendingPathComponent("other.sqlite").path
        try DatabaseQueue(path: other).write { try $0.execute(sql: "CREATE TABLE t (x)") }
        #expect(throws: RegistryError.self) {
            try Registry.open(at: other, today: testToday, clock: testClock, random: testRandom, catalog: testCatalog)
        }
    }
}

@Suite("Refusals leave the registry unchanged")
struct RefusalTests {
    @Test(
        "A duplicate MRN, an unknown patient, a scale of another condition and a correction without a reason are refused with nothing written"
    )
    func refusals() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        let date = try ClinicalDate.parse("2026-01-12", field: "d")
        let infusion = try fixture.registry.addInfusion(
            InfusionEntry(date: date, dosing: .dose(mgPerKg: 0.5), minutes: 40), patient: patient, actor: "n")
        let before = try dumpDatabase(fixture.path)

        #expect(throws: RegistryError.self) { try fixture.enroll() }
        #expect(throws: RegistryError.self) {
            try fixture.registry.addInfusion(
                InfusionEntry(date: date, dosing: .dose(mgPerKg: 0.5), minutes: 40),
                patient: RecordID(kind: .patient, row: 99), actor: "n")
        }
        let hit6 = try fixture.catalog.assess(scale: "hit6", answers: [0, 0, 0, 0, 0, 0])
        do {
            _ = try fixture.registry.addAssessment(hit6, patient: patient, on: date, timepoint: .baseline, actor: "n")
            Issue.record("stored a migraine scale for a depression patient")
        } catch let error as RegistryError {
            #expect(error.message.contains("hit6 belongs to the condition 'migraine'"))
        }
        #expect(throws: InputError.self) {
            try fixture.registry.correctInfusion(RecordID(infusion.id)!, reason: "  ", actor: "n") { $0.minutes = 50 }
        }
        #expect(throws: InputError.self) {
            try fixture.registry.correctInfusion(RecordID(infusion.id)!, reason: "typo", actor: "n") {
                $0.dosing = .dose(mgPerKg: 9)
            }
        }
        #expect(throws: RegistryError.self) {
            try fixture.registry.correctInfusion(RecordID(infusion.id)!, reason: "nothing", actor: "n") { _ in }
        }
        #expect(throws: InputError.self) {
            try fixture.registry.addInfusion(
                InfusionEntry(
                    date: date, dosing: .dose(mgPerKg: 0.5), minutes: 40,
                    adverseEvents: [
                        AdverseEventEntry(term: .nausea, grade: .mild, onset: date, resolvedOn: date.adding(days: -1))
                    ]),
                patient: patient, actor: "n")
        }
        #expect(try dumpDatabase(fixture.path) == before)
    }

    @Test("Consent can be withdrawn once, only if it was given")
    func consent() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let consenting = try fixture.enroll(mrn: "1")
        let never = try fixture.enroll(mrn: "2", consent: false)
        let summary = try fixture.registry.withdrawConsent(consenting, on: testToday, reason: "asked", actor: "n")
        #expect(summary.researchConsent == false)
        #expect(summary.consentWithdrawnOn == testToday.description)
        #expect(throws: RegistryError.self) {
            try fixture.registry.withdrawConsent(consenting, on: testToday, reason: "again", actor: "n")
        }
        #expect(throws: RegistryError.self) {
            try fixture.registry.withdrawConsent(never, on: testToday, reason: "asked", actor: "n")
        }
    }
}

@Suite("Patient page")
struct PatientPageTests {
    @Test(
        "The page gathers conditions, history, infusions with their adverse events, assessments, latest scores and flags"
    )
    func page() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll(conditions: ["depression", "migraine"])
        let day1 = try ClinicalDate.parse("2026-01-12", field: "d")
        _ = try fixture.registry.addAssessment(
            try fixture.catalog.assess(scale: "phq9", answers: [3, 3, 3, 3, 3, 3, 3, 3, 1]), patient: patient, on: day1,
            timepoint: .baseline, actor: "n")
        let infusion = try fixture.registry.addInfusion(
            InfusionEntry(
                condition: "depression", date: day1.adding(days: 1), dosing: .dose(mgPerKg: 0.5), weightKg: 70,
                minutes: 40,
                bloodPressureBefore: BloodPressure(systolic: 120, diastolic: 80),
                adverseEvents: [AdverseEventEntry(term: .dizziness, grade: .moderate, onset: day1.adding(days: 1))]),
            patient: patient, actor: "n")
        let later = try fixture.registry.addAssessment(
            try fixture.catalog.assess(scale: "phq9", answers: [1, 1, 1, 1, 0, 0, 0, 0, 0]), patient: patient,
            on: day1.adding(days: 20), timepoint: .postInfusion, actor: "n")
        _ = try fixture.registry.addAssessment(
            try fixture.catalog.assess(scale: "hit6", answers: [2, 2, 2, 2, 2, 2]), patient: patient, on: day1,
            timepoint: .baseline, actor: "n")

        let page = try fixture.registry.patientPage(patient)
        #expect(page.conditions == ["depression", "migraine"])
        #expect(page.ageAtEnrolment == 54)
        #expect(page.priorTreatments == [PriorTreatment(category: .antidepressants, adequateTrials: 3)])
        #expect(page.infusions.map(\.totalMg) == [35])
        #expect(page.infusions.first?.bpBefore == "120/80")
        #expect(page.infusions.first?.adverseEvents == page.adverseEvents.map(\.id))
        #expect(page.assessments.map(\.scale) == ["phq9", "hit6", "phq9"])
        #expect(Set(page.latestScores.map(\.id)) == Set([later.id, page.assessments[1].id]))
        #expect(page.flags == ["suicide-risk"])
        #expect(infusion.id == "I-000001")

        // An assessment marked entered in error stays on record but its flag and score no longer count.
        _ = try fixture.registry.correctAssessment(
            RecordID(page.assessments[0].id)!, answers: nil, on: nil, timepoint: nil, enteredInError: true,
            catalog: fixture.catalog, reason: "wrong patient's form", actor: "n")
        let corrected = try fixture.registry.patientPage(patient)
        #expect(corrected.flags == [])
        #expect(corrected.assessments.count == 3)
        #expect(corrected.assessments[0].enteredInError)
    }

    @Test(
        "Patient ids read forgivingly and refuse what is not an id",
        arguments: [("P-000042", 42), ("p-42", 42), ("P42", 42), ("AE-7", 7)])
    func recordIDs(text: String, row: Int64) {
        #expect(RecordID(text)?.row == row)
    }

    @Test(
        "Display ids: the kind's letters and at least six digits",
        arguments: [
            (RecordKind.patient, Int64(1), "P-000001"), (.patient, 42, "P-000042"), (.assessment, 999_999, "A-999999"),
            (.adverseEvent, 7, "AE-000007"), (.infusion, 1_000_000, "I-1000000"),
            (.flag, 12_345_678_901, "F-12345678901"),
            (.observation, 0, "O-000000"),
        ])
    func displayIDs(kind: RecordKind, row: Int64, expected: String) {
        #expect(kind.displayID(row) == expected)
        #expect(
            RecordID(expected).map { $0.kind == kind && $0.row == row } ?? (row == 0),
            "read back, except row 0, which no record has")
    }

    @Test("Not ids", arguments: ["42", "P-", "P-x", "Q-1", "P-0", "P--1", ""])
    func notIDs(text: String) {
        #expect(RecordID(text) == nil)
    }
}

@Suite("Opening a registry")
struct OpeningTests {
    @Test(
        "A registry is in WAL mode, and opening it to read writes nothing to the file, even when its -wal file is gone")
    func openingWritesNothing() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("registry.sqlite").path
        let catalog = try ConditionCatalog([DepressionModule()])
        do {
            let registry = try Registry.create(
                at: path, clinic: "Test clinic", today: testToday, clock: testClock, random: testRandom)
            _ = try registry.enroll(
                Enrollment(
                    identity: PatientIdentity(
                        mrn: "W-1", givenName: "A", familyName: "B",
                        birthDate: try ClinicalDate.parse("1970-01-01", field: "b")),
                    sex: .female, conditions: ["depression"],
                    enrolledOn: try ClinicalDate.parse("2026-01-10", field: "e"),
                    researchConsent: true, priorTreatments: []), catalog: catalog, actor: "n")
        }
        // The last connection closed: SQLite checkpointed the WAL and removed it.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        func state() throws -> (mode: String?, schema: Int?, bytes: Data) {
            var readOnly = Configuration()
            readOnly.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: readOnly)
            let found = try queue.read { db in
                (
                    try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                    try Int.fetchOne(db, sql: "PRAGMA schema_version")
                )
            }
            try queue.close()
            return (found.0, found.1, try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        let before = try state()
        #expect(before.mode == "wal")
        do {
            let registry = try Registry.open(
                at: path, today: testToday, clock: testClock, random: testRandom, catalog: catalog)
            #expect(try registry.patientPage(RecordID("P-000001")!).mrn == "W-1")
        }
        let after = try state()
        #expect(after.mode == "wal")
        #expect(after.schema == before.schema, "the schema was changed by opening the registry")
        #expect(after.bytes == before.bytes, "the file was written by opening and reading the registry")
    }
}
