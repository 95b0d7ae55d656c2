import Foundation
import HubCore
import RegistryTestSupport
import Testing

/// The built `ketareg-hub` against a real PostgreSQL (a database of each test's own), spoken to
/// over HTTP on 127.0.0.1 by a Python client and by the clinic's own `ketareg`.
@Suite("ketareg-hub on PostgreSQL", .serialized, .enabled(if: postgresURL != nil || requirePostgres, "\(postgresMissing)"))
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
        #expect((json["migrations"] as? [String]) == ["001-clinics-payloads-and-unpacked-tables"])
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
            (["clinic", "add", "Birch", "--token-file", hub.folder.appendingPathComponent("missing").path], "cannot read"),
            (["clinic", "add", "Birch", "--token-file", sameFile], "another clinic already has this token"),
            (["clinic", "add", "Alder Ketamine Clinic", "--token-file", longFile], "already registered"),
            (["clinic", "add", " ", "--token-file", longFile], "1 to 80 characters"),
            (["clinic", "add", "Birch", "--token-file", longFile, "--database", "postgres://ketareg:secret@127.0.0.1/x"], "carries a password"),
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
        #expect(unreachable.standardError.contains("127.0.0.1:1") && !unreachable.standardError.contains("hunter2secret"))
        let hub = try TestHub()
        defer { hub.remove() }
        let uninitialised = try hub.run("clinic", "list")
        #expect(uninitialised.status == 3 && uninitialised.standardError.contains("ketareg-hub init"), "\(uninitialised.standardError)")
    }

    @Test("POST /v1/exports: stored once; replay 409, same key other bytes 422, bad token 401, bad bodies 400, too large 413; nothing stored or logged from a refused body")
    func receiving() throws {
        let hub = try TestHub()
        defer { hub.remove() }
        try #require(try hub.run("init").status == 0)
        let token = try hub.addClinic("Alder")
        let (url, log) = try hub.serve(["--max-body-mib", "1"])
        let canary = "CANARY-GENERATOR-7f3a"
        let body = summaryPayload(period: "2026-10", generator: canary, outcomes: [("response", "immediate", 30, 60), ("remission", "immediate", 12, 60)])
        let stored = try send([request(url, token: token, key: "export-1", body: body)])
        #expect(stored[0].status == 202, "\(stored[0].body)")
        #expect(stored[0].body["digest"] as? String == PayloadIntake.digest(Data(body.utf8)))
        let before = try hub.dump()
        let huge = summaryPayload(period: "2026-10", generator: String(repeating: "x", count: 2 * 1024 * 1024), outcomes: [("response", "immediate", 30, 60)])
        let other = summaryPayload(period: "2026-10", outcomes: [("response", "immediate", 31, 60)])
        let answers = try send([
            request(url, token: token, key: "export-1", body: body),
            request(url, token: token, key: "export-1", body: other),
            request(url, token: "not-a-token-of-any-clinic-at-all", key: "export-2", body: body),
            request(url, token: nil, key: "export-2", body: body),
            request(url, token: token, key: nil, body: body),
            request(url, token: token, key: "export-3", body: "{\"schema\": \"ketareg-summary/3\", " + canary),
            request(url, token: token, key: "export-4", body: body.replacingOccurrences(of: "\"period\"", with: "\"patientName\": \"\(canary)\", \"period\"")),
            request(url, token: token, key: "export-5", body: "{\"schema\": \"ketareg-summary/9\", \"generator\": \"\(canary)\"}"),
            request(url, token: token, key: "export-6", body: huge),
            request(url, token: token, key: "export-7", body: body, headers: ["Content-Type": "text/plain"]),
            request(url, token: token, key: "export 8 has spaces", body: body),
            // Valid JSON and schema, but PostgreSQL stores no NUL in text: refused for good (422,
            // so the clinic does not retry forever), nothing stored.
            request(url, token: token, key: "export-10", body: body.replacingOccurrences(of: "at least 50% lower", with: "at least 50% \\u0000lower")),
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

    @Test("A revoked token gets 401; a new token works and the old one does not; serve will not start on a database never initialised")
    func revokeAndRotate() throws {
        let hub = try TestHub()
        defer { hub.remove() }
        let refused = try hub.run("serve", "--listen", "127.0.0.1:0")
        #expect(refused.status == 3 && refused.standardError.contains("ketareg-hub init"), "\(refused.standardError)")
        try #require(try hub.run("init").status == 0)
        let old = try hub.addClinic("Alder")
        let (url, _) = try hub.serve()
        let health = try send([["url": url.replacingOccurrences(of: "/v1/exports", with: "/v1/health"), "method": "GET"]])
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
        let answers = try send([request(url, token: old, key: "c", body: body(2)), request(url, token: new, key: "d", body: body(3))])
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
        let first = try hub.serve(), second = try hub.serve()
        var requests: [[String: Any]] = []
        for index in 0..<10 {
            let body = summaryPayload(period: "2026-\(String(format: "%02d", index + 1))", outcomes: [("response", "immediate", 20 + index, 60)])
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

    @Test("Pooled outcomes equal statsmodels; a newer payload for a period supersedes, an older period does not; every payload stays stored")
    func pooledAgainstStatsmodels() throws {
        let hub = try TestHub()
        defer { hub.remove() }
        try #require(try hub.run("init").status == 0)
        let (url, _) = try hub.serve()
        // (clinic, period, met, assessed) in the order sent.
        let sends: [(String, String, Int?, Int?)] = [
            ("Alder", "2026-09", 10, 50), ("Alder", "2026-10", 33, 60), ("Alder", "2026-10", 35, 64),  // the last counts
            ("Birch", "2026-10", 70, 90), ("Birch", "2026-08", 20, 90),                                  // 2026-10 counts
            ("Cedar", "2026-10", 12, 80), ("Damson", "2026-10", 0, 25), ("Elm", "2026-10", 40, 40),
            ("Fir", "2026-10", 5, 30), ("Gorse", "2026-10", nil, nil), ("Hazel", "2026-10", 45, 100),
        ]
        var tokens: [String: String] = [:]
        for (index, item) in sends.enumerated() {
            if tokens[item.0] == nil { tokens[item.0] = try hub.addClinic(item.0) }
            let body = summaryPayload(period: item.1, outcomes: [("response", "immediate", item.2, item.3)])
            let answer = try send([request(url, token: tokens[item.0], key: "send-\(index)", body: body)])
            #expect(answer[0].status == 202, "\(item): \(answer[0].body)")
        }
        #expect(try hub.count("payloads") == sends.count, "superseded payloads stay stored")
        let outcome = try hub.run("outcomes", "--json")
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let json = try #require(try outcome.json() as? [String: Any])
        #expect(json["minimumCellSize"] as? Int == 11)
        let row = try #require((json["outcomes"] as? [[String: Any]])?.first)
        let shown = try #require(row["clinics"] as? [[String: Any]])
        let expected: [(String, Int, Int)] = [("Alder", 35, 64), ("Birch", 70, 90), ("Cedar", 12, 80), ("Damson", 0, 25), ("Elm", 40, 40), ("Hazel", 45, 100)]
        #expect(shown.map { "\($0["clinic"]!)=\($0["responders"]!)/\($0["assessed"]!)" } == expected.map { "\($0.0)=\($0.1)/\($0.2)" })
        let notReported = try #require(row["notReported"] as? [[String: String]])
        #expect(notReported == [["clinic": "Fir", "reason": "a count from 1 to 10"], ["clinic": "Gorse", "reason": "suppressed by the clinic"]])
        let theirs = try #require((try python("Tests/HubTests/statsmodels_pool.py", input: [
            "sets": [expected.map { [$0.1, $0.2] }], "wilson": [[expected.reduce(0) { $0 + $1.1 }, expected.reduce(0) { $0 + $1.2 }]],
        ]) as? [String: Any]))
        let set = try #require((theirs["sets"] as? [[String: Any]])?.first)
        let random = try #require(set["random"] as? [String: Double]), fixed = try #require(set["fixed"] as? [String: Double])
        let pooled = try #require(row["pooled"] as? [String: Any]), fixedOut = try #require(row["fixed"] as? [String: Any])
        let crude = try #require(row["crude"] as? [String: Any])
        func close(_ value: Any?, _ expected: Double, _ what: String) {
            let number = (value as? Double) ?? (value as? Int).map(Double.init) ?? .nan
            #expect(abs(number - expected) <= 1e-9 * max(1, abs(expected)), "\(what): \(number), statsmodels \(expected)")
        }
        close(pooled["rate"], MetaAnalysis.expit(random["logit"]!), "pooled rate")
        close(pooled["ciLow"], MetaAnalysis.expit(random["low"]!), "pooled CI low")
        close(pooled["ciHigh"], MetaAnalysis.expit(random["high"]!), "pooled CI high")
        close(pooled["tau2"], set["tau2"] as! Double, "tau2")
        close(pooled["i2"], set["i2"] as! Double, "I2")
        close(pooled["q"], set["q"] as! Double, "Q")
        close(fixedOut["rate"], MetaAnalysis.expit(fixed["logit"]!), "fixed rate")
        close(fixedOut["ciLow"], MetaAnalysis.expit(fixed["low"]!), "fixed CI low")
        #expect(crude["responders"] as? Int == 202 && crude["assessed"] as? Int == 399)
        let wilson = try #require((theirs["wilson"] as? [[String: Double]])?.first)
        close(crude["ciLow"], wilson["low"]!, "Wilson low")
        close(crude["ciHigh"], wilson["high"]!, "Wilson high")
        #expect((set["i2"] as! Double) > 0.5, "the set is heterogeneous")
        // The table for people says the same.
        let text = try hub.run("outcomes")
        #expect(text.status == 0 && text.standardOutput.contains("Alder") && text.standardOutput.contains("35/64"))
        #expect(text.standardOutput.contains("not reported: Fir (a count from 1 to 10); Gorse (suppressed by the clinic)"))
        #expect(!text.standardOutput.contains("5/30"), "a withheld row's counts are never shown")
        // On a full disk the table and the JSON end with exit status 3 and say so, never with
        // status 0 and the output lost, nor a crash.
        for arguments in ["outcomes", "outcomes --json"] {
            let full = try runProcess("/bin/sh", ["-c", "exec \"$0\" \(arguments) > /dev/full", hubBinary], environment: hub.environment)
            #expect(full.status == 3, "\(arguments): \(full.status) \(full.standardError)")
            #expect(full.standardError.contains("could not write standard output: No space left on device"), "\(arguments): \(full.standardError)")
        }
        // A stricter network shows fewer clinics: at 40, only rows whose every count is 0 or 40 and up.
        #expect(try hub.run("settings", "--minimum-cell-size", "40").status == 0)
        let strict = try #require(try hub.run("outcomes", "--json").json() as? [String: Any])
        let strictShown = ((strict["outcomes"] as? [[String: Any]])?.first?["clinics"] as? [[String: Any]])?.compactMap { $0["clinic"] as? String }
        #expect(strictShown == ["Elm", "Hazel"])
        #expect(try hub.run("settings", "--minimum-cell-size", "0").status == 1)
    }

    @Test("A clinic's own exporter delivers to the hub; what arrives is what the clinic's payload says; nothing is sent twice")
    func clinicExporterDelivers() throws {
        let hub = try TestHub()
        defer { hub.remove() }
        try #require(try hub.run("init").status == 0)
        let token = try hub.addClinic("Demo clinic")
        let (url, _) = try hub.serve()
        let demo = hub.folder.appendingPathComponent("demo")
        try FileManager.default.createDirectory(at: demo, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["KETAREG_TODAY"] = "2026-11-26"
        environment["KETAREG_REGISTRY"] = demo.appendingPathComponent("demo-registry.sqlite").path
        let made = try runProcess(ketaregBinary, ["demo", "--dir", demo.path], environment: environment)
        try #require(made.status == 0, "\(made.standardError)")
        let tokenFile = demo.appendingPathComponent("hub.token").path
        try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        try #require(chmod(tokenFile, 0o600) == 0)
        for (name, profile) in [("hub", "summary"), ("hub-records", "records"), ("hub-fhir", "fhir")] {
            // The demo clinic is small: at the default 11 every condition of its summary is suppressed.
            let added = try runProcess(ketaregBinary, ["endpoint", "add", name, "--url", url, "--token-file", tokenFile, "--profile", profile]
                                       + (profile == "summary" ? ["--min-cell", "5"] : ["--k", "2"]), environment: environment)
            try #require(added.status == 0, "\(added.standardError)")
            let run = try runProcess(ketaregBinary, ["export", "run", name], environment: environment)
            #expect(run.status == 0 && run.standardOutput.contains("delivered (202)"), "\(name): \(run.standardOutput) \(run.standardError)")
        }
        let again = try runProcess(ketaregBinary, ["export", "run", "hub"], environment: environment)
        #expect(again.status == 0 && again.standardOutput.contains("nothing sent"), "\(again.standardOutput)")
        #expect(try hub.sql("SELECT kind FROM payloads ORDER BY id") == ["summary", "records", "fhir"])
        // The stored summary's outcome rows are the payload's, row for row.
        let preview = try runProcess(ketaregBinary, ["export", "preview", "hub"], environment: environment)
        let payload = try #require(try JSONSerialization.jsonObject(with: Data(preview.standardOutput.utf8)) as? [String: Any])
        var expected: [String] = []
        for condition in payload["conditions"] as? [[String: Any]] ?? [] {
            for outcome in condition["outcomes"] as? [[String: Any]] ?? [] {
                let fields: [Any?] = [condition["condition"], outcome["outcome"], outcome["scale"], outcome["window"], outcome["visit"] ?? "",
                                      outcome["assessed"] ?? "", outcome["met"] ?? "", (outcome["suppressed"] as? Bool) == true ? "t" : "f"]
                expected.append(fields.map { "\($0 ?? "")" }.joined(separator: "|"))
            }
        }
        let stored = try hub.sql("""
            SELECT condition, outcome, scale, outcome_window, visit, coalesce(assessed::text, ''), coalesce(met::text, ''), suppressed
            FROM summary_outcomes
            """)
        #expect(stored.sorted() == expected.sorted())
        #expect(expected.count > 10, "the summary has outcome rows to compare: \(expected.count)")
        // The records payload is unpacked by pseudonym; the audit-chain head is kept.
        #expect(try hub.count("records_patients") > 0 && hub.count("records_assessments") > 0)
        #expect(try hub.sql("SELECT count(*) FROM payloads WHERE audit_chain_head ~ '^[0-9a-f]{64}$'") == ["3"])
    }

    @Test("The forest plots render in headless Chromium; the page fetches nothing and shows no withheld row",
          .enabled(if: chromium != nil || requirePostgres, "headless Chromium is not installed (Scripts/test installs it)"))
    func reportRenders() throws {
        let browser = try #require(chromium, "CI needs headless Chromium: Scripts/test installs chromium-headless-shell")
        let hub = try TestHub()
        defer { hub.remove() }
        try #require(try hub.run("init").status == 0)
        let (url, _) = try hub.serve()
        // (responders, remitters, assessed); the last clinic's 5 and 4 are withheld.
        for (index, counts) in [(33, 27, 60), (70, 46, 90), (12, 17, 80), (45, 33, 100), (5, 4, 40)].enumerated() {
            let token = try hub.addClinic("Clinic <\(index)> & co")
            let body = summaryPayload(period: "2026-10", outcomes: [("response", "immediate", counts.0, counts.2), ("remission", "immediate", counts.1, counts.2)])
            #expect(try send([request(url, token: token, key: "k\(index)", body: body)])[0].status == 202)
        }
        let html = hub.folder.appendingPathComponent("network.html").path
        let written = try hub.run("report", "--html", html)
        #expect(written.status == 0, "\(written.standardError)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.components(separatedBy: "<svg").count - 1 == 2, "one forest plot per outcome")
        #expect(!page.contains("<script"))
        #expect(!page.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"), "no address but the SVG namespace")
        #expect(!page.contains("src=") && !page.contains("href="), "nothing fetched")
        #expect(page.contains("Clinic &lt;0&gt; &amp; co") && !page.contains("Clinic <0>"), "names are escaped")
        #expect(page.contains("Not reported: Clinic &lt;4&gt; &amp; co (a count from 1 to 10)"))
        #expect(page.contains("I² ="))
        let blank = hub.folder.appendingPathComponent("blank.html").path
        try "<!DOCTYPE html><html><body></body></html>".write(toFile: blank, atomically: true, encoding: .utf8)
        func render(_ file: String) throws -> Int {
            let png = file + ".png"
            let outcome = try runProcess(browser, ["--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=900,1200", "--screenshot=\(png)", "file://\(file)"])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let data = try Data(contentsOf: URL(fileURLWithPath: png))
            #expect(data.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
            return data.count
        }
        let empty = try render(blank), drawn = try render(html)
        #expect(drawn > 5 * empty, "the forest plots draw: \(drawn) bytes against \(empty) for a blank page")
        // The browser's own DOM has every clinic's row and the pooled diamond in each plot.
        let dom = try runProcess(browser, ["--no-sandbox", "--disable-gpu", "--dump-dom", "file://\(html)"])
        #expect(dom.standardOutput.components(separatedBy: "class=\"clinic\"").count - 1 == 8, "four shown clinics in each of two plots")
        #expect(dom.standardOutput.components(separatedBy: "<polygon").count - 1 == 2)
    }
}

/// The browser the report is checked in: headless Chromium from Debian's packages.
let chromium: String? = ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"].first { FileManager.default.isExecutableFile(atPath: $0) }
