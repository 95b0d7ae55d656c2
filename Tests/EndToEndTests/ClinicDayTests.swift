import Foundation
import GRDB
import RegistryTestSupport
import Testing

/// The front desk's work through the binary: finding patients, correcting who they are, consent
/// given and withdrawn.
@Suite("The clinic's day: patients found, identities corrected, consent both ways")
struct ClinicDayTests {
    func enroll(_ clinic: Clinic, mrn: String, given: String, family: String, consent: String = "yes") throws -> String
    {
        let outcome = try clinic.run(
            "enroll", "--mrn", mrn, "--given", given, "--family", family, "--birth-date", "1971-05-06", "--sex",
            "female",
            "--condition", "depression", "--research-consent", consent, "--enrolled-on", "2026-01-10")
        #expect(outcome.status == 0, "\(outcome.standardError)")
        return outcome.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(
        "patient find: an MRN exactly, a name from its start without case, accents or punctuation; every patient command takes the MRN"
    )
    func find() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let nunez = try enroll(clinic, mrn: "558201", given: "José", family: "Nuñez-O'Brien")
        let yamada = try enroll(clinic, mrn: "A-77", given: "美咲", family: "山田")
        let smith = try enroll(clinic, mrn: "5582010", given: "Ann", family: "Smith")
        for query in ["nunez", "NUÑEZ", "obrien", "o'brien", "jose nu", "nunez-o", "558201"] {
            let found = try clinic.run("patient", "find", query, "--json")
            #expect(found.status == 0)
            let ids = ((try found.json() as? [String: Any])?["patients"] as? [[String: Any]])?.compactMap {
                $0["id"] as? String
            }
            #expect(ids == [nunez], "\(query): \(found.standardOutput)")
        }
        let text = try clinic.run("patient", "find", "nunez")
        #expect(
            text.standardOutput.contains("558201") && text.standardOutput.contains("1971")
                && text.standardOutput.contains("depression"))
        #expect(try clinic.run("patient", "find", "山").standardOutput.contains(yamada))
        let none = try clinic.run("patient", "find", "zzz")
        #expect(none.status == 0 && none.standardOutput.contains("No patient"))
        // The MRN wherever an id goes; an unknown one is refused with what to type.
        #expect(try clinic.run("patient", "show", "558201").standardOutput.contains("Nuñez-O'Brien"))
        #expect(
            try clinic.run(
                "assess", "558201", "--scale", "phq9", "--on", "2026-01-11", "--timepoint", "baseline", "--answers",
                "2,2,2,2,2,2,2,2,0"
            ).status == 0)
        #expect(
            try clinic.run(
                "infusion", "add", "A-77", "--on", "2026-01-12", "--dose-mg-per-kg", "0.5", "--minutes", "40"
            ).status == 0)
        let unknown = try clinic.run("patient", "show", "999999")
        #expect(unknown.status != 0 && unknown.standardError.contains("patient find"))
        // Names in the list line up on display width: the CJK name is two columns a character.
        let list = try clinic.run("patients").standardOutput.split(separator: "\n").map(String.init)
        let mrnColumn = list.compactMap { line -> Int? in
            guard
                let range = line.range(
                    of: line.contains("558201") ? "558201" : (line.contains("A-77") ? "A-77" : "MRN"))
            else { return nil }
            return line[..<range.lowerBound].reduce(0) { $0 + ($1.unicodeScalars.first!.value >= 0x3000 ? 2 : 1) }
        }
        #expect(mrnColumn.count == 4 && Set(mrnColumn).count == 1, "\(list)")  // the header and three patients
        // due shows names beside ids.
        let due = try clinic.run("due", "--json")
        let items = try #require((try due.json() as? [String: Any])?["due"] as? [[String: Any]])
        #expect(!items.isEmpty && items.allSatisfy { $0["patientName"] as? String != nil }, "\(due.standardOutput)")
        #expect(
            items.contains { $0["patient"] as? String == smith && $0["patientName"] as? String == "Smith, Ann" },
            "\(due.standardOutput)")
        #expect(try clinic.run("due").standardOutput.contains("Smith, Ann"))
    }

    @Test(
        "patient edit: the change is made, the audit row names the fields and the reason and holds no value; bad values are refused with nothing written"
    )
    func edit() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try enroll(clinic, mrn: "MRN-4412", given: "Jon", family: "Smyth")
        _ = try enroll(clinic, mrn: "MRN-9000", given: "Other", family: "Person")
        let edit = try clinic.run(
            "patient", "edit", id, "--given", "Johanna", "--family", "Smythe-Quarrington", "--birth-date", "1972-12-30",
            "--mrn", "MRN-4413", "--phone", "+44 20 7946 0958", "--email", "j.quarrington@example.org",
            "--address", "17 Larkspur Lane, Oxbridge", "--reason", "corrected from passport")
        #expect(edit.status == 0, "\(edit.standardError)")
        let page = try clinic.run("patient", "show", "MRN-4413").standardOutput
        for value in [
            "Johanna", "Smythe-Quarrington", "1972-12-30", "+44 20 7946 0958", "j.quarrington@example.org",
            "17 Larkspur Lane",
        ] {
            #expect(page.contains(value), "\(value) not on the page: \(page)")
        }
        // No identity value, old or new, anywhere in the audit trail.
        let audit = try clinic.run("audit", "--json").standardOutput
        #expect(
            audit.contains("edit-identity") && audit.contains("corrected from passport") && audit.contains("birth-date")
        )
        for value in [
            "Jon", "Smyth", "Johanna", "Quarrington", "1971-05-06", "1972-12-30", "MRN-4412", "MRN-4413", "7946",
            "example.org", "Larkspur",
        ] {
            #expect(!audit.contains(value), "the audit trail holds \(value)")
        }
        // Refusals name the field; nothing is written.
        let before = try clinic.dump()
        for (arguments, field) in [
            (["--mrn", "MRN-9000"], "--mrn"), (["--email", "not-an-address"], "--email"),
            (["--phone", "call me"], "--phone"),
            (["--birth-date", "2027-01-01"], "--birth-date"), (["--given", ""], "--given"),
            (["--given", "Johanna"], "nothing changed"),
        ] {
            let refused = try clinic.run(arguments: ["patient", "edit", id] + arguments + ["--reason", "test"])
            #expect(
                refused.status != 0 && refused.standardError.contains(field), "\(arguments): \(refused.standardError)")
        }
        #expect(try clinic.run("patient", "edit", id, "--phone", "+1 555 0100").status != 0)  // no --reason
        #expect(try clinic.dump() == before)
        // An empty value clears a contact field.
        #expect(try clinic.run("patient", "edit", id, "--phone", "", "--reason", "number no longer in use").status == 0)
        #expect(!(try clinic.run("patient", "show", id).standardOutput.contains("7946")))
        #expect(try clinic.run("verify").status == 0)
    }

    @Test("Consent both ways: exports follow the decision in force on their build day")
    func consent() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let yes = try enroll(clinic, mrn: "C-1", given: "Ada", family: "One")
        let later = try enroll(clinic, mrn: "C-2", given: "Bea", family: "Two", consent: "no")
        for id in [yes, later] {
            #expect(
                try clinic.run(
                    "infusion", "add", id, "--on", "2026-01-12", "--dose-mg-per-kg", "0.5", "--minutes", "40"
                ).status == 0)
        }
        let token = clinic.folder.appendingPathComponent("t.token").path
        _ = FileManager.default.createFile(
            atPath: token, contents: Data("tok\n".utf8), attributes: [.posixPermissions: 0o600])
        #expect(
            try clinic.run(
                "endpoint", "add", "net", "--url", "https://research.invalid/x", "--token-file", token, "--profile",
                "records", "--k", "2", "--allow-small", "--reason", "a test of small groups"
            ).status == 0)
        /// Patients an export built that day would draw on: released, or withheld for k.
        func released(on day: String) throws -> Int {
            let preview = try clinic.run("export", "preview", "net", environment: ["KETAREG_TODAY": day])
            #expect(preview.status == 0, "\(preview.standardError)")
            let payload = try #require(try preview.json() as? [String: Any])
            return ((payload["patients"] as? [Any])?.count ?? -1) + ((payload["withheldPatients"] as? Int) ?? -1)
        }
        #expect(try released(on: "2026-11-26") == 1)
        // C-2 consents from 2026-11-20; C-1 withdraws on 2026-06-01 and consents again on 2026-11-25.
        #expect(
            try clinic.run(
                "patient", "consent", later, "--research", "yes", "--on", "2026-11-20", "--reason", "signed form v3"
            ).status == 0)
        #expect(
            try clinic.run(
                "patient", "consent", yes, "--research", "no", "--on", "2026-06-01", "--reason", "asked by phone"
            ).status == 0)
        #expect(
            try clinic.run(
                "patient", "consent", yes, "--research", "yes", "--on", "2026-11-25", "--reason", "came back"
            ).status == 0)
        #expect(try released(on: "2026-11-26") == 2)
        #expect(try released(on: "2026-11-24") == 1)  // C-1 withdrawn then, C-2 consenting
        #expect(try released(on: "2026-07-01") == 0)
        // Refusals: no change, before the last decision, before enrolment, in the future, a bad word.
        let before = try clinic.dump()
        for (arguments, text) in [
            (["--research", "yes", "--on", "2026-11-26"], "nothing changed"),
            (["--research", "no", "--on", "2026-11-01"], "2026-11-25 or later"),
            (["--research", "no", "--on", "2027-01-01"], "--on"),
            (["--research", "maybe", "--on", "2026-11-26"], "--research"),
        ] {
            let refused = try clinic.run(arguments: ["patient", "consent", yes] + arguments + ["--reason", "x"])
            #expect(
                refused.status != 0 && refused.standardError.contains(text), "\(arguments): \(refused.standardError)")
        }
        #expect(try clinic.dump() == before)
        let page = try clinic.run("patient", "show", yes).standardOutput
        #expect(page.contains("withdrawn 2026-06-01 (asked by phone); given 2026-11-25 (came back)"), "\(page)")
        // The audit trail says what changed, field by field.
        let audit = try clinic.run("audit").standardOutput
        #expect(
            audit.contains("    researchConsent: no -> yes")
                && audit.contains("    consentWithdrawnOn: (none) -> 2026-06-01"), "\(audit)")
        #expect(try clinic.run("verify").status == 0)
        // A "yes" slipped into the consent history behind the program's back lets no one into an
        // export, and verify names it.
        let withdrawn = try enroll(clinic, mrn: "C-3", given: "Cal", family: "Three")
        #expect(
            try clinic.run(
                "infusion", "add", withdrawn, "--on", "2026-01-12", "--dose-mg-per-kg", "0.5", "--minutes", "40"
            ).status == 0)
        #expect(
            try clinic.run(
                "patient", "consent", withdrawn, "--research", "no", "--on", "2026-11-01", "--reason", "asked"
            ).status == 0)
        let counted = try released(on: "2026-11-26")
        let tamper = try runProcess(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1])
                db.execute("INSERT INTO consent_event (patient_id, research, on_date, reason, recorded_at) VALUES (3, 1, '2026-11-02', 'x', 'x')")
                db.commit()
                """, clinic.registry,
            ])
        #expect(tamper.status == 0, "\(tamper.standardError)")
        #expect(try released(on: "2026-11-26") == counted)
        let verify = try clinic.run("verify")
        #expect(verify.status != 0 && verify.standardOutput.contains("consent history"), "\(verify.standardOutput)")
    }

    @Test(
        "Conditions over time: added from a day, ended on a day (nothing due after, no infusion after), taken up again; refusals change nothing"
    )
    func conditions() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try enroll(clinic, mrn: "K-1", given: "Cy", family: "Three")
        #expect(
            try clinic.run("infusion", "add", id, "--on", "2026-02-01", "--dose-mg-per-kg", "0.5", "--minutes", "40")
                .status == 0)
        #expect(
            try clinic.run("patient", "condition", "add", id, "migraine", "--on", "2026-03-01", "--reason", "referred")
                .status == 0)
        #expect(try clinic.run("patient", "show", id).standardOutput.contains("Migraine"))
        #expect(try clinic.run("due").standardOutput.contains("migraine"))
        let before = try clinic.dump()
        for (arguments, text) in [
            (["add", id, "migraine", "--on", "2026-03-02"], "already has migraine"),
            (["add", id, "gout", "--on", "2026-03-02"], "gout"),
            (["add", id, "neuropathic-pain", "--on", "2025-12-01"], "enrolment"),
            (["end", id, "depression", "--on", "2026-01-20"], "I-000001"),
            (["end", id, "neuropathic-pain", "--on", "2026-03-02"], "does not have"),
            (["end", id, "migraine", "--on", "2027-01-01"], "--on"),
        ] {
            let refused = try clinic.run(arguments: ["patient", "condition"] + arguments)
            #expect(
                refused.status != 0 && refused.standardError.contains(text), "\(arguments): \(refused.standardError)")
        }
        #expect(try clinic.dump() == before)
        #expect(
            try clinic.run("patient", "condition", "end", id, "migraine", "--on", "2026-04-01", "--reason", "resolved")
                .status == 0)
        #expect(try clinic.run("patient", "show", id).standardOutput.contains("(ended 2026-04-01)"))
        #expect(!(try clinic.run("due").standardOutput.contains("migraine")))
        let late = try clinic.run(
            "infusion", "add", id, "--for", "migraine", "--on", "2026-04-02", "--rate-mg-per-kg-per-hour", "0.5",
            "--minutes", "1440")
        #expect(late.status != 0 && late.standardError.contains("ended on 2026-04-01"), "\(late.standardError)")
        #expect(try clinic.run("patient", "condition", "add", id, "migraine", "--on", "2026-05-01").status == 0)
        #expect(try clinic.run("due").standardOutput.contains("migraine"))
        let audit = try clinic.run("audit").standardOutput
        #expect(
            audit.contains("add-condition") && audit.contains("end-condition")
                && audit.contains("migraine on 2026-04-01: resolved"))
        #expect(try clinic.run("verify").status == 0)
    }

    @Test(
        "The same scale, patient, day and timepoint twice is refused with the id on record and the correct command; --repeat records a second administration"
    )
    func duplicates() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try enroll(clinic, mrn: "D-1", given: "Di", family: "Four")
        let first = try clinic.run(
            "assess", id, "--scale", "phq9", "--on", "2026-02-01", "--timepoint", "baseline", "--answers",
            "2,2,2,2,2,2,2,2,0")
        #expect(first.status == 0)
        let before = try clinic.dump()
        let again = try clinic.run(
            "assess", id, "--scale", "phq9", "--on", "2026-02-01", "--timepoint", "baseline", "--answers",
            "1,1,1,1,1,1,1,1,0")
        #expect(
            again.status != 0 && again.standardError.contains("A-000001")
                && again.standardError.contains("ketareg correct A-000001")
                && again.standardError.contains("--repeat"), "\(again.standardError)")
        #expect(try clinic.dump() == before)
        // Another timepoint or day is not a duplicate; --repeat is a second administration.
        #expect(
            try clinic.run(
                "assess", id, "--scale", "phq9", "--on", "2026-02-01", "--timepoint", "post-infusion", "--answers",
                "1,1,1,1,1,1,1,1,0"
            ).status == 0)
        #expect(
            try clinic.run(
                "assess", id, "--scale", "phq9", "--on", "2026-02-01", "--timepoint", "baseline", "--answers",
                "1,1,1,1,1,1,1,1,0", "--repeat"
            ).status == 0)
        // An assessment marked entered in error is no longer on record.
        #expect(try clinic.run("correct", "A-000002", "--entered-in-error", "--reason", "wrong patient").status == 0)
        #expect(
            try clinic.run(
                "assess", id, "--scale", "phq9", "--on", "2026-02-01", "--timepoint", "post-infusion", "--answers",
                "1,1,1,1,1,1,1,1,0"
            ).status == 0)
    }
}
