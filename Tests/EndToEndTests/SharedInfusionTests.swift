import Foundation
import RegistryTestSupport
import Testing

/// One infusion given for two of the patient's conditions counts in both courses.
@Suite("Infusions given for several conditions")
struct SharedInfusionTests {
    @Test(
        "Six infusions for depression and neuropathic pain: both courses are counted from the same infusions, and the pain NRS 7 -> 4 is in the pain outcome"
    )
    func depressionAndPain() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try clinic.enroll(mrn: "B-1", condition: ["depression", "neuropathic-pain"])
        func run(_ arguments: String...) throws {
            let outcome = try clinic.run(arguments: arguments)
            #expect(outcome.status == 0, "\(arguments): \(outcome.standardError)")
        }
        try run(
            "assess", id, "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline", "--answers",
            "2,2,2,2,2,2,2,2,0")
        try run("assess", id, "--scale", "pain-nrs", "--on", "2026-03-01", "--timepoint", "baseline", "--value", "7")
        for day in ["02", "05", "09", "12", "16", "19"] {
            try run(
                "infusion", "add", id, "--on", "2026-03-\(day)", "--dose-mg-per-kg", "0.5", "--minutes", "40", "--for",
                "depression", "--for", "neuropathic-pain")
        }
        // The pain course (three within two weeks) is over after the third infusion, on day 7.
        try run(
            "assess", id, "--scale", "pain-nrs", "--on", "2026-03-10", "--timepoint", "post-infusion", "--value", "4")
        try run(
            "assess", id, "--scale", "phq9", "--on", "2026-03-22", "--timepoint", "post-infusion", "--answers",
            "1,1,1,0,1,0,1,1,0")
        let report = try #require(try clinic.run("outcomes", "--json").json() as? [String: Any])
        let rows = try #require(report["outcomes"] as? [[String: Any]])
        for (condition, scale, outcome) in [
            ("depression", "phq9", "response"), ("neuropathic-pain", "pain-nrs", "moderate-improvement"),
        ] {
            let row = try #require(
                rows.first {
                    $0["condition"] as? String == condition && $0["scale"] as? String == scale
                        && $0["window"] as? String == "immediate" && $0["course"] as? String == "induction"
                        && $0["outcome"] as? String == outcome
                }, "\(condition)")
            #expect(row["assessed"] as? Int == 1 && row["responders"] as? Int == 1, "\(condition): \(row)")
        }
        let page = try clinic.run("patient", "show", id)
        #expect(!page.standardOutput.contains("neuropathic-pain, induction: not started"), "\(page.standardOutput)")
        #expect(page.standardOutput.contains("depression + neuropathic-pain"), "\(page.standardOutput)")
        let json = try #require(try clinic.run("patient", "show", id, "--json").json() as? [String: Any])
        let infusions = try #require(json["infusions"] as? [[String: Any]])
        #expect(infusions.allSatisfy { $0["alsoFor"] as? [String] == ["neuropathic-pain"] })

        // The day sheet names both conditions.
        let day = try clinic.run("day", "2026-03-02")
        #expect(day.standardOutput.contains("depression+neuropathic-pain"), "\(day.standardOutput)")

        // The clinic's CSV lists both; a copy imported from it counts the same.
        let csv = try clinic.run("export-csv", "-")
        #expect(csv.standardOutput.contains("depression;neuropathic-pain"))

        // Pain cannot be ended before an infusion that counts in its course.
        let ended = try clinic.run(
            "patient", "condition", "end", id, "neuropathic-pain", "--on", "2026-03-10", "--reason", "resolved")
        #expect(ended.status == 1)
        #expect(
            ended.standardError.contains("I-000004 was given for neuropathic-pain on 2026-03-12"),
            "\(ended.standardError)")

        // A correction can take the second condition off; the audit trail keeps both states.
        try run("correct", "I-000006", "--for", "depression", "--reason", "given for depression only")
        let trail = try clinic.run("audit", "I-000006")
        #expect(trail.standardOutput.contains("alsoFor"), "\(trail.standardOutput)")
        #expect(try clinic.run("verify").status == 0)

        // A condition the patient does not have is refused, naming the field; nothing is written.
        let before = try clinic.dump()
        let refused = try clinic.run(
            "infusion", "add", id, "--on", "2026-03-23", "--dose-mg-per-kg", "0.5", "--minutes", "40", "--for",
            "depression,migraine")
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("--for"), "\(refused.standardError)")
        #expect(try clinic.dump() == before)

        // A condition added behind the program's back is named by verify.
        try clinic.tamper(
            "INSERT INTO infusion_also_for (infusion_id, patient_id, condition_id) VALUES (6, 1, 'neuropathic-pain')")
        let verify = try clinic.run("verify")
        #expect(verify.status != 0)
        #expect(verify.standardOutput.contains("I-000006 differs"), "\(verify.standardOutput)")
    }
}
