import Foundation
import RegistryTestSupport
import Testing

/// Issue 34's fifth attack, as the insider ran it: the anonymisation settings and the outbox
/// changed with `sqlite3` behind the program's back. The schema refuses the lowered floors; with
/// its triggers dropped, `verify` names every change and the exporter builds and sends nothing.
@Suite("Anonymisation settings are audited and held by the schema")
struct SettingsTamperTests {
    func sqlite(_ path: String, _ sql: String) throws -> Outcome {
        try runProcess("/usr/bin/sqlite3", [path, sql])
    }

    func problems(_ clinic: Clinic) throws -> (status: Int32, details: [String], kinds: [String]) {
        let outcome = try clinic.run("verify", "--json", "--offline")
        let report = try #require(try outcome.json() as? [String: Any])
        let problems = report["problems"] as? [[String: Any]] ?? []
        return (
            outcome.status, problems.compactMap { $0["detail"] as? String },
            problems.compactMap { $0["kind"] as? String }
        )
    }

    @Test(
        "Attack 5: min_cell lowered, the URL changed and the outbox deleted with sqlite3: refused, named, nothing sent")
    func settingsChangedBehindTheProgram() throws {
        let (clinic, token) = try exportClinic()
        defer { clinic.remove() }
        let server = try EndpointServer(folder: clinic.folder)
        let thief = try EndpointServer(folder: clinic.folder)
        let added = try clinic.run(
            "endpoint", "add", "net", "--url", server.url, "--token-file", token, "--min-cell", "5")
        try #require(added.status == 0, "\(added.standardError)")
        try #require(try clinic.run("export", "schedule", "net", "--every", "monthly").status == 0)
        try #require(try clinic.run("export", "run", "net").status == 0)
        try #require(try server.requests().count == 1)
        #expect(try problems(clinic).status == 0)

        // The schema holds the floor.
        let refused = try sqlite(clinic.registry, "UPDATE endpoint SET min_cell = 1 WHERE name = 'net';")
        #expect(refused.status != 0 && refused.standardError.contains("privacy floors"), "\(refused.standardError)")
        #expect(try sqlite(clinic.registry, "SELECT min_cell FROM endpoint;").standardOutput == "5\n")

        // The insider drops the triggers first, then lowers the cell, points the URL at their own
        // server, changes the schedule and empties the outbox and the release memory.
        let attack = try sqlite(
            clinic.registry,
            """
            DROP TRIGGER endpoint_floors_update;
            UPDATE endpoint SET min_cell = 1, url = '\(thief.url)' WHERE name = 'net';
            UPDATE export_schedule SET every = 'daily';
            DELETE FROM receipt; DELETE FROM outbox; DELETE FROM summary_cell_member; DELETE FROM summary_cell;
            """)
        try #require(attack.status == 0, "\(attack.standardError)")
        let (status, details, kinds) = try problems(clinic)
        #expect(status == 3)
        #expect(
            details.contains {
                $0.contains("endpoint net differs from its audited settings") && $0.contains("minCell")
                    && $0.contains("url")
            }, "\(details)")
        #expect(details.contains { $0.contains("schedule of the endpoint net") }, "\(details)")
        #expect(details.contains { $0.contains("release memory") }, "\(details)")
        #expect(details.contains { $0.contains("no longer in the outbox") }, "\(details)")
        #expect(details.contains { $0.contains("endpoint_floors_update is missing") }, "\(details)")
        #expect(kinds.contains("setting") && kinds.contains("trigger") && kinds.contains("export"))

        // The exporter builds nothing and sends nothing, to either server.
        let run = try clinic.run("export", "run", "net")
        #expect(run.status == 1, "\(run.standardOutput)")
        #expect(run.standardError.contains("changed behind the program's back"), "\(run.standardError)")
        #expect(run.standardError.contains("nothing was built or sent"), "\(run.standardError)")
        #expect(try thief.requests().isEmpty)
        #expect(try server.requests().count == 1)
        #expect(try sqlite(clinic.registry, "SELECT count(*) FROM outbox;").standardOutput == "0\n")
    }

    @Test("--k 2 and --min-cell 2 are refused without --allow-small and a reason; with them, the reason is audited")
    func smallCellsNeedAReason() throws {
        let (clinic, token) = try exportClinic(patients: 1)
        defer { clinic.remove() }
        let url = "http://127.0.0.1:9/exports"
        for (options, field) in [
            (["--min-cell", "2"], "min-cell"), (["--profile", "records", "--k", "4"], "k"),
            (["--k", "2", "--allow-small"], "reason"), (["--k", "3", "--allow-small", "--reason", " "], "reason"),
        ] {
            let outcome = try clinic.run(
                arguments: ["endpoint", "add", "net", "--url", url, "--token-file", token] + options)
            #expect(outcome.status == 1, "\(options)")
            #expect(outcome.standardError.contains("\(field):"), "\(options): \(outcome.standardError)")
            #expect(outcome.standardError.contains("--allow-small"), "\(options): \(outcome.standardError)")
        }
        #expect(try sqlite(clinic.registry, "SELECT count(*) FROM endpoint;").standardOutput == "0\n")
        let added = try clinic.run(
            "endpoint", "add", "net", "--url", url, "--token-file", token, "--profile", "records", "--k", "3",
            "--allow-small", "--reason", "our own analysis server, DPIA 2026-14")
        #expect(added.status == 0, "\(added.standardError)")
        let audited = try sqlite(
            clinic.registry, "SELECT json_extract(after, '$.smallReason') FROM audit WHERE action = 'add-endpoint';")
        #expect(audited.standardOutput == "our own analysis server, DPIA 2026-14\n")
        #expect(try problems(clinic).status == 0)
    }

    @Test("A reply stored raw (before replies were escaped, or by another tool) is shown escaped by export status")
    func storedReplyEscaped() throws {
        let (clinic, token) = try exportClinic(patients: 1)
        defer { clinic.remove() }
        let server = try EndpointServer(folder: clinic.folder)
        try #require(
            try clinic.run("endpoint", "add", "net", "--url", server.url, "--token-file", token).status == 0)
        try #require(try clinic.run("export", "run", "net").status == 0)
        let raw = try sqlite(
            clinic.registry, "UPDATE outbox SET state = 'failed', last_error = 'bad' || char(27) || '[2J' || char(7);")
        try #require(raw.status == 0, "\(raw.standardError)")
        for arguments in [["export", "status"], ["export", "status", "--json"]] {
            let shown = try clinic.run(arguments: arguments)
            #expect(shown.status == 0, "\(shown.standardError)")
            #expect(shown.standardOutput.contains("bad"), "\(shown.standardOutput)")
            #expect(!shown.standardOutput.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" })
        }
    }
}
