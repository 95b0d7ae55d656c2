import Foundation
import RegistryTestSupport
import Testing

extension DrugsAndSessionsTests {
    @Test(
        "Both payload profiles carry drugs, the new routes and fixed doses in their bands, and validate against their schemas with Python's jsonschema"
    )
    func payloadsCarryDrugs() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        for number in 0..<12 {
            let id = try clinic.enroll(mrn: "D-\(number)")
            for day in ["02", "09"] {
                let dose =
                    number < 6
                    ? ["--drug", "esketamine", "--dose-mg", "56"]
                    : ["--route", "sublingual", "--dose-mg", "25", "--minutes", "20"]
                let outcome = try clinic.run(
                    arguments: ["infusion", "add", id, "--on", "2026-03-\(day)", "--at", "10:00"] + dose)
                #expect(outcome.status == 0, "\(outcome.standardError)")
            }
        }
        // The clinic's own protocol from 2026-03-05: the first sessions' courses opened under the
        // module's, so the records name both.
        let set = try clinic.run(
            "protocol", "set", "depression", "--infusions", "2", "--within-days", "14", "--end-window-days", "7",
            "--from", "2026-03-05", "--reason", "clinic protocol")
        #expect(set.status == 0, "\(set.standardError)")
        // Two patients whose courses open after it.
        for number in 12..<14 {
            let id = try clinic.enroll(mrn: "D-\(number)")
            let outcome = try clinic.run(
                "infusion", "add", id, "--on", "2026-03-09", "--at", "10:00", "--route", "sublingual", "--dose-mg",
                "25",
                "--minutes", "20")
            #expect(outcome.status == 0, "\(outcome.standardError)")
        }
        let token = clinic.folder.appendingPathComponent("t.token").path
        _ = FileManager.default.createFile(
            atPath: token, contents: Data("tok\n".utf8), attributes: [.posixPermissions: 0o600])
        for (name, profile) in [("summary-a", "summary"), ("records-a", "records")] {
            #expect(
                try clinic.run(
                    "endpoint", "add", name, "--url", "https://research.invalid/\(name)", "--token-file", token,
                    "--profile", profile, "--min-cell", "3", "--k", "2", "--allow-small", "--reason",
                    "a test of small groups"
                ).status == 0)
        }
        let schemas = repositoryRoot.appendingPathComponent("Sources/PayloadFormat/Schemas")
        var checked = 0
        for (name, schema) in [
            ("summary-a", "ketareg-summary-6.schema.json"), ("records-a", "ketareg-records-5.schema.json"),
        ] {
            let preview = try clinic.run("export", "preview", name)
            #expect(preview.status == 0, "\(preview.standardError)")
            let file = clinic.folder.appendingPathComponent("\(name).json")
            try preview.standardOutput.write(to: file, atomically: true, encoding: .utf8)
            let check = try runProcess(
                "/usr/bin/env",
                [
                    "python3", "-c",
                    """
                    import json, sys, jsonschema
                    schema = json.load(open(sys.argv[1]))
                    jsonschema.Draft202012Validator.check_schema(schema)
                    jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
                    print("valid")
                    """, schemas.appendingPathComponent(schema).path, file.path,
                ])
            #expect(check.standardOutput.contains("valid"), "\(name): \(check.standardError)")
            checked += 1
            let payload = try #require(
                try JSONSerialization.jsonObject(with: Data(preview.standardOutput.utf8)) as? [String: Any])
            if name.hasPrefix("records") {
                #expect(payload["schema"] as? String == "ketareg-records/5")
                let infusions = try #require(payload["infusions"] as? [[String: Any]])
                let kinds = Set(infusions.map { "\($0["drug"] ?? "-") \($0["route"] ?? "-") \($0["doseMg"] ?? "-")" })
                #expect(kinds == ["esketamine intranasal 56", "ketamine sublingual 25-50"], "\(kinds)")
                #expect(infusions.count == 26 && infusions.allSatisfy { $0["doseMgPerKg"] == nil })
                let protocols = try #require(payload["protocols"] as? [[String: Any]])
                #expect(protocols.compactMap { $0["condition"] as? String } == ["depression", "depression"])
                let names = protocols.compactMap { $0["protocol"] as? String }
                #expect(names.count == 2 && names.contains("clinic/1") && names.contains { $0.hasPrefix("module/") })
            } else {
                let text = preview.standardOutput
                #expect(text.contains("\"sublingual\"") && text.contains("\"intranasal\""), "\(text)")
            }
        }
        #expect(checked == 2)
    }
}
