import Foundation
import RegistryTestSupport
import Testing

/// Issue 34's tenth attack, second half: two patients' identity rows swapped behind the program's
/// back, so that one patient's history shows under the other's MRN. The audit rows carry a keyed
/// seal of each identity row (never the identity), and `verify` names the swap.
@Suite("Identity rows are sealed in the audit trail")
struct IdentityTamperTests {
    func problems(_ clinic: Clinic) throws -> (status: Int32, details: [String]) {
        let outcome = try clinic.run("verify", "--json", "--offline")
        let report = try #require(try outcome.json() as? [String: Any])
        return (outcome.status, (report["problems"] as? [[String: Any]] ?? []).compactMap { $0["detail"] as? String })
    }

    @Test(
        "Two identity rows swapped with sqlite3 are named; an edit through the program seals anew; no identity is in the trail"
    )
    func swappedIdentities() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let first = try clinic.enroll(mrn: "MRN-1")
        let second = try clinic.enroll(mrn: "MRN-2")
        let edit = try clinic.run(
            "patient", "edit", second, "--given", "Rosalind", "--phone", "+44 20 7946 0000", "--reason",
            "misspelt at enrolment")
        #expect(edit.status == 0, "\(edit.standardError)")
        #expect(try problems(clinic).status == 0, "an edit through the program seals the row anew")
        // The seal is a keyed hash: the trail holds no identity, and seals of two rows differ.
        let trail = try runProcess("/usr/bin/sqlite3", [clinic.registry, "SELECT after FROM audit;"]).standardOutput
        #expect(!trail.contains("MRN-1") && !trail.contains("Rosalind") && !trail.contains("7946"))
        #expect(trail.contains("hmac-sha256:"))

        let swap = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            rows = db.execute("SELECT patient_id, mrn, given_name, family_name, birth_date FROM patient_identity ORDER BY patient_id").fetchall()
            (a, *x), (b, *y) = rows[0], rows[1]
            db.execute("UPDATE patient_identity SET mrn = 'swap' WHERE patient_id = ?", (a,))
            db.execute("UPDATE patient_identity SET mrn = ?, given_name = ?, family_name = ?, birth_date = ? WHERE patient_id = ?", (*x, b))
            db.execute("UPDATE patient_identity SET mrn = ?, given_name = ?, family_name = ?, birth_date = ? WHERE patient_id = ?", (*y, a))
            db.commit()
            """
        let attacked = try runProcess("/usr/bin/env", ["python3", "-c", swap, clinic.registry])
        try #require(attacked.status == 0, "\(attacked.standardError)")
        let shown = try #require(try clinic.run("patient", "show", first, "--json").json() as? [String: Any])
        #expect((shown["patient"] as? [String: Any] ?? shown)["mrn"] as? String == "MRN-2", "the swap took: \(shown)")
        let (status, details) = try problems(clinic)
        #expect(status == 3)
        for id in [first, second] {
            #expect(details.contains { $0.hasPrefix("\(id) differs") && $0.contains("identity") }, "\(id): \(details)")
        }
        // A phone number changed behind the program's back is named too.
        let other = try Clinic()
        defer { other.remove() }
        let only = try other.enroll(mrn: "MRN-9")
        _ = try runProcess("/usr/bin/sqlite3", [other.registry, "UPDATE patient_identity SET phone = '+1 555 0199';"])
        #expect(try problems(other).details.contains { $0.hasPrefix("\(only) differs") && $0.contains("identity") })
    }
}
