import Foundation
import RegistryTestSupport
import GRDB
import Testing

/// The front desk's work through the binary: finding patients, correcting who they are, consent
/// given and withdrawn.
@Suite("The clinic's day: patients found, identities corrected, consent both ways")
struct ClinicDayTests {
    func enroll(_ clinic: Clinic, mrn: String, given: String, family: String, consent: String = "yes") throws -> String {
        let outcome = try clinic.run("enroll", "--mrn", mrn, "--given", given, "--family", family, "--birth-date", "1971-05-06", "--sex", "female",
                                     "--condition", "depression", "--research-consent", consent, "--enrolled-on", "2026-01-10")
        #expect(outcome.status == 0, "\(outcome.standardError)")
        return outcome.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("patient find: an MRN exactly, a name from its start without case, accents or punctuation; every patient command takes the MRN")
    func find() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let nunez = try enroll(clinic, mrn: "558201", given: "José", family: "Nuñez-O'Brien")
        let yamada = try enroll(clinic, mrn: "A-77", given: "美咲", family: "山田")
        let smith = try enroll(clinic, mrn: "5582010", given: "Ann", family: "Smith")
        for query in ["nunez", "NUÑEZ", "obrien", "o'brien", "jose nu", "nunez-o", "558201"] {
            let found = try clinic.run("patient", "find", query, "--json")
            #expect(found.status == 0)
            let ids = ((try found.json() as? [String: Any])?["patients"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(ids == [nunez], "\(query): \(found.standardOutput)")
        }
        let text = try clinic.run("patient", "find", "nunez")
        #expect(text.standardOutput.contains("558201") && text.standardOutput.contains("1971") && text.standardOutput.contains("depression"))
        #expect(try clinic.run("patient", "find", "山").standardOutput.contains(yamada))
        let none = try clinic.run("patient", "find", "zzz")
        #expect(none.status == 0 && none.standardOutput.contains("No patient"))
        // The MRN wherever an id goes; an unknown one is refused with what to type.
        #expect(try clinic.run("patient", "show", "558201").standardOutput.contains("Nuñez-O'Brien"))
        #expect(try clinic.run("assess", "558201", "--scale", "phq9", "--on", "2026-01-11", "--timepoint", "baseline", "--answers", "2,2,2,2,2,2,2,2,0").status == 0)
        #expect(try clinic.run("infusion", "add", "A-77", "--on", "2026-01-12", "--dose-mg-per-kg", "0.5", "--minutes", "40").status == 0)
        let unknown = try clinic.run("patient", "show", "999999")
        #expect(unknown.status != 0 && unknown.standardError.contains("patient find"))
        // Names in the list line up on display width: the CJK name is two columns a character.
        let list = try clinic.run("patients").standardOutput.split(separator: "\n").map(String.init)
        let mrnColumn = list.compactMap { line -> Int? in
            guard let range = line.range(of: line.contains("558201") ? "558201" : (line.contains("A-77") ? "A-77" : "MRN")) else { return nil }
            return line[..<range.lowerBound].reduce(0) { $0 + ($1.unicodeScalars.first!.value >= 0x3000 ? 2 : 1) }
        }
        #expect(mrnColumn.count == 4 && Set(mrnColumn).count == 1, "\(list)") // the header and three patients
        // due shows names beside ids.
        let due = try clinic.run("due", "--json")
        let items = try #require((try due.json() as? [String: Any])?["due"] as? [[String: Any]])
        #expect(!items.isEmpty && items.allSatisfy { $0["patientName"] as? String != nil }, "\(due.standardOutput)")
        #expect(items.contains { $0["patient"] as? String == smith && $0["patientName"] as? String == "Smith, Ann" }, "\(due.standardOutput)")
        #expect(try clinic.run("due").standardOutput.contains("Smith, Ann"))
    }

    @Test("patient edit: the change is made, the audit row names the fields and the reason and holds no value; bad values are refused with nothing written")
    func edit() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try enroll(clinic, mrn: "MRN-4412", given: "Jon", family: "Smyth")
        _ = try enroll(clinic, mrn: "MRN-9000", given: "Other", family: "Person")
        let edit = try clinic.run("patient", "edit", id, "--given", "Johanna", "--family", "Smythe-Quarrington", "--birth-date", "1972-12-30",
                                  "--mrn", "MRN-4413", "--phone", "+44 20 7946 0958", "--email", "j.quarrington@example.org",
                                  "--address", "17 Larkspur Lane, Oxbridge", "--reason", "corrected from passport")
        #expect(edit.status == 0, "\(edit.standardError)")
        let page = try clinic.run("patient", "show", "MRN-4413").standardOutput
        for value in ["Johanna", "Smythe-Quarrington", "1972-12-30", "+44 20 7946 0958", "j.quarrington@example.org", "17 Larkspur Lane"] {
            #expect(page.contains(value), "\(value) not on the page: \(page)")
        }
        // No identity value, old or new, anywhere in the audit trail.
        let audit = try clinic.run("audit", "--json").standardOutput
        #expect(audit.contains("edit-identity") && audit.contains("corrected from passport") && audit.contains("birth-date"))
        for value in ["Jon", "Smyth", "Johanna", "Quarrington", "1971-05-06", "1972-12-30", "MRN-4412", "MRN-4413", "7946", "example.org", "Larkspur"] {
            #expect(!audit.contains(value), "the audit trail holds \(value)")
        }
        // Refusals name the field; nothing is written.
        let before = try clinic.dump()
        for (arguments, field) in [(["--mrn", "MRN-9000"], "--mrn"), (["--email", "not-an-address"], "--email"), (["--phone", "call me"], "--phone"),
                                   (["--birth-date", "2027-01-01"], "--birth-date"), (["--given", ""], "--given"), (["--given", "Johanna"], "nothing changed")] {
            let refused = try clinic.run(arguments: ["patient", "edit", id] + arguments + ["--reason", "test"])
            #expect(refused.status != 0 && refused.standardError.contains(field), "\(arguments): \(refused.standardError)")
        }
        #expect(try clinic.run("patient", "edit", id, "--phone", "+1 555 0100").status != 0) // no --reason
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
            #expect(try clinic.run("infusion", "add", id, "--on", "2026-01-12", "--dose-mg-per-kg", "0.5", "--minutes", "40").status == 0)
        }
        let token = clinic.folder.appendingPathComponent("t.token").path
        _ = FileManager.default.createFile(atPath: token, contents: Data("tok\n".utf8), attributes: [.posixPermissions: 0o600])
        #expect(try clinic.run("endpoint", "add", "net", "--url", "https://research.invalid/x", "--token-file", token, "--profile", "records", "--k", "2").status == 0)
        /// Patients an export built that day would draw on: released, or withheld for k.
        func released(on day: String) throws -> Int {
            let preview = try clinic.run("export", "preview", "net", environment: ["KETAREG_TODAY": day])
            #expect(preview.status == 0, "\(preview.standardError)")
            let payload = try #require(try preview.json() as? [String: Any])
            return ((payload["patients"] as? [Any])?.count ?? -1) + ((payload["withheldPatients"] as? Int) ?? -1)
        }
        #expect(try released(on: "2026-11-26") == 1)
        // C-2 consents from 2026-11-20; C-1 withdraws on 2026-06-01 and consents again on 2026-11-25.
        #expect(try clinic.run("patient", "consent", later, "--research", "yes", "--on", "2026-11-20", "--reason", "signed form v3").status == 0)
        #expect(try clinic.run("patient", "consent", yes, "--research", "no", "--on", "2026-06-01", "--reason", "asked by phone").status == 0)
        #expect(try clinic.run("patient", "consent", yes, "--research", "yes", "--on", "2026-11-25", "--reason", "came back").status == 0)
        #expect(try released(on: "2026-11-26") == 2)
        #expect(try released(on: "2026-11-24") == 1) // C-1 withdrawn then, C-2 consenting
        #expect(try released(on: "2026-07-01") == 0)
        // Refusals: no change, before the last decision, before enrolment, in the future, a bad word.
        let before = try clinic.dump()
        for (arguments, text) in [(["--research", "yes", "--on", "2026-11-26"], "nothing changed"), (["--research", "no", "--on", "2026-11-01"], "2026-11-25 or later"),
                                  (["--research", "no", "--on", "2027-01-01"], "--on"), (["--research", "maybe", "--on", "2026-11-26"], "--research")] {
            let refused = try clinic.run(arguments: ["patient", "consent", yes] + arguments + ["--reason", "x"])
            #expect(refused.status != 0 && refused.standardError.contains(text), "\(arguments): \(refused.standardError)")
        }
        #expect(try clinic.dump() == before)
        let page = try clinic.run("patient", "show", yes).standardOutput
        #expect(page.contains("withdrawn 2026-06-01 (asked by phone); given 2026-11-25 (came back)"), "\(page)")
        // The audit trail says what changed, field by field.
        let audit = try clinic.run("audit").standardOutput
        #expect(audit.contains("    researchConsent: no -> yes") && audit.contains("    consentWithdrawnOn: (none) -> 2026-06-01"), "\(audit)")
        #expect(try clinic.run("verify").status == 0)
        // A "yes" slipped into the consent history behind the program's back lets no one into an
        // export, and verify names it.
        let withdrawn = try enroll(clinic, mrn: "C-3", given: "Cal", family: "Three")
        #expect(try clinic.run("infusion", "add", withdrawn, "--on", "2026-01-12", "--dose-mg-per-kg", "0.5", "--minutes", "40").status == 0)
        #expect(try clinic.run("patient", "consent", withdrawn, "--research", "no", "--on", "2026-11-01", "--reason", "asked").status == 0)
        let counted = try released(on: "2026-11-26")
        let tamper = try runProcess("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("INSERT INTO consent_event (patient_id, research, on_date, reason, recorded_at) VALUES (3, 1, '2026-11-02', 'x', 'x')")
            db.commit()
            """, clinic.registry])
        #expect(tamper.status == 0, "\(tamper.standardError)")
        #expect(try released(on: "2026-11-26") == counted)
        let verify = try clinic.run("verify")
        #expect(verify.status != 0 && verify.standardOutput.contains("consent history"), "\(verify.standardOutput)")
    }

    @Test("Conditions over time: added from a day, ended on a day (nothing due after, no infusion after), taken up again; refusals change nothing")
    func conditions() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try enroll(clinic, mrn: "K-1", given: "Cy", family: "Three")
        #expect(try clinic.run("infusion", "add", id, "--on", "2026-02-01", "--dose-mg-per-kg", "0.5", "--minutes", "40").status == 0)
        #expect(try clinic.run("patient", "condition", "add", id, "migraine", "--on", "2026-03-01", "--reason", "referred").status == 0)
        #expect(try clinic.run("patient", "show", id).standardOutput.contains("Migraine"))
        #expect(try clinic.run("due").standardOutput.contains("migraine"))
        let before = try clinic.dump()
        for (arguments, text) in [(["add", id, "migraine", "--on", "2026-03-02"], "already has migraine"),
                                  (["add", id, "gout", "--on", "2026-03-02"], "gout"),
                                  (["add", id, "neuropathic-pain", "--on", "2025-12-01"], "enrolment"),
                                  (["end", id, "depression", "--on", "2026-01-20"], "I-000001"),
                                  (["end", id, "neuropathic-pain", "--on", "2026-03-02"], "does not have"),
                                  (["end", id, "migraine", "--on", "2027-01-01"], "--on")] {
            let refused = try clinic.run(arguments: ["patient", "condition"] + arguments)
            #expect(refused.status != 0 && refused.standardError.contains(text), "\(arguments): \(refused.standardError)")
        }
        #expect(try clinic.dump() == before)
        #expect(try clinic.run("patient", "condition", "end", id, "migraine", "--on", "2026-04-01", "--reason", "resolved").status == 0)
        #expect(try clinic.run("patient", "show", id).standardOutput.contains("(ended 2026-04-01)"))
        #expect(!(try clinic.run("due").standardOutput.contains("migraine")))
        let late = try clinic.run("infusion", "add", id, "--for", "migraine", "--on", "2026-04-02", "--rate-mg-per-kg-per-hour", "0.5", "--minutes", "1440")
        #expect(late.status != 0 && late.standardError.contains("ended on 2026-04-01"), "\(late.standardError)")
        #expect(try clinic.run("patient", "condition", "add", id, "migraine", "--on", "2026-05-01").status == 0)
        #expect(try clinic.run("due").standardOutput.contains("migraine"))
        let audit = try clinic.run("audit").standardOutput
        #expect(audit.contains("add-condition") && audit.contains("end-condition") && audit.contains("migraine on 2026-04-01: resolved"))
        #expect(try clinic.run("verify").status == 0)
    }

    @Test("The same scale, patient, day and timepoint twice is refused with the id on record and the correct command; --repeat records a second administration")
    func duplicates() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try enroll(clinic, mrn: "D-1", given: "Di", family: "Four")
        let first = try clinic.run("assess", id, "--scale", "phq9", "--on", "2026-02-01", "--timepoint", "baseline", "--answers", "2,2,2,2,2,2,2,2,0")
        #expect(first.status == 0)
        let before = try clinic.dump()
        let again = try clinic.run("assess", id, "--scale", "phq9", "--on", "2026-02-01", "--timepoint", "baseline", "--answers", "1,1,1,1,1,1,1,1,0")
        #expect(again.status != 0 && again.standardError.contains("A-000001") && again.standardError.contains("ketareg correct A-000001")
                && again.standardError.contains("--repeat"), "\(again.standardError)")
        #expect(try clinic.dump() == before)
        // Another timepoint or day is not a duplicate; --repeat is a second administration.
        #expect(try clinic.run("assess", id, "--scale", "phq9", "--on", "2026-02-01", "--timepoint", "post-infusion", "--answers", "1,1,1,1,1,1,1,1,0").status == 0)
        #expect(try clinic.run("assess", id, "--scale", "phq9", "--on", "2026-02-01", "--timepoint", "baseline", "--answers", "1,1,1,1,1,1,1,1,0", "--repeat").status == 0)
        // An assessment marked entered in error is no longer on record.
        #expect(try clinic.run("correct", "A-000002", "--entered-in-error", "--reason", "wrong patient").status == 0)
        #expect(try clinic.run("assess", id, "--scale", "phq9", "--on", "2026-02-01", "--timepoint", "post-infusion", "--answers", "1,1,1,1,1,1,1,1,0").status == 0)
    }

    @Test("Safety flags: every rule raises a numbered flag from its record, shown until a review records who, when and what was done")
    func flags() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try enroll(clinic, mrn: "F-1", given: "Eve", family: "Five")
        // At each rule's edge: just below raises nothing, at the threshold raises one flag.
        #expect(try clinic.run("assess", id, "--scale", "phq9", "--on", "2026-02-01", "--timepoint", "baseline", "--answers", "2,2,2,2,2,2,2,2,0").status == 0)
        #expect(try clinic.run("assess", id, "--scale", "madrs", "--on", "2026-02-01", "--timepoint", "baseline", "--answers", "3,3,3,3,3,3,3,3,3,3").status == 0)
        #expect(try clinic.run("assess", id, "--scale", "qids-sr16", "--on", "2026-02-01", "--timepoint", "baseline", "--answers", "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1").status == 0)
        #expect(try clinic.run("infusion", "add", id, "--on", "2026-02-02", "--dose-mg-per-kg", "0.5", "--minutes", "40",
                               "--bp-after", "179/109", "--spo2", "90").status == 0)
        #expect(try clinic.run("flag", "list").standardOutput.contains("No flags."))
        let raisedBy: [([String], String)] = [
            (["assess", id, "--scale", "phq9", "--on", "2026-02-03", "--timepoint", "post-infusion", "--answers", "0,0,0,0,0,0,0,0,1"], "suicide-risk"),
            (["assess", id, "--scale", "madrs", "--on", "2026-02-03", "--timepoint", "post-infusion", "--answers", "0,0,0,0,0,0,0,0,0,4"], "suicide-risk"),
            (["assess", id, "--scale", "qids-sr16", "--on", "2026-02-03", "--timepoint", "post-infusion", "--answers", "0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,0"], "suicide-risk"),
            (["infusion", "add", id, "--on", "2026-02-04", "--dose-mg-per-kg", "0.5", "--minutes", "40", "--bp-before", "150/110"], "high-blood-pressure"),
            (["infusion", "add", id, "--on", "2026-02-05", "--dose-mg-per-kg", "0.5", "--minutes", "40", "--bp-after", "180/90"], "high-blood-pressure"),
            (["infusion", "add", id, "--on", "2026-02-06", "--dose-mg-per-kg", "0.5", "--minutes", "40", "--spo2", "89"], "low-oxygen-saturation"),
            (["infusion", "add", id, "--on", "2026-02-07", "--dose-mg-per-kg", "0.5", "--minutes", "40", "--respiratory-depression"], "respiratory-depression"),
            (["infusion", "observe", "I-000001", "--at", "2026-02-02T00:10", "--spo2", "85"], "low-oxygen-saturation"),
            (["adverse", "add", id, "--term", "hypertension", "--grade", "severe", "--serious", "--onset", "2026-02-08"], "serious-adverse-event"),
        ]
        for (number, (arguments, flag)) in raisedBy.enumerated() {
            let outcome = try clinic.run(arguments: arguments)
            let flagID = "F-00000\(number + 1)"
            #expect(outcome.status == 0 && outcome.standardOutput.contains("FOR CLINICIAN REVIEW: \(flagID) \(flag)"), "\(arguments): \(outcome.standardOutput) \(outcome.standardError)")
        }
        let listed = try #require((try clinic.run("flag", "list", "--open", "--json").json() as? [String: Any])?["flags"] as? [[String: Any]])
        #expect(listed.count == raisedBy.count && listed.allSatisfy { $0["state"] as? String == "open" && ($0["rule"] as? String)?.isEmpty == false })
        #expect(listed.map { $0["flag"] as? String } == raisedBy.map(\.1))
        #expect(listed.first?["source"] as? String == "A-000004")
        // Open flags head the patient's page and are listed by due.
        let page = try clinic.run("patient", "show", id).standardOutput
        #expect(page.hasPrefix("OPEN SAFETY FLAG F-000001: suicide-risk from A-000004"), "\(page)")
        #expect(try clinic.run("due").standardOutput.contains("OPEN SAFETY FLAGS"))
        // A review records who, when and what; it is audited; a second one is refused.
        let review = try clinic.run("flag", "review", "F-000001", "--action", "seen by Dr Okafor; safety plan agreed", "--actor", "dr.okafor")
        #expect(review.status == 0, "\(review.standardError)")
        let reviewed = try #require((try clinic.run("flag", "list", "--patient", "F-1", "--json").json() as? [String: Any])?["flags"] as? [[String: Any]])
        let first = try #require(reviewed.first)
        #expect(first["state"] as? String == "reviewed" && first["reviewedBy"] as? String == "dr.okafor"
                && first["action"] as? String == "seen by Dr Okafor; safety plan agreed" && (first["reviewedAt"] as? String)?.hasPrefix("20") == true)
        #expect(!(try clinic.run("patient", "show", id).standardOutput.contains("OPEN SAFETY FLAG F-000001")))
        // A record marked entered in error closes its flags, saying why; a correction that raises a
        // rule raises a flag.
        #expect(try clinic.run("correct", "I-000005", "--entered-in-error", "--reason", "wrong patient's chart").status == 0)
        let closed = try #require(((try clinic.run("flag", "list", "--json").json() as? [String: Any])?["flags"] as? [[String: Any]])?.first { $0["id"] as? String == "F-000007" })
        #expect(closed["state"] as? String == "reviewed" && (closed["action"] as? String)?.contains("wrong patient's chart") == true, "\(closed)")
        #expect(try clinic.run("correct", "A-000001", "--answers", "2,2,2,2,2,2,2,2,3", "--reason", "item 9 misread").standardOutput.contains("A-000001"))
        #expect(try clinic.run("flag", "list", "--open").standardOutput.contains("A-000001"))
        let before = try clinic.dump()
        let again = try clinic.run("flag", "review", "F-000001", "--action", "again")
        #expect(again.status != 0 && again.standardError.contains("reviewed already"))
        for bad in [["flag", "review", "F-000099", "--action", "x"], ["flag", "review", "A-000001", "--action", "x"], ["flag", "review", "F-000002", "--action", " "]] {
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
        #expect(try exporter.run("assess", id, "--scale", "phq9", "--on", "2026-02-01", "--timepoint", "baseline", "--answers", "2,2,2,2,2,2,2,2,2").status == 0)
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
        #expect(imported.standardOutput.contains("raised 1 safety flag") && imported.standardOutput.contains("F-000001"), "\(imported.standardOutput)")
        // --json carries the flags with their ids, for a script to pass on.
        #expect(try clinic.run("assess", "P-000001", "--scale", "phq9", "--on", "2026-02-02", "--timepoint", "post-infusion", "--answers", "0,0,0,0,0,0,0,0,0").status == 0)
        let second = exporter.folder.appendingPathComponent("second.csv").path
        try "record,mrn,on,scale,timepoint,answers\nassessment,I-1,2026-02-03,phq9,post-infusion,0;0;0;0;0;0;0;0;3\nassessment,I-1,2026-02-04,phq9,post-infusion,0;0;0;0;0;0;0;0;0\n"
            .write(toFile: second, atomically: true, encoding: .utf8)
        let json = try #require(try clinic.run("import", second, "--json").json() as? [String: Any])
        let raised = try #require(json["flagsRaised"] as? [[String: Any]])
        #expect(raised.count == 1 && raised.first?["id"] as? String == "F-000002" && raised.first?["source"] as? String == "A-000003"
                && raised.first?["patient"] as? String == "P-000001" && raised.first?["state"] as? String == "open", "\(json)")
        #expect(json["flagsRaisedCount"] as? Int == 1)
        // Many flags: the screen shows the first 20 and how many more; --json counts them all.
        var many = "record,mrn,on,scale,timepoint,answers\n"
        for day in 1...25 { many += "assessment,I-1,2026-03-\(String(format: "%02d", day)),phq9,follow-up,0;0;0;0;0;0;0;0;2\n" }
        let third = exporter.folder.appendingPathComponent("third.csv").path
        try many.write(toFile: third, atomically: true, encoding: .utf8)
        let dryMany = try #require(try clinic.run("import", third, "--dry-run", "--json").json() as? [String: Any])
        #expect(dryMany["flagsRaisedCount"] as? Int == 25 && (dryMany["flagsRaised"] as? [[String: Any]])?.count == 25, "\(dryMany)")
        let shown = try clinic.run("import", third)
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(shown.standardOutput.contains("raised 25 safety flags for clinician review; the first 20:")
                && shown.standardOutput.contains("... and 5 more: 'ketareg flag list --open' lists every one.")
                && shown.standardOutput.contains("F-000022") && !shown.standardOutput.contains("F-000023"), "\(shown.standardOutput)")
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
        #expect(due.standardOutput.contains("... and 3 more open flags, 23 in all: 'ketareg flag list --open' lists every one."))
        let json = try #require(try clinic.run("due", "--json").json() as? [String: Any])
        #expect((json["openFlags"] as? [[String: Any]])?.count == 23)
        #expect(try clinic.run("flag", "list", "--open").standardOutput.split(separator: "\n").filter { $0.contains("suicide-risk") }.count == 23)
    }

    @Test("Vital-sign flag thresholds are the clinic's to set, within stated limits, audited with the reason and checked by verify")
    func thresholds() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try enroll(clinic, mrn: "T-1", given: "Tom", family: "Seven")
        #expect(try clinic.run("flag", "rules").standardOutput.contains("the defaults"))
        // Refused, with nothing written: no reason, out of range, nothing to change.
        let before = try clinic.dump()
        for (bad, says) in [(["--systolic-at-least", "170"], "--reason"), (["--systolic-at-least", "1700", "--reason", "x"], "140 to 220"),
                            (["--spo2-below", "9", "--reason", "x"], "80 to 95"), (["--diastolic-at-least", "79", "--reason", "x"], "80 to 130"),
                            (["--reason", "x"], "at least one threshold"), (["--spo2-below", "92", "--reason", " "], "reason")] {
            let outcome = try clinic.run(arguments: ["flag", "thresholds"] + bad)
            #expect(outcome.status != 0 && outcome.standardError.contains(says), "\(bad): \(outcome.standardError)")
        }
        #expect(try clinic.dump() == before)
        // 172/100 passes the defaults; a stricter clinic flags it, from the change on.
        #expect(try clinic.run("infusion", "add", id, "--on", "2026-02-02", "--dose-mg-per-kg", "0.5", "--minutes", "40", "--bp-after", "172/100", "--spo2", "91").status == 0)
        let set = try clinic.run("flag", "thresholds", "--systolic-at-least", "170", "--spo2-below", "92", "--reason", "protocol v3, approved 2026-01-30")
        #expect(set.status == 0 && set.standardOutput.contains("170 systolic or 110 diastolic") && set.standardOutput.contains("below 92%"), "\(set.standardOutput)")
        #expect(try clinic.run("flag", "list").standardOutput.contains("No flags."), "flags already raised (none) stay as they are")
        let outcome = try clinic.run("infusion", "add", id, "--on", "2026-02-04", "--dose-mg-per-kg", "0.5", "--minutes", "40", "--bp-after", "172/100", "--spo2", "91")
        #expect(outcome.standardOutput.contains("high-blood-pressure") && outcome.standardOutput.contains("low-oxygen-saturation"), "\(outcome.standardOutput)")
        let rules = try #require(try clinic.run("flag", "rules", "--json").json() as? [String: Any])
        #expect((rules["vitalThresholds"] as? [String: Int]) == ["systolicAtLeast": 170, "diastolicAtLeast": 110, "oxygenSaturationBelow": 92] && rules["defaults"] as? Bool == false)
        // Audited with before, after and reason; verify notices a change made behind its back.
        let audit = try clinic.run("audit").standardOutput
        #expect(audit.contains("vital-flag-rules") && audit.contains("protocol v3") && audit.contains("systolicAtLeast: 180 -> 170"), "\(audit)")
        #expect(try clinic.run("verify").status == 0)
        func tamper(_ sql: String) throws {
            let queue = try DatabaseQueue(path: clinic.registry)
            try queue.writeWithoutTransaction { try $0.execute(sql: sql) }
            try queue.close()
        }
        try tamper("UPDATE registry_info SET value = '{\"systolicAtLeast\":220,\"diastolicAtLeast\":130,\"oxygenSaturationBelow\":80}' WHERE key = 'vital-flag-rules'")
        let verify = try clinic.run("verify")
        #expect(verify.status != 0 && verify.standardOutput.contains("vital-flag-rules differs from its last audited state"), "\(verify.standardOutput)")
        try tamper("DELETE FROM registry_info WHERE key = 'vital-flag-rules'")
        #expect(try clinic.run("verify").standardOutput.contains("vital-flag-rules is in the audit trail"))
    }

    @Test("The day sheet: open flags, who was treated or assessed that day, and what is due, by name")
    func daySheet() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let treated = try enroll(clinic, mrn: "S-1", given: "Gus", family: "Seven")
        let waiting = try enroll(clinic, mrn: "S-2", given: "Hal", family: "Eight")
        #expect(try clinic.run("assess", treated, "--scale", "phq9", "--on", "2026-11-20", "--timepoint", "baseline", "--answers", "2,2,2,2,2,2,2,2,1").status == 0)
        #expect(try clinic.run("infusion", "add", treated, "--on", "2026-11-20", "--dose-mg-per-kg", "0.5", "--minutes", "40").status == 0)
        let sheet = try clinic.run("day", "2026-11-20")
        #expect(sheet.status == 0)
        for expected in ["Day sheet for 2026-11-20", "OPEN SAFETY FLAGS", "F-000001", "Seven, Gus", "depression 0.5 mg/kg 40 min", "phq9 17 (baseline)",
                         "Due or overdue:", "Eight, Hal"] {
            #expect(sheet.standardOutput.contains(expected), "the day sheet lacks \(expected): \(sheet.standardOutput)")
        }
        let json = try #require(try clinic.run("day", "2026-11-20", "--json").json() as? [String: Any])
        #expect((json["seen"] as? [[String: Any]])?.map { $0["patient"] as? String } == [treated])
        #expect((json["due"] as? [[String: Any]])?.contains { $0["patient"] as? String == waiting && $0["patientName"] as? String == "Eight, Hal" } == true)
        #expect((json["openFlags"] as? [[String: Any]])?.count == 1)
        let quiet = try clinic.run("day", "2026-11-21")
        #expect(quiet.standardOutput.contains("Treated or assessed: nobody on 2026-11-21."))
        #expect(try clinic.run("day", "tomorrow-ish").status != 0)
    }

    /// Runs `assess` at a terminal (script(1)) with what is typed.
    func typed(_ clinic: Clinic, _ arguments: [String], input: String) throws -> Outcome {
        let command = ([Clinic.binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
        return try runProcess("/usr/bin/script", ["-qec", command, "/dev/null"], input: input, environment: clinic.environment())
    }

    @Test("Keyboard entry: whose form it is, '<' goes back, a needed item left blank is asked again at once, the score before 'save?'")
    func keyboardEntry() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try enroll(clinic, mrn: "KB-7", given: "Ines", family: "Nine")
        let form = ["assess", id, "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline"]
        // 2, back, 1; a blank item 2 (PHQ-9 needs every item) asked again: 1; then 1 x 6 and 0: score 8.
        let saved = try typed(clinic, form, input: "2\n<\n1\n\n1\n1\n1\n1\n1\n1\n1\n0\ny\n")
        #expect(saved.status == 0, "\(saved.standardOutput)")
        for expected in ["\(id)  Nine, Ines  (MRN KB-7): Patient Health Questionnaire-9 (PHQ-9), baseline, 2026-03-01", "(was 2)", "item 2 is needed",
                         "Score: 8 (mild)", "Save? [y/N", "phq9 8 (mild)"] {
            #expect(saved.standardOutput.contains(expected), "lacks \(expected): \(saved.standardOutput)")
        }
        // Not saved: nothing written. Asked again the same day: refused before the first item.
        let before = try clinic.dump()
        let declined = try typed(clinic, ["assess", id, "--scale", "phq9", "--on", "2026-03-02", "--timepoint", "post-infusion"],
                                 input: "0\n0\n0\n0\n0\n0\n0\n0\n0\nn\n")
        #expect(declined.status != 0 && declined.standardOutput.contains("nothing was saved"), "\(declined.standardOutput)")
        let duplicate = try typed(clinic, form, input: "0\n")
        #expect(duplicate.status != 0 && duplicate.standardOutput.contains("A-000001 already records phq9") && !duplicate.standardOutput.contains("1/9."),
                "\(duplicate.standardOutput)")
        #expect(try clinic.dump() == before)
        // A scale that allows blanks takes one: BPI-SF interference items may be left out.
        let pain = try enroll(clinic, mrn: "KB-8", given: "Jon", family: "Ten")
        #expect(try clinic.run("patient", "condition", "add", pain, "neuropathic-pain", "--on", "2026-02-01").status == 0)
        let bpi = try typed(clinic, ["assess", pain, "--scale", "bpi-sf", "--on", "2026-03-01", "--timepoint", "baseline"],
                            input: "8\n3\n5\n5\n5\n\n4\n5\n5\n5\n5\ny\n")
        #expect(bpi.status == 0 && !bpi.standardOutput.contains("is needed"), "\(bpi.standardOutput)")
    }
}
