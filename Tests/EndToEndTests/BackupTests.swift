import Foundation
import GRDB
import RegistryTestSupport
import Testing

@Suite("Backup and restore")
struct BackupTests {
    @Test("Backups taken while another process enrols patients are consistent; each restores to exactly its contents")
    func backupUnderWriter() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        _ = try clinic.enroll(mrn: "B-0")
        // A writer in another process: forty enrolments, one after another.
        let script = (1...40).map { number in
            "'\(Clinic.binary)' enroll --mrn W-\(number) --given Wren --family Writer --birth-date 1980-01-01 --sex other --condition depression --enrolled-on 2026-03-01 >/dev/null"
        }.joined(separator: " && ")
        let writer = try clinic.start(["-c", script], executable: "/bin/sh")
        var backups: [String] = []
        for number in 0..<4 {
            let file = clinic.folder.appendingPathComponent("backup-\(number).sqlite").path
            let made = try clinic.run("backup", file, "--json")
            #expect(made.status == 0, "\(made.standardError)")
            #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600)
            let summary = try #require(try made.json() as? [String: Any])
            let rows = try #require(summary["rows"] as? [String: Int])
            // Consistent: every patient has its identity and its audit row.
            #expect(rows["patient"] == rows["patient_identity"])
            #expect((rows["patient"] ?? 0) >= 1)
            backups.append(file)
            // The next backup waits for the writer to have enrolled someone since (or to be done),
            // so that each catches another moment of it.
            let taken = rows["patient"] ?? 0
            // Read only, waiting out the writer's locks (a checkpoint, a commit) as the program does.
            var reading = Configuration()
            reading.readonly = true
            reading.busyMode = .timeout(30)
            for _ in 0..<1000 where writer.isRunning {
                let now = try DatabaseQueue(path: clinic.registry, configuration: reading).read {
                    try Int.fetchOne($0, sql: "SELECT count(*) FROM patient")
                }
                if (now ?? 0) > taken { break }
                usleep(10_000)
            }
        }
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
        for backup in backups {
            let restored = clinic.folder.appendingPathComponent("restored-\((backup as NSString).lastPathComponent)")
                .path
            let outcome = try clinic.run("restore", backup, environment: ["KETAREG_REGISTRY": restored])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            // The restored registry is the backup, and one audit row more: the restore's.
            let (copy, original) = (try dumpDatabase(restored), try dumpDatabase(backup))
            let restoreRow = try #require(copy.split(separator: "\n").first { $0.contains(#"action:"restore""#) })
            let lines = copy.replacingOccurrences(of: restoreRow + "\n", with: "").split(separator: "\n")
            // (and the audit table's sequence, one on)
            let differing = zip(lines, original.split(separator: "\n")).filter {
                $0.0 != $0.1 && !$0.0.hasPrefix(#"[name:"audit" seq:"#)
            }
            #expect(differing.isEmpty && lines.count == original.split(separator: "\n").count, "\(differing.prefix(3))")
            let audit = try #require(
                try clinic.run("audit", "--json", environment: ["KETAREG_REGISTRY": restored]).json()
                    as? [String: [[String: Any]]])
            let patients = try #require(
                try clinic.run("patients", "--json", environment: ["KETAREG_REGISTRY": restored]).json()
                    as? [String: [[String: Any]]])
            #expect(audit["audit"]?.filter { $0["action"] as? String == "enroll" }.count == patients["patients"]?.count)
        }
        // The last backup, taken after the writer finished or not, never has more than the registry.
        let finalPatients = try #require(try clinic.run("patients", "--json").json() as? [String: [[String: Any]]])
        #expect(finalPatients["patients"]?.count == 41)
    }

    @Test(
        "Backups never overwrite; restore refuses a registry in place without --force, and anything that is not a sound registry"
    )
    func refusals() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        _ = try clinic.enroll(mrn: "R-1")
        let file = clinic.folder.appendingPathComponent("b.sqlite").path
        #expect(try clinic.run("backup", file).status == 0)
        let again = try clinic.run("backup", file)
        #expect(again.status == 1)
        #expect(again.standardError.contains("never overwrites"))
        _ = try clinic.enroll(mrn: "R-2")
        let before = try clinic.dump()
        let inPlace = try clinic.run("restore", file)
        #expect(inPlace.status == 1)
        #expect(inPlace.standardError.contains("--force"))
        #expect(try clinic.dump() == before)
        // Garbage, and a registry damaged behind the program's back, are refused before anything is written.
        let junk = clinic.folder.appendingPathComponent("junk.sqlite").path
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: junk))
        #expect(try clinic.run("restore", junk, "--force").status == 3)
        let damaged = clinic.folder.appendingPathComponent("damaged.sqlite").path
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        for offset in stride(from: 4096, to: min(bytes.count, 4096 * 6), by: 7) { bytes[offset] ^= 0xFF }
        try bytes.write(to: URL(fileURLWithPath: damaged))
        #expect(try clinic.run("restore", damaged, "--force").status == 3)
        #expect(try clinic.dump() == before)
        // With --force alone the registry is kept: it holds an enrolment the backup lacks.
        let later = try clinic.run("restore", file, "--force")
        #expect(later.status == 1 && later.standardError.contains("--discard-later"), "\(later.standardError)")
        #expect(try clinic.dump() == before)
        // With --discard-later too the registry becomes the backup. Twice in the same second (the
        // clock stopped), each restore keeps its own copy of what it replaced.
        let stopped = ["KETAREG_NOW": "2026-11-26T10:00:00Z"]
        #expect(try clinic.run("restore", file, "--force", "--discard-later", environment: stopped).status == 0)
        _ = try clinic.enroll(mrn: "R-3")
        #expect(try clinic.run("restore", file, "--force", "--discard-later", environment: stopped).status == 0)
        let copies = try FileManager.default.contentsOfDirectory(atPath: clinic.folder.path).filter {
            $0.contains(".replaced-") && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm")
        }
        #expect(copies.count == 2, "\(copies)")
        let patients = try #require(try clinic.run("patients", "--json").json() as? [String: [[String: Any]]])
        #expect(patients["patients"]?.map { $0["mrn"] as? String } == ["R-1"])
    }
}
