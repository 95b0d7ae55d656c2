import Foundation
import RegistryTestSupport
import Testing

/// Issue 34's tenth attack, first half: `KETAREG_TODAY=2099-01-01` recorded events in 2099. A
/// clinic registry now refuses a day after the machine's date; a test or demo registry takes any
/// day (and says so in `verify`); a purpose changed behind the program's back, or a future date
/// written with another tool, is named. (2099 is after this machine's date until 2098.)
@Suite("A clinic registry records nothing dated in the future")
struct HonestClockTests {
    static let enrolment = [
        "enroll", "--mrn", "F-1", "--given", "Fay", "--family", "Future", "--birth-date", "2000-01-01", "--sex",
        "female", "--condition", "depression",
    ]

    func verify(_ clinic: Clinic) throws -> (status: Int32, details: [String], notes: [String]) {
        let outcome = try clinic.run("verify", "--json", "--offline")
        let report = try #require(try outcome.json() as? [String: Any])
        return (
            outcome.status, (report["problems"] as? [[String: Any]] ?? []).compactMap { $0["detail"] as? String },
            report["notes"] as? [String] ?? []
        )
    }

    @Test(
        "KETAREG_TODAY after the machine's date is refused for a clinic registry, taken by a test one; verify tells them apart"
    )
    func futureDays() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let before = try clinic.dump()
        let refused = try clinic.run(arguments: Self.enrolment, environment: ["KETAREG_TODAY": "2099-01-01"])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("$KETAREG_TODAY"), "\(refused.standardError)")
        #expect(refused.standardError.contains("--purpose test"), "\(refused.standardError)")
        #expect(try clinic.dump() == before, "nothing written")
        let stopped = try clinic.run(
            arguments: ["patients"], environment: ["KETAREG_TODAY": "", "KETAREG_NOW": "2099-01-01T09:00:00Z"])
        #expect(stopped.status == 1 && stopped.standardError.contains("$KETAREG_NOW"), "\(stopped.standardError)")

        // A test registry takes the day, and verify notes what is dated ahead.
        let test = try Clinic(initialise: false)
        defer { test.remove() }
        #expect(try test.run("init", "--purpose", "test").status == 0)
        let taken = try test.run(arguments: Self.enrolment, environment: ["KETAREG_TODAY": "2099-01-01"])
        #expect(taken.status == 0, "\(taken.standardError)")
        let (status, details, notes) = try verify(test)
        #expect(status == 0, "\(details)")
        #expect(
            notes.contains { $0.contains("dated after this machine's date") && $0.contains("P-000001") }, "\(notes)")
        #expect(try test.run("init", "--purpose", "demo").status == 1, "only 'ketareg demo' makes a demo")

        // Turned into a clinic's behind the program's back: the purpose and the future date are named.
        _ = try runProcess("/usr/bin/sqlite3", [test.registry, "DELETE FROM registry_info WHERE key = 'purpose';"])
        let (turned, said, _) = try verify(test)
        #expect(turned == 3)
        #expect(
            said.contains { $0.contains("the registry's purpose is a clinic's, but its audit trail says 'test'") },
            "\(said)")
        // And a clinic registry made to look like a test one is named too.
        _ = try runProcess(
            "/usr/bin/sqlite3", [clinic.registry, "INSERT INTO registry_info (key, value) VALUES ('purpose', 'test');"])
        #expect(try verify(clinic).details.contains { $0.contains("the registry's purpose is 'test'") })

        // A future date written into a clinic registry with another tool.
        let other = try Clinic()
        defer { other.remove() }
        let id = try other.enroll(mrn: "F-2")
        _ = try runProcess(
            "/usr/bin/sqlite3", [other.registry, "UPDATE patient SET enrolled_on = '2099-01-01';"])
        let (dated, found, _) = try verify(other)
        #expect(dated == 3)
        #expect(
            found.contains {
                $0.contains("dated after this machine's date") && $0.contains(id) && $0.contains("set ahead")
            }, "\(found)")
    }
}
