import Depression
import Foundation
import Migraine
import NeuropathicPain
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

@Suite("What leaves the clinic")
struct ExportPrivacyTests {
    static let names = [
        "Zephyrine", "Quillfeather", "Ottoline", "Brackenbury", "Isembard", "Wolstenholme", "Araminta", "Fotheringay",
    ]

    /// A registry full of distinctive identities and dates; patient 3 withdraws consent, patient 4
    /// never gave it.
    func makeClinic() throws -> (Clinic, token: String, identifying: [String]) {
        let clinic = try Clinic()
        let registry = try Registry.open(
            at: clinic.registry, today: testToday, clock: testClock, random: testRandom, catalog: testCatalog)
        let catalog = try ConditionCatalog([MigraineModule(), DepressionModule(), NeuropathicPainModule()])
        var identifying: [String] = []
        for number in 0..<24 {
            let birth = ClinicalDate(year: 1950 + number, month: 1 + number % 12, day: 3 + number)!
            let given = Self.names[number % 8] + String(UnicodeScalar(UInt8(65 + number)))
            let family = Self.names[(number + 3) % 8] + "son"
            let mrn = "MRN-\(731_905 + number * 17)"
            let enrolled = ClinicalDate(year: 2025, month: 2 + number % 9, day: 5 + number % 20)!
            let summary = try registry.enroll(
                Enrollment(
                    identity: PatientIdentity(mrn: mrn, givenName: given, familyName: family, birthDate: birth),
                    sex: number % 2 == 0 ? .female : .male,
                    conditions: number % 3 == 0 ? ["depression", "migraine"] : ["depression"],
                    enrolledOn: enrolled, researchConsent: number != 4), catalog: catalog, actor: "test")
            let id = RecordID(summary.id)!
            let infusion = enrolled.adding(days: 2)
            _ = try registry.addAssessment(
                try catalog.assess(scale: "phq9", answers: [3, 3, 2, 2, 2, 2, 2, 2, number % 5 == 0 ? 1 : 0]),
                patient: id, on: enrolled, timepoint: .baseline, actor: "test")
            for day in [0, 3, 7, 10, 14, 17] {
                let given = try registry.addInfusion(
                    InfusionEntry(
                        condition: "depression", date: infusion.adding(days: day),
                        time: ClockTime(hour: 13, minute: 47),
                        dosing: .dose(mgPerKg: 0.5), weightKg: 70, minutes: 40,
                        adverseEvents: day == 3
                            ? [AdverseEventEntry(term: .nausea, grade: .mild, onset: infusion.adding(days: day))] : []),
                    patient: id, actor: "test")
                // Readings at a clock time that must never leave the clinic: only the hour from the start does.
                _ = try registry.addObservation(
                    InfusionObservationEntry(
                        date: infusion.adding(days: day), time: ClockTime(hour: 14, minute: 53)!,
                        bloodPressure: BloodPressure(systolic: 131, diastolic: 83), oxygenSaturation: 97),
                    infusion: RecordID(given.id)!, actor: "test")
            }
            identifying += ["13:47", "14:53", "1347", "1453"]
            _ = try registry.addAssessment(
                try catalog.assess(scale: "phq9", answers: [1, 1, 1, 1, 0, 0, 0, 0, 0]), patient: id,
                on: infusion.adding(days: 20), timepoint: .postInfusion, actor: "test")
            if number == 3 {
                _ = try registry.withdrawConsent(
                    id, on: infusion.adding(days: 25), reason: "relocating to Quebec", actor: "test")
            }
            identifying += [given, family, mrn, summary.id]
            for date in [birth, enrolled, infusion, infusion.adding(days: 20)] {
                let (y, m, d) = (
                    String(date.year), String(format: "%02d", date.month), String(format: "%02d", date.day)
                )
                identifying += [
                    "\(y)-\(m)-\(d)", "\(d)/\(m)/\(y)", "\(m)/\(d)/\(y)", "\(y)\(m)\(d)", "\(d).\(m).\(y)",
                    "\(y)/\(m)/\(d)",
                ]
            }
            identifying.append("\(birth.year)-\(String(format: "%02d", birth.month))")  // birth year and month
        }
        let token = clinic.folder.appendingPathComponent("t.token").path
        _ = FileManager.default.createFile(
            atPath: token, contents: Data("tok\n".utf8), attributes: [.posixPermissions: 0o600])
        for (name, profile) in [
            ("summary-a", "summary"), ("records-a", "records"), ("records-b", "records"), ("fhir-a", "fhir"),
        ] {
            #expect(
                try clinic.run(
                    "endpoint", "add", name, "--url", "https://research.invalid/\(name)", "--token-file", token,
                    "--profile", profile, "--min-cell", "3", "--k", "2", "--allow-small", "--reason",
                    "a test of small groups"
                ).status == 0)
        }
        return (clinic, token, identifying)
    }

    @Test(
        "No name, MRN, birth date, exact date or registry id appears in any payload, in any format; consent is honoured; pseudonyms differ per endpoint; payloads match their schemas"
    )
    func payloads() throws {
        let (clinic, _, identifying) = try makeClinic()
        defer { clinic.remove() }
        var payloads: [String: String] = [:]
        for name in ["summary-a", "records-a", "records-b", "fhir-a"] {
            let preview = try clinic.run("export", "preview", name)
            #expect(preview.status == 0, "\(preview.standardError)")
            payloads[name] = preview.standardOutput
        }
        for (name, payload) in payloads {
            // Pseudonyms (32 hex digits) and the audit chain head (64) are keyed hashes that change
            // with every registry's key, so any digits may turn up inside them by chance ("…bb81347f"
            // is not the clock time 13:47). They are checked for their shape, then masked before
            // looking for identifying text in what is left.
            let digests = try Regex("\"([0-9a-f]{32}|[0-9a-f]{64})\"")
            let lowered = payload.lowercased().replacing(digests, with: "\"<digest>\"")
            #expect(
                !lowered.contains(try Regex("[0-9a-f]{20}")),
                "\(name) holds a long hex string that is neither a pseudonym nor a digest")
            for text in identifying { #expect(!lowered.contains(text.lowercased()), "\(name) contains \(text)") }
            for word in ["quebec", "relocating", "given", "family", "mrn", "birth", "P-0000"] {
                #expect(!lowered.contains(word.lowercased()), "\(name) contains \(word)")
            }
        }
        // Consent: 24 enrolled, one withdrew, one never consented.
        let records = try #require(
            try JSONSerialization.jsonObject(with: Data(payloads["records-a"]!.utf8)) as? [String: Any])
        let rows = try #require(records["assessments"] as? [[String: Any]])
        let patientsA = Set(rows.map { $0["patient"] as! String })
        #expect(patientsA == Set((records["patients"] as! [[String: Any]]).map { $0["patient"] as! String }))
        let infusions = try #require(records["infusions"] as? [[String: Any]])
        // Dose in its band, weeks rather than days: days 0, 3 | 7, 10 | 14, 17.
        #expect(
            infusions.allSatisfy {
                $0["doseMgPerKg"] as? String == "0.5-0.75" && $0["route"] as? String == "iv"
                    && $0["minutes"] as? String == "1-40"
            })
        let detail = Dictionary(
            uniqueKeysWithValues: (records["patients"] as! [[String: Any]]).map {
                ($0["patient"] as! String, $0["detail"] as! String)
            })
        let timed = infusions.filter { !(detail[$0["patient"] as! String] ?? "").contains("timing-removed") }
        #expect(!timed.isEmpty && Set(timed.map { $0["week"] as? Int }) == [0, 1, 2])
        #expect(infusions.allSatisfy { $0["condition"] as? String == "depression" && $0["day"] == nil })
        let observations = try #require(records["observations"] as? [[String: Any]])
        #expect(observations.count == infusions.count)
        #expect(
            observations.allSatisfy {
                $0["hoursFromStart"] as? Int == 1 && $0["systolic"] as? Int == 131 && $0["spo2"] as? Int == 97
            })
        #expect(patientsA.count + (records["withheldPatients"] as! Int) == 22)
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(payloads["summary-a"]!.utf8)) as? [String: Any])
        let depression = try #require(
            (summary["conditions"] as? [[String: Any]])?.first { $0["condition"] as? String == "depression" })
        #expect(depression["patients"] as? Int == 21)  // 22, rounded to base 3 (the minimum cell size)
        // Two endpoints, pseudonyms that cannot be joined.
        let recordsB = try #require(
            try JSONSerialization.jsonObject(with: Data(payloads["records-b"]!.utf8)) as? [String: Any])
        let patientsB = Set((recordsB["assessments"] as! [[String: Any]]).map { $0["patient"] as! String })
        #expect(patientsA.isDisjoint(with: patientsB))
        #expect(patientsA.count == patientsB.count)
        // Records carry the codes of the conditions and scales they name.
        let vocabulary = try #require(records["codes"] as? [[String: Any]])
        #expect(
            vocabulary.contains { $0["kind"] as? String == "condition" && $0["id"] as? String == "depression" }
                && vocabulary.contains {
                    $0["kind"] as? String == "scale" && $0["id"] as? String == "phq9"
                        && (($0["codes"] as? [[String: Any]])?.first?["code"] as? String) == "44261-6"
                }, "\(vocabulary)")
        // The fhir profile sends the records release as Observations: as many, no dates, its own
        // pseudonyms, validated as FHIR R4 by fhir.resources.
        let fhir = try #require(
            try JSONSerialization.jsonObject(with: Data(payloads["fhir-a"]!.utf8)) as? [String: Any])
        let fhirObservations = try #require(fhir["entry"] as? [[String: Any]]).compactMap {
            $0["resource"] as? [String: Any]
        }
        #expect(
            fhirObservations.count == rows.count
                && fhirObservations.allSatisfy {
                    $0["effectiveDateTime"] == nil && $0["resourceType"] as? String == "Observation"
                })
        let patientsF = Set(
            fhirObservations.compactMap {
                (($0["subject"] as? [String: Any])?["identifier"] as? [String: Any])?["value"] as? String
            })
        #expect(
            patientsF.count == patientsA.count && patientsF.isDisjoint(with: patientsA)
                && patientsF.isDisjoint(with: patientsB))
        let fhirFile = clinic.folder.appendingPathComponent("fhir-payload.json").path
        try payloads["fhir-a"]!.write(toFile: fhirFile, atomically: true, encoding: .utf8)
        let fhirCheck = try runProcess(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import json, sys
                from fhir.resources.R4B import get_fhir_model_class
                bundle = json.load(open(sys.argv[1]))
                get_fhir_model_class("Bundle").model_validate(bundle)
                for entry in bundle["entry"]:
                    get_fhir_model_class("Observation").model_validate(entry["resource"])
                print("valid")
                """, fhirFile,
            ])
        #expect(fhirCheck.standardOutput.contains("valid"), "\(fhirCheck.standardError)")
        // The same pseudonyms on the next run.
        #expect(try clinic.run("export", "preview", "records-a").standardOutput == payloads["records-a"])

        // An independent validator agrees with the built-in one.
        let schemaFolder = repositoryRoot.appendingPathComponent("Sources/PayloadFormat/Schemas")
        for (name, payload) in payloads {
            let file = clinic.folder.appendingPathComponent("\(name).json")
            try payload.write(to: file, atomically: true, encoding: .utf8)
            let schema = schemaFolder.appendingPathComponent(
                name.hasPrefix("summary")
                    ? "ketareg-summary-6.schema.json"
                    : name.hasPrefix("fhir") ? "ketareg-fhir-1.schema.json" : "ketareg-records-5.schema.json"
            ).path
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
                    """, schema, file.path,
                ])
            #expect(check.standardOutput.contains("valid"), "\(name): \(check.standardError)")
        }
    }

    @Test("export schemas --write gives exactly the schema files compiled in (Sources/PayloadFormat/Schemas)")
    func schemaFilesMatch() throws {
        let clinic = try Clinic(initialise: false)
        defer { clinic.remove() }
        let written = clinic.folder.appendingPathComponent("schema")
        try FileManager.default.createDirectory(at: written, withIntermediateDirectories: true)
        #expect(try clinic.run("export", "schemas", "--write", written.path).status == 0)
        let shipped = repositoryRoot.appendingPathComponent("Sources/PayloadFormat/Schemas")
        let names = try FileManager.default.contentsOfDirectory(atPath: written.path).sorted()
        #expect(names == (try FileManager.default.contentsOfDirectory(atPath: shipped.path).sorted()))
        for name in names {
            #expect(
                try String(contentsOf: written.appendingPathComponent(name), encoding: .utf8)
                    == String(contentsOf: shipped.appendingPathComponent(name), encoding: .utf8),
                "\(name) drifted: the compiled-in copy differs from the file")
        }
    }
}
