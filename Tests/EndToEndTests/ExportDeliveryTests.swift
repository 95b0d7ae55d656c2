import Foundation
import RegistryTestSupport
import Testing

@Suite("Exports delivered to a real endpoint on 127.0.0.1")
struct ExportDeliveryTests {
    /// The clock stopped at a moment of the test day (KETAREG_NOW): a retry is due when the test
    /// moves the clock past its time (the back-off is at most 30 s x 2^(n-1) x 1.2), never by waiting.
    func at(_ time: String) -> [String: String] { ["KETAREG_NOW": "2026-11-26T\(time)Z"] }

    @Test(
        "Success: the exact previewed bytes arrive once, with the token, the idempotency key and a user agent",
        arguments: [
            ["--min-cell", "5"],
            ["--profile", "records", "--k", "2", "--allow-small", "--reason", "a test of small groups"],
        ])
    func success(settings: [String]) throws {
        let (clinic, token) = try exportClinic()
        defer { clinic.remove() }
        let server = try EndpointServer(folder: clinic.folder, tokenFile: token)
        #expect(
            try clinic.run(
                arguments: ["endpoint", "add", "net", "--url", server.url, "--token-file", token] + settings
            ).status == 0)
        let preview = try clinic.run("export", "preview", "net")
        #expect(preview.status == 0)
        // A records preview is written in pieces; it still has rows to compare.
        #expect(settings.first != "--profile" || preview.standardOutput.contains(#""assessments":[{"#))
        let run = try clinic.run("export", "run", "net", "--json")
        #expect(run.status == 0, "\(run.standardError)")
        let result = try #require(try run.json() as? [String: String])
        #expect(result["state"] == "delivered")
        let requests = try server.requests()
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request["key"] as? String == result["export"])
        #expect(request["authorized"] as? Bool == true)
        #expect(request["contentType"] as? String == "application/json")
        #expect((request["userAgent"] as? String)?.hasPrefix("ketareg/") == true)
        #expect(request["body"] as? String == preview.standardOutput)
        #expect(try server.acceptedKeys().values.allSatisfy { $0 == 1 })
        let shown = try clinic.run("export", "show", result["export"]!)
        #expect(shown.standardOutput == preview.standardOutput)
        // The token never shows: not in output, status, audit or the registry file.
        for output in [
            run.standardOutput, run.standardError, try clinic.run("export", "status").standardOutput,
            try clinic.run("audit").standardOutput, try clinic.run("endpoint", "list").standardOutput,
        ] {
            #expect(!output.contains("t0ken-for-tests"))
        }
        #expect(!(try clinic.dump().contains("t0ken-for-tests")))
    }

    @Test("libcurl is loaded by the command that sends, and by no other (start-up of every command)")
    func curlLoadedOnlyToSend() throws {
        let (clinic, token) = try exportClinic()
        defer { clinic.remove() }
        let server = try EndpointServer(folder: clinic.folder, tokenFile: token)
        #expect(
            try clinic.run("endpoint", "add", "net", "--url", server.url, "--token-file", token, "--min-cell", "5")
                .status == 0)
        // The dynamic loader names every library it opens when LD_DEBUG=libs.
        let traced = ["LD_DEBUG": "libs"]
        for arguments in [["--version"], ["patients"], ["export", "preview", "net"], ["export", "status"]] {
            let outcome = try clinic.run(arguments: arguments, environment: traced)
            #expect(outcome.status == 0)
            #expect(outcome.standardError.contains("libsqlite3"), "the trace names the libraries opened")
            #expect(!outcome.standardError.contains("libcurl"), "\(arguments) loaded libcurl")
        }
        let sent = try clinic.run("export", "run", "net", environment: traced)
        #expect(sent.status == 0)
        #expect(sent.standardError.contains("libcurl.so.4"))
        #expect(try server.requests().count == 1)
    }

    @Test("An export damaged behind the program's back is named, every other still listed; the command exits 3")
    func damagedOutboxRow() throws {
        let (clinic, token) = try exportClinic()
        defer { clinic.remove() }
        let server = try EndpointServer(folder: clinic.folder, tokenFile: token)
        for name in ["a", "b"] {
            #expect(try clinic.run("endpoint", "add", name, "--url", server.url, "--token-file", token).status == 0)
            #expect(try clinic.run("export", "run", name).status == 0)
        }
        try clinic.tamper("PRAGMA ignore_check_constraints = ON; UPDATE outbox SET state = 'sent' WHERE endpoint = 'a'")
        let shown = try clinic.run("export", "status")
        #expect(shown.status == 3)
        #expect(shown.standardOutput.contains("  b  DELIVERED"), "\(shown.standardOutput)")
        #expect(shown.standardOutput.contains("DAMAGED  the state of export "), "\(shown.standardOutput)")
        #expect(shown.standardError.contains("backup"), "\(shown.standardError)")
        let json = try clinic.run("export", "status", "--json")
        #expect(json.status == 3)
        let object = try #require(try json.json() as? [String: Any])
        #expect((object["exports"] as? [[String: Any]])?.map { $0["endpoint"] as? String } == ["b"])
        #expect((object["damaged"] as? [String])?.count == 1)
    }

    @Test(
        "An endpoint that quotes the request's headers back, token and all: the token is never printed, shown or stored",
        arguments: [400, 503])
    func echoedToken(status: Int) throws {
        let (clinic, token) = try exportClinic()
        defer { clinic.remove() }
        let secret = try String(contentsOfFile: token, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try EndpointServer(
            folder: clinic.folder, answers: #"[{"status": \#(status), "echoHeaders": true}]"#)
        #expect(try clinic.run("endpoint", "add", "net", "--url", server.url, "--token-file", token).status == 0)
        let run = try clinic.run("export", "run", "net")
        #expect(run.status == 4)
        #expect(try server.requests().count == 1)
        let shown = try clinic.run("export", "status")
        let json = try clinic.run("export", "status", "--json")
        for output in [run.standardOutput, run.standardError, shown.standardOutput, json.standardOutput] {
            #expect(!output.contains(secret), "the token was printed: \(output)")
            #expect(!output.lowercased().contains("bearer t"), "a bearer credential was printed: \(output)")
        }
        // the answer was quoted, token cut out
        if status == 400 { #expect(run.standardOutput.contains("[redacted]"), "\(run.standardOutput)") }
        // Nor in the registry file, its journal or its write-ahead log.
        let folder = (clinic.registry as NSString).deletingLastPathComponent
        for name in try FileManager.default.contentsOfDirectory(atPath: folder)
        where name.hasPrefix((clinic.registry as NSString).lastPathComponent) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(name))
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(name) holds the token")
        }
    }

    @Test("500, 503 and 429 with Retry-After are retried until success; the export is accepted once")
    func retriesThenSuccess() throws {
        let (clinic, token) = try exportClinic()
        defer { clinic.remove() }
        let server = try EndpointServer(
            folder: clinic.folder, answers: #"[{"status": 500}, {"status": 503}, {"status": 429, "retryAfter": "600"}]"#
        )
        #expect(try clinic.run("endpoint", "add", "net", "--url", server.url, "--token-file", token).status == 0)
        let first = try clinic.run("export", "run", "net", environment: at("12:00:00"))
        #expect(first.status == 4)
        #expect(first.standardOutput.contains("500 Internal Server Error; will retry"))
        // Not due again until its back-off (24 to 36 s) has passed.
        #expect(
            try clinic.run("export", "run-due", environment: at("12:00:23")).standardOutput.contains("Nothing due"))
        #expect(
            try clinic.run("export", "run-due", environment: at("12:01:00")).standardOutput.contains(
                "503 Service Unavailable"))
        let limited = try clinic.run("export", "run-due", environment: at("12:03:00"))
        #expect(limited.standardOutput.contains("429 Too Many Requests"))
        #expect(limited.standardOutput.contains("will retry after 2026-11-26T12:13:00Z"), "\(limited.standardOutput)")
        // Retry-After: 600, longer than the back-off, holds the next attempt back: not due at
        // 12:12:59.999, due at 12:13:00.
        #expect(
            try clinic.run("export", "run-due", environment: at("12:12:59.999")).standardOutput.contains("Nothing due"))
        let last = try clinic.run("export", "run-due", environment: at("12:13:00"))
        #expect(last.status == 0)
        #expect(last.standardOutput.contains("delivered (200)"))
        let status = try #require(try clinic.run("export", "status", "--json").json() as? [String: [[String: Any]]])
        #expect(status["exports"]?.first?["state"] as? String == "delivered")
        #expect(status["exports"]?.first?["attempts"] as? Int == 4)
        #expect(try server.requests().count == 4)
        #expect(try server.acceptedKeys().values.allSatisfy { $0 == 1 })
        #expect(Set(try server.requests().map { $0["key"] as! String }).count == 1)  // one key throughout
    }

    @Test(
        "A timeout and a dropped connection are retried; a request the server had accepted is answered 409 and counts as delivered"
    )
    func timeoutAndDrop() throws {
        let (clinic, token) = try exportClinic()
        defer { clinic.remove() }
        let server = try EndpointServer(
            folder: clinic.folder, answers: #"[{"status": 200, "delay": 3}, {"drop": true}]"#)
        #expect(
            try clinic.run("endpoint", "add", "net", "--url", server.url, "--token-file", token, "--timeout", "1")
                .status == 0)
        let timedOut = try clinic.run("export", "run", "net", environment: at("12:00:00"))
        #expect(timedOut.status == 4)
        #expect(timedOut.standardOutput.contains("timeout"))
        let dropped = try clinic.run("export", "run-due", environment: at("12:01:00"))
        #expect(dropped.standardOutput.contains("will retry"))
        // The server accepted the first attempt's key when it arrived, and answers the next
        // attempt at once although its slow answer to the first is still running.
        let done = try clinic.run("export", "run-due", environment: at("12:03:00"))
        #expect(done.standardOutput.contains("already delivered (409)"))
        #expect(try server.acceptedKeys().values.allSatisfy { $0 == 1 })
        let status = try #require(try clinic.run("export", "status", "--json").json() as? [String: [[String: Any]]])
        #expect(status["exports"]?.first?["state"] as? String == "delivered")
    }

    @Test(
        "400 and 401 are permanent failures, explained in export status and kept until retried", arguments: [400, 401])
    func permanentFailures(status: Int) throws {
        let (clinic, token) = try exportClinic()
        defer { clinic.remove() }
        let server = try EndpointServer(folder: clinic.folder, answers: "[{\"status\": \(status)}]")
        #expect(try clinic.run("endpoint", "add", "net", "--url", server.url, "--token-file", token).status == 0)
        #expect(try clinic.run("export", "run", "net").status == 4)
        let report = try clinic.run("export", "status")
        #expect(report.standardOutput.contains("FAILED: the endpoint refused the export: \(status)"))
        #expect(report.standardOutput.contains(status == 401 ? "check the endpoint's token file" : "malformed"))
        // not resent by itself
        #expect(try clinic.run("export", "run-due").standardOutput.contains("Nothing due"))
        let json = try #require(try clinic.run("export", "status", "--json").json() as? [String: [[String: Any]]])
        let id = try #require(json["exports"]?.first?["id"] as? String)
        #expect(json["exports"]?.first?["state"] as? String == "failed")
        let unknown = try clinic.run("export", "retry", "0000")
        #expect(
            unknown.status == 1
                && unknown.standardError == "ketareg: no export 0000 in the outbox; see 'ketareg export status'\n",
            "\(unknown.standardError)")
        #expect(try clinic.run("export", "retry", id).status == 0)
        #expect(try clinic.run("export", "run-due").standardOutput.contains("delivered (200)"))
        #expect(try server.acceptedKeys() == [id: 1])
    }

    @Test("Killed during delivery, run again: nothing lost, nothing accepted twice")
    func crashDuringDelivery() throws {
        let (clinic, token) = try exportClinic()
        defer { clinic.remove() }
        let server = try EndpointServer(folder: clinic.folder, answers: #"[{"status": 200, "delay": 10}]"#)
        #expect(
            try clinic.run("endpoint", "add", "net", "--url", server.url, "--token-file", token, "--timeout", "30")
                .status == 0)
        #expect(try clinic.run("export", "schedule", "net", "--every", "daily").status == 0)
        let process = try clinic.start(["export", "run-due"])
        for _ in 0..<400 where try server.requests().isEmpty { Thread.sleep(forTimeInterval: 0.05) }
        #expect(try server.requests().count == 1)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let pending = try #require(try clinic.run("export", "status", "--json").json() as? [String: [[String: Any]]])
        #expect(pending["exports"]?.count == 1)
        #expect(pending["exports"]?.first?["state"] as? String == "pending")
        let again = try clinic.run("export", "run-due")
        #expect(again.status == 0, "\(again.standardError)")
        #expect(again.standardOutput.contains("already delivered (409)"))
        #expect(!again.standardOutput.contains("Built"))  // today's scheduled export exists: not built twice
        #expect(try server.acceptedKeys().values.allSatisfy { $0 == 1 })
        #expect(try clinic.run("export", "run-due").standardOutput.contains("Nothing due"))
    }

    @Test(
        "'export run' killed during delivery, run again: the same export under its own key, accepted once; then nothing to send; then a new export for new data"
    )
    func rerunAfterCrash() throws {
        let (clinic, token) = try exportClinic()
        defer { clinic.remove() }
        let server = try EndpointServer(folder: clinic.folder, answers: #"[{"status": 200, "delay": 10}]"#)
        #expect(
            try clinic.run("endpoint", "add", "net", "--url", server.url, "--token-file", token, "--timeout", "30")
                .status == 0)
        let process = try clinic.start(["export", "run", "net"])
        for _ in 0..<400 where try server.requests().isEmpty { Thread.sleep(forTimeInterval: 0.05) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let first = try #require(try server.requests().first?["key"] as? String)

        let again = try clinic.run("export", "run", "net", "--json")
        #expect(again.status == 0, "\(again.standardError)")
        let answer = try #require(try again.json() as? [String: Any])
        #expect(answer["export"] as? String == first)
        #expect(answer["action"] as? String == "resumed")
        #expect(try server.requests().map { $0["key"] as? String } == [first, first])
        #expect(try server.acceptedKeys() == [first: 1])

        // Nothing changed: nothing is built or sent.
        let unchanged = try clinic.run("export", "run", "net")
        #expect(unchanged.status == 0)
        #expect(unchanged.standardOutput.contains("Nothing changed since export \(first) was delivered"))
        #expect(try server.requests().count == 2)
        let exports = try #require(try clinic.run("export", "status", "--json").json() as? [String: [[String: Any]]])
        #expect(exports["exports"]?.count == 1)

        // New data: a new export under a new key.
        #expect(
            try clinic.run(
                "assess", "P-000001", "--scale", "phq9", "--on", "2026-03-20", "--timepoint", "post-infusion",
                "--answers", "1,1,1,1,1,1,1,1,0"
            ).status == 0)
        let changed = try #require(try clinic.run("export", "run", "net", "--json").json() as? [String: Any])
        #expect(changed["action"] as? String == "built")
        #expect(changed["export"] as? String != first)
        #expect(try server.acceptedKeys().count == 2)
    }

    @Test(
        "run-due logs one line per export built and per attempt: endpoint, export, state, status, next attempt; no patient data, no token"
    )
    func logs() throws {
        let (clinic, token) = try exportClinic()
        defer { clinic.remove() }
        let secret = try String(contentsOfFile: token, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try EndpointServer(folder: clinic.folder, answers: #"[{"status": 503, "echoHeaders": true}]"#)
        #expect(try clinic.run("endpoint", "add", "net", "--url", server.url, "--token-file", token).status == 0)
        #expect(try clinic.run("export", "schedule", "net", "--every", "monthly").status == 0)
        let first = try clinic.run("export", "run-due", environment: at("12:00:00"))
        let second = try clinic.run("export", "run-due", environment: at("12:01:00"))
        let id = try #require(try server.requests().first?["key"] as? String)
        let lines = (first.standardError + second.standardError).split(separator: "\n").map(String.init)
        #expect(
            lines.filter {
                $0.contains("built") && $0.contains("endpoint=net") && $0.contains("export=\(id)")
                    && $0.contains("period=monthly:2026-11")
            }.count == 1, "\(lines)")
        #expect(
            lines.contains {
                $0.contains("delivery") && $0.contains("export=\(id)") && $0.contains("state=pending")
                    && $0.contains("status=503") && $0.contains("nextAttempt=20")
            }, "\(lines)")
        #expect(
            lines.contains {
                $0.contains("delivery") && $0.contains("export=\(id)") && $0.contains("state=delivered")
                    && $0.contains("status=200") && $0.contains("nextAttempt=none")
            }, "\(lines)")
        for line in lines {
            #expect(
                !line.contains(secret) && !line.contains("E-1") && !line.contains("P-0000") && !line.contains("Varga"),
                "\(line)")
        }
    }

    @Test("Two run-due processes at once build one scheduled export and send each export once")
    func concurrentRunDue() throws {
        let (clinic, token) = try exportClinic()
        defer { clinic.remove() }
        let server = try EndpointServer(
            folder: clinic.folder,
            answers:
                #"[{"status": 200, "delay": 0.3}, {"status": 200, "delay": 0.3}, {"status": 200, "delay": 0.3}, {"status": 200, "delay": 0.3}]"#
        )
        for name in ["one", "two", "three"] {
            #expect(try clinic.run("endpoint", "add", name, "--url", server.url, "--token-file", token).status == 0)
            #expect(try clinic.run("export", "schedule", name, "--every", "weekly").status == 0)
        }
        let processes = try (0..<2).map { _ in try clinic.start(["export", "run-due"]) }
        for process in processes { process.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        let status = try #require(try clinic.run("export", "status", "--json").json() as? [String: [[String: Any]]])
        #expect(status["exports"]?.count == 3)
        #expect(status["exports"]?.allSatisfy { $0["state"] as? String == "delivered" } == true)
        let keys = try server.requests().map { $0["key"] as! String }
        #expect(keys.count == 3 && Set(keys).count == 3)  // nothing even sent twice
    }

    @Test("A self-signed certificate is refused by default and accepted with --ca-file")
    func tls() throws {
        let (clinic, token) = try exportClinic()
        defer { clinic.remove() }
        let cert = clinic.folder.appendingPathComponent("cert.pem").path
        let key = clinic.folder.appendingPathComponent("key.pem").path
        let made = try runProcess(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ])
        #expect(made.status == 0, "\(made.standardError)")
        let server = try EndpointServer(folder: clinic.folder, tls: (cert, key))
        let url = "https://localhost:\(server.port)/exports"
        #expect(try clinic.run("endpoint", "add", "untrusted", "--url", url, "--token-file", token).status == 0)
        let refused = try clinic.run("export", "run", "untrusted")
        #expect(refused.status == 4)
        #expect(refused.standardOutput.contains("TLS certificate is not trusted"))
        #expect(try server.requests().isEmpty)  // nothing was sent over the untrusted connection
        #expect(
            try clinic.run("endpoint", "add", "trusted", "--url", url, "--token-file", token, "--ca-file", cert).status
                == 0)
        let accepted = try clinic.run("export", "run", "trusted")
        #expect(accepted.status == 0, "\(accepted.standardOutput)")
        #expect(try server.acceptedKeys().count == 1)
    }

    @Test(
        "Plain http:// to another machine is refused; so are tokens readable by others, and tokens on the command line")
    func refusals() throws {
        let (clinic, token) = try exportClinic(patients: 1)
        defer { clinic.remove() }
        let before = try clinic.dump()
        let remote = try clinic.run(
            "endpoint", "add", "net", "--url", "http://203.0.113.5/exports", "--token-file", token)
        #expect(remote.status == 1)
        #expect(remote.standardError.contains("plain http:// is allowed only to this machine"))
        let shared = clinic.folder.appendingPathComponent("shared.token").path
        _ = FileManager.default.createFile(
            atPath: shared, contents: Data("abc\n".utf8), attributes: [.posixPermissions: 0o644])
        let readable = try clinic.run(
            "endpoint", "add", "net", "--url", "https://research.invalid/x", "--token-file", shared)
        #expect(readable.status == 1)
        #expect(readable.standardError.contains("chmod 600"))
        #expect(
            try clinic.run("endpoint", "add", "net", "--url", "https://research.invalid/x", "--token", "abc").status
                == 2)
        #expect(try clinic.dump() == before)
    }
}
