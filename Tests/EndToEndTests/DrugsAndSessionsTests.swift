import Foundation
import RegistryTestSupport
import Testing

/// Esketamine sessions in devices with the REMS fields, ketamine by every route, and a titrated
/// continuous infusion, through the binary.
@Suite("Drugs, routes, titration and the esketamine session")
struct DrugsAndSessionsTests {
    /// The number of infusions on the patient's page.
    static func infusions(_ clinic: Clinic, _ id: String) throws -> [[String: Any]] {
        let page = try #require(try clinic.run("patient", "show", id, "--json").json() as? [String: Any])
        return try #require(page["infusions"] as? [[String: Any]])
    }

    @Test(
        "Esketamine in whole devices only (28, 56, 84 mg), intranasal, never by weight or rate: every refusal names the field and the allowed values, and writes nothing"
    )
    func esketamineDevices() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try clinic.enroll(mrn: "E-1")
        let base = ["infusion", "add", id, "--on", "2026-03-02", "--at", "10:00", "--drug", "esketamine"]
        for dose in ["28", "56", "84"] {
            let outcome = try clinic.run(arguments: base + ["--dose-mg", dose, "--json"])
            #expect(outcome.status == 0, "\(dose): \(outcome.standardError)")
            let infusion = try #require(try outcome.json() as? [String: Any])
            #expect(infusion["drug"] as? String == "esketamine" && infusion["route"] as? String == "intranasal")
            #expect(infusion["doseMg"] as? Double == Double(dose) && infusion["totalMg"] as? Double == Double(dose))
            #expect(infusion["doseMgPerKg"] == nil)
        }
        // 1, 2 and 3 devices, 5 minutes apart.
        #expect(try Self.infusions(clinic, id).map { $0["minutes"] as? Int } == [1, 5, 10])
        for (extra, field, allowed) in [
            (["--dose-mg", "50"], "--dose-mg", "28, 56 or 84 mg (whole 28 mg devices)"),
            (["--dose-mg", "112"], "--dose-mg", "28, 56 or 84 mg"),
            (["--dose-mg", "0"], "--dose-mg", "28, 56 or 84 mg"),
            (["--dose-mg-per-kg", "0.5", "--minutes", "5"], "--dose-mg-per-kg", "esketamine is not dosed by weight"),
            (["--dose-mg", "56", "--route", "iv"], "--route", "intranasal: esketamine is given no other way"),
            (["--dose-mg", "56", "--route", "oral"], "--route", "intranasal"),
            (["--rate-mg-per-kg-per-hour", "0.5", "--minutes", "60"], "--route", "intravenous ketamine"),
            (["--dose-mg", "56", "--total-mg", "70"], "--total-mg", "within 10% of the dose of 56 mg"),
        ] {
            let outcome = try clinic.run(arguments: base + extra)
            #expect(outcome.status == 1, "\(extra)")
            #expect(
                outcome.standardError.contains("\(field): ") && outcome.standardError.contains(allowed),
                "\(extra): \(outcome.standardError)")
            #expect(outcome.standardOutput.isEmpty)
        }
        #expect(try Self.infusions(clinic, id).count == 3, "nothing written by a refusal")
        #expect(try clinic.run("verify").status == 0)
    }

    @Test(
        "Every ketamine route has its ranges, each edge allowed and the step past it refused, in mg/kg and in mg"
    )
    func routeRanges() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try clinic.enroll(mrn: "R-1")
        let cases: [(route: String, option: String, value: String, allowed: Bool)] = [
            ("subcutaneous", "--dose-mg-per-kg", "1", true), ("subcutaneous", "--dose-mg-per-kg", "1.01", false),
            ("subcutaneous", "--dose-mg", "100", true), ("subcutaneous", "--dose-mg", "100.5", false),
            ("sublingual", "--dose-mg", "5", true), ("sublingual", "--dose-mg", "4.9", false),
            ("sublingual", "--dose-mg", "300", true), ("sublingual", "--dose-mg", "301", false),
            ("oral", "--dose-mg", "500", true), ("oral", "--dose-mg", "501", false),
            ("intranasal", "--dose-mg", "10", true), ("intranasal", "--dose-mg", "9", false),
            ("im", "--dose-mg-per-kg", "5", true), ("im", "--dose-mg-per-kg", "5.01", false),
            ("iv", "--dose-mg", "400", true), ("iv", "--dose-mg", "401", false),
            ("iv", "--dose-mg-per-kg", "2", true), ("iv", "--dose-mg-per-kg", "2.01", false),
        ]
        var written = 0
        for item in cases {
            let outcome = try clinic.run(
                arguments: [
                    "infusion", "add", id, "--on", "2026-03-02", "--route", item.route, item.option, item.value,
                    "--minutes", "20",
                ])
            #expect(outcome.status == (item.allowed ? 0 : 1), "\(item): \(outcome.standardError)")
            if item.allowed {
                written += 1
            } else {
                #expect(
                    outcome.standardError.contains("\(item.option): '")
                        && outcome.standardError.contains("for ketamine by the \(item.route) route"),
                    "\(item): \(outcome.standardError)")
            }
        }
        let stored = try Self.infusions(clinic, id)
        #expect(stored.count == written && written == 9)
        #expect(
            Set(stored.compactMap { $0["route"] as? String }) == [
                "subcutaneous", "sublingual", "oral", "intranasal", "im", "iv",
            ])
        // The page and the day sheet say what was given.
        let page = try clinic.run("patient", "show", id)
        #expect(page.standardOutput.contains("300 mg sublingual"), "\(page.standardOutput)")
        let help = try clinic.run("infusion", "add", "--help")
        #expect(help.standardOutput.contains("sublingual") && help.standardOutput.contains("--dose-mg "))
    }

    @Test(
        "A titrated five-day infusion keeps its steps; its total is their integral, and the pump's total is accepted within 10% of it, not outside"
    )
    func titration() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try clinic.enroll(mrn: "T-1", condition: ["migraine"])
        let added = try clinic.run(
            "infusion", "add", id, "--on", "2026-03-02", "--at", "08:00", "--rate-mg-per-kg-per-hour", "0.3",
            "--minutes", "7200", "--weight-kg", "61", "--json")
        #expect(added.status == 0, "\(added.standardError)")
        // The highest-rate reckoning (0.76 x 120 h x 61 kg = 5,563 mg) never applies: the rate
        // rises to 0.5 after a day and to 0.76 after two.
        #expect(try clinic.run("infusion", "rate", "I-000001", "--at", "2026-03-03T08:00", "--rate", "0.5").status == 0)
        let observed = try clinic.run(
            "infusion", "observe", "I-000001", "--at", "2026-03-04T08:00", "--rate", "0.76", "--bp", "130/80")
        #expect(observed.status == 0, "\(observed.standardError)")
        var infusion = try #require(try Self.infusions(clinic, id).first)
        // 0.3 x 24 + 0.5 x 24 + 0.76 x 72 = 73.92 mg/kg, x 61 kg.
        #expect(infusion["totalMg"] as? Double == 4509.12, "\(infusion)")
        let steps = try #require(infusion["rateSteps"] as? [[String: Any]])
        #expect(steps.map { $0["at"] as? String } == ["2026-03-03T08:00", "2026-03-04T08:00"])
        #expect(steps.map { $0["rateMgPerKgPerHour"] as? Double } == [0.5, 0.76])
        // The pump's real total: within 10% of the integral accepted, outside it refused, naming both.
        let refused = try clinic.run("infusion", "rate", "I-000001", "--total-mg", "5563")
        #expect(refused.status == 1)
        #expect(
            refused.standardError.contains("--total-mg: '5563'") && refused.standardError.contains("= 4509.12 mg"),
            "\(refused.standardError)")
        #expect(try clinic.run("infusion", "rate", "I-000001", "--total-mg", "4100").status == 0)
        infusion = try #require(try Self.infusions(clinic, id).first)
        #expect(infusion["totalMg"] as? Double == 4100)
        // Steps outside the run, twice at one moment, on a dose, or above 2 mg/kg/h are refused.
        for (arguments, words) in [
            (["I-000001", "--at", "2026-03-07T08:00", "--rate", "0.2"], "before it ended"),
            (["I-000001", "--at", "2026-03-02T07:00", "--rate", "0.2"], "after the infusion started"),
            (["I-000001", "--at", "2026-03-03T08:00", "--rate", "0.4"], "no rate change yet"),
            (["I-000001", "--at", "2026-03-05T08:00", "--rate", "2.5"], "0 is a pause"),
            (["I-000001", "--at", "2026-03-05T08:00"], "--rate"),
        ] {
            let outcome = try clinic.run(arguments: ["infusion", "rate"] + arguments)
            #expect(outcome.status != 0, "\(arguments)")
            #expect(outcome.standardError.contains(words), "\(arguments): \(outcome.standardError)")
        }
        #expect(
            try clinic.run("infusion", "add", id, "--on", "2026-03-10", "--dose-mg-per-kg", "0.5", "--minutes", "40")
                .status == 0)
        let onDose = try clinic.run("infusion", "rate", "I-000002", "--at", "10:00", "--rate", "0.5")
        #expect(onDose.status == 1 && onDose.standardError.contains("a continuous infusion"), "\(onDose.standardError)")
        #expect(try #require(Self.infusions(clinic, id).first?["rateSteps"] as? [[String: Any]]).count == 2)
        // Steps given at once, the pump's total with them.
        let atOnce = try clinic.run(
            "infusion", "add", id, "--on", "2026-03-20", "--at", "08:00", "--rate-mg-per-kg-per-hour", "0.3",
            "--rate-step", "2026-03-21T08:00=0.5", "--rate-step", "2026-03-22T08:00=0.76", "--minutes", "7200",
            "--weight-kg", "61", "--total-mg", "4100", "--json")
        #expect(atOnce.status == 0, "\(atOnce.standardError)")
        // The audit trail keeps every step; verify names a step changed behind the program's back.
        #expect(try clinic.run("verify").status == 0)
        let trail = try clinic.run("audit", "I-000001")
        #expect(trail.standardOutput.contains("rate"), "\(trail.standardOutput)")
        try clinic.tamper(
            "UPDATE infusion_rate_step SET rate_mg_per_kg_per_hour = 0.3 WHERE minute = 2880 AND infusion_id = 1")
        let verify = try clinic.run("verify")
        #expect(verify.status != 0 && verify.standardOutput.contains("rateSteps"), "\(verify.standardOutput)")
        // The clinic's CSV carries the steps.
        let csv = try clinic.run("export-csv", "-")
        #expect(csv.standardOutput.contains("2026-03-21T08:00=0.5;2026-03-22T08:00=0.76"), "\(csv.standardOutput)")

        // A corrected start keeps each step at its moment on the clock.
        let moved = try clinic.run("correct", "I-000003", "--at", "09:00", "--reason", "pump started late", "--json")
        #expect(moved.status == 0, "\(moved.standardError)")
        let movedSteps = try #require((try moved.json() as? [String: Any])?["rateSteps"] as? [[String: Any]])
        #expect(movedSteps.map { $0["at"] as? String } == ["2026-03-21T08:00", "2026-03-22T08:00"])
        #expect(movedSteps.map { $0["minute"] as? Int } == [1380, 2820])
        // A new day alone moves the whole infusion, its steps with it.
        let day = try clinic.run("correct", "I-000003", "--on", "2026-03-19", "--reason", "wrong day", "--json")
        let daySteps = try #require((try day.json() as? [String: Any])?["rateSteps"] as? [[String: Any]])
        #expect(daySteps.map { $0["minute"] as? Int } == [1380, 2820], "\(day.standardError)")
        #expect(daySteps.map { $0["at"] as? String } == ["2026-03-20T08:00", "2026-03-21T08:00"])
        // A rate for an infusion marked entered in error is refused, with or without readings, and
        // nothing is written.
        #expect(try clinic.run("correct", "I-000003", "--entered-in-error", "--reason", "wrong patient").status == 0)
        let before = try clinic.run("audit", "--json").standardOutput
        for arguments in [
            ["infusion", "rate", "I-000003", "--at", "2026-03-23T08:00", "--rate", "0.4"],
            ["infusion", "observe", "I-000003", "--at", "2026-03-23T08:00", "--rate", "0.4", "--bp", "120/80"],
        ] {
            let outcome = try clinic.run(arguments: arguments)
            #expect(
                outcome.status == 1 && outcome.standardError.contains("entered in error"), "\(outcome.standardError)")
        }
        #expect(try clinic.run("audit", "--json").standardOutput == before)
    }

    @Test("A ready-to-leave time needs the start of dosing and must fall after it ended, within 12 hours")
    func readyToLeave() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try clinic.enroll(mrn: "L-1")
        let base = ["infusion", "add", id, "--on", "2026-03-02", "--drug", "esketamine", "--dose-mg", "56"]
        for (extra, words) in [
            (["--ready-to-leave", "12:00"], "with the start time of dosing"),
            (["--at", "10:00", "--ready-to-leave", "09:30"], "a time after dosing ended (10:05)"),
        ] {
            let outcome = try clinic.run(arguments: base + extra)
            #expect(outcome.status == 1 && outcome.standardError.contains("--ready-to-leave: "), "\(extra)")
            #expect(outcome.standardError.contains(words), "\(extra): \(outcome.standardError)")
        }
        #expect(try Self.infusions(clinic, id).isEmpty)
        // Late at night, ready after midnight: monitored across it.
        let late = try clinic.run(arguments: base + ["--at", "23:00", "--ready-to-leave", "01:30", "--json"])
        #expect(late.status == 0, "\(late.standardError)")
        #expect((try late.json() as? [String: Any])?["monitoringMinutes"] as? Int == 145)
        // A corrected start works the monitoring out again: 22:00 gives 205 minutes.
        let corrected = try clinic.run("correct", "I-000001", "--at", "22:00", "--reason", "clock", "--json")
        #expect((try corrected.json() as? [String: Any])?["monitoringMinutes"] as? Int == 205)
    }

    @Test(
        "An esketamine session monitored under 2 hours from the first device raises a flag; exactly 2 hours does not; the REMS form lists every field and what is missing"
    )
    func remsSession() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try clinic.enroll(mrn: "S-1")
        func session(_ readyToLeave: String) throws -> Outcome {
            try clinic.run(
                "infusion", "add", id, "--on", "2026-03-02", "--at", "10:00", "--drug", "esketamine", "--dose-mg", "56",
                "--bp-before", "126/80", "--bp-after", "138/86", "--bp-discharge", "124/78", "--dissociation",
                "--ready-to-leave", readyToLeave)
        }
        let short = try session("11:59")
        #expect(short.status == 0, "\(short.standardError)")
        #expect(
            short.standardOutput.contains("esketamine-monitoring-under-2-hours")
                && short.standardOutput.contains("119 minutes"), "\(short.standardOutput)")
        let enough = try session("12:00")
        #expect(
            enough.status == 0 && !enough.standardOutput.contains("FOR CLINICIAN REVIEW"), "\(enough.standardOutput)")
        let flags = try clinic.run("flag", "list")
        #expect(flags.standardOutput.components(separatedBy: "esketamine-monitoring-under-2-hours").count == 2)

        let form = try #require(try clinic.run("session", "form", "I-000001", "--json").json() as? [String: Any])
        #expect(form["monitoredTwoHours"] as? Bool == false && form["drug"] as? String == "esketamine")
        let fields = try #require(form["fields"] as? [[String: Any]])
        func value(_ label: String) -> String? {
            fields.first { ($0["label"] as? String)?.hasPrefix(label) == true }?["value"] as? String
        }
        #expect(value("Dose administered") == "56 mg esketamine (intranasal)")
        #expect(value("Total time") == "119" && value("Ready to leave, minutes") == "119")
        #expect(value("Prior to administration") == "126/80 mmHg" && value("40 minutes") == "138/86 mmHg")
        #expect(value("Prior to treatment session completion") == "124/78 mmHg")
        #expect(value("Dissociation") == "yes" && value("Sedation") == "no")
        #expect(value("First name") != nil && value("Birthdate") != nil)
        let missing = try #require(form["missing"] as? [String])
        #expect(missing.contains("Lot number") && !missing.contains("Treatment date"), "\(missing)")
        let second = try #require(try clinic.run("session", "form", "I-000002", "--json").json() as? [String: Any])
        #expect(second["monitoredTwoHours"] as? Bool == true)
        let text = try clinic.run("session", "form", "I-000001")
        #expect(
            text.standardOutput.contains("Lot number: MISSING") && text.standardOutput.contains("LESS THAN 2 HOURS"))
        let page = clinic.folder.appendingPathComponent("form.html").path
        #expect(try clinic.run("session", "form", "I-000001", "--html", page).status == 0)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("<table>") && html.contains("missing") && html.contains("126/80 mmHg"))
        #expect(try clinic.run("session", "form", "I-000001", "--html", page).status == 1, "never overwrites")
        let unknown = try clinic.run("session", "form", "I-000099")
        #expect(unknown.status == 1 && unknown.standardError.contains("I-000099"))
    }
}
