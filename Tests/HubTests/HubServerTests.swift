import Foundation
import HubCore
import RegistryTestSupport
import Testing

/// The built `ketareg-hub` against a real PostgreSQL (a database of each test's own), spoken to
/// over HTTP on 127.0.0.1 by a Python client and by the clinic's own `ketareg`.
@Suite(
    "ketareg-hub on PostgreSQL", .serialized, .enabled(if: postgresURL != nil || requirePostgres, "\(postgresMissing)"))
struct HubServerTests {
    @Test("init creates the tables once, by named migration; a second init changes nothing")
    func initIsIdempotent() throws {
        let hub = try TestHub()
        defer { hub.remove() }
        let first = try hub.run("init")
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("applied 001-clinics-payloads-and-unpacked-tables"))
        let before = try hub.dump()
        let second = try hub.run("init", "--json")
        #expect(second.status == 0)
        let json = try #require(try second.json() as? [String: Any])
        #expect((json["applied"] as? [String])?.isEmpty == true)
        #expect(
            (json["migrations"] as? [String]) == [
                "001-clinics-payloads-and-unpacked-tables", "002-outcome-protocols", "003-infusion-drugs",
                "004-receipts", "005-retractions",
            ])
        #expect(try hub.dump() == before)
    }

    @Test("Clinics: only the token's hash is stored; every refusal names the problem and writes nothing")
    func clinics() throws {
        let hub = try TestHub()
        defer { hub.remove() }
        try #require(try hub.run("init").status == 0)
        let token = try hub.addClinic("Alder Ketamine Clinic")
        let stored = try hub.sql("SELECT encode(token_sha256, 'hex') FROM clinics")
        #expect(stored == [PayloadIntake.digest(Data(token.utf8))], "the SHA-256 of the token, and nothing else")
        #expect(!(try hub.dump()).contains(token))
        let before = try hub.dump()
        let shortFile = hub.folder.appendingPathComponent("short.token").path
        try "tooshort\n".write(toFile: shortFile, atomically: true, encoding: .utf8)
        let sameFile = hub.folder.appendingPathComponent("same.token").path
        try token.write(toFile: sameFile, atomically: true, encoding: .utf8)
        let longFile = hub.folder.appendingPathComponent("long.token").path
        try String(repeating: "c", count: 64).write(toFile: longFile, atomically: true, encoding: .utf8)
        let refusals: [([String], String)] = [
            (["clinic", "add", "Birch", "--token-file", shortFile], "at least 24 characters"),
            (
                ["clinic", "add", "Birch", "--token-file", hub.folder.appendingPathComponent("missing").path],
                "cannot read"
            ),
            (["clinic", "add", "Birch", "--token-file", sameFile], "another clinic already has this token"),
            (["clinic", "add", "Alder Ketamine Clinic", "--token-file", longFile], "already registered"),
            (["clinic", "add", " ", "--token-file", longFile], "1 to 80 characters"),
            (
                [
                    "clinic", "add", "Birch", "--token-file", longFile, "--database",
                    "postgres://ketareg:secret@127.0.0.1/x",
                ], "carries a password"
            ),
        ]
        for (arguments, message) in refusals {
            let outcome = try runProcess(hubBinary, arguments, environment: hub.environment)
            #expect(outcome.status == 1, "\(arguments): \(outcome.standardError)")
            #expect(outcome.standardError.contains(message), "\(arguments): \(outcome.standardError)")
            #expect(!outcome.standardError.contains(token) && !outcome.standardError.contains("secret"))
        }
        #expect(try hub.dump() == before, "a refusal wrote something")
        let list = try #require(try hub.run("clinic", "list", "--json").json() as? [String: Any])
        let clinics = try #require(list["clinics"] as? [[String: Any]])
        #expect(clinics.map { $0["clinic"] as? String } == ["Alder Ketamine Clinic"])
        #expect(clinics.first?["payloads"] as? Int == 0)
    }

    @Test("No database, an unreachable one, or one never initialised: exit 1 or 3 with what to do, never a password")
    func databaseProblems() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["KETAREG_HUB_DATABASE"] = nil
        let none = try runProcess(hubBinary, ["clinic", "list"], environment: environment)
        #expect(none.status == 1 && none.standardError.contains("$KETAREG_HUB_DATABASE"))
        environment["KETAREG_HUB_DATABASE"] = "postgres://ketareg:hunter2secret@127.0.0.1:1/hub?sslmode=disable"
        let unreachable = try runProcess(hubBinary, ["clinic", "list"], environment: environment)
        #expect(unreachable.status == 3, "\(unreachable.standardError)")
        #expect(
            unreachable.standardError.contains("127.0.0.1:1") && !unreachable.standardError.contains("hunter2secret"))
        let hub = try TestHub()
        defer { hub.remove() }
        let uninitialised = try hub.run("clinic", "list")
        #expect(
            uninitialised.status == 3 && uninitialised.standardError.contains("ketareg-hub init"),
            "\(uninitialised.standardError)")
    }

    @Test(
        "POST /v1/exports: stored once; replay 409, same key other bytes 422, bad token 401, bad bodies 400, too large 413; nothing stored or logged from a refused body"
    )
    func receiving() throws {
        let hub = try TestHub()
        defer { hub.remove() }
        try #require(try hub.run("init").status == 0)
        let token = try hub.addClinic("Alder")
        let (url, log) = try hub.serve(["--max-body-mib", "1"])
        let canary = "CANARY-GENERATOR-7f3a"
        let body = summaryPayload(
            period: "2026-10", generator: canary,
            outcomes: [("response", "immediate", 30, 60), ("remission", "immediate", 12, 60)])
        let stored = try send([request(url, token: token, key: "export-1", body: body)])
        #expect(stored[0].status == 202, "\(stored[0].body)")
        #expect(stored[0].body["digest"] as? String == PayloadIntake.digest(Data(body.utf8)))
        let before = try hub.dump()
        let huge = summaryPayload(
            period: "2026-10", generator: String(repeating: "x", count: 2 * 1024 * 1024),
            outcomes: [("response", "immediate", 30, 60)])
        let other = summaryPayload(period: "2026-10", outcomes: [("response", "immediate", 31, 60)])
        let answers = try send([
            request(url, token: token, key: "export-1", body: body),
            request(url, token: token, key: "export-1", body: other),
            request(url, token: "not-a-token-of-any-clinic-at-all", key: "export-2", body: body),
            request(url, token: nil, key: "export-2", body: body),
            request(url, token: token, key: nil, body: body),
            request(url, token: token, key: "export-3", body: "{\"schema\": \"ketareg-summary/3\", " + canary),
            request(
                url, token: token, key: "export-4",
                body: body.replacingOccurrences(of: "\"period\"", with: "\"patientName\": \"\(canary)\", \"period\"")),
            request(
                url, token: token, key: "export-5",
                body: "{\"schema\": \"ketareg-summary/9\", \"generator\": \"\(canary)\"}"),
            request(url, token: token, key: "export-6", body: huge),
            request(url, token: token, key: "export-7", body: body, headers: ["Content-Type": "text/plain"]),
            request(url, token: token, key: "export 8 has spaces", body: body),
            // Valid JSON and schema, but PostgreSQL stores no NUL in text: refused for good (422,
            // so the clinic does not retry forever), nothing stored.
            request(
                url, token: token, key: "export-10",
                body: body.replacingOccurrences(of: "at least 50% lower", with: "at least 50% \\u0000lower")),
        ])
        let statuses = answers.map(\.status)
        #expect(statuses == [409, 422, 401, 401, 400, 400, 400, 400, 413, 415, 400, 422], "\(answers)")
        #expect((answers[5].body["reason"] as? String)?.contains("not JSON") == true)
        #expect((answers[6].body["reason"] as? String)?.contains("patientName") == true)
        #expect((answers[7].body["reason"] as? String)?.contains("unsupported schema") == true)
        #expect(try hub.dump() == before, "a replay or a refusal stored something")
        #expect(try hub.count("payloads") == 1 && hub.count("summary_outcomes") == 2)
        // A chunked body (no Content-Length) over the limit is cut off too.
        let chunked = try send([["url": url, "token": token, "key": "export-9", "body": huge, "chunked": true]])
        #expect(chunked[0].status == 413 || chunked[0].status == -1, "\(chunked)")
        #expect(try hub.count("payloads") == 1)
        hub.stopServers()
        let logged = try String(contentsOf: log, encoding: .utf8)
        #expect(logged.split(separator: "\n").count >= 12, "one line per request:\n\(logged)")
        for secret in [canary, token, "patientName", "export-1", "xxxxxxxx"] {
            #expect(!logged.contains(secret), "the request log holds \(secret)")
        }
    }

    @Test(
        "A revoked token gets 401; a new token works and the old one does not; serve will not start on a database never initialised"
    )
    func revokeAndRotate() throws {
        let hub = try TestHub()
        defer { hub.remove() }
        let refused = try hub.run("serve", "--listen", "127.0.0.1:0")
        #expect(refused.status == 3 && refused.standardError.contains("ketareg-hub init"), "\(refused.standardError)")
        try #require(try hub.run("init").status == 0)
        let old = try hub.addClinic("Alder")
        let (url, _) = try hub.serve()
        let health = try send([
            ["url": url.replacingOccurrences(of: "/v1/exports", with: "/v1/health"), "method": "GET"]
        ])
        #expect(health[0].status == 200 && health[0].body["status"] as? String == "ok")
        let body = { (n: Int) in summaryPayload(period: "2026-10", outcomes: [("response", "immediate", 20 + n, 60)]) }
        #expect(try send([request(url, token: old, key: "a", body: body(0))])[0].status == 202)
        #expect(try hub.run("clinic", "revoke", "Alder").status == 0)
        #expect(try send([request(url, token: old, key: "b", body: body(1))])[0].status == 401)
        let list = try #require(try hub.run("clinic", "list", "--json").json() as? [String: Any])
        #expect(((list["clinics"] as? [[String: Any]])?.first?["revoked"] as? String) != nil)
        let newFile = hub.folder.appendingPathComponent("new.token").path
        let new = String(repeating: "9f", count: 20)
        try new.write(toFile: newFile, atomically: true, encoding: .utf8)
        #expect(try hub.run("clinic", "token", "Alder", "--token-file", newFile).status == 0)
        let answers = try send([
            request(url, token: old, key: "c", body: body(2)), request(url, token: new, key: "d", body: body(3)),
        ])
        #expect(answers.map(\.status) == [401, 202])
        #expect(try hub.run("clinic", "revoke", "Nobody").status == 1)
        #expect(try hub.count("payloads") == 2, "what Alder sent before the revocation stays")
        #expect(!(try hub.dump()).contains(new))
    }

    @Test("Two servers on one database, the same key sent to both at once, ten times: each stored once")
    func twoServersStoreAReplayOnce() throws {
        let hub = try TestHub()
        defer { hub.remove() }
        try #require(try hub.run("init").status == 0)
        let token = try hub.addClinic("Alder")
        let first = try hub.serve()
        let second = try hub.serve()
        var requests: [[String: Any]] = []
        for index in 0..<10 {
            let body = summaryPayload(
                period: "2026-\(String(format: "%02d", index + 1))",
                outcomes: [("response", "immediate", 20 + index, 60)])
            requests.append(request(first.url, token: token, key: "key-\(index)", body: body, group: index))
            requests.append(request(second.url, token: token, key: "key-\(index)", body: body, group: index))
        }
        let answers = try send(requests)
        for index in 0..<10 {
            let pair = [answers[2 * index].status, answers[2 * index + 1].status].sorted()
            #expect(pair == [202, 409], "key-\(index): \(pair)")
        }
        #expect(try hub.count("payloads") == 10)
        #expect(try hub.sql("SELECT count(DISTINCT idempotency_key) FROM payloads") == ["10"])
        #expect(try hub.count("summary_outcomes") == 10)
    }
}

/// The browser the report is checked in: headless Chromium from Debian's packages.
let chromium: String? = ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}
