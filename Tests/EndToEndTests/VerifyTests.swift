import Foundation
import GRDB
import RegistryTestSupport
import Testing

/// `ketareg verify` against someone with the file and `sqlite3`: every tampering is named.
@Suite("Verify: tampering behind the program's back is found")
struct VerifyTests {
    /// A small clinic with every kind of record, and its registry intact.
    func clinic() throws -> Clinic {
        let clinic = try Clinic()
        let id = try clinic.enroll(mrn: "V-1")
        #expect(
            try clinic.run(
                "assess", id, "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline", "--answers",
                "2,2,2,2,2,2,2,2,0"
            ).status == 0)
        #expect(
            try clinic.run(
                "infusion", "add", id, "--on", "2026-03-02", "--at", "09:00", "--dose-mg-per-kg", "0.5", "--minutes",
                "40", "--adverse", "nausea"
            ).status == 0)
        #expect(
            try clinic.run("infusion", "observe", "I-000001", "--at", "2026-03-02T09:20", "--bp", "130/80").status == 0)
        #expect(try clinic.run("cointervention", "add", id, "--kind", "yoga", "--from", "2026-02-01").status == 0)
        #expect(
            try clinic.run("correct", "A-000001", "--answers", "3,2,2,2,2,2,2,2,0", "--reason", "item 1").status == 0)
        #expect(try clinic.run("course", "end", id, "--on", "2026-03-03", "--reason", "moved away").status == 0)
        let intact = try clinic.run("verify")
        #expect(intact.status == 0, "\(intact.standardOutput)")
        #expect(intact.standardOutput.contains("Intact"))
        return clinic
    }

    func tamper(_ clinic: Clinic, _ sql: String) throws { try clinic.tamper(sql) }

    func problems(_ clinic: Clinic) throws -> [[String: Any]] {
        let outcome = try clinic.run("verify", "--json")
        #expect(outcome.status == 3)
        let report = try #require(try outcome.json() as? [String: Any])
        #expect(report["intact"] as? Bool == false)
        return try #require(report["problems"] as? [[String: Any]])
    }

    @Test(
        "Each tampering is named: the record, the audit row, what differs",
        arguments: [
            (
                "a score changed", "UPDATE assessment SET score = 2 WHERE id = 1", "record",
                "A-000001 differs from its last audited state", "score"
            ),
            (
                "a dose changed", "UPDATE infusion SET dose_mg_per_kg = 0.6 WHERE id = 1", "record", "I-000001 differs",
                "doseMgPerKg"
            ),
            (
                "an observation changed", "UPDATE infusion_observation SET bp_systolic = 180 WHERE id = 1", "record",
                "O-000001 differs", "bp"
            ),
            (
                "consent given behind the back", "UPDATE patient SET research_consent = 0 WHERE id = 1", "record",
                "P-000001 differs", "researchConsent"
            ),
            (
                "an adverse event deleted", "DELETE FROM adverse_event WHERE id = 1", "record",
                "AE-000001 is in the audit trail", "deleted"
            ),
            (
                "a record inserted",
                "INSERT INTO co_intervention (patient_id, kind, from_date, entered_in_error) VALUES (1, 'diet', '2026-01-01', 0)",
                "record", "C-000002 has no audit history", ""
            ),
            (
                "an audit row edited",
                "DROP TRIGGER audit_is_append_only_update; UPDATE audit SET reason = 'nothing to see' WHERE id = 3",
                "chain", "audit row 3 does not match its hash", ""
            ),
            (
                "an audit row deleted", "DROP TRIGGER audit_is_append_only_delete; DELETE FROM audit WHERE id = 4",
                "chain", "row 4 is missing", ""
            ),
            (
                "audit rows renumbered",
                "DROP TRIGGER audit_is_append_only_update; UPDATE audit SET id = id + 100 WHERE id >= 5", "chain",
                "rows 5-104 are missing", ""
            ),
            (
                "a backdated row appended",
                "INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES ('2026-01-01T00:00:00.000Z', 'x', 'add', 'export', 'e', NULL, NULL)",
                "chain", "has no hash", ""
            ),
            (
                "the audit trail emptied",
                "DROP TABLE audit; CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT, actor TEXT, action TEXT, entity TEXT, entity_id TEXT, patient TEXT, before TEXT, after TEXT, reason TEXT, account TEXT, hash TEXT)",
                "record", "P-000001 has no audit history", ""
            ),
            (
                "a trigger weakened",
                "DROP TRIGGER audit_is_append_only_delete; CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit BEGIN SELECT 1; END",
                "trigger", "audit_is_append_only_delete was changed", ""
            ),
            (
                "a migration forgotten", "DELETE FROM grdb_migrations WHERE identifier LIKE 'Chain every audit row%'",
                "migration", "is not applied", ""
            ),
        ])
    func tampering(name: String, sql: String, kind: String, detail: String, field: String) throws {
        let clinic = try clinic()
        defer { clinic.remove() }
        try tamper(clinic, sql)
        let found = try problems(clinic)
        let match = found.first { $0["kind"] as? String == kind && ($0["detail"] as? String)?.contains(detail) == true }
        #expect(match != nil, "\(name): \(found.map { $0["detail"] as? String ?? "" })")
        if !field.isEmpty {
            #expect((match?["detail"] as? String)?.contains(field) == true, "\(name): \(String(describing: match))")
        }
        let text = try clinic.run("verify")
        #expect(text.status == 3)
        #expect(text.standardOutput.contains("NOT INTACT"))
    }

    @Test(
        "Every payload carries the chain head; a history rewritten with every hash recomputed is still caught by the head an endpoint holds"
    )
    func witness() throws {
        let clinic = try clinic()
        defer { clinic.remove() }
        let token = clinic.folder.appendingPathComponent("t.token").path
        _ = FileManager.default.createFile(
            atPath: token, contents: Data("tok\n".utf8), attributes: [.posixPermissions: 0o600])
        let server = try EndpointServer(folder: clinic.folder)
        #expect(
            try clinic.run(
                "endpoint", "add", "net", "--url", server.url, "--token-file", token, "--profile", "records", "--k",
                "2", "--allow-small", "--reason", "a test of small groups"
            ).status == 0)
        let head = try #require(try clinic.run("verify", "--json").json() as? [String: Any])["chainHead"] as? String
        let preview = try #require(try clinic.run("export", "preview", "net").json() as? [String: Any])
        #expect(preview["auditChainHead"] as? String == head)
        #expect(try clinic.run("export", "run", "net").status == 0)
        let sent = try #require(
            try JSONSerialization.jsonObject(with: Data((try server.requests().first?["body"] as? String ?? "").utf8))
                as? [String: Any])
        let held = try #require(sent["auditChainHead"] as? String)
        let intact = try #require(try clinic.run("verify", "--json").json() as? [String: Any])
        #expect(intact["intact"] as? Bool == true)
        #expect((intact["witnesses"] as? [[String: Any]])?.first?["chainHead"] as? String == held)

        // The attacker edits a score, writes an audit history to match (every state the rows give
        // the assessment, before a correction as well as after; rewriting only the afters leaves
        // a correction's before at odds with them, which verify names), and recomputes every hash,
        // with an implementation of their own: the chain and the records check out again...
        let rewrite = """
            import hashlib, re, sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("DROP TRIGGER audit_is_append_only_update")
            db.execute("UPDATE assessment SET score = 2 WHERE id = 1")
            rows = db.execute("SELECT id, at, actor, account, action, entity, entity_id, patient, before, after, reason FROM audit ORDER BY id").fetchall()
            prev = "0" * 64
            for row in rows:
                row = list(row)
                if row[6] == "A-000001":
                    row[8], row[9] = [re.sub(r'"score":[0-9.]+', '"score":2', text) if text else text for text in row[8:10]]
                    db.execute("UPDATE audit SET before = ?, after = ? WHERE id = ?", (row[8], row[9], row[0]))
                canon = prev
                for field in [str(row[0])] + row[1:]:
                    canon += "-|" if field is None else "%d:%s|" % (len(field.encode()), field)
                prev = hashlib.sha256(canon.encode()).hexdigest()
                db.execute("UPDATE audit SET hash = ? WHERE id = ?", (prev, row[0]))
            db.execute("CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: they cannot be changed'); END")
            db.commit()
            """
        let attacked = try runProcess("/usr/bin/env", ["python3", "-c", rewrite, clinic.registry])
        #expect(attacked.status == 0, "\(attacked.standardError)")
        let found = try problems(clinic)
        #expect(!found.contains { $0["kind"] as? String == "chain" || $0["kind"] as? String == "record" }, "\(found)")
        // ...but the head the endpoint holds is no longer in it.
        #expect(
            found.contains {
                $0["kind"] as? String == "witness"
                    && ($0["detail"] as? String)?.contains("net holds chain head") == true
            }, "\(found)")
    }

    @Test(
        "A record damaged behind the program's back: a correction of its fields is refused, verify names it, and marking it entered in error still goes through"
    )
    func damagedRecordMarkedEnteredInError() throws {
        let clinic = try clinic()
        defer { clinic.remove() }
        try tamper(clinic, "UPDATE adverse_event SET grade = 'catastrophic' WHERE id = 1")

        let refused = try clinic.run(
            "correct", "AE-000001", "--resolved", "2026-03-04", "--reason", "resolved by next visit")
        #expect(refused.status != 0)
        #expect(
            refused.standardError.contains("the grade of AE-000001: not one of mild, moderate, severe"),
            "\(refused.standardError)")
        #expect(
            try problems(clinic).contains {
                ($0["detail"] as? String)?.contains("AE-000001 differs from its last audited state") == true
            })
        // Outcomes and the day's list count adverse events by grade: they stop and name the
        // record (never the patient), rather than count the damaged grade as mild.
        for command in [["outcomes", "--json"], ["due"]] {
            let stopped = try clinic.run(arguments: command)
            #expect(stopped.status != 0, "\(command)")
            #expect(
                stopped.standardError.contains("the grade of AE-000001: not one of mild, moderate, severe"),
                "\(command): \(stopped.standardError)")
            #expect(!stopped.standardError.contains("V-1"), "no MRN in the error")
        }

        let marked = try clinic.run(
            "correct", "AE-000001", "--entered-in-error", "--reason", "damaged; recorded again", "--json")
        #expect(marked.status == 0, "\(marked.standardError)")
        let view = try #require(try marked.json() as? [String: Any])
        #expect(view["id"] as? String == "AE-000001")
        #expect(view["enteredInError"] as? Bool == true)
        let stored = try DatabaseQueue(path: clinic.registry).read {
            try Row.fetchOne($0, sql: "SELECT grade, entered_in_error FROM adverse_event WHERE id = 1")
        }
        #expect(stored?["grade"] as String? == "catastrophic", "written back as stored, not as a default")
        #expect(stored?["entered_in_error"] as Bool? == true)
        // The page reads again; a record out of use whose grade is no word of the vocabulary is
        // left out of it (the audit trail keeps it, and verify names it below).
        let page = try #require(try clinic.run("patient", "show", "V-1", "--json").json() as? [String: Any])
        let events = try #require(page["adverseEvents"] as? [[String: Any]])
        #expect(!events.contains { $0["id"] as? String == "AE-000001" }, "\(events)")
        #expect(try clinic.run("outcomes", "--json").status == 0, "the rest reads again")

        // The marking wrote the damaged grade into the trail as the record's state before it:
        // verify still says the record was changed behind the program's back, and when.
        let found = try problems(clinic)
        #expect(
            found.contains {
                ($0["detail"] as? String)?.contains(
                    "AE-000001 was changed behind the program's back before the correction at audit row") == true
                    && ($0["detail"] as? String)?.hasSuffix("in grade") == true
            }, "\(found)")
    }

    @Test(
        "A change behind the program's back that a later correction carries into the trail is still found",
        arguments: [
            (
                "adverse_event", "serious = 1", "AE-000001", ["correct", "AE-000001", "--resolved", "2026-03-04"],
                "serious"
            ),
            (
                "co_intervention", "from_date = '2026-01-15'", "C-000001",
                ["correct", "C-000001", "--to", "2026-03-01"], "from"
            ),
            (
                "assessment", "timepoint = 'follow-up'", "A-000001",
                ["correct", "A-000001", "--answers", "3,3,2,2,2,2,2,2,0"], "timepoint"
            ),
            ("infusion", "minutes = 90", "I-000001", ["correct", "I-000001", "--entered-in-error"], "minutes"),
            (
                "course_event", "on_date = '2026-03-10'", "CE-000001", ["correct", "CE-000001", "--entered-in-error"],
                "on"
            ),
        ])
    func launderedByCorrection(table: String, change: String, record: String, correction: [String], field: String)
        throws
    {
        let clinic = try clinic()
        defer { clinic.remove() }
        try tamper(clinic, "UPDATE \(table) SET \(change) WHERE id = 1")
        #expect(
            try problems(clinic).contains {
                ($0["detail"] as? String)?.contains("\(record) differs from its last audited state") == true
            })

        let corrected = try clinic.run(arguments: correction + ["--reason", "routine correction"])
        #expect(corrected.status == 0, "\(corrected.standardError)")
        let found = try problems(clinic)
        #expect(
            !found.contains {
                ($0["detail"] as? String)?.contains("\(record) differs from its last audited state") == true
            },
            "the record now matches the trail's last state: the correction wrote the change in")
        #expect(
            found.contains {
                $0["record"] as? String == record
                    && ($0["detail"] as? String)?.contains(
                        "was changed behind the program's back before the correction at audit row") == true
                    && ($0["detail"] as? String)?.contains(field) == true
            }, "\(found)")
    }

    @Test(
        "A patient changed behind the program's back, then changed by the program, is still found",
        arguments: [
            (
                "patient", "sex = 'male'",
                ["patient", "condition", "add", "P-000001", "migraine", "--on", "2026-03-05"], "add-condition", "sex"
            ),
            (
                "patient", "enrolled_on = '2026-02-01'",
                ["patient", "consent", "P-000001", "--research", "no", "--on", "2026-03-05"], "withdraw-consent",
                "enrolledOn"
            ),
            (
                "prior_treatment", "adequate_trials = 5",
                ["patient", "condition", "end", "P-000001", "depression", "--on", "2026-03-05"], "end-condition",
                "priorTreatments"
            ),
        ])
    func launderedByPatientChange(table: String, change: String, command: [String], action: String, field: String)
        throws
    {
        let clinic = try clinic()
        defer { clinic.remove() }
        try tamper(clinic, "UPDATE \(table) SET \(change) WHERE id = 1")
        #expect(
            try problems(clinic).contains {
                ($0["detail"] as? String)?.contains("P-000001 differs from its last audited state") == true
            })

        let changed = try clinic.run(arguments: command + ["--reason", "routine change"])
        #expect(changed.status == 0, "\(changed.standardError)")
        let found = try problems(clinic)
        #expect(
            !found.contains {
                ($0["detail"] as? String)?.contains("P-000001 differs from its last audited state") == true
            },
            "the patient now matches the trail's last state: the change wrote the tampering in")
        #expect(
            found.contains {
                $0["record"] as? String == "P-000001"
                    && ($0["detail"] as? String)?.contains(
                        "was changed behind the program's back before the change (\(action)) at audit row") == true
                    && ($0["detail"] as? String)?.hasSuffix("in \(field)") == true
            }, "\(found)")
    }

    @Test("A patient's research consent can be withdrawn whatever is damaged in their records")
    func withdrawalNeverBlocked() throws {
        let clinic = try clinic()
        defer { clinic.remove() }
        try tamper(
            clinic,
            """
            UPDATE adverse_event SET grade = 'catastrophic' WHERE id = 1;
            UPDATE prior_treatment SET category = 'SSRI' WHERE id = 1;
            UPDATE assessment SET answers = '[3,2,' WHERE id = 1;
            UPDATE patient SET sex = 'F' WHERE id = 1;
            """)
        #expect(try clinic.run("patient", "show", "P-000001").status == 3, "the page stops at the damage")
        let withdrawn = try clinic.run(
            "patient", "consent", "P-000001", "--research", "no", "--on", "2026-03-05", "--reason", "asked by phone")
        #expect(withdrawn.status == 0, "\(withdrawn.standardError)")
        let stored = try DatabaseQueue(path: clinic.registry).read {
            try Row.fetchOne($0, sql: "SELECT research_consent, consent_withdrawn_on FROM patient WHERE id = 1")
        }
        #expect(stored?["research_consent"] as Bool? == false)
        #expect(stored?["consent_withdrawn_on"] as String? == "2026-03-05")
        // The withdrawal's audit row carried the damaged patient into the trail; verify names it.
        let found = try problems(clinic)
        #expect(
            found.contains {
                ($0["detail"] as? String)?.contains(
                    "P-000001 was changed behind the program's back before the change (withdraw-consent)") == true
            },
            "\(found)")
    }

    @Test("The audit rows say which operating-system account ran each command, beside the actor")
    func account() throws {
        let clinic = try clinic()
        defer { clinic.remove() }
        let rows = try DatabaseQueue(path: clinic.registry).read {
            try Row.fetchAll($0, sql: "SELECT account, hash FROM audit")
        }
        let me = String(cString: getpwuid(geteuid()).pointee.pw_name)
        #expect(rows.allSatisfy { $0["account"] as String? == me && ($0["hash"] as String?)?.count == 64 })
    }
}
