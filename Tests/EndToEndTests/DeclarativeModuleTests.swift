import Foundation
import Testing

@Suite("Declarative modules in every command")
struct DeclarativeModuleTests {
    @Test("PTSD from Registry/conditions: enrol, assess the PCL-5, patient show, outcomes, dictionary")
    func ptsdEverywhere() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try clinic.enroll(mrn: "T-1", condition: ["ptsd"])
        let baseline = try #require(try clinic.run("assess", id, "--scale", "pcl5", "--on", "2026-03-01", "--timepoint", "baseline",
                                                   "--answers", "3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3", "--json").json() as? [String: Any])
        #expect(baseline["score"] as? Int == 60)
        #expect(baseline["band"] as? String == "provisional-ptsd")
        #expect(baseline["condition"] as? String == "ptsd")
        #expect(try clinic.run("infusion", "add", id, "--on", "2026-03-02", "--dose-mg-per-kg", "0.5", "--minutes", "40").status == 0)
        let after = try clinic.run("assess", id, "--scale", "pcl5", "--on", "2026-03-03", "--timepoint", "post-infusion",
                                   "--answers", "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1")
        #expect(after.standardOutput.contains("pcl5 20 (below the provisional diagnosis threshold)"))
        let page = try clinic.run("patient", "show", id)
        #expect(page.standardOutput.contains("Conditions: Post-traumatic stress disorder"))
        #expect(page.standardOutput.contains("Course, ptsd, induction:"))
        let outcomes = try #require(try clinic.run("outcomes", "--condition", "ptsd", "--json").json() as? [String: Any])
        let rows = try #require(outcomes["outcomes"] as? [[String: Any]])
        let meaningful = try #require(rows.first { $0["outcome"] as? String == "meaningful-improvement" && $0["window"] as? String == "immediate" })
        #expect(meaningful["eligible"] as? Int == 1 && meaningful["responders"] as? Int == 1)
        #expect(try clinic.run("assess", id, "--scale", "pcl5", "--on", "2026-03-03", "--timepoint", "post-infusion", "--answers", "5,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1").status == 1)
    }

    @Test("A broken module file stops every command with its file and line; nothing half-loads")
    func brokenFolder() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let folder = clinic.folder.appendingPathComponent("conditions")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let good = try String(contentsOf: repositoryRoot.appendingPathComponent("Registry/conditions/ptsd.yaml"), encoding: .utf8)
        try good.replacingOccurrences(of: "id: ptsd", with: "id: ptsd-copy").replacingOccurrences(of: "- id: pcl5", with: "- id: pcl5-copy")
            .replacingOccurrences(of: "primary-scale: pcl5", with: "primary-scale: pcl5-copy")
            .replacingOccurrences(of: "scale: pcl5,", with: "scale: pcl5-copy,")
            .write(to: folder.appendingPathComponent("copy.yaml"), atomically: true, encoding: .utf8)
        #expect(try clinic.run("conditions", "--conditions", folder.path).standardOutput.contains("ptsd-copy"))
        try good.replacingOccurrences(of: "    licence-note:", with: "    licence-notes:")
            .write(to: folder.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        for arguments in [["conditions"], ["patients"], ["scale", "show", "phq9"]] {
            let outcome = try clinic.run(arguments: arguments + ["--conditions", folder.path])
            #expect(outcome.status == 3)
            #expect(outcome.standardError.contains("broken.yaml:30: unknown key 'licence-notes' in a scale (did you mean 'licence-note'?)"), "\(outcome.standardError)")
            #expect(outcome.standardOutput.isEmpty)
        }
        let viaEnvironment = try clinic.run("conditions", environment: ["KETAREG_CONDITIONS": folder.path])
        #expect(viaEnvironment.status == 3)
    }

    @Test("Registry/DATA_DICTIONARY.md is exactly what 'ketareg dictionary' prints for the shipped modules")
    func dictionaryDrift() throws {
        let clinic = try Clinic(initialise: false)
        defer { clinic.remove() }
        let printed = try clinic.run("dictionary", "--conditions", repositoryRoot.appendingPathComponent("Registry/conditions").path)
        #expect(printed.status == 0)
        let shipped = try String(contentsOf: repositoryRoot.appendingPathComponent("Registry/DATA_DICTIONARY.md"), encoding: .utf8)
        #expect(printed.standardOutput == shipped, "Registry/DATA_DICTIONARY.md drifted from the catalog: run 'ketareg dictionary > Registry/DATA_DICTIONARY.md'")
        for expected in ["### PTSD Checklist for DSM-5 (PCL-5) (`pcl5`", "| `provisional-ptsd` |", "| 4 | `4` | item 4: too tired for work or activities | 0=never (6)"] {
            #expect(shipped.contains(expected), "the dictionary lacks \(expected)")
        }
        let json = try #require(try clinic.run("dictionary", "--format", "json").json() as? [[String: Any]])
        #expect(json.count == 4)
        #expect(try clinic.run("dictionary", "--format", "pdf").status == 1)
    }
}
