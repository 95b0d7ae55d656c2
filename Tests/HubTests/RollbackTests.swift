import Foundation
import GRDB
import RegistryTestSupport
import Testing

/// Issue 34's third attack: an older backup restored over the registry, after a delivery the
/// backup does not have. The restore must not roll back in silence: it is refused unless asked
/// for; when asked for, it is audited, keeps what was delivered and what was published, and
/// `verify` tells the discarded history from a rewrite. A copy made behind the program's back
/// is named by the hub's receipts.
@Suite("A restore cannot roll the registry back in silence", .serialized)
struct RollbackTests {
    static func rows(_ path: String, _ sql: String) throws -> [String] {
        var reading = Configuration()
        reading.readonly = true
        return try DatabaseQueue(path: path, configuration: reading).read { db in
            try Row.fetchAll(db, sql: sql).map { $0.description }
        }
    }

    @Test(
        "Attack 3: an older backup restored after a delivery: refused, then audited, with the delivery and the release memory kept"
    )
    func restoreOverLaterDelivery() throws {
        guard postgresURL != nil else {
            try #require(!requirePostgres, "\(postgresMissing)")
            return
        }
        let clinic = try AnchoredChainTests.Clinic()
        defer { clinic.hub.remove() }
        let backup = clinic.hub.folder.appendingPathComponent("older.sqlite").path
        try #require(try clinic.ketareg("backup", backup).status == 0)
        // After the backup: a patient enrolled, and a second summary delivered, a month on.
        let enrolled = try clinic.ketareg(
            "enroll", "--mrn", "LATE-1", "--given", "Lee", "--family", "Later", "--birth-date", "1970-02-02", "--sex",
            "female", "--condition", "depression")
        try #require(enrolled.status == 0, "\(enrolled.standardError)")
        let deliveredEarlier = "SELECT id FROM outbox WHERE state = 'delivered' ORDER BY created_at"
        let earlier = try Self.rows(clinic.registry, deliveredEarlier)
        clinic.environment["KETAREG_TODAY"] = "2026-12-27"
        let second = try clinic.ketareg("export", "run", "hub", "--json")
        try #require(second.status == 0, "\(second.standardError)")
        let delivered = try Self.rows(clinic.registry, deliveredEarlier)
        try #require(delivered.count == earlier.count + 1)
        let receipts = try Self.rows(clinic.registry, "SELECT count(*) FROM receipt")
        let memoryBefore = try Self.rows(clinic.registry, "SELECT * FROM summary_cell ORDER BY key")
        let membersBefore = try Self.rows(
            clinic.registry, "SELECT * FROM summary_cell_member ORDER BY key, patient, since")
        try #require(!memoryBefore.isEmpty)
        let before = try dumpDatabase(clinic.registry)

        // What the insider ran: refused, naming what would be lost; nothing is written.
        let refused = try clinic.ketareg("restore", backup, "--force")
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("--discard-later"), "\(refused.standardError)")
        #expect(refused.standardError.contains("delivered export"), "\(refused.standardError)")
        #expect(try dumpDatabase(clinic.registry) == before)
        let folder = URL(fileURLWithPath: clinic.registry).deletingLastPathComponent().path
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).allSatisfy { !$0.contains(".replaced-") })

        // Asked for: restored, audited, the replaced registry kept, the delivery and memory carried.
        let restored = try clinic.ketareg("restore", backup, "--force", "--discard-later", "--json")
        #expect(restored.status == 0, "\(restored.standardError)")
        let summary = try #require(try restored.json() as? [String: Any])
        #expect(summary["replaced"] as? String == "readable")
        #expect((summary["discardedRows"] as? Int ?? 0) >= 2, "the enrolment and the second export's rows")
        #expect(summary["carriedExports"] as? [String] == [String(delivered.last!.split(separator: "\"")[1])])
        #expect(summary["releaseMemory"] as? String == "replaced")
        let kept = try #require(summary["keptAt"] as? String)
        #expect((try FileManager.default.attributesOfItem(atPath: kept)[.posixPermissions] as? Int) == 0o600)
        #expect(try Self.rows(kept, "SELECT count(*) FROM patient_identity WHERE mrn = 'LATE-1'") == ["[count(*):1]"])
        #expect(
            try Self.rows(clinic.registry, "SELECT count(*) FROM patient_identity WHERE mrn = 'LATE-1'") == [
                "[count(*):0]"
            ])
        #expect(try Self.rows(clinic.registry, "SELECT * FROM summary_cell ORDER BY key") == memoryBefore)
        #expect(
            try Self.rows(clinic.registry, "SELECT * FROM summary_cell_member ORDER BY key, patient, since")
                == membersBefore)
        #expect(
            try Self.rows(clinic.registry, "SELECT id FROM outbox WHERE state = 'delivered' ORDER BY created_at")
                == delivered)
        #expect(try Self.rows(clinic.registry, "SELECT count(*) FROM receipt") == receipts)
        let audit = try Self.rows(clinic.registry, "SELECT action, entity FROM audit ORDER BY id DESC LIMIT 1")
        #expect(audit == [#"[action:"restore" entity:"registry"]"#])

        // verify, asking the hub too: intact, the rollback named, the hub's receipt of the
        // discarded history told from a rewrite.
        let (strict, held) = try clinic.verify()
        #expect(strict == 3, "a restore row could be forged: its discarded anchors count until accepted")
        #expect(
            clinic.details(held).allSatisfy { $0.contains("the restore at audit row") && $0.contains("on purpose") },
            "\(clinic.details(held))")
        #expect(!clinic.details(held).isEmpty)
        let (status, report) = try clinic.verify("--accept-restores")
        #expect(status == 0, "\(clinic.details(report))")
        let notes = report["notes"] as? [String] ?? []
        #expect(notes.contains { $0.contains("restored a backup") && $0.contains("discarding row") }, "\(notes)")
        #expect(notes.contains { $0.contains("of the history the restore at audit row") }, "\(notes)")

        // Behind the program's back instead: the backup copied over the file. The hub's receipts
        // say the trail was rolled back.
        let behind = try AnchoredChainTests.Clinic()
        defer { behind.hub.remove() }
        let older = behind.hub.folder.appendingPathComponent("older.sqlite").path
        try #require(try behind.ketareg("backup", older).status == 0)
        behind.environment["KETAREG_TODAY"] = "2026-12-27"
        try #require(try behind.ketareg("export", "run", "hub").status == 0)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: behind.registry + suffix) }
        try FileManager.default.removeItem(atPath: behind.registry)
        try FileManager.default.copyItem(atPath: older, toPath: behind.registry)
        let (copied, found) = try behind.verify()
        #expect(copied == 3)
        let said = behind.details(found)
        #expect(said.contains { $0.contains("rolled back") || $0.contains("does not keep") }, "\(said)")
    }

    @Test("A restore that loses nothing needs no --discard-later, and is audited; an unreadable registry needs it")
    func restoreThatLosesNothing() throws {
        guard postgresURL != nil else {
            try #require(!requirePostgres, "\(postgresMissing)")
            return
        }
        let clinic = try AnchoredChainTests.Clinic()
        defer { clinic.hub.remove() }
        let backup = clinic.hub.folder.appendingPathComponent("now.sqlite").path
        try #require(try clinic.ketareg("backup", backup).status == 0)
        let same = try clinic.ketareg("restore", backup, "--force", "--json")
        #expect(same.status == 0, "\(same.standardError)")
        let summary = try #require(try same.json() as? [String: Any])
        #expect(summary["discardedRows"] as? Int == 0)
        #expect(summary["keptAt"] == nil)
        #expect(try clinic.verify().status == 0)
        // Restoring the same backup again now discards the first restore's audit row.
        let again = try clinic.ketareg("restore", backup, "--force")
        #expect(again.status == 1 && again.standardError.contains("audit row"), "\(again.standardError)")
        // A file that cannot be read: what it held is unknown, so only --discard-later replaces it.
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: clinic.registry + suffix) }
        try Data("not a registry at all".utf8).write(to: URL(fileURLWithPath: clinic.registry))
        let unreadable = try clinic.ketareg("restore", backup, "--force")
        #expect(
            unreadable.status == 1 && unreadable.standardError.contains("cannot be read"), "\(unreadable.standardError)"
        )
        let forced = try clinic.ketareg("restore", backup, "--force", "--discard-later", "--json")
        #expect(forced.status == 0, "\(forced.standardError)")
        #expect((try forced.json() as? [String: Any])?["replaced"] as? String == "unreadable")
    }
}
