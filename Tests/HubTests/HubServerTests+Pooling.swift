import Foundation
import HubCore
import RegistryTestSupport
import Testing

/// Pooling, the clinic's own exporter against the hub, and the forest-plot page.
extension HubServerTests {
    @Test(
        "Pooled outcomes equal statsmodels; a newer payload for a period supersedes, an older period does not; every payload stays stored"
    )
    func pooledAgainstStatsmodels() throws {
        let hub = try TestHub()
        defer { hub.remove() }
        try #require(try hub.run("init").status == 0)
        let (url, _) = try hub.serve()
        // (clinic, period, met, assessed) in the order sent.
        let sends: [(String, String, Int?, Int?)] = [
            // the last counts
            ("Alder", "2026-09", 10, 50), ("Alder", "2026-10", 33, 60), ("Alder", "2026-10", 35, 64),
            ("Birch", "2026-10", 70, 90), ("Birch", "2026-08", 20, 90),  // 2026-10 counts
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
        let expected: [(String, Int, Int)] = [
            ("Alder", 35, 64), ("Birch", 70, 90), ("Cedar", 12, 80), ("Damson", 0, 25), ("Elm", 40, 40),
            ("Hazel", 45, 100),
        ]
        #expect(
            shown.map { "\($0["clinic"]!)=\($0["responders"]!)/\($0["assessed"]!)" }
                == expected.map { "\($0.0)=\($0.1)/\($0.2)" })
        let notReported = try #require(row["notReported"] as? [[String: String]])
        #expect(
            notReported == [
                ["clinic": "Fir", "reason": "a count from 1 to 10"],
                ["clinic": "Gorse", "reason": "suppressed by the clinic"],
            ])
        let theirs = try #require(
            (try python(
                "Tests/HubTests/statsmodels_pool.py",
                input: [
                    "sets": [expected.map { [$0.1, $0.2] }],
                    "wilson": [[expected.reduce(0) { $0 + $1.1 }, expected.reduce(0) { $0 + $1.2 }]],
                ]) as? [String: Any]))
        let set = try #require((theirs["sets"] as? [[String: Any]])?.first)
        let random = try #require(set["random"] as? [String: Double])
        let fixed = try #require(set["fixed"] as? [String: Double])
        let pooled = try #require(row["pooled"] as? [String: Any])
        let fixedOut = try #require(row["fixed"] as? [String: Any])
        let crude = try #require(row["crude"] as? [String: Any])
        func close(_ value: Any?, _ expected: Double, _ what: String) {
            let number = (value as? Double) ?? (value as? Int).map(Double.init) ?? .nan
            #expect(
                abs(number - expected) <= 1e-9 * max(1, abs(expected)), "\(what): \(number), statsmodels \(expected)")
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
        #expect(
            text.standardOutput.contains("not reported: Fir (a count from 1 to 10); Gorse (suppressed by the clinic)"))
        #expect(!text.standardOutput.contains("5/30"), "a withheld row's counts are never shown")
        // On a full disk the table and the JSON end with exit status 3 and say so, never with
        // status 0 and the output lost, nor a crash.
        for arguments in ["outcomes", "outcomes --json"] {
            let full = try runProcess(
                "/bin/sh", ["-c", "exec \"$0\" \(arguments) > /dev/full", hubBinary], environment: hub.environment)
            #expect(full.status == 3, "\(arguments): \(full.status) \(full.standardError)")
            #expect(
                full.standardError.contains("could not write standard output: No space left on device"),
                "\(arguments): \(full.standardError)")
        }
        // A stricter network shows fewer clinics: at 40, only rows whose every count is 0 or 40 and up.
        #expect(try hub.run("settings", "--minimum-cell-size", "40").status == 0)
        let strict = try #require(try hub.run("outcomes", "--json").json() as? [String: Any])
        let strictShown = ((strict["outcomes"] as? [[String: Any]])?.first?["clinics"] as? [[String: Any]])?.compactMap
        { $0["clinic"] as? String }
        #expect(strictShown == ["Elm", "Hazel"])
        #expect(try hub.run("settings", "--minimum-cell-size", "0").status == 1)
    }

    @Test(
        "A clinic's own exporter delivers to the hub; what arrives is what the clinic's payload says; nothing is sent twice"
    )
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
            let added = try runProcess(
                ketaregBinary,
                ["endpoint", "add", name, "--url", url, "--token-file", tokenFile, "--profile", profile]
                    + (profile == "summary"
                        ? ["--min-cell", "5"] : ["--k", "2", "--allow-small", "--reason", "a test of small groups"]),
                environment: environment)
            try #require(added.status == 0, "\(added.standardError)")
            let run = try runProcess(ketaregBinary, ["export", "run", name], environment: environment)
            #expect(
                run.status == 0 && run.standardOutput.contains("delivered (202)"),
                "\(name): \(run.standardOutput) \(run.standardError)")
        }
        let again = try runProcess(ketaregBinary, ["export", "run", "hub"], environment: environment)
        #expect(again.status == 0 && again.standardOutput.contains("nothing sent"), "\(again.standardOutput)")
        #expect(try hub.sql("SELECT kind FROM payloads ORDER BY id") == ["summary", "records", "fhir"])
        // The stored summary's outcome rows are the payload's, row for row.
        let preview = try runProcess(ketaregBinary, ["export", "preview", "hub"], environment: environment)
        let payload = try #require(
            try JSONSerialization.jsonObject(with: Data(preview.standardOutput.utf8)) as? [String: Any])
        var expected: [String] = []
        for condition in payload["conditions"] as? [[String: Any]] ?? [] {
            for outcome in condition["outcomes"] as? [[String: Any]] ?? [] {
                let fields: [Any?] = [
                    condition["condition"], outcome["outcome"], outcome["scale"], outcome["window"],
                    outcome["visit"] ?? "",
                    outcome["assessed"] ?? "", outcome["met"] ?? "",
                    (outcome["suppressed"] as? Bool) == true ? "t" : "f",
                ]
                expected.append(fields.map { "\($0 ?? "")" }.joined(separator: "|"))
            }
        }
        let stored = try hub.sql(
            """
            SELECT condition, outcome, scale, outcome_window, visit, coalesce(assessed::text, ''), coalesce(met::text, ''), suppressed
            FROM summary_outcomes
            """)
        #expect(stored.sorted() == expected.sorted())
        #expect(expected.count > 10, "the summary has outcome rows to compare: \(expected.count)")
        // The records payload is unpacked by pseudonym; the audit-chain head is kept.
        #expect(try hub.count("records_patients") > 0 && hub.count("records_assessments") > 0)
        // Its infusions keep their drug, and the protocols its courses ran under are stored as sent.
        #expect(try hub.sql("SELECT DISTINCT drug FROM records_infusions") == ["ketamine"])
        let records = try runProcess(ketaregBinary, ["export", "preview", "hub-records"], environment: environment)
        let sent = try #require(
            try JSONSerialization.jsonObject(with: Data(records.standardOutput.utf8)) as? [String: Any])
        let protocols = (sent["protocols"] as? [[String: Any]] ?? []).map {
            "\($0["condition"] ?? "")|\($0["protocol"] ?? "")"
        }
        #expect(!protocols.isEmpty, "the demo's records name the protocols of their courses")
        #expect(
            try hub.sql("SELECT condition || '|' || protocol FROM records_protocols").sorted() == protocols.sorted())
        #expect(try hub.sql("SELECT count(*) FROM payloads WHERE audit_chain_head ~ '^[0-9a-f]{64}$'") == ["3"])
    }

    @Test(
        "The forest plots render in headless Chromium; the page fetches nothing and shows no withheld row",
        .enabled(
            if: chromium != nil || requirePostgres, "headless Chromium is not installed (Scripts/test installs it)"))
    func reportRenders() throws {
        let browser = try #require(
            chromium, "CI needs headless Chromium: Scripts/test installs chromium-headless-shell")
        let hub = try TestHub()
        defer { hub.remove() }
        try #require(try hub.run("init").status == 0)
        let (url, _) = try hub.serve()
        // (responders, remitters, assessed); the last clinic's 5 and 4 are withheld.
        for (index, counts) in [(33, 27, 60), (70, 46, 90), (12, 17, 80), (45, 33, 100), (5, 4, 40)].enumerated() {
            let token = try hub.addClinic("Clinic <\(index)> & co")
            let body = summaryPayload(
                period: "2026-10",
                outcomes: [
                    ("response", "immediate", counts.0, counts.2), ("remission", "immediate", counts.1, counts.2),
                ])
            #expect(try send([request(url, token: token, key: "k\(index)", body: body)])[0].status == 202)
        }
        let html = hub.folder.appendingPathComponent("network.html").path
        let written = try hub.run("report", "--html", html)
        #expect(written.status == 0, "\(written.standardError)")
        // A file that cannot be written: exit 3, as the help says, with the file named.
        let nowhere = hub.folder.appendingPathComponent("no-such-folder/network.html").path
        let unwritable = try hub.run("report", "--html", nowhere)
        #expect(unwritable.status == 3, "\(unwritable.status) \(unwritable.standardError)")
        #expect(unwritable.standardError.contains("cannot write \(nowhere)"), "\(unwritable.standardError)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.components(separatedBy: "<svg").count - 1 == 2, "one forest plot per outcome")
        #expect(!page.contains("<script"))
        #expect(
            !page.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"),
            "no address but the SVG namespace")
        #expect(!page.contains("src=") && !page.contains("href="), "nothing fetched")
        #expect(page.contains("Clinic &lt;0&gt; &amp; co") && !page.contains("Clinic <0>"), "names are escaped")
        #expect(page.contains("Not reported: Clinic &lt;4&gt; &amp; co (a count from 1 to 10)"))
        #expect(page.contains("I² ="))
        let blank = hub.folder.appendingPathComponent("blank.html").path
        try "<!DOCTYPE html><html><body></body></html>".write(toFile: blank, atomically: true, encoding: .utf8)
        func render(_ file: String) throws -> Int {
            let png = file + ".png"
            let outcome = try runProcess(
                browser,
                [
                    "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=900,1200",
                    "--screenshot=\(png)", "file://\(file)",
                ])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let data = try Data(contentsOf: URL(fileURLWithPath: png))
            #expect(data.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
            return data.count
        }
        let empty = try render(blank)
        let drawn = try render(html)
        #expect(drawn > 5 * empty, "the forest plots draw: \(drawn) bytes against \(empty) for a blank page")
        // The browser's own DOM has every clinic's row and the pooled diamond in each plot.
        let dom = try runProcess(browser, ["--no-sandbox", "--disable-gpu", "--dump-dom", "file://\(html)"])
        #expect(
            dom.standardOutput.components(separatedBy: "class=\"clinic\"").count - 1 == 8,
            "four shown clinics in each of two plots")
        #expect(dom.standardOutput.components(separatedBy: "<polygon").count - 1 == 2)
    }
}
