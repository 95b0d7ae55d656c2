import Foundation
import RegistryTestSupport
import Testing

/// The program reads the clock once and hands it down: `KETAREG_NOW` sets it.
@Suite("KETAREG_NOW sets the program's clock")
struct ClockTests {
    @Test("Audit rows carry the moment KETAREG_NOW names; without KETAREG_TODAY, today is that moment's local date")
    func auditTime() throws {
        let clinic = try Clinic(initialise: false)
        defer { clinic.remove() }
        let now = ["KETAREG_NOW": "2026-11-20T09:15:30.250Z", "TZ": "UTC"]
        #expect(try clinic.run(arguments: ["init", "--clinic", "Clock clinic"], environment: now).status == 0)
        let first = try clinic.run(
            arguments: [
                "enroll", "--mrn", "T-0", "--given", "Ann", "--family", "Lee", "--birth-date", "1970-01-01",
                "--sex", "female", "--condition", "depression", "--enrolled-on", "2026-11-20",
            ], environment: now)
        #expect(first.status == 0, "\(first.standardError)")
        let audit = try #require(
            try clinic.run(arguments: ["audit", "--json"], environment: now).json() as? [String: Any])
        let rows = try #require(audit["audit"] as? [[String: Any]])
        #expect(!rows.isEmpty)
        #expect(rows.allSatisfy { ($0["at"] as? String) == "2026-11-20T09:15:30.250Z" }, "\(rows)")

        // Today from the moment alone: a visit on the 21st is in the future on the 20th.
        var dayless = clinic.environment(now)
        dayless["KETAREG_TODAY"] = nil
        let enrolled = try runProcess(
            Clinic.binary,
            [
                "enroll", "--mrn", "T-1", "--given", "Ann", "--family", "Lee", "--birth-date", "1970-01-01",
                "--sex", "female", "--condition", "depression", "--enrolled-on", "2026-11-21",
            ],
            environment: dayless)
        #expect(enrolled.status == 1, "\(enrolled.standardError)")
        #expect(enrolled.standardError.contains("2026-11-21"), "\(enrolled.standardError)")
    }

    @Test(
        "A KETAREG_NOW that is no instant is refused, naming the variable and what it takes; nothing is written",
        arguments: ["tomorrow", "2026-11-20", "2026-13-01T00:00:00Z", "2026-11-20T09:15:30"])
    func refused(value: String) throws {
        let clinic = try Clinic(initialise: false)
        defer { clinic.remove() }
        let outcome = try clinic.run(arguments: ["init"], environment: ["KETAREG_NOW": value])
        #expect(outcome.status == 1, "\(outcome.status) \(outcome.standardError)")
        #expect(outcome.standardError.contains("$KETAREG_NOW"), "\(outcome.standardError)")
        #expect(outcome.standardError.contains("ISO 8601 instant"), "\(outcome.standardError)")
        #expect(!FileManager.default.fileExists(atPath: clinic.registry))
    }
}
