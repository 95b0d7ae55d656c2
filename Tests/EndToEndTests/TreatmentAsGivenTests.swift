import Foundation
import RegistryTestSupport
import Testing

/// A continuous infusion with its observations, a two-condition patient, and an induction followed
/// by maintenance and a re-treatment course, through the binary.
@Suite("Treatment as given, end to end")
struct TreatmentAsGivenTests {
    @Test(
        "A five-day infusion by rate with daily observations; infusions per condition; maintenance, course end and re-treatment"
    )
    func treatmentAsGiven() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try clinic.enroll(mrn: "T-1", condition: ["migraine", "depression"])
        #expect(
            try clinic.run(
                "assess", id, "--scale", "headache-nrs", "--on", "2026-03-02", "--timepoint", "baseline", "--value", "8"
            ).status == 0)
        let added = try clinic.run(
            "infusion", "add", id, "--for", "migraine", "--on", "2026-03-02", "--at", "08:00",
            "--rate-mg-per-kg-per-hour", "0.76", "--minutes", "7200", "--weight-kg", "85", "--json")
        #expect(added.status == 0, "\(added.standardError)")
        let infusion = try #require(try added.json() as? [String: Any])
        #expect(infusion["condition"] as? String == "migraine")
        #expect(infusion["totalMg"] as? Double == 7752)
        #expect(infusion["doseMgPerKg"] == nil)
        for day in 3...6 {
            let observed = try clinic.run(
                "infusion", "observe", "I-000001", "--at", "2026-03-0\(day)T08:00", "--bp", "130/84", "--spo2", "97")
            #expect(observed.status == 0, "\(observed.standardError)")
        }
        // On day 1 the migraine course is running, not complete.
        let running = try clinic.run("patient", "show", id, environment: ["KETAREG_TODAY": "2026-03-03"])
        #expect(running.standardOutput.contains("Course, migraine, induction: infusion 1 of 1 given since 2026-03-02"))
        #expect(running.standardOutput.contains("O-000001"))
        #expect(running.standardOutput.contains("BP 130/84, SpO2 97%"))

        // Depression: a baseline, 4 infusions then stopped by hand, maintenance, then re-treatment.
        #expect(
            try clinic.run(
                "assess", id, "--scale", "phq9", "--on", "2026-04-01", "--timepoint", "baseline", "--answers",
                "2,2,2,2,2,2,2,2,0"
            ).status == 0)
        for day in ["2026-04-02", "2026-04-05", "2026-04-09", "2026-04-12"] {
            #expect(
                try clinic.run(
                    "infusion", "add", id, "--for", "depression", "--on", day, "--dose-mg-per-kg", "0.5", "--minutes",
                    "40"
                ).status == 0)
        }
        let ended = try clinic.run(
            "course", "end", id, "--for", "depression", "--on", "2026-04-14", "--reason", "stopped after four: travel")
        #expect(ended.status == 0, "\(ended.standardError)")
        #expect(
            try clinic.run(
                "assess", id, "--scale", "phq9", "--on", "2026-04-20", "--timepoint", "post-infusion", "--answers",
                "1,1,1,1,1,1,1,1,0"
            ).status == 0)
        #expect(
            try clinic.run(
                "infusion", "add", id, "--for", "depression", "--on", "2026-05-10", "--dose-mg-per-kg", "0.5",
                "--minutes", "40"
            ).status == 0)
        #expect(try clinic.run("course", "start", id, "--for", "depression", "--on", "2026-07-01").status == 0)
        #expect(
            try clinic.run(
                "assess", id, "--scale", "phq9", "--on", "2026-07-01", "--timepoint", "baseline", "--answers",
                "2,2,2,2,2,2,2,2,0"
            ).status == 0)
        #expect(
            try clinic.run(
                "infusion", "add", id, "--for", "depression", "--on", "2026-07-02", "--dose-mg-per-kg", "0.5",
                "--minutes", "40"
            ).status == 0)

        let page = try #require(try clinic.run("patient", "show", id, "--json").json() as? [String: Any])
        let courses = try #require(page["courses"] as? [[String: Any]])
        let depression = courses.filter { $0["condition"] as? String == "depression" }
        #expect(depression.map { $0["kind"] as? String } == ["induction", "re-treatment"])
        #expect(depression.first?["infusionsGiven"] as? Int == 4)
        #expect(depression.first?["maintenanceInfusions"] as? Int == 1)
        #expect(depression.first?["endedByHandOn"] as? String == "2026-04-14")
        #expect(courses.first { $0["condition"] as? String == "migraine" }?["infusionsGiven"] as? Int == 1)

        let outcomes = try #require(
            try clinic.run("outcomes", "--condition", "depression", "--json").json() as? [String: Any])
        let rows = try #require(outcomes["outcomes"] as? [[String: Any]])
        let induction = try #require(
            rows.first {
                $0["outcome"] as? String == "response" && $0["window"] as? String == "immediate"
                    && $0["course"] as? String == "induction"
            })
        #expect(induction["assessed"] as? Int == 1)
        #expect(induction["responders"] as? Int == 1)  // 16 -> 8: exactly 50% lower
        let retreatment = try #require(
            rows.first {
                $0["outcome"] as? String == "response" && $0["window"] as? String == "immediate"
                    && $0["course"] as? String == "re-treatment"
            })
        #expect(retreatment["started"] as? Int == 1)
        // As of the day before the induction was ended, it was still running.
        let before = try #require(
            try clinic.run("outcomes", "--condition", "depression", "--as-of", "2026-04-13", "--json").json()
                as? [String: Any])
        let earlier = try #require(
            (before["outcomes"] as? [[String: Any]])?.first {
                $0["outcome"] as? String == "response" && $0["window"] as? String == "immediate"
            })
        #expect(earlier["inCourse"] as? Int == 1)
        #expect(earlier["eligible"] as? Int == 0)

        // A day that is not a date stops every command, naming the variable.
        let bad = try clinic.run("outcomes", environment: ["KETAREG_TODAY": "2026-02-30"])
        #expect(bad.status == 1)
        #expect(
            bad.standardError.contains(
                "$KETAREG_TODAY: '2026-02-30' is not allowed; expected a real date as YYYY-MM-DD"))
    }
}
