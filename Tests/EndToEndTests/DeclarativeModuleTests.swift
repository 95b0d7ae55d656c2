import Foundation
import RegistryTestSupport
import Testing

@Suite("Declarative modules in every command")
struct DeclarativeModuleTests {
    @Test("PTSD from Registry/conditions: enrol, assess the PCL-5, patient show, outcomes, dictionary")
    func ptsdEverywhere() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try clinic.enroll(mrn: "T-1", condition: ["ptsd"])
        let baseline = try #require(
            try clinic.run(
                "assess", id, "--scale", "pcl5", "--on", "2026-03-01", "--timepoint", "baseline",
                "--answers", "3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3", "--json"
            ).json() as? [String: Any])
        #expect(baseline["score"] as? Int == 60)
        #expect(baseline["band"] as? String == "provisional-ptsd")
        #expect(baseline["condition"] as? String == "ptsd")
        #expect(
            try clinic.run("infusion", "add", id, "--on", "2026-03-02", "--dose-mg-per-kg", "0.5", "--minutes", "40")
                .status == 0)
        let after = try clinic.run(
            "assess", id, "--scale", "pcl5", "--on", "2026-03-03", "--timepoint", "post-infusion",
            "--answers", "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1")
        #expect(after.standardOutput.contains("pcl5 20 (below the provisional diagnosis threshold)"))
        let page = try clinic.run("patient", "show", id)
        #expect(page.standardOutput.contains("Conditions: Post-traumatic stress disorder"))
        #expect(page.standardOutput.contains("Course, ptsd, induction:"))
        let outcomes = try #require(
            try clinic.run("outcomes", "--condition", "ptsd", "--json").json() as? [String: Any])
        let rows = try #require(outcomes["outcomes"] as? [[String: Any]])
        let meaningful = try #require(
            rows.first {
                $0["outcome"] as? String == "meaningful-improvement" && $0["window"] as? String == "immediate"
            })
        #expect(meaningful["eligible"] as? Int == 1 && meaningful["responders"] as? Int == 1)
        #expect(
            try clinic.run(
                "assess", id, "--scale", "pcl5", "--on", "2026-03-03", "--timepoint", "post-infusion", "--answers",
                "5,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1"
            ).status == 1)
    }

    /// The modules are read with Yams' basic resolver and UTF-8 given: its default encoding looks at
    /// YAMS_DEFAULT_ENCODING and, when that is set, printed a line to standard output after the JSON.
    @Test("Reading the modules writes nothing of Yams' own: --json stays JSON whatever YAMS_DEFAULT_ENCODING says")
    func yamsWritesNothing() throws {
        let clinic = try Clinic(initialise: false)
        defer { clinic.remove() }
        for encoding in ["UTF16", "utf8"] {
            let listed = try clinic.run("conditions", "--json", environment: ["YAMS_DEFAULT_ENCODING": encoding])
            #expect(listed.status == 0)
            #expect(!listed.standardOutput.contains("YAMS_DEFAULT_ENCODING"), "\(encoding)")
            let conditions = try #require(
                try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]],
                "\(encoding)")
            #expect(conditions.contains { $0["id"] as? String == "ptsd" })
        }
    }

    @Test("Y-BOCS from the guide, with summed subscores: scored without a registry, then in every command")
    func ybocsEverywhere() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let folder = clinic.folder.appendingPathComponent("modules")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("Tests/DeclarativeConditionsTests/Fixtures/ocd.yaml"),
            to: folder.appendingPathComponent("ocd.yaml"))
        let modules = ["KETAREG_CONDITIONS": folder.path]
        // Scoring alone opens no registry and creates none.
        let nowhere = clinic.folder.appendingPathComponent("none.sqlite").path
        let tried = try #require(
            try clinic.run(
                "scale", "score", "ybocs", "--answers", "3,3,2,2,3,2,2,1,1,2", "--json",
                environment: modules.merging(["KETAREG_REGISTRY": nowhere]) { $1 }
            ).json() as? [String: Any])
        #expect(tried["score"] as? Int == 21 && tried["band"] as? String == "moderate")
        #expect((tried["subscores"] as? [String: Int]) == ["obsessions": 13, "compulsions": 8])
        #expect(!FileManager.default.fileExists(atPath: nowhere))
        let text = try clinic.run("scale", "score", "ybocs", "--answers", "3,3,2,2,3,2,2,1,1,2", environment: modules)
            .standardOutput
        #expect(
            text.contains("ybocs 21 (moderate) [obsessions 13, compulsions 8]") && text.contains("Nothing was stored."),
            "\(text)")
        // The guide shows this very output.
        let guide = try String(
            contentsOf: repositoryRoot.appendingPathComponent("docs/adding-a-condition.md"), encoding: .utf8)
        let shownInGuide = try #require(
            guide.components(
                separatedBy: "$ ketareg scale score ybocs --answers 3,3,2,2,3,2,2,1,1,2 --conditions my-modules\n"
            ).dropFirst().first?
            .components(separatedBy: "```").first)
        #expect(shownInGuide == text, "the guide's example output differs from the program's")
        let refused = try clinic.run(
            "scale", "score", "ybocs", "--answers", "3,3,2,2,3,2,2,1,1,5", environment: modules)
        #expect(refused.status == 1 && refused.standardError.contains("item 10"), "\(refused.standardError)")
        // scale show and the dictionary say what each subscore is.
        let shown = try clinic.run("scale", "show", "ybocs", environment: modules).standardOutput
        #expect(
            shown.contains("obsessions   sum of items 1, 2, 3, 4, 5 (0-20)")
                && shown.contains("compulsions  sum of items 6, 7, 8, 9, 10 (0-20)"), "\(shown)")
        let described = try #require(
            try clinic.run("scale", "show", "ybocs", "--json", environment: modules).json() as? [String: Any])
        let subscores = try #require(described["subscores"] as? [[String: Any]])
        #expect(
            subscores.map { $0["id"] as? String } == ["obsessions", "compulsions"]
                && subscores.allSatisfy { ($0["range"] as? [String: Int]) == ["min": 0, "max": 20] })
        #expect(
            try clinic.run("dictionary", environment: modules).standardOutput.contains(
                "`obsessions`, sum of items 1, 2, 3, 4, 5 (0-20)"))
        // A patient: obsessions 15 -> 8 (a 47% fall), total 30 -> 18 (40%): both responses met.
        let enrolled = try clinic.run(
            "enroll", "--mrn", "O-1", "--given", "Ada", "--family", "Obs", "--birth-date", "1980-01-01", "--sex",
            "female",
            "--research-consent", "yes", "--enrolled-on", "2026-03-01", "--condition", "ocd", environment: modules)
        #expect(enrolled.status == 0, "\(enrolled.standardError)")
        let id = enrolled.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(
            try clinic.run(
                "assess", id, "--scale", "ybocs", "--on", "2026-03-01", "--timepoint", "baseline", "--answers",
                "3,3,3,3,3,3,3,3,3,3", environment: modules
            ).status == 0)
        #expect(
            try clinic.run(
                "infusion", "add", id, "--on", "2026-03-02", "--dose-mg-per-kg", "0.5", "--minutes", "40",
                environment: modules
            ).status == 0)
        let after = try clinic.run(
            "assess", id, "--scale", "ybocs", "--on", "2026-03-04", "--timepoint", "post-infusion", "--answers",
            "2,2,1,1,2,2,2,2,2,2", environment: modules)
        #expect(
            after.standardOutput.contains("ybocs 18 (moderate) [obsessions 8, compulsions 10]"),
            "\(after.standardOutput)")
        #expect(
            try clinic.run("patient", "show", id, environment: modules).standardOutput.contains(
                "obsessions 8, compulsions 10"))
        let outcomes = try #require(
            try clinic.run("outcomes", "--condition", "ocd", "--json", environment: modules).json() as? [String: Any])
        let rows = try #require(outcomes["outcomes"] as? [[String: Any]])
        for rule in ["response", "obsessions-response"] {
            let row = try #require(
                rows.first {
                    $0["outcome"] as? String == rule && $0["window"] as? String == "immediate"
                        && $0["course"] as? String == "induction"
                })
            #expect(row["assessed"] as? Int == 1 && row["responders"] as? Int == 1, "\(rule): \(row)")
        }
        #expect(rows.contains { $0["subscore"] as? String == "obsessions" })
    }

    @Test("A broken module file stops every command with its file and line; nothing half-loads")
    func brokenFolder() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let folder = clinic.folder.appendingPathComponent("conditions")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let good = try String(
            contentsOf: repositoryRoot.appendingPathComponent("Registry/conditions/ptsd.yaml"), encoding: .utf8)
        try good.replacingOccurrences(of: "id: ptsd", with: "id: ptsd-copy").replacingOccurrences(
            of: "- id: pcl5", with: "- id: pcl5-copy"
        )
        .replacingOccurrences(of: "primary-scale: pcl5", with: "primary-scale: pcl5-copy")
        .replacingOccurrences(of: "scale: pcl5,", with: "scale: pcl5-copy,")
        .write(to: folder.appendingPathComponent("copy.yaml"), atomically: true, encoding: .utf8)
        #expect(try clinic.run("conditions", "--conditions", folder.path).standardOutput.contains("ptsd-copy"))
        try good.replacingOccurrences(of: "    licence-note:", with: "    licence-notes:")
            .write(to: folder.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let line = try #require(good.components(separatedBy: "\n").firstIndex { $0.hasPrefix("    licence-note:") }) + 1
        for arguments in [["conditions"], ["patients"], ["scale", "show", "phq9"]] {
            let outcome = try clinic.run(arguments: arguments + ["--conditions", folder.path])
            #expect(outcome.status == 3)
            #expect(
                outcome.standardError.contains(
                    "broken.yaml:\(line): unknown key 'licence-notes' in a scale (did you mean 'licence-note'?)"),
                "\(outcome.standardError)")
            #expect(outcome.standardOutput.isEmpty)
        }
        let viaEnvironment = try clinic.run("conditions", environment: ["KETAREG_CONDITIONS": folder.path])
        #expect(viaEnvironment.status == 3)
    }

    @Test("Registry/DATA_DICTIONARY.md is exactly what 'ketareg dictionary' prints for the shipped modules")
    func dictionaryDrift() throws {
        let clinic = try Clinic(initialise: false)
        defer { clinic.remove() }
        let printed = try clinic.run(
            "dictionary", "--conditions", repositoryRoot.appendingPathComponent("Registry/conditions").path)
        #expect(printed.status == 0)
        let shipped = try String(
            contentsOf: repositoryRoot.appendingPathComponent("Registry/DATA_DICTIONARY.md"), encoding: .utf8)
        #expect(
            printed.standardOutput == shipped,
            "Registry/DATA_DICTIONARY.md drifted from the catalog: run 'ketareg dictionary > Registry/DATA_DICTIONARY.md'"
        )
        for expected in [
            "### PTSD Checklist for DSM-5 (PCL-5) (`pcl5`", "| `provisional-ptsd` |",
            "| 4 | `4` | item 4: too tired for work or activities | 0=never (6)",
        ] {
            #expect(shipped.contains(expected), "the dictionary lacks \(expected)")
        }
        let json = try #require(try clinic.run("dictionary", "--format", "json").json() as? [[String: Any]])
        #expect(json.count == 5, "four conditions and the shared quality-of-life module")
        #expect(try clinic.run("dictionary", "--format", "pdf").status == 1)
    }
}
