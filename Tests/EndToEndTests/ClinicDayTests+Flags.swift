import Foundation
import GRDB
import RegistryTestSupport
import Testing

/// Safety flags, thresholds, the day sheet and keyboard entry.
extension ClinicDayTests {
    @Test(
        "Safety flags: every rule raises a numbered flag from its record, shown until a review records who, when and what was done"
    )
    func flags() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try enroll(clinic, mrn: "F-1", given: "Eve", family: "Five")
        // At each rule's edge: just below raises nothing, at the threshold raises one flag.
        #expect(
            try clinic.run(
                "assess", id, "--scale", "phq9", "--on", "2026-02-01", "--timepoint", "baseline", "--answers",
                "2,2,2,2,2,2,2,2,0"
            ).status == 0)
        #expect(
            try clinic.run(
                "assess", id, "--scale", "madrs", "--on", "2026-02-01", "--timepoint", "baseline", "--answers",
                "3,3,3,3,3,3,3,3,3,3"
            ).status == 0)
        #expect(
            try clinic.run(
                "assess", id, "--scale", "qids-sr16", "--on", "2026-02-01", "--timepoint", "baseline", "--answers",
                "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1"
            ).status == 0)
        #expect(
            try clinic.run(
                "infusion", "add", id, "--on", "2026-02-02", "--dose-mg-per-kg", "0.5", "--minutes", "40",
                "--bp-after", "179/109", "--spo2", "90"
            ).status == 0)
        #expect(try clinic.run("flag", "list").standardOutput.contains("No flags."))
        let raisedBy: [([String], String)] = [
            (
                [
                    "assess", id, "--scale", "phq9", "--on", "2026-02-03", "--timepoint", "post-infusion", "--answers",
                    "0,0,0,0,0,0,0,0,1",
                ], "suicide-risk"
            ),
            (
                [
                    "assess", id, "--scale", "madrs", "--on", "2026-02-03", "--timepoint", "post-infusion", "--answers",
                    "0,0,0,0,0,0,0,0,0,4",
                ], "suicide-risk"
            ),
            (
                [
                    "assess", id, "--scale", "qids-sr16", "--on", "2026-02-03", "--timepoint", "post-infusion",
                    "--answers", "0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,0",
                ], "suicide-risk"
            ),
            (
                [
                    "infusion", "add", id, "--on", "2026-02-04", "--dose-mg-per-kg", "0.5", "--minutes", "40",
                    "--bp-before", "150/110",
                ], "high-blood-pressure"
            ),
            (
                [
                    "infusion", "add", id, "--on", "2026-02-05", "--dose-mg-per-kg", "0.5", "--minutes", "40",
                    "--bp-after", "180/90",
                ], "high-blood-pressure"
            ),
            (
                [
                    "infusion", "add", id, "--on", "2026-02-06", "--dose-mg-per-kg", "0.5", "--minutes", "40", "--spo2",
                    "89",
                ], "low-oxygen-saturation"
            ),
            (
                [
                    "infusion", "add", id, "--on", "2026-02-07", "--dose-mg-per-kg", "0.5", "--minutes", "40",
                    "--respiratory-depression",
                ], "respiratory-depression"
            ),
            (["infusion", "observe", "I-000001", "--at", "2026-02-02T00:10", "--spo2", "85"], "low-oxygen-saturation"),
            (
                [
                    "adverse", "add", id, "--term", "hypertension", "--grade", "severe", "--serious", "--onset",
                    "2026-02-08",
                ], "serious-adverse-event"
            ),
        ]
        for (number, (arguments, flag)) in raisedBy.enumerated() {
            let outcome = try clinic.run(arguments: arguments)
            let flagID = "F-00000\(number + 1)"
            #expect(
                outcome.status == 0 && outcome.standardOutput.contains("FOR CLINICIAN REVIEW: \(flagID) \(flag)"),
                "\(arguments): \(outcome.standardOutput) \(outcome.standardError)")
        }
        let listed = try #require(
            (try clinic.run("flag", "list", "--open", "--json").json() as? [String: Any])?["flags"] as? [[String: Any]])
        #expect(
            listed.count == raisedBy.count
                && listed.allSatisfy { $0["state"] as? String == "open" && ($0["rule"] as? String)?.isEmpty == false })
        #expect(listed.map { $0["flag"] as? String } == raisedBy.map(\.1))
        #expect(listed.first?["source"] as? String == "A-000004")
        // Open flags head the patient's page and are listed by due.
        let page = try clinic.run("patient", "show", id).standardOutput
        #expect(page.hasPrefix("OPEN SAFETY FLAG F-000001: suicide-risk from A-000004"), "\(page)")
        #expect(try clinic.run("due").standardOutput.contains("OPEN SAFETY FLAGS"))
        // A review records who, when and what; it is audited; a second one is refused.
        let review = try clinic.run(
            "flag", "review", "F-000001", "--action", "seen by Dr Okafor; safety plan agreed", "--actor", "dr.okafor")
        #expect(review.status == 0, "\(review.standardError)")
        let reviewed = try #require(
            (try clinic.run("flag", "list", "--patient", "F-1", "--json").json() as? [String: Any])?["flags"]
                as? [[String: Any]])
        let first = try #require(reviewed.first)
        #expect(
            first["state"] as? String == "reviewed" && first["reviewedBy"] as? String == "dr.okafor"
                && first["action"] as? String == "seen by Dr Okafor; safety plan agreed"
                && (first["reviewedAt"] as? String)?.hasPrefix("20") == true)
        #expect(!(try clinic.run("patient", "show", id).standardOutput.contains("OPEN SAFETY FLAG F-000001")))
        // A record marked entered in error closes its flags, saying why; a correction that raises a
        // rule raises a flag.
        #expect(
            try clinic.run("correct", "I-000005", "--entered-in-error", "--reason", "wrong patient's chart").status == 0
        )
        let closed = try #require(
            ((try clinic.run("flag", "list", "--json").json() as? [String: Any])?["flags"] as? [[String: Any]])?.first {
                $0["id"] as? String == "F-000007"
            })
        #expect(
            closed["state"] as? String == "reviewed"
                && (closed["action"] as? String)?.contains("wrong patient's chart") == true, "\(closed)")
        #expect(
            try clinic.run("correct", "A-000001", "--answers", "2,2,2,2,2,2,2,2,3", "--reason", "item 9 misread")
                .standardOutput.contains("A-000001"))
        #expect(try clinic.run("flag", "list", "--open").standardOutput.contains("A-000001"))
        let before = try clinic.dump()
        let again = try clinic.run("flag", "review", "F-000001", "--action", "again")
        #expect(again.status != 0 && again.standardError.contains("reviewed already"))
        for bad in [
            ["flag", "review", "F-000099", "--action", "x"], ["flag", "review", "A-000001", "--action", "x"],
            ["flag", "review", "F-000002", "--action", " "],
        ] {
            #expect(try clinic.run(arguments: bad).status != 0, "\(bad)")
        }
        #expect(try clinic.dump() == before)
        #expect(try clinic.run("audit").standardOutput.contains("review F-000001"))
        #expect(try clinic.run("verify").status == 0)
        // The rules are stated where a clinician looks them up.
        #expect(try clinic.run("scale", "show", "madrs").standardOutput.contains("item 10 at 4 or above"))
        #expect(try clinic.run("flag", "--help").standardOutput.contains("below 90"))
    }

    @Test("A CSV import lists the safety flags it raised")
    func importFlags() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let exporter = try Clinic()
        defer { exporter.remove() }
        let id = try enroll(exporter, mrn: "I-1", given: "Ivy", family: "Six")
        #expect(
            try exporter.run(
                "assess", id, "--scale", "phq9", "--on", "2026-02-01", "--timepoint", "baseline", "--answers",
                "2,2,2,2,2,2,2,2,2"
            ).status == 0)
        let file = exporter.folder.appendingPathComponent("out.csv").path
        #expect(try exporter.run("export-csv", file).status == 0)
        // A dry run says what it would raise and raises nothing.
        let dry = try #require(try clinic.run("import", file, "--dry-run", "--json").json() as? [String: Any])
        let wouldRaise = try #require(dry["flagsRaised"] as? [[String: Any]])
        #expect(wouldRaise.map { $0["flag"] as? String } == ["suicide-risk"], "\(dry)")
        #expect(try clinic.run("import", file, "--dry-run").standardOutput.contains("would raise 1 safety flag"))
        #expect(try clinic.run("flag", "list").standardOutput.contains("No flags."))
        let imported = try clinic.run("import", file)
        #expect(imported.status == 0, "\(imported.standardError)")
        #expect(
            imported.standardOutput.contains("raised 1 safety flag") && imported.standardOutput.contains("F-000001"),
            "\(imported.standardOutput)")
        // --json carries the flags with their ids, for a script to pass on.
        #expect(
            try clinic.run(
                "assess", "P-000001", "--scale", "phq9", "--on", "2026-02-02", "--timepoint", "post-infusion",
                "--answers", "0,0,0,0,0,0,0,0,0"
            ).status == 0)
        let second = exporter.folder.appendingPathComponent("second.csv").path
        try
            "record,mrn,on,scale,timepoint,answers\nassessment,I-1,2026-02-03,phq9,post-infusion,0;0;0;0;0;0;0;0;3\nassessment,I-1,2026-02-04,phq9,post-infusion,0;0;0;0;0;0;0;0;0\n"
            .write(toFile: second, atomically: true, encoding: .utf8)
        let json = try #require(try clinic.run("import", second, "--json").json() as? [String: Any])
        let raised = try #require(json["flagsRaised"] as? [[String: Any]])
        #expect(
            raised.count == 1 && raised.first?["id"] as? String == "F-000002"
                && raised.first?["source"] as? String == "A-000003"
                && raised.first?["patient"] as? String == "P-000001" && raised.first?["state"] as? String == "open",
            "\(json)")
        #expect(json["flagsRaisedCount"] as? Int == 1)
        // Many flags: the screen shows the first 20 and how many more; --json counts them all.
        var many = "record,mrn,on,scale,timepoint,answers\n"
        for day in 1...25 {
            many += "assessment,I-1,2026-03-\(String(format: "%02d", day)),phq9,follow-up,0;0;0;0;0;0;0;0;2\n"
        }
        let third = exporter.folder.appendingPathComponent("third.csv").path
        try many.write(toFile: third, atomically: true, encoding: .utf8)
        let dryMany = try #require(try clinic.run("import", third, "--dry-run", "--json").json() as? [String: Any])
        #expect(
            dryMany["flagsRaisedCount"] as? Int == 25 && (dryMany["flagsRaised"] as? [[String: Any]])?.count == 25,
            "\(dryMany)")
        let shown = try clinic.run("import", third)
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(
            shown.standardOutput.contains("raised 25 safety flags for clinician review; the first 20:")
                && shown.standardOutput.contains("... and 5 more: 'ketareg flag list --open' lists every one.")
                && shown.standardOutput.contains("F-000022") && !shown.standardOutput.contains("F-000023"),
            "\(shown.standardOutput)")
    }

    @Test("due shows the oldest 20 open flags and how many more; --json and flag list give every one")
    func dueFlagsAreBounded() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        // 23 patients, each with PHQ-9 item 9 answered 1: 23 open suicide-risk flags.
        var csv = "record,mrn,on,given,family,birth-date,sex,condition,research-consent,scale,timepoint,answers\n"
        for n in 1...23 {
            csv += "enrolment,FL-\(n),2026-01-05,Flag,Patient \(n),1970-01-01,female,depression,yes,,,\n"
            csv += "assessment,FL-\(n),2026-01-06,,,,,,,phq9,baseline,1;1;1;1;1;1;1;1;1\n"
        }
        let file = clinic.folder.appendingPathComponent("flags.csv").path
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let imported = try clinic.run("import", file)
        try #require(imported.status == 0, "\(imported.standardError)")
        let due = try clinic.run("due")
        #expect(due.status == 0)
        let shown = due.standardOutput.split(separator: "\n").filter { $0.contains("suicide-risk") }
        #expect(shown.count == 20, "\(due.standardOutput)")
        #expect(shown.first?.contains("F-000001") == true && shown.last?.contains("F-000020") == true)
        #expect(
            due.standardOutput.contains(
                "... and 3 more open flags, 23 in all: 'ketareg flag list --open' lists every one."))
        let json = try #require(try clinic.run("due", "--json").json() as? [String: Any])
        #expect((json["openFlags"] as? [[String: Any]])?.count == 23)
        #expect(
            try clinic.run("flag", "list", "--open").standardOutput.split(separator: "\n").filter {
                $0.contains("suicide-risk")
            }.count == 23)
    }

    @Test(
        "Vital-sign flag thresholds are the clinic's to set, within stated limits, audited with the reason and checked by verify"
    )
    func thresholds() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try enroll(clinic, mrn: "T-1", given: "Tom", family: "Seven")
        #expect(try clinic.run("flag", "rules").standardOutput.contains("the defaults"))
        // Refused, with nothing written: no reason, out of range, nothing to change.
        let before = try clinic.dump()
        for (bad, says) in [
            (["--systolic-at-least", "170"], "--reason"),
            (["--systolic-at-least", "1700", "--reason", "x"], "140 to 220"),
            (["--spo2-below", "9", "--reason", "x"], "80 to 95"),
            (["--diastolic-at-least", "79", "--reason", "x"], "80 to 130"),
            (["--reason", "x"], "at least one threshold"), (["--spo2-below", "92", "--reason", " "], "reason"),
        ] {
            let outcome = try clinic.run(arguments: ["flag", "thresholds"] + bad)
            #expect(outcome.status != 0 && outcome.standardError.contains(says), "\(bad): \(outcome.standardError)")
        }
        #expect(try clinic.dump() == before)
        // 172/100 passes the defaults; a stricter clinic flags it, from the change on.
        #expect(
            try clinic.run(
                "infusion", "add", id, "--on", "2026-02-02", "--dose-mg-per-kg", "0.5", "--minutes", "40", "--bp-after",
                "172/100", "--spo2", "91"
            ).status == 0)
        let set = try clinic.run(
            "flag", "thresholds", "--systolic-at-least", "170", "--spo2-below", "92", "--reason",
            "protocol v3, approved 2026-01-30")
        #expect(
            set.status == 0 && set.standardOutput.contains("170 systolic or 110 diastolic")
                && set.standardOutput.contains("below 92%"), "\(set.standardOutput)")
        #expect(
            try clinic.run("flag", "list").standardOutput.contains("No flags."),
            "flags already raised (none) stay as they are")
        let outcome = try clinic.run(
            "infusion", "add", id, "--on", "2026-02-04", "--dose-mg-per-kg", "0.5", "--minutes", "40", "--bp-after",
            "172/100", "--spo2", "91")
        #expect(
            outcome.standardOutput.contains("high-blood-pressure")
                && outcome.standardOutput.contains("low-oxygen-saturation"), "\(outcome.standardOutput)")
        let rules = try #require(try clinic.run("flag", "rules", "--json").json() as? [String: Any])
        #expect(
            (rules["vitalThresholds"] as? [String: Int]) == [
                "systolicAtLeast": 170, "diastolicAtLeast": 110, "oxygenSaturationBelow": 92,
            ] && rules["defaults"] as? Bool == false)
        // Audited with before, after and reason; verify notices a change made behind its back.
        let audit = try clinic.run("audit").standardOutput
        #expect(
            audit.contains("vital-flag-rules") && audit.contains("protocol v3")
                && audit.contains("systolicAtLeast: 180 -> 170"), "\(audit)")
        #expect(try clinic.run("verify").status == 0)
        func tamper(_ sql: String) throws {
            let queue = try DatabaseQueue(path: clinic.registry)
            try queue.writeWithoutTransaction { try $0.execute(sql: sql) }
            try queue.close()
        }
        try tamper(
            "UPDATE registry_info SET value = '{\"systolicAtLeast\":220,\"diastolicAtLeast\":130,\"oxygenSaturationBelow\":80}' WHERE key = 'vital-flag-rules'"
        )
        let verify = try clinic.run("verify")
        #expect(
            verify.status != 0
                && verify.standardOutput.contains("vital-flag-rules differs from its last audited state"),
            "\(verify.standardOutput)")
        try tamper("DELETE FROM registry_info WHERE key = 'vital-flag-rules'")
        #expect(try clinic.run("verify").standardOutput.contains("vital-flag-rules is in the audit trail"))
    }

    @Test("The day sheet: open flags, who was treated or assessed that day, and what is due, by name")
    func daySheet() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let treated = try enroll(clinic, mrn: "S-1", given: "Gus", family: "Seven")
        let waiting = try enroll(clinic, mrn: "S-2", given: "Hal", family: "Eight")
        #expect(
            try clinic.run(
                "assess", treated, "--scale", "phq9", "--on", "2026-11-20", "--timepoint", "baseline", "--answers",
                "2,2,2,2,2,2,2,2,1"
            ).status == 0)
        #expect(
            try clinic.run(
                "infusion", "add", treated, "--on", "2026-11-20", "--dose-mg-per-kg", "0.5", "--minutes", "40"
            ).status == 0)
        let sheet = try clinic.run("day", "2026-11-20")
        #expect(sheet.status == 0)
        for expected in [
            "Day sheet for 2026-11-20", "OPEN SAFETY FLAGS", "F-000001", "Seven, Gus", "depression 0.5 mg/kg 40 min",
            "phq9 17 (baseline)",
            "Due or overdue:", "Eight, Hal",
        ] {
            #expect(sheet.standardOutput.contains(expected), "the day sheet lacks \(expected): \(sheet.standardOutput)")
        }
        let json = try #require(try clinic.run("day", "2026-11-20", "--json").json() as? [String: Any])
        #expect((json["seen"] as? [[String: Any]])?.map { $0["patient"] as? String } == [treated])
        #expect(
            (json["due"] as? [[String: Any]])?.contains {
                $0["patient"] as? String == waiting && $0["patientName"] as? String == "Eight, Hal"
            } == true)
        #expect((json["openFlags"] as? [[String: Any]])?.count == 1)
        let quiet = try clinic.run("day", "2026-11-21")
        #expect(quiet.standardOutput.contains("Treated or assessed: nobody on 2026-11-21."))
        #expect(try clinic.run("day", "tomorrow-ish").status != 0)
    }

    /// Runs `assess` at a terminal (script(1)) with what is typed.
    func typed(_ clinic: Clinic, _ arguments: [String], input: String) throws -> Outcome {
        let command = ([Clinic.binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
        return try runProcess(
            "/usr/bin/script", ["-qec", command, "/dev/null"], input: input, environment: clinic.environment())
    }

    @Test(
        "Keyboard entry: whose form it is, '<' goes back, a needed item left blank is asked again at once, the score before 'save?'"
    )
    func keyboardEntry() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try enroll(clinic, mrn: "KB-7", given: "Ines", family: "Nine")
        let form = ["assess", id, "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline"]
        // 2, back, 1; a blank item 2 (PHQ-9 needs every item) asked again: 1; then 1 x 6 and 0: score 8.
        let saved = try typed(clinic, form, input: "2\n<\n1\n\n1\n1\n1\n1\n1\n1\n1\n0\ny\n")
        #expect(saved.status == 0, "\(saved.standardOutput)")
        for expected in [
            "\(id)  Nine, Ines  (MRN KB-7): Patient Health Questionnaire-9 (PHQ-9), baseline, 2026-03-01", "(was 2)",
            "item 2 is needed",
            "Score: 8 (mild)", "Save? [y/N", "phq9 8 (mild)",
        ] {
            #expect(saved.standardOutput.contains(expected), "lacks \(expected): \(saved.standardOutput)")
        }
        // Not saved: nothing written. Asked again the same day: refused before the first item.
        let before = try clinic.dump()
        let declined = try typed(
            clinic, ["assess", id, "--scale", "phq9", "--on", "2026-03-02", "--timepoint", "post-infusion"],
            input: "0\n0\n0\n0\n0\n0\n0\n0\n0\nn\n")
        #expect(
            declined.status != 0 && declined.standardOutput.contains("nothing was saved"), "\(declined.standardOutput)")
        let duplicate = try typed(clinic, form, input: "0\n")
        #expect(
            duplicate.status != 0 && duplicate.standardOutput.contains("A-000001 already records phq9")
                && !duplicate.standardOutput.contains("1/9."),
            "\(duplicate.standardOutput)")
        #expect(try clinic.dump() == before)
        // A scale that allows blanks takes one: BPI-SF interference items may be left out.
        let pain = try enroll(clinic, mrn: "KB-8", given: "Jon", family: "Ten")
        #expect(
            try clinic.run("patient", "condition", "add", pain, "neuropathic-pain", "--on", "2026-02-01").status == 0)
        let bpi = try typed(
            clinic, ["assess", pain, "--scale", "bpi-sf", "--on", "2026-03-01", "--timepoint", "baseline"],
            input: "8\n3\n5\n5\n5\n\n4\n5\n5\n5\n5\ny\n")
        #expect(bpi.status == 0 && !bpi.standardOutput.contains("is needed"), "\(bpi.standardOutput)")
    }
}
