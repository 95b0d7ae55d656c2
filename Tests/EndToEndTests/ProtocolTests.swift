import Foundation
import RegistryCore
import RegistryTestSupport
import Testing

/// A clinic's own protocol, set with `ketareg protocol`, decides how its courses are divided and
/// judged; each course is judged under the protocol in force on the day it started.
@Suite("The clinic's own protocols")
struct ProtocolTests {
    /// A migraine patient as the product description's clinic treats them: a headache rating of 7
    /// at baseline, three 40-minute infusions on days 0, 2 and 4, the post-course rating two days
    /// after the last, and a follow-up at day 41 (`end` and `later`, nil for none).
    func seriesOfThree(_ clinic: Clinic, mrn: String, start: String, end: Int?, later: Int?) throws {
        let id = try clinic.enroll(mrn: mrn, condition: ["migraine"])
        let day0 = try #require(Self.day(start))
        func on(_ offset: Int) -> String { day0.adding(days: offset).description }
        #expect(
            try clinic.run(
                "assess", id, "--scale", "headache-nrs", "--on", on(-1), "--timepoint", "baseline", "--value", "7"
            ).status == 0)
        for offset in [0, 2, 4] {
            let given = try clinic.run(
                "infusion", "add", id, "--on", on(offset), "--dose-mg-per-kg", "0.5", "--minutes", "40")
            #expect(given.status == 0, "\(given.standardError)")
        }
        if let end {
            #expect(
                try clinic.run(
                    "assess", id, "--scale", "headache-nrs", "--on", on(6), "--timepoint", "post-infusion", "--value",
                    String(end)
                ).status == 0)
        }
        if let later {
            #expect(
                try clinic.run(
                    "assess", id, "--scale", "headache-nrs", "--on", on(41), "--timepoint", "follow-up", "--value",
                    String(later)
                ).status == 0)
        }
    }

    static func day(_ text: String) -> ClinicalDate? { try? ClinicalDate.parse(text, field: "day") }

    /// `protocol set migraine` for a series of three infusions within 14 days, assessed within 7
    /// days of the course's end, with `extra` (by default the reason `clinic protocol`).
    func setSeriesOfThree(_ clinic: Clinic, _ extra: String...) throws -> Outcome {
        try clinic.run(
            arguments: [
                "protocol", "set", "migraine", "--infusions", "3", "--within-days", "14", "--end-window-days", "7",
            ]
                + (extra.isEmpty ? ["--reason", "clinic protocol"] : extra))
    }

    /// The induction rows of the headache rating's response, by protocol and window.
    func responseRows(_ clinic: Clinic, _ extra: String...) throws -> [String: [String: Any]] {
        let outcomes = try clinic.run(arguments: ["outcomes", "--condition", "migraine", "--json"] + extra)
        #expect(outcomes.status == 0, "\(outcomes.standardError)")
        let report = try #require(try outcomes.json() as? [String: Any])
        let rows = try #require(report["outcomes"] as? [[String: Any]])
        var found: [String: [String: Any]] = [:]
        for row in rows
        where row["outcome"] as? String == "response" && row["scale"] as? String == "headache-nrs"
            && row["course"] as? String == "induction"
        {
            let key = "\(row["protocol"] as? String ?? "?") \(row["visit"] as? String ?? "immediate")"
            #expect(found[key] == nil, "one row per protocol and window: \(key) twice")
            found[key] = row
        }
        return found
    }

    @Test(
        "A series of three infusions, then assessed: under the module's five-day protocol nothing can be judged; under the clinic's, immediate and sustained response are counted exactly"
    )
    func seriesOfThreeMigraine() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        // Ten patients: end-of-course ratings 3, 3, 3, 3, 3, 3 (responders: 7 -> 5 or less), 6, 6,
        // 7 and one missing; at day 41, 4, 4, 4, 6 (no longer a response: 7 -> 6), 3, 3 for the
        // six responders, 5 for two of the rest.
        let ends: [Int?] = [3, 3, 3, 3, 3, 3, 6, 6, 7, nil]
        let laters: [Int?] = [4, 4, 4, 6, 3, 3, 5, 5, nil, nil]
        for index in 0..<10 {
            try seriesOfThree(
                clinic, mrn: "M-\(index)", start: "2026-0\(3 + index % 5)-0\(2 + index / 5)", end: ends[index],
                later: laters[index])
        }
        let before = try responseRows(clinic)
        #expect(before["module/1.0 immediate"]?["assessed"] as? Int == 0, "\(before)")
        #expect(before["module/1.0 immediate"]?["eligible"] as? Int == 10)

        let set = try setSeriesOfThree(clinic)
        #expect(set.status == 0, "\(set.standardError)")
        #expect(set.standardOutput.contains("clinic/1 for every course"), "\(set.standardOutput)")
        let after = try responseRows(clinic)
        #expect(Set(after.keys) == ["clinic/1 immediate", "clinic/1 visit-1", "clinic/1 visit-2"], "\(after.keys)")
        let immediate = try #require(after["clinic/1 immediate"])
        #expect(immediate["eligible"] as? Int == 10)
        #expect(immediate["assessed"] as? Int == 9)
        #expect(immediate["missing"] as? Int == 1)
        #expect(immediate["responders"] as? Int == 6)
        // The module's visit 1 (days 21-69, aiming for day 38) is kept: day 41 counts. Sustained:
        // met at the end and still met at day 41, so 5 of the 6 responders; the patient with no
        // end-of-course rating and the one with neither are missing.
        let sustained = try #require(after["clinic/1 visit-1"])
        #expect(sustained["assessed"] as? Int == 8, "\(sustained)")
        #expect(sustained["missing"] as? Int == 2)
        #expect(sustained["responders"] as? Int == 5)

        // The page, the due list and the day sheet name the clinic's course.
        let page = try clinic.run("patient", "show", "P-000001")
        #expect(page.standardOutput.contains("course complete under clinic/1 (3 infusions"), "\(page.standardOutput)")
        let shown = try clinic.run("protocol", "show", "migraine", "--json")
        let protocols = try #require((try shown.json() as? [String: Any])?["protocols"] as? [[String: Any]])
        let changes = try #require(protocols.first?["changes"] as? [[String: Any]])
        #expect(changes.count == 1 && changes.first?["reason"] as? String == "clinic protocol")
        #expect(try clinic.run("verify").status == 0)
    }

    @Test(
        "A protocol set from a day applies to courses starting on or after it: earlier courses keep theirs and their results, and both protocols have rows of their own"
    )
    func changeMidYear() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        #expect(try setSeriesOfThree(clinic).status == 0)
        for (index, end) in [3, 3, 6].enumerated() {
            try seriesOfThree(clinic, mrn: "S-\(index)", start: "2026-03-0\(2 + index)", end: end, later: 4)
        }
        let spring = try responseRows(clinic)
        // Two infusions from July: a spring course under it would have ended after its second.
        let changed = try clinic.run(
            "protocol", "set", "migraine", "--infusions", "2", "--within-days", "7", "--end-window-days", "5",
            "--follow-up", "visit-1:30:20-40", "--from", "2026-07-01", "--reason", "two infusions from July")
        #expect(changed.status == 0, "\(changed.standardError)")
        for (index, end) in [3, 6].enumerated() {
            try seriesOfThree(clinic, mrn: "A-\(index)", start: "2026-08-0\(3 + index)", end: end, later: 3)
        }
        let rows = try responseRows(clinic)
        for key in ["clinic/1 immediate", "clinic/1 visit-1", "clinic/1 visit-2"] {
            let was = try #require(spring[key])
            let now = try #require(rows[key])
            for count in ["started", "eligible", "assessed", "missing", "responders"] {
                #expect(now[count] as? Int == was[count] as? Int, "\(key) \(count) changed")
            }
        }
        #expect(rows["clinic/1 immediate"]?["responders"] as? Int == 2)
        // Under clinic/2 the course is over after two infusions (days 0 and 2) and its window
        // runs to day 7: the day-6 rating counts; the third infusion is maintenance.
        let summer = try #require(rows["clinic/2 immediate"])
        #expect(summer["started"] as? Int == 2)
        #expect(summer["assessed"] as? Int == 2)
        #expect(summer["responders"] as? Int == 1)
        #expect(rows["clinic/2 visit-2"] == nil, "clinic/2 has one visit")
        // Day 41 is outside clinic/2's visit (days 20-40): not seen.
        #expect(rows["clinic/2 visit-1"]?["missing"] as? Int == 2)

        let only = try responseRows(clinic, "--protocol", "clinic/2")
        #expect(Set(only.keys) == ["clinic/2 immediate", "clinic/2 visit-1"], "\(only.keys)")
        let unknown = try clinic.run("outcomes", "--protocol", "clinic/9")
        #expect(unknown.status == 1)
        #expect(
            unknown.standardError.contains("protocol") && unknown.standardError.contains("clinic/1, clinic/2"),
            "\(unknown.standardError)")

        // Back to the module's protocol for courses from December: earlier courses keep theirs.
        #expect(
            try clinic.run("protocol", "reset", "migraine", "--from", "2026-12-01", "--reason", "study ends")
                .status == 0)
        let reset = try responseRows(clinic)
        #expect(reset["clinic/2 immediate"]?["responders"] as? Int == 1)
        #expect(reset["module/1.0 immediate"]?["started"] as? Int == 0)
        #expect(try clinic.run("verify").status == 0)
    }

    @Test(
        "Impossible protocols are refused naming the field and the allowed values, and nothing is written",
        arguments: [
            (["--infusions", "0"], "infusions"),
            (["--end-window-days", "-1"], "end-window-days"),
            (["--within-days", "400"], "within-days"),
            (["--follow-up", "visit-1:41:56-28"], "starts on or before it ends"),
            (["--follow-up", "visit-1:60:28-56"], "a target day inside its own window"),
            (["--follow-up", "visit-1:10:5-12"], "a window ending after day 14"),
            (["--follow-up", "visit-1:41:28-56", "--follow-up", "visit-1:90:75-120"], "visit-1 is given twice"),
            (["--follow-up", "visit 1"], "ID:DAY:FROM-TO"),
            (["--follow-up", "baseline:41:28-56"], "--follow-up"),
            (["--follow-up", "end-of-course:41:28-56"], "--follow-up"),
            (["--follow-up", "visit--1:41:28-56"], "inner hyphens"),
            (["--reason", " "], "reason"),
            (["--from", "2026-02-30"], "from"),
        ] as [([String], String)])
    func refused(change: [String], names: String) throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        var arguments: [String: String] = [
            "--infusions": "3", "--within-days": "14", "--end-window-days": "7", "--reason": "clinic protocol",
        ]
        var visits: [String] = []
        var index = 0
        while index < change.count {
            if change[index] == "--follow-up" {
                visits.append(change[index + 1])
            } else {
                arguments[change[index]] = change[index + 1]
            }
            index += 2
        }
        // `--option=value`, so that a negative number is read as the option's value.
        let given =
            ["protocol", "set", "migraine"] + arguments.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            + visits.map { "--follow-up=\($0)" }
        let before = try clinic.dump()
        let refused = try clinic.run(arguments: given)
        #expect(refused.status == 1, "\(given): \(refused.standardOutput)")
        #expect(refused.standardError.contains(names), "\(given): \(refused.standardError)")
        #expect(try clinic.dump() == before, "nothing written")
    }

    @Test("The clinic's protocols changed behind the program's back are named by verify")
    func tamperedProtocol() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        #expect(try setSeriesOfThree(clinic).status == 0)
        #expect(try clinic.run("verify").status == 0)
        try clinic.tamper(
            "UPDATE registry_info SET value = replace(value, '\"infusions\":3', '\"infusions\":1') WHERE key = 'protocols:migraine'"
        )
        let verify = try clinic.run("verify")
        #expect(verify.status != 0)
        #expect(verify.standardOutput.contains("protocols:migraine differs"), "\(verify.standardOutput)")
    }

    @Test(
        "A clinic protocol longer than the module's: its visit is still due (the due list reads far enough back); a change that changes nothing and one over a history planted behind the program's back are refused"
    )
    func longProtocolAndRefusedChanges() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let set = try setSeriesOfThree(clinic, "--follow-up", "visit-1:200:180-240", "--reason", "a long follow-up")
        #expect(set.status == 0, "\(set.standardError)")
        try seriesOfThree(clinic, mrn: "L-1", start: "2026-03-02", end: 3, later: nil)
        // Day 190 of the course: the visit's window (days 180-240) is open.
        let due = try clinic.run("due", "--as-of", "2026-09-08", "--json")
        #expect(due.status == 0, "\(due.standardError)")
        #expect(due.standardOutput.contains("visit-1"), "\(due.standardOutput)")

        // The same protocol set again from a day: nothing changes.
        let again = try setSeriesOfThree(
            clinic, "--follow-up", "visit-1:200:180-240", "--from", "2026-06-01", "--reason", "same again")
        #expect(again.status == 1)
        #expect(again.standardError.contains("nothing changed"), "\(again.standardError)")

        // A history written behind the program's back is not built on.
        try clinic.tamper(
            "UPDATE registry_info SET value = replace(value, '\"infusions\":3', '\"infusions\":2') WHERE key = 'protocols:migraine'"
        )
        let before = try clinic.dump()
        let planted = try clinic.run("protocol", "reset", "migraine", "--reason", "back to the module")
        #expect(planted.status == 3, "\(planted.standardError)")
        #expect(planted.standardError.contains("not what the audit trail last recorded"), "\(planted.standardError)")
        #expect(try clinic.dump() == before, "nothing written")
    }
}
