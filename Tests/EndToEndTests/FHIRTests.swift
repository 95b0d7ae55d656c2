import Foundation
import RegistryTestSupport
import Testing

/// FHIR output checked by an independent validator: the `fhir.resources` R4B models from PyPI,
/// which `Scripts/test` installs.
@Suite("FHIR R4")
struct FHIRTests {
    /// Validates each JSON file as the resource it says it is, and each Bundle entry as its own
    /// type; prints one line per file, "valid" or the validator's complaint.
    /// fhir.resources checks structure, cardinality and datatypes; the required code bindings of
    /// the fields KetaReg fills are checked here beside it, from the R4 specification.
    static let validator = """
        import json, sys
        from fhir.resources.R4B import get_fhir_model_class
        BINDINGS = {
            ("Observation", "status"): {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"},
            ("QuestionnaireResponse", "status"): {"in-progress", "completed", "amended", "entered-in-error", "stopped"},
            ("Questionnaire", "status"): {"draft", "active", "retired", "unknown"},
            ("Patient", "gender"): {"male", "female", "other", "unknown"},
            ("Bundle", "type"): {"document", "message", "transaction", "transaction-response", "batch", "batch-response", "history", "searchset", "collection"},
        }
        ITEM_TYPES = {"group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string", "text", "url", "choice", "open-choice", "attachment", "reference", "quantity"}
        def bindings(resource):
            for (kind, field), allowed in BINDINGS.items():
                if resource["resourceType"] == kind and field in resource and resource[field] not in allowed:
                    raise ValueError(f"{kind}.{field} {resource[field]!r} is not one of the required codes")
            for item in resource.get("item", []) if resource["resourceType"] == "Questionnaire" else []:
                if item["type"] not in ITEM_TYPES:
                    raise ValueError(f"item type {item['type']!r}")
        for path in sys.argv[1:]:
            document = json.load(open(path))
            try:
                get_fhir_model_class(document["resourceType"]).model_validate(document)
                bindings(document)
                for entry in document.get("entry", []):
                    get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
                    bindings(entry["resource"])
                print(path, "valid")
            except Exception as error:
                print(path, "INVALID", str(error).replace("\\n", " ")[:400])
        """

    func validate(_ files: [String]) throws -> [String: String] {
        let outcome = try runProcess("/usr/bin/env", ["python3", "-c", Self.validator] + files)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        var verdicts: [String: String] = [:]
        for line in outcome.standardOutput.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2 { verdicts[parts[0]] = parts[1] }
        }
        return verdicts
    }

    @Test("Every scale's Questionnaire, and a patient's Bundle, validate; a broken resource does not")
    func validates() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        // Every scale the catalog knows.
        let modules = try #require(try clinic.run("conditions", "--json").json() as? [[String: Any]])
        let scales = modules.flatMap { ($0["scales"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } }
        #expect(scales.count >= 14 && scales.contains("who5"))
        var files: [String] = []
        for scale in scales {
            let outcome = try clinic.run("fhir", "questionnaire", scale)
            #expect(outcome.status == 0, "\(scale): \(outcome.standardError)")
            let file = clinic.folder.appendingPathComponent("q-\(scale).json").path
            try outcome.standardOutput.write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        // A patient with contact details, a PHQ-9 with a flag, a BPI-SF with subscores, a HIT-6 of
        // labelled answers, a WHO-5, and an assessment entered in error.
        let id = try clinic.enroll(mrn: "F-1", condition: ["depression", "neuropathic-pain", "migraine"])
        #expect(
            try clinic.run(
                "patient", "edit", id, "--phone", "+44 20 7946 0000", "--email", "o.varga@example.org", "--address",
                "1 Example Road", "--reason", "contact"
            ).status == 0)
        for arguments in [
            ["--scale", "phq9", "--answers", "2,2,1,3,1,2,1,0,1"],
            ["--scale", "bpi-sf", "--answers", "5,6,4,5,5,5,5,,,5,5"],
            ["--scale", "hit6", "--answers", "never,rarely,sometimes,very-often,always,never"],
            ["--scale", "who5", "--answers", "2,2,2,2,2"],
            ["--scale", "madrs", "--answers", "3,3,3,3,3,3,3,3,3,3"],
        ] {
            let outcome = try clinic.run(
                arguments: ["assess", id, "--on", "2026-03-01", "--timepoint", "baseline"] + arguments)
            #expect(outcome.status == 0, "\(arguments): \(outcome.standardError)")
        }
        #expect(try clinic.run("correct", "A-000005", "--entered-in-error", "--reason", "wrong patient").status == 0)
        // An esketamine session, sublingual ketamine in mg, and a titrated five-day infusion.
        for arguments in [
            ["--for", "depression", "--drug", "esketamine", "--dose-mg", "84", "--at", "10:00"],
            ["--for", "depression", "--route", "sublingual", "--dose-mg", "25", "--minutes", "20"],
            [
                "--for", "migraine", "--at", "08:00", "--rate-mg-per-kg-per-hour", "0.1", "--rate-step", "14:00=0.3",
                "--minutes", "7200", "--weight-kg", "70",
            ],
        ] {
            let outcome = try clinic.run(arguments: ["infusion", "add", id, "--on", "2026-03-02"] + arguments)
            #expect(outcome.status == 0, "\(arguments): \(outcome.standardError)")
        }
        let bundleFile = clinic.folder.appendingPathComponent("bundle.json").path
        let written = try clinic.run("fhir", "export", id, "--output", bundleFile)
        #expect(
            written.status == 0 && written.standardOutput.contains("1 Patient")
                && written.standardOutput.contains("4 Observation"),
            "\(written.standardOutput) \(written.standardError)")
        #expect((try FileManager.default.attributesOfItem(atPath: bundleFile)[.posixPermissions] as? Int) == 0o600)
        #expect(try clinic.run("fhir", "export", id, "--output", bundleFile).status == 1, "never overwrites")
        files.append(bundleFile)
        // Negative controls: the validator refuses a status FHIR does not have, a missing status,
        // a score that is not a number, and a field FHIR does not define.
        var broken: [String] = []
        for (index, text) in [
            #"{"resourceType": "Observation", "status": "maybe", "code": {"text": "x"}}"#,
            #"{"resourceType": "Observation", "code": {"text": "x"}}"#,
            #"{"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "valueQuantity": {"value": "thirteen"}}"#,
            #"{"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "score": 13}"#,
        ].enumerated() {
            let file = clinic.folder.appendingPathComponent("broken-\(index).json").path
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            broken.append(file)
        }
        let verdicts = try validate(files + broken)
        for file in files { #expect(verdicts[file] == "valid", "\(file): \(verdicts[file] ?? "no verdict")") }
        for file in broken {
            #expect(verdicts[file]?.hasPrefix("INVALID") == true, "\(file): \(verdicts[file] ?? "no verdict")")
        }

        // What the resources say.
        let phq9 = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: clinic.folder.appendingPathComponent("q-phq9.json").path)))
                as? [String: Any])
        #expect(((phq9["code"] as? [[String: Any]])?.first?["code"] as? String) == "44249-1")
        let items = try #require(phq9["item"] as? [[String: Any]])
        #expect(
            items.count == 9 && ((items[8]["code"] as? [[String: Any]])?.first?["code"] as? String) == "44260-8"
                && items[8]["type"] as? String == "integer")
        let hit6 = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: clinic.folder.appendingPathComponent("q-hit6.json").path)))
                as? [String: Any])
        let options = try #require(((hit6["item"] as? [[String: Any]])?.first?["answerOption"] as? [[String: Any]]))
        let option = String(decoding: try JSONSerialization.data(withJSONObject: options[3]), as: UTF8.self)
        #expect(options.count == 5 && option.contains("\"valueDecimal\":11"), "\(option)")
        let bundle = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bundleFile))) as? [String: Any]
        )
        let resources = try #require(bundle["entry"] as? [[String: Any]]).compactMap {
            $0["resource"] as? [String: Any]
        }
        let patient = try #require(resources.first { $0["resourceType"] as? String == "Patient" })
        #expect(
            ((patient["identifier"] as? [[String: Any]])?.first?["value"] as? String) == "F-1"
                && patient["birthDate"] as? String == "1968-11-02")
        #expect(resources.filter { $0["resourceType"] as? String == "Condition" }.count == 3)
        let observations = resources.filter { $0["resourceType"] as? String == "Observation" }
        #expect(observations.count == 4, "the MADRS entered in error is left out")
        let phq9Observation = try #require(observations.first { $0["id"] as? String == "obs-A-000001" })
        let text = String(decoding: try JSONSerialization.data(withJSONObject: phq9Observation), as: UTF8.self)
        for expected in [
            "\"code\":\"44261-6\"", "\"value\":13", "\"code\":\"LA6710-3\"", "suicide-risk",
            "QuestionnaireResponse\\/qr-A-000001",
        ] {
            #expect(text.contains(expected), "\(expected) in \(text)")
        }
        let bpi = try #require(observations.first { $0["id"] as? String == "obs-A-000002" })
        #expect((bpi["component"] as? [[String: Any]])?.count == 2)

        // Each infusion as a MedicationAdministration: the drug's RxNorm code, the route's SNOMED
        // CT code, the dose as given; a five-day infusion over a period.
        let given = resources.filter { $0["resourceType"] as? String == "MedicationAdministration" }
        #expect(given.count == 3)
        func codes(_ resource: [String: Any]) -> (drug: String?, route: String?, dose: String?) {
            let drug = ((resource["medicationCodeableConcept"] as? [String: Any])?["coding"] as? [[String: Any]])?
                .first
            let dosage = resource["dosage"] as? [String: Any]
            let route = ((dosage?["route"] as? [String: Any])?["coding"] as? [[String: Any]])?.first
            let dose = dosage?["dose"] as? [String: Any]
            return (
                drug.map { "\($0["system"]!) \($0["code"]!)" }, route.map { "\($0["system"]!) \($0["code"]!)" },
                dose.map { "\($0["value"]!) \($0["code"]!)" }
            )
        }
        let byID = Dictionary(uniqueKeysWithValues: given.map { ($0["id"] as? String ?? "", $0) })
        let rxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm"
        let snomed = "http://snomed.info/sct"
        let esketamine = try #require(byID["med-I-000001"])
        #expect(codes(esketamine).drug == "\(rxNorm) 2201623" && codes(esketamine).route == "\(snomed) 46713006")
        #expect(codes(esketamine).dose == "84 mg" && esketamine["effectiveDateTime"] as? String == "2026-03-02")
        let sublingual = try #require(byID["med-I-000002"])
        #expect(codes(sublingual).drug == "\(rxNorm) 6130" && codes(sublingual).route == "\(snomed) 37839007")
        let continuous = try #require(byID["med-I-000003"])
        #expect(codes(continuous).route == "\(snomed) 47625008")
        // 0.1 mg/kg/h for 6 hours, then 0.3 for 114: 34.8 mg/kg x 70 kg.
        #expect(codes(continuous).dose == "2436 mg", "\(continuous)")
        #expect(
            (continuous["effectivePeriod"] as? [String: String]) == ["start": "2026-03-02", "end": "2026-03-07"])
    }
}
