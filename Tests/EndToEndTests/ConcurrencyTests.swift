import Foundation
import GRDB
import RegistryStore
import RegistryTestSupport
import Testing

@Suite("Commands wait for each other's writes")
struct ConcurrencyTests {
    @Test(
        "A writer holds the registry: an enrolment says at its terminal that it waits, waits while the lock is held, and succeeds once it is given up"
    )
    func waitsForLongWriter() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        // Held until this test gives it up (at most 120 s): the enrolment's own notice, not a
        // length of time, says when it is waiting in the registry's busy handler, whose limit
        // (Registry.waitLimitSeconds, 600 s) is far beyond SQLite's usual few seconds.
        #expect(Registry.waitLimitSeconds == 600)
        let release = try holdWriteLock(clinic.registry, seconds: 120)
        let output = clinic.folder.appendingPathComponent("enrol.out")
        #expect(FileManager.default.createFile(atPath: output.path, contents: nil))
        let command = [
            Clinic.binary, "enroll", "--mrn", "C-1", "--given", "Ann", "--family", "Lee", "--birth-date", "1970-01-01",
            "--sex", "female", "--condition", "depression", "--enrolled-on", "2026-03-01",
        ].map { "'\($0)'" }.joined(separator: " ")
        // script(1) gives the command a terminal, where it says that it waits.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.environment = clinic.environment()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        var said = false
        for _ in 0..<1200 where !said {
            said = ((try? String(contentsOf: output, encoding: .utf8)) ?? "").contains("Waiting for another ketareg")
            if !said { usleep(50_000) }
        }
        #expect(said, "the enrolment said it was waiting")
        #expect(process.isRunning, "it waits while the writer holds the lock")
        #expect(try release() == .releasedByCaller)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\((try? String(contentsOf: output, encoding: .utf8)) ?? "")")
        let patients = try #require(try clinic.run("patients", "--json").json() as? [String: [[String: Any]]])
        #expect(patients["patients"]?.map { $0["id"] as? String } == ["P-000001"])
    }

    @Test("While a long import holds the write lock, a command that only reads does not wait for it")
    func readersGoAhead() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        _ = try clinic.enroll(mrn: "C-1")
        // As an import does: rows committed to the write-ahead log, then a long transaction.
        // Held until the readers are done (at most 120 s): a reader that waited for the writer
        // would finish only after the lock was given up by itself.
        let release = try holdWriteLock(
            clinic.registry, seconds: 120,
            before: "INSERT INTO registry_info (key, value) VALUES ('test-marker', 'x')",
            during: "DELETE FROM registry_info WHERE key = 'test-marker'")
        var ran = 0
        for arguments in [["patients"], ["patient", "show", "P-000001"], ["outcomes"], ["due"]] {
            let outcome = try clinic.run(arguments: arguments)
            #expect(outcome.status == 0, "\(arguments): \(outcome.standardError)")
            ran += 1
        }
        #expect(ran == 4)
        #expect(try release() == .releasedByCaller, "the readers waited for the writer")
    }

    @Test("An import and enrolments at once: both succeed, and every row is there")
    func importAndEnrolments() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        var lines = [
            "record,mrn,on,given,family,birth-date,sex,condition,scale,timepoint,answers",
            "enrolment,BIG-1,2026-01-05,Ann,Lee,1970-01-01,female,depression,,,",
        ]
        for number in 0..<10_000 {
            lines.append(
                "assessment,BIG-1,2026-01-\(String(format: "%02d", 6 + number % 20)),,,,,,phq9,follow-up,\"1,1,1,1,1,1,1,1,\(number % 2)\""
            )
        }
        let file = clinic.folder.appendingPathComponent("big.csv")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let importer = try clinic.start(["import", file.path])
        var enrolled: [String] = []
        for number in 1...5 { enrolled.append(try clinic.enroll(mrn: "E-\(number)")) }
        importer.waitUntilExit()
        #expect(importer.terminationStatus == 0)
        #expect(enrolled.count == 5 && !enrolled.contains(""))
        let patients = try #require(try clinic.run("patients", "--json").json() as? [String: [[String: Any]]])
        #expect(patients["patients"]?.count == 6)
        #expect(try clinic.run("verify").status == 0)
    }
}

/// How a lock held by ``holdWriteLock(_:seconds:before:during:)`` ended.
enum LockRelease: Equatable {
    /// The caller released it before its time was up.
    case releasedByCaller
    /// It was held for all its `seconds`.
    case heldForAllItsTime
}

/// Holds the registry's write lock from a connection of its own (running `before` first, and
/// `during` once the lock is held) until the returned function is called or `seconds` have
/// passed. Returns once the lock is held, with a function that releases it, waits for the
/// release and says how it ended (or throws what went wrong on the holder's side).
func holdWriteLock(_ path: String, seconds: Double, before: String? = nil, during: String? = nil) throws -> () throws ->
    LockRelease
{
    final class Outcome: @unchecked Sendable {
        var error: (any Error)?
        var ended = LockRelease.heldForAllItsTime
    }
    let holder = try DatabaseQueue(path: path)
    let started = DispatchSemaphore(value: 0)
    let done = DispatchSemaphore(value: 0)
    let releasing = DispatchSemaphore(value: 0)
    let outcome = Outcome()
    Thread.detachNewThread {
        do {
            try holder.inDatabase { db in
                if let before { try db.execute(sql: before) }
                try db.execute(sql: "BEGIN IMMEDIATE")
                if let during { try db.execute(sql: during) }
                started.signal()
                if releasing.wait(timeout: .now() + seconds) == .success { outcome.ended = .releasedByCaller }
                try db.execute(sql: "COMMIT")
            }
        } catch {
            outcome.error = error
            started.signal()
        }
        done.signal()
    }
    started.wait()
    return {
        releasing.signal()
        done.wait()
        if let error = outcome.error { throw error }
        return outcome.ended
    }
}
