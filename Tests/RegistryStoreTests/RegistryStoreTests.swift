import Depression
import Foundation
import GRDB
import Migraine
import NeuropathicPain
import RegistryCore
@testable import RegistryStore
import RegistryTestSupport
import Testing

/// A registry in a fresh temporary folder, with the three built-in modules.
struct Fixture {
    let folder: URL
    let path: String
    let registry: Registry
    let catalog: ConditionCatalog

    init() throws {
        folder = try makeTemporaryFolder()
        path = folder.appendingPathComponent("clinic/registry.sqlite").path
        registry = try Registry.create(at: path, clinic: "Test clinic", today: testToday, clock: testClock)
        catalog = try ConditionCatalog([MigraineModule(), DepressionModule(), NeuropathicPainModule()])
    }

    /// A second, independent connection to the same file.
    func database() throws -> DatabaseQueue { try DatabaseQueue(path: path) }

    @discardableResult
    func enroll(mrn: String = "MRN-1", conditions: [String] = ["depression"], consent: Bool = true) throws -> RecordID {
        let enrollment = Enrollment(
            identity: PatientIdentity(mrn: mrn, givenName: "Zebulon", familyName: "Quixwater", birthDate: try ClinicalDate.parse("1971-04-09", field: "b")),
            sex: .male, conditions: conditions, enrolledOn: try ClinicalDate.parse("2026-01-10", field: "e"),
            researchConsent: consent, priorTreatments: [PriorTreatment(category: .antidepressants, adequateTrials: 3)])
        return RecordID(try registry.enroll(enrollment, catalog: catalog, actor: "nurse.a").id)!
    }

    func auditActions() throws -> [String] {
        try database().read { try String.fetchAll($0, sql: "SELECT action || ' ' || entity FROM audit ORDER BY id") }
    }
}

@Suite("Registry file")
struct RegistryFileTests {
    @Test("init creates the file 0600 in a new folder 0700, WAL mode, foreign keys on, the named migration applied")
    func creation() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let file = try FileManager.default.attributesOfItem(atPath: fixture.path)
        let folder = try FileManager.default.attributesOfItem(atPath: (fixture.path as NSString).deletingLastPathComponent)
        #expect((file[.posixPermissions] as? Int) == 0o600)
        #expect((folder[.posixPermissions] as? Int) == 0o700)
        let (mode, migrations, secret) = try fixture.database().read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"),
             try Data.fetchOne(db, sql: "SELECT secret FROM pseudonym_secret"))
        }
        #expect(mode == "wal")
        #expect(migrations == ["Create the registry: patients, identity, clinical records, audit",
                               "Add research endpoints, export schedules, the outbox and patient.age_at_day_zero",
                               "Give every infusion a condition and a dose or a rate; add observations during infusions and course markers",
                               "Chain every audit row to the one before it with SHA-256, and record the operating-system account",
                               "Add outbox.content_sha256: each payload's digest without its audit-chain head",
                               "Add contact details to patient_identity: phone, email, address",
                               "Let a patient's conditions start and end: patient_condition.started_on, ended_on, end_reason",
                               "Keep research consent as a history of decisions, each with its day: consent_event",
                               "Make every safety flag a record with its rule, its source and its review: safety_flag",
                               "Remember what each summary cell was published with, and for which patients",
                               "Check an infusion's route with comparisons, not an IN list"])
        #expect(secret?.count == 32)
        #expect(try fixture.registry.clinicName() == "Test clinic")
    }

    @Test("init refuses to overwrite an existing registry and leaves it unchanged")
    func noOverwrite() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        try fixture.enroll()
        let before = try dumpDatabase(fixture.path)
        #expect(throws: RegistryError.self) { try Registry.create(at: fixture.path, clinic: nil, today: testToday, clock: testClock) }
        #expect(try dumpDatabase(fixture.path) == before)
    }

    @Test("Opening a missing file or a file that is not a registry is a storage error that says what to do")
    func openErrors() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try Registry.open(at: folder.appendingPathComponent("none.sqlite").path, today: testToday, clock: testClock, catalog: testCatalog)
            Issue.record("opened a missing registry")
        } catch {
            #expect(error.kind == .storage)
            #expect(error.message.contains("ketareg init"))
        }
        let other = folder.appendingPathComponent("other.sqlite").path
        try DatabaseQueue(path: other).write { try $0.execute(sql: "CREATE TABLE t (x)") }
        #expect(throws: RegistryError.self) { try Registry.open(at: other, today: testToday, clock: testClock, catalog: testCatalog) }
    }
}

@Suite("Audit trail")
struct AuditTests {
    @Test("Every change writes an audit row in its transaction, with actor, before, after and reason")
    func everyChangeAudited() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        let date = try ClinicalDate.parse("2026-01-12", field: "d")
        let infusion = try fixture.registry.addInfusion(
            InfusionEntry(date: date, dosing: .dose(mgPerKg: 0.5), weightKg: 80, minutes: 40,
                          adverseEvents: [AdverseEventEntry(term: .nausea, grade: .mild, onset: date)]),
            patient: patient, actor: "nurse.b")
        let scored = try fixture.catalog.assess(scale: "phq9", answers: [1, 1, 1, 1, 1, 1, 1, 1, 0])
        let assessment = try fixture.registry.addAssessment(scored, patient: patient, on: date, timepoint: .baseline, actor: "nurse.b")
        _ = try fixture.registry.addAdverseEvent(AdverseEventEntry(term: .headache, grade: .moderate, onset: date), patient: patient,
                                                 infusion: RecordID(infusion.id), actor: "nurse.b")
        _ = try fixture.registry.addCoIntervention(CoInterventionEntry(kind: .yoga, from: date), patient: patient, actor: "nurse.b")
        _ = try fixture.registry.correctAssessment(RecordID(assessment.id)!, answers: [1, 1, 1, 1, 1, 1, 1, 1, 2], on: nil, timepoint: nil,
                                                   enteredInError: nil, catalog: fixture.catalog, reason: "item 9 misread", actor: "dr.c")
        _ = try fixture.registry.correctInfusion(RecordID(infusion.id)!, reason: "pump log says 45", actor: "dr.c") { $0.minutes = 45 }
        _ = try fixture.registry.withdrawConsent(patient, on: date, reason: "moving away", actor: "dr.c")

        #expect(try fixture.auditActions() == [
            "enroll patient", "add adverse-event", "add infusion", "add assessment", "add adverse-event",
            "add co-intervention", "correct assessment", "raise flag", "correct infusion", "withdraw-consent patient",
        ])
        let trail = try fixture.registry.auditTrail(for: RecordID(assessment.id)!)
        #expect(trail.count == 2)
        let correction = try #require(trail.last)
        #expect(correction.actor == "dr.c")
        #expect(correction.reason == "item 9 misread")
        #expect(correction.before?.contains("\"score\":8") == true)
        #expect(correction.after?.contains("\"score\":10") == true)
        #expect(correction.after?.contains("suicide-risk") == true)
        #expect(try fixture.registry.auditTrail(for: patient).count == 10) // with the flag the corrected item 9 raised
        #expect(try fixture.registry.flags(patient: patient).map(\.source) == [assessment.id])
    }

    @Test("Identifying fields are never copied into the audit trail")
    func noIdentityInAudit() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        try fixture.enroll(mrn: "MRN-77321")
        let audit = try fixture.database().read { try String.fetchAll($0, sql: "SELECT COALESCE(before, '') || COALESCE(after, '') FROM audit") }.joined()
        for identifying in ["MRN-77321", "Zebulon", "Quixwater", "1971-04-09"] {
            #expect(!audit.contains(identifying))
        }
    }

    @Test("The database itself refuses UPDATE and DELETE of audit rows")
    func appendOnly() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        try fixture.enroll()
        let database = try fixture.database()
        #expect(throws: DatabaseError.self) { try database.write { try $0.execute(sql: "UPDATE audit SET actor = 'someone else'") } }
        #expect(throws: DatabaseError.self) { try database.write { try $0.execute(sql: "DELETE FROM audit") } }
        #expect(try database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM audit") } == 1)
    }

    @Test("Foreign keys hold: no clinical row for a patient that does not exist")
    func foreignKeys() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let database = try fixture.database()
        #expect(throws: DatabaseError.self) {
            try database.write {
                try $0.execute(sql: """
                    INSERT INTO assessment (patient_id, condition_id, scale_id, scale_version, assessed_on, timepoint, answers, score, subscores, flags)
                    VALUES (999, 'depression', 'phq9', '1.0', '2026-01-01', 'baseline', '[]', 0, '{}', '[]')
                    """)
            }
        }
        try fixture.enroll()
        #expect(throws: DatabaseError.self) { try database.write { try $0.execute(sql: "DELETE FROM patient") } }
    }
}

@Suite("Refusals leave the registry unchanged")
struct RefusalTests {
    @Test("A duplicate MRN, an unknown patient, a scale of another condition and a correction without a reason are refused with nothing written")
    func refusals() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        let date = try ClinicalDate.parse("2026-01-12", field: "d")
        let infusion = try fixture.registry.addInfusion(InfusionEntry(date: date, dosing: .dose(mgPerKg: 0.5), minutes: 40), patient: patient, actor: "n")
        let before = try dumpDatabase(fixture.path)

        #expect(throws: RegistryError.self) { try fixture.enroll() }
        #expect(throws: RegistryError.self) {
            try fixture.registry.addInfusion(InfusionEntry(date: date, dosing: .dose(mgPerKg: 0.5), minutes: 40), patient: RecordID(kind: .patient, row: 99), actor: "n")
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
            try fixture.registry.correctInfusion(RecordID(infusion.id)!, reason: "typo", actor: "n") { $0.dosing = .dose(mgPerKg: 9) }
        }
        #expect(throws: RegistryError.self) {
            try fixture.registry.correctInfusion(RecordID(infusion.id)!, reason: "nothing", actor: "n") { _ in }
        }
        #expect(throws: InputError.self) {
            try fixture.registry.addInfusion(InfusionEntry(date: date, dosing: .dose(mgPerKg: 0.5), minutes: 40,
                                                           adverseEvents: [AdverseEventEntry(term: .nausea, grade: .mild, onset: date, resolvedOn: date.adding(days: -1))]),
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
        #expect(throws: RegistryError.self) { try fixture.registry.withdrawConsent(consenting, on: testToday, reason: "again", actor: "n") }
        #expect(throws: RegistryError.self) { try fixture.registry.withdrawConsent(never, on: testToday, reason: "asked", actor: "n") }
    }
}

@Suite("Patient page")
struct PatientPageTests {
    @Test("The page gathers conditions, history, infusions with their adverse events, assessments, latest scores and flags")
    func page() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll(conditions: ["depression", "migraine"])
        let day1 = try ClinicalDate.parse("2026-01-12", field: "d")
        _ = try fixture.registry.addAssessment(try fixture.catalog.assess(scale: "phq9", answers: [3, 3, 3, 3, 3, 3, 3, 3, 1]), patient: patient, on: day1, timepoint: .baseline, actor: "n")
        let infusion = try fixture.registry.addInfusion(InfusionEntry(condition: "depression", date: day1.adding(days: 1), dosing: .dose(mgPerKg: 0.5), weightKg: 70, minutes: 40,
                                                                      bloodPressureBefore: BloodPressure(systolic: 120, diastolic: 80),
                                                                      adverseEvents: [AdverseEventEntry(term: .dizziness, grade: .moderate, onset: day1.adding(days: 1))]),
                                                        patient: patient, actor: "n")
        let later = try fixture.registry.addAssessment(try fixture.catalog.assess(scale: "phq9", answers: [1, 1, 1, 1, 0, 0, 0, 0, 0]), patient: patient, on: day1.adding(days: 20), timepoint: .postInfusion, actor: "n")
        _ = try fixture.registry.addAssessment(try fixture.catalog.assess(scale: "hit6", answers: [2, 2, 2, 2, 2, 2]), patient: patient, on: day1, timepoint: .baseline, actor: "n")

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
        _ = try fixture.registry.correctAssessment(RecordID(page.assessments[0].id)!, answers: nil, on: nil, timepoint: nil, enteredInError: true,
                                                   catalog: fixture.catalog, reason: "wrong patient's form", actor: "n")
        let corrected = try fixture.registry.patientPage(patient)
        #expect(corrected.flags == [])
        #expect(corrected.assessments.count == 3)
        #expect(corrected.assessments[0].enteredInError)
    }

    @Test("Patient ids read forgivingly and refuse what is not an id", arguments: [("P-000042", 42), ("p-42", 42), ("P42", 42), ("AE-7", 7)])
    func recordIDs(text: String, row: Int64) {
        #expect(RecordID(text)?.row == row)
    }

    @Test("Display ids: the kind's letters and at least six digits",
          arguments: [(RecordKind.patient, Int64(1), "P-000001"), (.patient, 42, "P-000042"), (.assessment, 999_999, "A-999999"),
                      (.adverseEvent, 7, "AE-000007"), (.infusion, 1_000_000, "I-1000000"), (.flag, 12_345_678_901, "F-12345678901"),
                      (.observation, 0, "O-000000")])
    func displayIDs(kind: RecordKind, row: Int64, expected: String) {
        #expect(kind.displayID(row) == expected)
        #expect(RecordID(expected).map { $0.kind == kind && $0.row == row } ?? (row == 0), "read back, except row 0, which no record has")
    }

    @Test("Not ids", arguments: ["42", "P-", "P-x", "Q-1", "P-0", "P--1", ""])
    func notIDs(text: String) {
        #expect(RecordID(text) == nil)
    }
}

@Suite("Opening a registry")
struct OpeningTests {
    @Test("A registry is in WAL mode, and opening it to read writes nothing to the file, even when its -wal file is gone")
    func openingWritesNothing() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("registry.sqlite").path
        let catalog = try ConditionCatalog([DepressionModule()])
        do {
            let registry = try Registry.create(at: path, clinic: "Test clinic", today: testToday, clock: testClock)
            _ = try registry.enroll(Enrollment(identity: PatientIdentity(mrn: "W-1", givenName: "A", familyName: "B",
                                                                         birthDate: try ClinicalDate.parse("1970-01-01", field: "b")),
                                               sex: .female, conditions: ["depression"], enrolledOn: try ClinicalDate.parse("2026-01-10", field: "e"),
                                               researchConsent: true, priorTreatments: []), catalog: catalog, actor: "n")
        }
        // The last connection closed: SQLite checkpointed the WAL and removed it.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        func state() throws -> (mode: String?, schema: Int?, bytes: Data) {
            var readOnly = Configuration()
            readOnly.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: readOnly)
            let found = try queue.read { db in
                (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA schema_version"))
            }
            try queue.close()
            return (found.0, found.1, try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        let before = try state()
        #expect(before.mode == "wal")
        do {
            let registry = try Registry.open(at: path, today: testToday, clock: testClock, catalog: catalog)
            #expect(try registry.patientPage(RecordID("P-000001")!).mrn == "W-1")
        }
        let after = try state()
        #expect(after.mode == "wal")
        #expect(after.schema == before.schema, "the schema was changed by opening the registry")
        #expect(after.bytes == before.bytes, "the file was written by opening and reading the registry")
    }
}

@Suite("Audit JSON")
struct AuditJSONTests {
    @Test("An assessment view with odd text everywhere, subscore names included, is written as Foundation writes it")
    func oddAssessmentView() {
        let odd = "q\"uote \\ é\u{8}\u{1}/"
        for subscores in [nil, [:], [odd: 1.5, "b": -0.0, "a": 1e-7, "": 12]] as [[String: Double]?] {
            let view = AssessmentView(id: odd, patient: odd, condition: odd, scale: odd, scaleVersion: odd, on: odd, timepoint: odd,
                                      answers: [nil, 0, -3, nil], score: 2.25, subscores: subscores, band: subscores == nil ? nil : odd,
                                      flags: [odd, ""], enteredInError: subscores == nil)
            #expect(encodeJSON(view) == encodeWithFoundation(view))
        }
    }

    @Test("Assessments written to the audit trail by hand read exactly as Foundation's encoder writes them")
    func handEncodedAssessments() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll(conditions: ["depression", "neuropathic-pain"])
        let date = try ClinicalDate.parse("2026-01-12", field: "d")
        // A PHQ-9 with an item missing is refused before anything is stored.
        #expect(throws: (any Error).self) { try fixture.catalog.assess(scale: "phq9", answers: [1, 1, 1, nil, 1, 1, 1, 1, 2]) }
        for (scale, answers) in [("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 0]), ("phq9", [1, 1, 1, 1, 1, 1, 1, 1, 2]),
                                 ("bpi-sf", [8, 3, 5, 5, 5, 6, 4, 5, 5, 5, 5]), ("bpi-sf", [8, 3, 5, 5, 5, nil, nil, nil, nil, 5, 5]),
                                 ("cadss6", [0, 1, 2, 3, 4, 2])] as [(String, [Int?])] {
            let scored = try fixture.catalog.assess(scale: scale, answers: answers)
            let view = try fixture.registry.addAssessment(scored, patient: patient, on: date, timepoint: .baseline, repeat: true, actor: "n")
            let stored = try #require(try fixture.registry.auditTrail(for: RecordID(view.id)!).first?.after)
            #expect(stored == encodeWithFoundation(view))
        }
    }

    @Test("Audit timestamps are ISO 8601 in UTC to the millisecond (worked out by Python's datetime)",
          arguments: [(0.0, "1970-01-01T00:00:00.000Z"), (1795000000.125, "2026-11-18T11:06:40.125Z"), (951782400.875, "2000-02-29T00:00:00.875Z"),
                      (-86400.5, "1969-12-30T23:59:59.500Z"), (253402300799.5, "9999-12-31T23:59:59.500Z")])
    func timestamps(seconds: Double, expected: String) {
        #expect(isoTimestamp(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test("The audit chain's hash of a row is SHA-256 over the previous hash and each field with its byte length (a vector worked out by Python's hashlib)")
    func auditChainVector() {
        let fields: [String?] = ["7", "2026-11-26T10:00:00.000Z", "nurse.a", "root", "add", "assessment", "A-000007", "P-000001", nil,
                                 #"{"score":12,"note":"é"}"#, nil]
        #expect(AuditChain.hash(previous: AuditChain.genesis, fields: fields) == "ec4037ea119dad5dcda8e1ee049d01ac54cd2e5f06ee7d976f73bf108815828f")
    }

    @Test("A row's hash, worked out from the row, is the hash `verify` works out from its fields (lengths of 0 to 4 digits, absent fields)")
    func auditChainRowAndFields() {
        for length in [0, 1, 9, 10, 99, 100, 999, 1000, 12_345] {
            let text = String(repeating: "é", count: length / 2) + String(repeating: "x", count: length % 2)
            for withOptionals in [false, true] {
                let row = AuditRow(id: Int64(length + 1), at: "2026-11-26T10:00:00.000Z", actor: text, action: "add", entity: "assessment",
                                   entityId: "A-000007", patient: withOptionals ? text : nil, before: withOptionals ? "{}" : nil, after: text,
                                   reason: withOptionals ? text : nil, account: withOptionals ? "root" : nil)
                let fields: [String?] = [row.id.map(String.init), row.at, row.actor, row.account, row.action, row.entity, row.entityId,
                                         row.patient, row.before, row.after, row.reason]
                #expect(AuditChain.hash(previous: AuditChain.genesis, row: row) == AuditChain.hash(previous: AuditChain.genesis, fields: fields))
            }
        }
    }

    @Test("Infusions written to the audit trail by hand read exactly as Foundation's encoder writes them")
    func handEncodedInfusions() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll(conditions: ["depression", "neuropathic-pain"])
        let date = try ClinicalDate.parse("2026-01-12", field: "d")
        let entries = [
            InfusionEntry(condition: "depression", date: date, dosing: .dose(mgPerKg: 0.5), minutes: 40),
            InfusionEntry(condition: "depression", date: date, time: try ClockTime.parse("09:05", field: "at"), dosing: .dose(mgPerKg: 0.75),
                          weightKg: 81.3, totalMg: 61, minutes: 40, route: .iv,
                          bloodPressureBefore: BloodPressure(systolic: 128, diastolic: 84), bloodPressureAfter: BloodPressure(systolic: 142, diastolic: 90),
                          bloodPressureAtDischarge: BloodPressure(systolic: 130, diastolic: 85), heartRate: 72, oxygenSaturation: 97,
                          monitoringMinutes: 120, concomitantMedication: ["lorazepam \"1 mg\"", "ondansetron/4mg", "métoclopramide\n"],
                          sedation: true, dissociation: true, respiratoryDepression: false,
                          adverseEvents: [AdverseEventEntry(term: .nausea, grade: .mild, onset: date)]),
            InfusionEntry(condition: "neuropathic-pain", date: date, dosing: .rate(mgPerKgPerHour: 0.76), weightKg: 70, minutes: 4320),
        ]
        for entry in entries {
            let view = try fixture.registry.addInfusion(entry, patient: patient, actor: "n")
            let stored = try #require(try fixture.registry.auditTrail(for: RecordID(view.id)!).first?.after)
            #expect(stored == encodeWithFoundation(view))
            #expect(try fixture.registry.patientPage(patient).infusions.first { $0.id == view.id } == view, "read back as written")
        }
    }

    @Test("Enrolments and patient changes written to the audit trail by hand read exactly as Foundation's encoder writes them")
    func handEncodedPatients() {
        let odd = "line\nbreak \"quoted\" back\\slash a/b é \u{1} \u{8}\u{C}\u{1F}\t\r\u{7F}"
        let patients = [
            AuditedPatient(sex: "female", enrolledOn: "2026-01-02", conditions: ["depression"], researchConsent: true,
                           consentWithdrawnOn: nil, consentWithdrawalReason: nil, priorTreatments: [], endedConditions: nil),
            AuditedPatient(sex: "unknown", enrolledOn: "2026-01-02", conditions: ["depression", "neuropathic-pain", odd], researchConsent: false,
                           consentWithdrawnOn: "2026-03-04", consentWithdrawalReason: odd,
                           priorTreatments: [PriorTreatment(category: .antidepressants, adequateTrials: 2), PriorTreatment(category: .migrainePreventives)],
                           endedConditions: ["neuropathic-pain": "2026-02-01", "depression": "2026-02-03", odd: odd]),
            AuditedPatient(sex: "male", enrolledOn: "2026-01-02", conditions: [], researchConsent: false,
                           consentWithdrawnOn: nil, consentWithdrawalReason: "only a reason", priorTreatments: [PriorTreatment(category: .other, adequateTrials: 0)],
                           endedConditions: [:]),
        ]
        for patient in patients {
            #expect(encodeJSON(patient) == encodeWithFoundation(patient))
        }
        for list in [[], [odd], ["a", "", "b/c"]] as [[String]] {
            #expect(jsonStringList(list) == encodeWithFoundation(list))
        }
    }

    @Test("Safety flags written to the audit trail by hand read exactly as Foundation's encoder writes them, and as the flag reads back")
    func handEncodedFlags() throws {
        let odd = "line\nbreak \"quoted\" back\\slash a/b é \u{1} \u{8}\u{C}\u{1F}\t\r\u{7F}"
        for view in [
            SafetyFlagView(id: "F-000001", patient: "P-000001", flag: "suicidal-ideation", rule: odd, source: "A-000002", raisedOn: "2026-01-12",
                           state: "open", reviewedBy: nil, reviewedAt: nil, action: nil),
            SafetyFlagView(id: "F-000002", patient: "P-000001", flag: "x", rule: "r", source: "I-000002", raisedOn: "2026-01-12",
                           state: "reviewed", reviewedBy: odd, reviewedAt: "2026-01-13T10:00:00.000Z", action: odd),
            SafetyFlagView(id: "F-000003", patient: "P-000001", flag: "x", rule: "r", source: "I-000002", raisedOn: "2026-01-12",
                           state: "reviewed", reviewedBy: nil, reviewedAt: nil, action: ""),
        ] {
            #expect(encodeJSON(view) == encodeWithFoundation(view))
        }
        // A flag raised by a recorded reading: its audit row is what `flag list` shows for it.
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll(conditions: ["depression"])
        let date = try ClinicalDate.parse("2026-01-12", field: "d")
        _ = try fixture.registry.addInfusion(InfusionEntry(condition: "depression", date: date, dosing: .dose(mgPerKg: 0.5), minutes: 40,
                                                           oxygenSaturation: 85), patient: patient, actor: "n")
        let raised = try fixture.registry.flags(patient: patient)
        #expect(raised.count == 1)
        for flag in raised {
            let stored = try #require(try fixture.registry.auditTrail(for: RecordID(flag.id)!).first?.after)
            #expect(stored == encodeWithFoundation(flag))
        }
    }

    func encodeWithFoundation<View: Encodable>(_ view: View) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(view), as: UTF8.self)
    }
}

@Suite("Migrations")
struct MigrationTests {
    @Test("A registry made before exports existed is brought up to date on open, with ages at the first infusion filled in")
    func upgradeFromFirstMigration() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("old.sqlite").path
        let pool = try DatabasePool(path: path)
        try Schema.migrator(courseDays: [:], clock: testClock).migrate(pool, upTo: "Create the registry: patients, identity, clinical records, audit")
        try pool.write { db in
            try db.execute(sql: "INSERT INTO registry_info (key, value) VALUES ('created-at', '2026-01-01')")
            try db.execute(sql: "INSERT INTO patient (id, sex, enrolled_on, research_consent, created_at) VALUES (1, 'female', '2026-01-01', 1, 'x'), (2, 'male', '2026-01-01', 1, 'x')")
            try db.execute(sql: "INSERT INTO patient_identity VALUES (1, 'A', 'A', 'A', '1980-06-15'), (2, 'B', 'B', 'B', '1980-06-15')")
            try db.execute(sql: "INSERT INTO patient_condition VALUES (1, 'depression'), (2, 'migraine')")
            // Patient 1's first infusion is the day before their 46th birthday; patient 2 has none.
            try db.execute(sql: """
                INSERT INTO infusion (patient_id, given_on, dose_mg_per_kg, minutes, route, concomitant_medication, sedation, dissociation, respiratory_depression)
                VALUES (1, '2026-06-20', 0.5, 40, 'iv', '[]', 0, 0, 0), (1, '2026-06-14', 0.5, 40, 'iv', '[]', 0, 0, 0)
                """)
        }
        try pool.close()
        _ = try Registry.open(at: path, today: testToday, clock: testClock, catalog: testCatalog)
        let ages = try DatabaseQueue(path: path).read { try Row.fetchAll($0, sql: "SELECT id, age_at_day_zero FROM patient ORDER BY id") }
        #expect(ages.map { $0["age_at_day_zero"] as Int? } == [45, nil])
        let tables = try DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('endpoint', 'outbox', 'export_schedule') ORDER BY name") }
        #expect(tables == ["endpoint", "export_schedule", "outbox"])
    }

    @Test("Clinical writes keep the age at the first infusion beside the clinical data, through corrections too")
    func ageAtDayZero() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll() // born 1971-04-09
        func age() throws -> Int? { try fixture.database().read { try Int.fetchOne($0, sql: "SELECT age_at_day_zero FROM patient") } }
        #expect(try age() == nil)
        let later = try fixture.registry.addInfusion(InfusionEntry(date: try ClinicalDate.parse("2026-04-09", field: "d"), dosing: .dose(mgPerKg: 0.5), minutes: 40), patient: patient, actor: "n")
        #expect(try age() == 55)
        let first = try fixture.registry.addInfusion(InfusionEntry(date: try ClinicalDate.parse("2026-04-08", field: "d"), dosing: .dose(mgPerKg: 0.5), minutes: 40), patient: patient, actor: "n")
        #expect(try age() == 54)
        _ = try fixture.registry.correctInfusion(RecordID(first.id)!, reason: "wrong patient", actor: "n", enteredInError: true) { _ in }
        #expect(try age() == 55)
        _ = later
    }
}

@Suite("Migrating a registry made by the code of 2026-11-26")
struct InfusionConditionMigrationTests {
    @Test("Old infusions get a condition (the only one, or the first whose first course contains them), out-of-range rows are kept and marked, each decision is audited")
    func migratesFixture() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try #require(Bundle.module.url(forResource: "registry-2026-11-26", withExtension: "sqlite", subdirectory: "Fixtures"))
        let path = folder.appendingPathComponent("old.sqlite").path
        try FileManager.default.copyItem(atPath: source.path, toPath: path)
        let registry = try Registry.open(at: path, today: testToday, clock: testClock, catalog: testCatalog)
        let rows = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT id, condition_id, legacy_ranges, dose_mg_per_kg, rate_mg_per_kg_per_hour FROM infusion ORDER BY id")
        }
        // P-000001 depression only; P-000002 neuropathic-pain then depression: days 0, 5, 10 in the
        // 14-day pain course, day 20 only in the 28-day depression course, day 72 in neither.
        #expect(rows.map { $0["condition_id"] as String } == ["depression", "depression", "depression", "neuropathic-pain", "neuropathic-pain",
                                                               "neuropathic-pain", "depression", "neuropathic-pain", "migraine", "depression"])
        // 3 mg/kg iv over 12000 minutes was allowed before; it is kept as it was, and marked.
        #expect(rows.map { $0["legacy_ranges"] as Bool } == [false, false, false, false, false, false, false, false, true, false])
        #expect(rows.allSatisfy { ($0["rate_mg_per_kg_per_hour"] as Double?) == nil })
        let audit = try registry.auditTrail().filter { $0.action == "migrate" }
        #expect(audit.count == 10)
        #expect(audit.first { $0.entityId == "I-000008" }?.reason?.contains("no condition's first course contains it") == true)
        #expect(audit.first { $0.entityId == "I-000009" }?.reason?.contains("kept as it was") == true)
        // Identity never enters the audit trail, the migration's rows included.
        for entry in audit { #expect(!(entry.after ?? "").contains("OLD-") && !(entry.reason ?? "").contains("Bo")) }
        // The migrated registry works: courses per condition, and the CHECK constraints hold for new rows.
        let history = try #require(try registry.histories(patient: RecordID("P-000002")!).first)
        #expect(history.infusions(for: "neuropathic-pain").count == 4)
        #expect(history.infusions(for: "depression").count == 1)
        #expect(throws: (any Error).self) {
            try DatabaseQueue(path: path).write { db in
                try db.execute(sql: "UPDATE infusion SET dose_mg_per_kg = 4 WHERE id = 1") // 4 mg/kg iv: outside today's ranges
            }
        }
        // Opening again changes nothing, and the migrated history is chained and verifies.
        _ = try Registry.open(at: path, today: testToday, clock: testClock, catalog: testCatalog)
        #expect(try registry.auditTrail().filter { $0.action == "migrate" }.count == 10)
        let report = try registry.verify()
        #expect(report.intact, "\(report.problems)")
        #expect(report.auditRows == 33)

        // Corrections made after the migration state each record as this version reads it: that
        // must be the state the old rows and the migration's together describe.
        _ = try registry.correctInfusion(RecordID("I-000001")!, reason: "pump log", actor: "n") { $0.minutes = 45 }
        _ = try registry.correctInfusion(RecordID("I-000009")!, reason: "wrong chart", actor: "n", enteredInError: true, change: nil)
        let corrected = try registry.verify()
        #expect(corrected.intact, "\(corrected.problems)")
        #expect(corrected.auditRows == 35)
    }
}

@Suite("The schema's CHECK constraints say what the code says")
struct InfusionCheckTests {
    @Test("Thousands of infusions near every range's edges: the database accepts a row written behind the program's back exactly when the code would")
    func checksAgreeWithCode() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        let date = try ClinicalDate.parse("2026-02-01", field: "d")
        var random = SeededGenerator(seed: 2026_11_26)
        let doses = [0.0, 0.04, 0.049, 0.05, 0.5, 1.99, 2, 2.01, 4.99, 5, 5.01, 9]
        let minuteChoices = [0, 1, 40, 1_439, 1_440, 1_441, 7_200, 10_080, 10_081]
        let weights: [Double?] = [nil, 1.9, 2, 70, 400, 401]
        var accepted = 0, refused = 0
        for _ in 0..<3_000 {
            let isRate = Bool.random(using: &random)
            let amount = doses.randomElement(using: &random)!
            let dosing: Dosing = isRate ? .rate(mgPerKgPerHour: amount) : .dose(mgPerKg: amount)
            let minutes = minuteChoices.randomElement(using: &random)!
            let route = InfusionRoute.allCases.randomElement(using: &random)!
            let weight = weights.randomElement(using: &random)!
            var total: Double?
            if let weight, Bool.random(using: &random) {
                let expected = InfusionEntry(date: date, dosing: dosing, weightKg: weight, minutes: minutes, route: route).expectedTotalMg(weightKg: weight)
                total = (expected * [0.85, 0.9, 0.95, 1, 1.05, 1.1, 1.15].randomElement(using: &random)! * 100).rounded() / 100
            }
            let entry = InfusionEntry(date: date, dosing: dosing, weightKg: weight, totalMg: total, minutes: minutes, route: route)
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
                    try db.execute(sql: """
                        INSERT INTO infusion (patient_id, condition_id, given_on, dose_mg_per_kg, rate_mg_per_kg_per_hour, weight_kg, total_mg, minutes, route,
                                              concomitant_medication, sedation, dissociation, respiratory_depression)
                        VALUES (?, 'depression', '2026-02-01', ?, ?, ?, ?, ?, ?, '[]', 0, 0, 0)
                        """, arguments: [patient.row, validated.doseMgPerKg, validated.rateMgPerKgPerHour, validated.weightKg, validated.totalMg,
                                         validated.minutes, validated.route.rawValue])
                }
                databaseAccepts = true
            } catch {
                databaseAccepts = false
            }
            let described = "\(dosing) \(minutes) min \(route.rawValue) weight \(weight.map { "\($0)" } ?? "-") total \(total.map { "\($0)" } ?? "-")"
            #expect(codeAccepts == databaseAccepts, "\(described): code \(codeAccepts), database \(databaseAccepts)")
            if codeAccepts { accepted += 1 } else { refused += 1 }
        }
        // Both sides of the edges were tried.
        #expect(accepted > 100, "accepted \(accepted)")
        #expect(refused > 1_000, "refused \(refused)")
    }

    /// The route was first checked with an IN list, for which SQLite builds a temporary table on
    /// every insert; a migration rebuilt the table with comparisons. Both registries, new and
    /// migrated, must accept exactly the routes the code knows.
    @Test("The route is checked by comparisons, in a new registry and in one migrated from 2026-11-26: every route the code knows is stored, nothing else")
    func routeCheck() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let source = try #require(Bundle.module.url(forResource: "registry-2026-11-26", withExtension: "sqlite", subdirectory: "Fixtures"))
        let migrated = fixture.folder.appendingPathComponent("old.sqlite").path
        try FileManager.default.copyItem(atPath: source.path, toPath: migrated)
        // Every migration before this one first, as opening the registry would run them.
        let courseDays = Dictionary(uniqueKeysWithValues: testCatalog.conditions.map { ($0.id, $0.course.withinDays) })
        let old = try DatabaseQueue(path: migrated)
        try Schema.migrator(courseDays: courseDays, clock: testClock).migrate(old, upTo: "Remember what each summary cell was published with, and for which patients")
        let before = try old.read { db in
            (try Row.fetchAll(db, sql: "SELECT * FROM infusion ORDER BY id").map(\.description),
             try Int.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'infusion'"))
        }
        try old.close()
        _ = try Registry.open(at: migrated, today: testToday, clock: testClock, catalog: testCatalog)
        let patient = try fixture.enroll()
        for (path, patientID) in [(fixture.path, patient.row), (migrated, Int64(1))] {
            let database = try DatabaseQueue(path: path)
            let definition = try #require(try database.read { try String.fetchOne($0, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'infusion'") })
            #expect(definition.contains(Schema.routeCheckAsComparisons), "\(path)")
            #expect(!definition.contains(" IN ("), "\(path)")
            let indexes = try database.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'infusion' ORDER BY name") }
            #expect(indexes == ["infusion_on_patient_condition", "infusion_on_patient_id"], "\(path)")
            let condition = try #require(try database.read { try String.fetchOne($0, sql: "SELECT condition_id FROM patient_condition WHERE patient_id = ?", arguments: [patientID]) })
            for route in InfusionRoute.allCases.map(\.rawValue) + ["IV", "Oral", "sublingual", "", "iv ", " iv", "oral;", "intranasal-spray", "'iv'"] {
                var stored = true
                do {
                    try database.write { db in
                        try db.execute(sql: """
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
            (try Row.fetchAll(db, sql: "SELECT * FROM infusion WHERE id <= ? ORDER BY id", arguments: [seq]).map(\.description),
             try Int.fetchAll(db, sql: "SELECT id FROM infusion WHERE id > ? ORDER BY id", arguments: [seq]))
        }
        #expect(!before.0.isEmpty)
        #expect(after.0 == before.0)
        #expect(after.1 == [seq + 1, seq + 2, seq + 3, seq + 4])
        // Adverse events still refer to infusions, foreign key and all.
        func addEvent(infusion: Int) throws {
            try database.write { db in
                try db.execute(sql: "INSERT INTO adverse_event (patient_id, infusion_id, term, grade, serious, onset) VALUES (1, ?, 'nausea', 'mild', 0, '2026-02-01')",
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
            _ = try fixture.registry.addAssessment(try fixture.catalog.assess(scale: "phq9", answers: entry.answers), patient: patient,
                                                   on: try ClinicalDate.parse(entry.day, field: "on"), timepoint: entry.timepoint,
                                                   repeat: entry.repeat, actor: "nurse.a")
        }
        let history = try #require(try fixture.registry.histories(patient: patient).first)
        #expect(history.assessments.map(\.date.description) == ["2026-01-11", "2026-01-12", "2026-01-20", "2026-01-20", "2026-01-20"])
        #expect(history.assessments.map(\.score) == [24, 16, 8, 0, 1])
        // The same order when every patient is read at once.
        #expect(try fixture.registry.histories().first { $0.patient == history.patient }?.assessments == history.assessments)
    }
}
