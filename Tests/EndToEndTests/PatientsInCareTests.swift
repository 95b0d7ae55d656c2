import Foundation
import RegistryTestSupport
import Testing

/// A clinic that adopts the registry with patients already in treatment records them as they
/// were: enrolled today, consent signed months before, infusions and scores on their own days.
@Suite("Patients already in care")
struct PatientsInCareTests {
    func enroll(_ clinic: Clinic, mrn: String, _ extra: [String]) throws -> Outcome {
        try clinic.run(
            arguments: [
                "enroll", "--mrn", mrn, "--given", "Ines", "--family", "Okafor", "--birth-date", "1971-05-20", "--sex",
                "female", "--condition", "depression", "--enrolled-on", testToday.description,
            ] + extra)
    }

    @Test(
        "Treated since March, enrolled today with consent signed in March: recorded without refusal, the consent dated March, the March course counted"
    )
    func treatedSinceMarch() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let enrolled = try enroll(clinic, mrn: "C-1", ["--research-consent", "yes", "--consented-on", "2026-03-10"])
        #expect(enrolled.status == 0, "\(enrolled.standardError)")
        let id = enrolled.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(
            try clinic.run(
                "assess", id, "--scale", "phq9", "--on", "2026-03-10", "--timepoint", "baseline", "--answers",
                "2,2,2,2,2,2,2,2,0"
            ).status == 0)
        for day in ["2026-03-11", "2026-03-13", "2026-03-16", "2026-03-18", "2026-03-20", "2026-03-23"] {
            let given = try clinic.run("infusion", "add", id, "--on", day, "--dose-mg-per-kg", "0.5", "--minutes", "40")
            #expect(given.status == 0, "\(given.standardError)")
        }
        #expect(
            try clinic.run(
                "assess", id, "--scale", "phq9", "--on", "2026-03-30", "--timepoint", "post-infusion", "--answers",
                "1,1,1,0,1,0,1,1,0"
            ).status == 0)
        let page = try #require(try clinic.run("patient", "show", id, "--json").json() as? [String: Any])
        let decisions = try #require(page["consentDecisions"] as? [[String: Any]])
        #expect(decisions.count == 1)
        #expect(decisions.first?["on"] as? String == "2026-03-10", "\(decisions)")
        let outcomes = try #require(
            try clinic.run("outcomes", "--condition", "depression", "--json").json() as? [String: Any])
        let rows = try #require(outcomes["outcomes"] as? [[String: Any]])
        let response = try #require(
            rows.first { $0["outcome"] as? String == "response" && $0["window"] as? String == "immediate" })
        #expect(response["assessed"] as? Int == 1 && response["responders"] as? Int == 1, "\(response)")
        // The enrolment's audit row says when consent was signed.
        let trail = try clinic.run("audit", id)
        #expect(
            trail.standardOutput.contains("research consent signed on 2026-03-10, before enrolment"),
            "\(trail.standardOutput)")
        // A later withdrawal, and a withdrawal dated before enrolment for another patient who
        // consented earlier still: both before today, after the consent.
        #expect(
            try clinic.run("patient", "consent", id, "--research", "no", "--on", "2026-06-01", "--reason", "moved")
                .status == 0)
        let other = try enroll(clinic, mrn: "C-2", [])
        #expect(other.status == 0)
        let otherID = other.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let given = try clinic.run(
            "patient", "consent", otherID, "--research", "yes", "--on", "2026-02-01", "--reason", "signed at intake")
        #expect(given.status == 0, "consent dated before enrolment: \(given.standardError)")
    }

    @Test(
        "A consent day before birth, after enrolment, in the future or without consent is refused, naming the field, and nothing is written",
        arguments: [
            (["--research-consent", "yes", "--consented-on", "1960-01-01"], "consented-on"),
            (["--research-consent", "yes", "--consented-on", "2026-11-27"], "consented-on"),
            (["--research-consent", "no", "--consented-on", "2026-03-10"], "consented-on"),
            (["--research-consent", "yes", "--consented-on", "2026-02-30"], "consented-on"),
        ] as [([String], String)])
    func refused(extra: [String], field: String) throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let before = try clinic.dump()
        let refused = try enroll(clinic, mrn: "C-9", extra)
        #expect(refused.status == 1, "\(extra): \(refused.standardOutput)")
        #expect(refused.standardError.contains(field), "\(refused.standardError)")
        #expect(try clinic.dump() == before, "nothing written")
    }

    @Test("A consent decision dated before the patient's birth is refused, naming the field")
    func consentBeforeBirth() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let enrolled = try enroll(clinic, mrn: "C-3", [])
        let id = enrolled.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let refused = try clinic.run(
            "patient", "consent", id, "--research", "yes", "--on", "1970-01-01", "--reason", "signed")
        #expect(refused.status == 1)
        #expect(
            refused.standardError.contains("--on") && refused.standardError.contains("birth"),
            "\(refused.standardError)")
    }
}
