import Foundation
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

@testable import RegistryExport

/// A clinic's worth of depression patients with every kind of course: responders and not, missing
/// end-of-course and follow-up scores, courses still running, adverse events, co-interventions
/// and mixed routes, so that a summary has small cells of every kind.
func variedPatients(count: Int, missingEndOneIn: Int = 6, using random: inout SeededGenerator) -> [ExportPatient] {
    (1...count).map { row in
        let running = Int.random(in: 0..<10, using: &random) == 0
        let dayZero =
            running
            ? testToday.adding(days: -5)
            : ClinicalDate(year: 2026, month: 1, day: 1)!.adding(days: Int.random(in: 0..<120, using: &random))
        let route: InfusionRoute = [.iv, .iv, .iv, .intranasal, .im].randomElement(using: &random)!
        let baseline = Double(Int.random(in: 3...27, using: &random))
        var assessments = [
            PatientHistory.Assessment(
                scale: "phq9", date: dayZero.adding(days: -1), timepoint: .baseline, score: baseline)
        ]
        if !running, Int.random(in: 0..<missingEndOneIn, using: &random) > 0 {
            let end = Double(Int.random(in: 0...27, using: &random))
            assessments.append(
                .init(scale: "phq9", date: dayZero.adding(days: 20), timepoint: .postInfusion, score: end))
            for day in [60, 120] where Int.random(in: 0..<3, using: &random) > 0 {
                assessments.append(
                    .init(
                        scale: "phq9", date: dayZero.adding(days: day), timepoint: .followUp,
                        score: min(27, max(0, end + Double(Int.random(in: -4...4, using: &random))))))
            }
        }
        let adverse: [PatientHistory.AdverseEvent] =
            Int.random(in: 0..<4, using: &random) == 0
            ? [
                .init(
                    term: [.nausea, .dizziness, .hypertension].randomElement(using: &random)!,
                    grade: [.mild, .moderate].randomElement(using: &random)!,
                    serious: Int.random(in: 0..<8, using: &random) == 0)
            ] : []
        let days = running ? [0, 3] : [0, 3, 7, 10, 14, 17]
        return ExportPatient(
            rowID: Int64(row), sex: Bool.random(using: &random) ? .female : .male,
            ageAtDayZero: Int.random(in: 18...80, using: &random),
            history: PatientHistory(
                patient: "P-\(row)", conditions: ["depression"], enrolledOn: dayZero.adding(days: -5),
                infusions: days.map {
                    PatientHistory.Infusion(
                        condition: "depression", date: dayZero.adding(days: $0), minutes: 40, doseMgPerKg: 0.5,
                        route: route)
                },
                assessments: assessments, adverseEvents: adverse,
                coInterventions: Int.random(in: 0..<5, using: &random) == 0 ? [.yoga] : []))
    }
}

@Suite("An attacker solving for hidden summary cells")
struct SubtractionAttackTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Attacks/summary_attack.py").path

    /// Runs the attacker on one summary; returns its findings, one per hidden count.
    func attack(_ patients: [ExportPatient], k: Int, publish: (([String: Any]) -> [String: Any])? = nil) throws
        -> [[String: Any]]
    {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attack-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let encoder = JSONEncoder()
        func write(_ k: Int, _ name: String) throws -> String {
            let payload = SummaryBuilder.build(
                patients: patients, conditions: catalog.conditions, clinic: nil, period: "2026-11",
                minimumCellSize: k, generator: "t", asOf: testToday)
            let file = folder.appendingPathComponent(name)
            try encoder.encode(payload).write(to: file)
            return file.path
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let truth = try write(1, "truth.json")
        var published = try write(k, "published.json")
        if let publish {
            let exact = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: truth))) as? [String: Any])
            try JSONSerialization.data(withJSONObject: publish(exact)).write(to: URL(fileURLWithPath: published))
            published = folder.appendingPathComponent("published.json").path
        }
        process.arguments = ["python3", Self.script, published, truth]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "the attacker failed: \(problems)\(text)")
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// CI runs 12 populations per k; `KETAREG_ATTACK_POPULATIONS=100` runs more (about 4 minutes).
    @Test(
        "No small hidden count is pinned to one value by integer programming over everything published, knowing the rules and the data's structure",
        arguments: [3, 5, 11])
    func noCellPinned(k: Int) throws {
        var random = SeededGenerator(seed: 2026_11_26 + UInt64(k))
        var hiddenSeen = 0
        for population
            in 0..<(ProcessInfo.processInfo.environment["KETAREG_ATTACK_POPULATIONS"].flatMap(Int.init) ?? 12)
        {
            let patients = variedPatients(
                count: Int.random(in: 15...70, using: &random), missingEndOneIn: [4, 6, 15, 30][population % 4],
                using: &random)
            let findings = try attack(patients, k: k)
            let summary = try #require(findings.last)
            #expect((summary["relations"] as? Int ?? 0) > 0, "population \(population): the attacker used no relation")
            for finding in findings.dropLast() {
                let (cell, truth, low, high) = (
                    finding["cell"] as! String, finding["truth"] as! Int, finding["low"] as! Int,
                    finding["high"] as! Int
                )
                #expect(low < high, "population \(population), k \(k): \(cell) is pinned to \(low)")
                #expect(
                    low <= truth && truth <= high,
                    "population \(population): the attacker's model is unsound for \(cell)")
                hiddenSeen += 1
            }
        }
        // The populations do have hidden cells for the attacker to go after.
        #expect(hiddenSeen >= 20, "only \(hiddenSeen) hidden cells")
    }

    @Test(
        "The same attacker recovers hidden cells from exact counts with suppression alone, as summaries were before: the test can fail"
    )
    func attackerWorksOnExactCounts() throws {
        var random = SeededGenerator(seed: 7)
        var pinned: [String] = []
        for _ in 0..<4 {
            let patients = variedPatients(count: 40, missingEndOneIn: 15, using: &random)
            pinned += try attack(patients, k: 5, publish: { Self.suppressedOnly($0, k: 5) }).dropLast()
                .filter { $0["low"] as? Int == $0["high"] as? Int }.map { $0["cell"] as! String }
        }
        #expect(!pinned.isEmpty)
    }

    /// The exact summary (built with k = 1) with small cells and their row complements removed,
    /// as the summary profile did before counts were rounded.
    static func suppressedOnly(_ truth: [String: Any], k: Int) -> [String: Any] {
        func small(_ value: Any?) -> Bool { (value as? Int).map { $0 > 0 && $0 < k } ?? false }
        var payload = truth
        payload["minimumCellSize"] = k
        payload["roundingBase"] = 1
        payload["conditions"] = (truth["conditions"] as! [[String: Any]]).map { condition in
            var condition = condition
            condition["scales"] = (condition["scales"] as! [[String: Any]]).map { scale in
                var scale = scale
                scale["timepoints"] = (scale["timepoints"] as! [[String: Any]]).map { point in
                    var point = point
                    if small(point["patients"]) { point["patients"] = nil }
                    return point
                }
                return scale
            }
            condition["outcomes"] = (condition["outcomes"] as! [[String: Any]]).map { row in
                var row = row
                let (assessed, met) = (row["assessed"] as! Int, row["met"] as! Int)
                let pair = small(row["eligible"]) || small(assessed) || small(row["missing"])
                if small(row["eligible"]) { row["eligible"] = nil }
                if pair {
                    row["assessed"] = nil
                    row["missing"] = nil
                }
                if pair || small(met) || small(assessed - met) { row["met"] = nil }
                return row
            }
            return condition
        }
        return payload
    }
}
