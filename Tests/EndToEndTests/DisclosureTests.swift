import Depression
import Foundation
import Migraine
import NeuropathicPain
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// Attacks on what a research network receives, run against the built binary and a real endpoint.
@Suite("What an endpoint can work out from its payloads")
struct DisclosureTests {
    /// Enrols a consenting depression patient with a baseline, an induction and an end-of-course
    /// score, through the registry itself.
    static func addPatient(
        _ registry: Registry, number: Int, baseline: [Int], end: [Int], age: Int = 40, sex: Sex = .female,
        dayZero: ClinicalDate = ClinicalDate(year: 2026, month: 3, day: 2)!, days: [Int] = [0, 3, 7, 10, 14, 17],
        dose: Double = 0.5, route: InfusionRoute = .iv, observe: Bool = false
    ) throws {
        let catalog = try ConditionCatalog([MigraineModule(), DepressionModule(), NeuropathicPainModule()])
        let summary = try registry.enroll(
            Enrollment(
                identity: PatientIdentity(
                    mrn: "D-\(number)", givenName: "Given\(number)", familyName: "Family",
                    birthDate: ClinicalDate(year: 2026 - age, month: 1, day: 1)!),
                sex: sex, conditions: ["depression"], enrolledOn: dayZero.adding(days: -7), researchConsent: true),
            catalog: catalog, actor: "test")
        let id = RecordID(summary.id)!
        _ = try registry.addAssessment(
            try catalog.assess(scale: "phq9", answers: baseline), patient: id, on: dayZero.adding(days: -1),
            timepoint: .baseline, actor: "test")
        for day in days {
            let given = try registry.addInfusion(
                InfusionEntry(
                    condition: "depression", date: dayZero.adding(days: day), time: ClockTime(hour: 9, minute: 0),
                    dosing: .dose(mgPerKg: dose), weightKg: 70, minutes: 40, route: route),
                patient: id, actor: "test")
            if observe {
                _ = try registry.addObservation(
                    InfusionObservationEntry(
                        date: dayZero.adding(days: day), time: ClockTime(hour: 9, minute: 30)!, oxygenSaturation: 97),
                    infusion: RecordID(given.id)!, actor: "test")
            }
        }
        _ = try registry.addAssessment(
            try catalog.assess(scale: "phq9", answers: end), patient: id,
            on: dayZero.adding(days: (days.last ?? 0) + 3),
            timepoint: .postInfusion, actor: "test")
    }

    func conditions(_ payload: String) throws -> [[String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
        return try #require(object["conditions"] as? [[String: Any]])
    }

    func same(_ a: [[String: Any]], _ b: [[String: Any]]) -> Bool { NSArray(array: a).isEqual(to: b) }

    @Test(
        "Summaries before and after patients join are the same until as many as the minimum cell size have: no difference reveals one patient"
    )
    func differencing() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let registry = try Registry.open(
            at: clinic.registry, today: testToday, clock: testClock, random: testRandom, catalog: testCatalog)
        for number in 1...20 {
            try Self.addPatient(
                registry, number: number, baseline: [2, 2, 2, 2, 2, 2, 2, 2, number % 3],
                end: [1, 1, 1, 0, 0, 0, 0, 0, number % 2])
        }
        let token = clinic.folder.appendingPathComponent("t.token").path
        _ = FileManager.default.createFile(
            atPath: token, contents: Data("tok\n".utf8), attributes: [.posixPermissions: 0o600])
        let server = try EndpointServer(folder: clinic.folder)
        #expect(
            try clinic.run("endpoint", "add", "net", "--url", server.url, "--token-file", token, "--min-cell", "5")
                .status == 0)
        let first = try clinic.run("export", "run", "net")
        #expect(first.status == 0, "\(first.standardError)")
        let sent = try #require(try server.requests().last?["body"] as? String)
        let released = try conditions(sent)

        // One patient with a distinctive baseline (27) and end (0): the attacker's target.
        try Self.addPatient(
            registry, number: 21, baseline: [3, 3, 3, 3, 3, 3, 3, 3, 3], end: [0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(same(try conditions(try clinic.run("export", "preview", "net").standardOutput), released))
        let again = try clinic.run("export", "run", "net")
        #expect(again.standardOutput.contains("Nothing changed"), "\(again.standardOutput)")
        #expect(try server.requests().count == 1)
        // A second endpoint, added now, gets the same values: the memory is the clinic's, not the endpoint's.
        #expect(
            try clinic.run("endpoint", "add", "other", "--url", server.url, "--token-file", token, "--min-cell", "5")
                .status == 0)
        #expect(same(try conditions(try clinic.run("export", "preview", "other").standardOutput), released))

        // Up to four patients joined: still the first release's values, computed in its period.
        for number in 22...24 {
            try Self.addPatient(
                registry, number: number, baseline: [3, 3, 3, 3, 3, 3, 3, 3, 3], end: [0, 0, 0, 0, 0, 0, 0, 0, 0])
            #expect(
                same(try conditions(try clinic.run("export", "preview", "net").standardOutput), released),
                "after patient \(number)")
        }
        // The fifth: new values, over five new patients at once.
        try Self.addPatient(
            registry, number: 25, baseline: [3, 3, 3, 3, 3, 3, 3, 3, 3], end: [0, 0, 0, 0, 0, 0, 0, 0, 0])
        let second = try clinic.run("export", "run", "net")
        #expect(second.status == 0 && !second.standardOutput.contains("Nothing changed"), "\(second.standardOutput)")
        let fresh = try conditions(try #require(try server.requests().last?["body"] as? String))
        #expect(!same(fresh, released))
        let baseline = { (conditions: [[String: Any]]) -> [String: Any]? in
            ((conditions.first { $0["condition"] as? String == "depression" }?["scales"] as? [[String: Any]])?.first?[
                "timepoints"] as? [[String: Any]])?.first
        }
        #expect(baseline(released)?["patients"] as? Int == 20 && baseline(fresh)?["patients"] as? Int == 25)
        // The attacker's subtraction now yields five patients' scores together, never one.
        let sumBefore = Double(20) * (baseline(released)?["mean"] as! Double)
        let sumAfter = Double(25) * (baseline(fresh)?["mean"] as! Double)
        #expect(abs((sumAfter - sumBefore) - 5 * 27) < 25 * 0.05 + 1, "the five new baselines sum to 135")

        // Preview remembers nothing; the stored export did: the other endpoint now gets the new values.
        #expect(same(try conditions(try clinic.run("export", "preview", "other").standardOutput), fresh))
    }

    @Test(
        "Records: pycanon finds every released patient's linked rows shared by at least k patients, over everything joinable by pseudonym"
    )
    func recordsKAnonymity() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let registry = try Registry.open(
            at: clinic.registry, today: testToday, clock: testClock, random: testRandom, catalog: testCatalog)
        var random = SeededGenerator(seed: 2026_11_26)
        let patterns = [
            [0, 3, 7, 10, 14, 17], [0, 2, 4, 7, 9, 11], [0, 3, 7, 10], [0, 1, 2], [0, 7, 14, 21, 28, 35, 42, 49],
        ]
        for number in 1...60 {
            let start = ClinicalDate(year: 2026, month: 1, day: 5)!.adding(
                days: Int.random(in: 0..<200, using: &random))
            try Self.addPatient(
                registry, number: number, baseline: (0..<9).map { _ in Int.random(in: 1...3, using: &random) },
                end: (0..<9).map { _ in Int.random(in: 0...2, using: &random) },
                age: [25, 38, 47, 52, 66, 79].randomElement(using: &random)!,
                sex: Bool.random(using: &random) ? .female : .male,
                dayZero: start, days: patterns[Int.random(in: 0..<(number % 4 == 0 ? 5 : 2), using: &random)],
                dose: [0.5, 0.5, 0.5, 0.75, 1.0].randomElement(using: &random)!,
                route: number % 9 == 0 ? .intranasal : .iv, observe: number % 2 == 0)
        }
        let token = clinic.folder.appendingPathComponent("t.token").path
        _ = FileManager.default.createFile(
            atPath: token, contents: Data("tok\n".utf8), attributes: [.posixPermissions: 0o600])
        for k in [3, 5] {
            #expect(
                try clinic.run(
                    "endpoint", "add", "k\(k)", "--url", "https://research.invalid/x", "--token-file", token,
                    "--profile", "records", "--k", String(k), "--allow-small", "--reason", "a test of small groups"
                ).status == 0)
            let preview = try clinic.run("export", "preview", "k\(k)")
            #expect(preview.status == 0, "\(preview.standardError)")
            let file = clinic.folder.appendingPathComponent("records-\(k).json")
            try preview.standardOutput.write(to: file, atomically: true, encoding: .utf8)
            // The recipient's view: every row joined by pseudonym; everything but scores, bands and
            // readings is a quasi-identifier.
            let check = try runProcess(
                "/usr/bin/env",
                [
                    "python3", "-c",
                    """
                    import json, sys
                    import pandas as pd
                    from pycanon import anonymity
                    payload = json.load(open(sys.argv[1]))
                    linked = {}
                    for p in payload["patients"]:
                        linked[p["patient"]] = {"age": p["ageBand"], "sex": p["sex"], "conditions": ",".join(p["conditions"]), "detail": p["detail"],
                                                "assessments": [], "infusions": [], "observations": []}
                    for row in payload["assessments"]:
                        linked[row["patient"]]["assessments"].append(f'{row["scale"]}/{row["timepoint"]}/{row.get("week")}')
                    for row in payload["infusions"]:
                        linked[row["patient"]]["infusions"].append(f'{row["condition"]}/{row.get("week")}/{row.get("route")}/{row.get("doseMgPerKg")}/{row.get("rateMgPerKgPerHour")}/{row["minutes"]}')
                    for row in payload["observations"]:
                        linked[row["patient"]]["observations"].append(f'{row.get("week")}/{row.get("hoursFromStart")}')
                    table = pd.DataFrame([{key: "|".join(sorted(value)) if isinstance(value, list) else value for key, value in row.items()} for row in linked.values()])
                    table["infusionCount"] = [len(row["infusions"]) for row in linked.values()]
                    quasi = ["age", "sex", "conditions", "detail", "assessments", "infusions", "observations", "infusionCount"]
                    print(json.dumps({"k": int(anonymity.k_anonymity(table, quasi)), "released": len(table),
                                      "generalised": payload["generalisedPatients"], "withheld": payload["withheldPatients"]}))
                    """, file.path,
                ])
            let result = try #require(
                try JSONSerialization.jsonObject(with: Data(check.standardOutput.utf8)) as? [String: Int],
                "\(check.standardError)")
            #expect(result["k"]! >= k, "pycanon: k = \(result["k"]!) for an endpoint asking \(k)")
            #expect(result["released"]! + result["withheld"]! == 60)
            #expect(result["released"]! >= 20, "too little released to mean anything: \(result)")
            #expect(
                result["generalised"]! + result["withheld"]! > 0,
                "nothing needed generalising, so nothing was tested: \(result)")
        }
    }
}
