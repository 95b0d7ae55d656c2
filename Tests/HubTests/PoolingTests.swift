import Foundation
import HubCore
import PayloadFormat
import RegistryCore
import RegistryTestSupport
import Testing

@Suite("What the network may publish: its minimum cell size")
struct PoolingTests {
    func row(
        _ clinic: String, met: Int?, assessed: Int?, suppressed: Bool = false, condition: String = "depression",
        window: OutcomeRow.Window = .immediate
    ) -> ClinicOutcome {
        ClinicOutcome(
            clinic: clinic, period: "2026-10",
            received: ConditionOutcome(
                condition: condition,
                row: OutcomeSummary(
                    outcome: "response", scale: "madrs", rule: "MADRS down 50%", window: window,
                    assessed: assessed, met: met, suppressed: suppressed, computedIn: "2026-10")))
    }

    @Test(
        "Each count at the edge of the minimum: 0 and 11 up are shown, 1 to 10 never",
        arguments: [
            // (met, assessed, shown)
            (11, 11, true), (0, 11, true), (11, 22, true), (10, 30, false), (1, 30, false), (20, 30, false),
            (19, 30, true), (11, 10, false), (0, 10, false), (12, 12, true), (30, 40, false), (29, 40, true),
        ])
    func edges(met: Int, assessed: Int, shown: Bool) {
        let pooled = Pooling.pool([row("A", met: min(met, assessed), assessed: assessed)], minimumCellSize: 11)
        #expect(pooled.count == 1)
        #expect(pooled[0].clinics.isEmpty != shown, "\(met)/\(assessed)")
        #expect(pooled[0].notReported.isEmpty == shown, "\(met)/\(assessed)")
    }

    @Test(
        "Rows withheld are listed with why, and left out of every pooled number, so none can be recovered by subtraction"
    )
    func withheldAreNotPooled() throws {
        let rows = [
            row("Alder", met: 30, assessed: 60), row("Birch", met: 44, assessed: 70),
            row("Cedar", met: 5, assessed: 40),
            row("Damson", met: nil, assessed: nil, suppressed: true), row("Elm", met: 8, assessed: 9),
        ]
        let outcome = try #require(Pooling.pool(rows, minimumCellSize: 11).first)
        #expect(outcome.clinics.map(\.clinic) == ["Alder", "Birch"])
        #expect(
            outcome.notReported == [
                .init(clinic: "Cedar", reason: "a count from 1 to 10"),
                .init(clinic: "Damson", reason: "suppressed by the clinic"),
                .init(clinic: "Elm", reason: "fewer than 11 assessed"),
            ])
        // The published totals are exactly the shown rows' sums: subtracting them leaves nothing.
        let crude = try #require(outcome.crude)
        #expect(crude.events == 74 && crude.total == 130)
        let analysis = try #require(outcome.analysis)
        #expect(analysis == MetaAnalysis([Proportion(events: 30, total: 60)!, Proportion(events: 44, total: 70)!]))
        // The JSON never carries a withheld clinic's counts.
        let json = try JSONSerialization.data(withJSONObject: outcome.json)
        let text = String(decoding: json, as: UTF8.self)
        #expect(
            !text.contains("\"responders\":5,") && !text.contains("\"assessed\":40")
                && !text.contains("\"assessed\":9,"))
    }

    @Test("A network with a higher minimum shows less")
    func higherMinimum() throws {
        let rows = [row("Alder", met: 30, assessed: 60), row("Birch", met: 15, assessed: 70)]
        #expect(Pooling.pool(rows, minimumCellSize: 11)[0].clinics.count == 2)
        #expect(Pooling.pool(rows, minimumCellSize: 20)[0].clinics.map(\.clinic) == ["Alder"])
    }

    @Test("Outcomes are grouped by condition, outcome, scale and window, in that order")
    func grouping() {
        var rows = [row("A", met: 20, assessed: 40), row("B", met: 22, assessed: 44)]
        rows.append(row("A", met: 15, assessed: 40, window: .sustained))
        rows.append(row("C", met: 12, assessed: 30, condition: "migraine"))
        let pooled = Pooling.pool(rows, minimumCellSize: 11)
        #expect(
            pooled.map { "\($0.condition)/\($0.window)/\($0.clinics.count)" } == [
                "depression/immediate/2", "depression/sustained/1", "migraine/immediate/1",
            ])
    }
}

@Suite("What the hub accepts: payload intake")
struct PayloadIntakeTests {
    @Test("A summary is read into its condition, outcome and timepoint rows")
    func readsSummary() throws {
        let body = summaryPayload(
            period: "2026-10", outcomes: [("response", "immediate", 30, 60), ("remission", "immediate", nil, nil)])
        let payload = try PayloadIntake.read(Data(body.utf8))
        #expect(payload.kind == .summary && payload.schema == "ketareg-summary/3" && payload.period == "2026-10")
        #expect(payload.auditChainHead == String(repeating: "ab", count: 32))
        #expect(payload.outcomes.count == 2 && payload.outcomes[0].met == 30 && payload.outcomes[0].assessed == 60)
        #expect(payload.outcomes[1].suppressed && payload.outcomes[1].met == nil)
        #expect(payload.digest == PayloadIntake.digest(Data(body.utf8)) && payload.digest.count == 64)
    }

    @Test(
        "Refused with a reason that names what is wrong",
        arguments: [
            ("not json", "not JSON"),
            ("[1, 2]", "not a JSON object"),
            ("{\"hello\": 1}", "names no schema"),
            (
                "{\"schema\": \"ketareg-summary/2\"}",
                "unsupported schema \"ketareg-summary/2\": this hub accepts ketareg-fhir/1, ketareg-records/3, ketareg-records/4, ketareg-records/5, ketareg-summary/3, ketareg-summary/4, ketareg-summary/5, ketareg-summary/6"
            ),
            (String(repeating: "[", count: 100_000), "nested more than 64 levels deep"),
        ])
    func refusals(body: String, reason: String) {
        #expect {
            try PayloadIntake.read(Data(body.utf8))
        } throws: { error in
            (error as? IntakeError)?.reason.contains(reason) == true
        }
    }

    @Test("A field the schema does not allow (a name) is refused, naming its path")
    func unknownField() {
        let body = summaryPayload(
            period: "2026-10", outcomes: [("response", "immediate", 30, 60)], extra: ", \"patientName\": \"Ann Smith\"")
        #expect {
            try PayloadIntake.read(Data(body.utf8))
        } throws: { error in
            let reason = (error as? IntakeError)?.reason ?? ""
            return reason.contains("does not conform to ketareg-summary/3") && reason.contains("patientName")
        }
    }

    @Test(
        "Counts the schema allows but arithmetic cannot take are refused before any is used",
        arguments: [
            ("\"met\": 30", "\"met\": 61"), ("\"met\": 30", "\"met\": 1e300"),
            ("\"assessed\": 60", "\"assessed\": 4000000000"),
            ("\"met\": 30", "\"met\": 30.5"),
            ("\"roundingBase\": 1", "\"roundingBase\": 4611686018427387904"),
            ("\"minimumCellSize\": 11", "\"minimumCellSize\": 9223372036854775807"),
        ])
    func impossibleCounts(original: String, hostile: String) {
        let body = summaryPayload(period: "2026-10", outcomes: [("response", "immediate", 30, 60)])
            .replacingOccurrences(of: original, with: hostile)
        #expect(body.contains(hostile))
        #expect(throws: IntakeError.self) { try PayloadIntake.read(Data(body.utf8)) }
    }

    @Test(
        "Counts that contradict each other are refused, naming them: eligible below assessed, a rate that is not met / assessed",
        arguments: [
            ("\"eligible\": 60", "\"eligible\": 3", "assessed (60) is more than eligible (3)"),
            ("\"missing\": 0", "\"missing\": 20", "is not assessed (60) plus missing (20)"),
            ("\"rate\": 0.5", "\"rate\": 0.9", "rate (0.9) is not met / assessed (30 / 60)"),
        ])
    func contradictoryCounts(original: String, hostile: String, named: String) {
        let body = summaryPayload(period: "2026-10", outcomes: [("response", "immediate", 30, 60)])
        #expect((try? PayloadIntake.read(Data(body.utf8))) != nil, "the payload as built is accepted")
        let changed = body.replacingOccurrences(of: original, with: hostile)
        #expect(changed != body)
        #expect {
            try PayloadIntake.read(Data(changed.utf8))
        } throws: { ($0 as? IntakeError)?.reason.contains(named) == true }
    }

    @Test("A member given twice in one object is refused: readers differ on which one wins")
    func duplicateKeys() {
        let body = summaryPayload(period: "2026-10", outcomes: [("response", "immediate", 30, 60)])
        let changed = body.replacingOccurrences(of: "\"met\": 30", with: "\"met\": 30, \"met\": 3")
        #expect(changed != body)
        #expect {
            try PayloadIntake.read(Data(changed.utf8))
        } throws: { ($0 as? IntakeError)?.reason.contains("the property \"met\" appears twice") == true }
    }

    @Test("The same outcome twice in one condition is refused")
    func duplicateOutcome() {
        let body = summaryPayload(
            period: "2026-10", outcomes: [("response", "immediate", 30, 60), ("response", "immediate", 31, 60)])
        #expect(throws: IntakeError.self) { try PayloadIntake.read(Data(body.utf8)) }
    }

    @Test("A condition twice, or a scale's timepoint twice, is refused: the stored tables hold each once")
    func duplicateConditionOrTimepoint() throws {
        let body = summaryPayload(period: "2026-10", outcomes: [("response", "immediate", 30, 60)])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        var twice = document
        let condition = try #require((document["conditions"] as? [[String: Any]])?.first)
        twice["conditions"] = [condition, condition]
        #expect {
            try PayloadIntake.read(try JSONSerialization.data(withJSONObject: twice))
        } throws: { ($0 as? IntakeError)?.reason == "conditions[1]: condition depression appears twice" }
        var timepoints = condition
        let point: [String: Any] = [
            "timepoint": "baseline", "patients": 40, "suppressed": false, "computedIn": "2026-10",
        ]
        timepoints["scales"] = [["scale": "madrs", "timepoints": [point, point]]]
        var repeated = document
        repeated["conditions"] = [timepoints]
        #expect {
            try PayloadIntake.read(try JSONSerialization.data(withJSONObject: repeated))
        } throws: { ($0 as? IntakeError)?.reason.contains("timepoint baseline of madrs appears twice") == true }
    }

    @Test("Hostile bytes never crash the intake: a seeded fuzz of a valid summary")
    func fuzz() {
        let valid = Array(
            summaryPayload(
                period: "2026-10", outcomes: [("response", "immediate", 30, 60), ("remission", "sustained", 12, 60)]
            ).utf8)
        var random = SeededGenerator(seed: Fuzz.seed)
        let nasty: [[UInt8]] = [
            Array("1e999".utf8), Array("-1".utf8), Array("\"\\ud800\"".utf8), Array("[[[[[[[[".utf8),
            Array("null".utf8),
            Array("\u{0}".utf8), Array("9999999999999999999999".utf8), Array("{\"schema\":".utf8),
        ]
        var accepted = 0
        var refused = 0
        for _ in 0..<Fuzz.iterations * 3 {
            let bytes = Fuzz.mutate(valid, nasty: nasty, using: &random)
            do {
                let payload = try PayloadIntake.read(Data(bytes))
                // Whatever is accepted is consistent.
                for row in payload.outcomes {
                    if let met = row.met, let assessed = row.assessed {
                        #expect(met <= assessed && assessed <= PayloadIntake.largestCount)
                    }
                }
                accepted += 1
            } catch {
                refused += 1
            }
        }
        #expect(refused > 0, "the fuzz must reach refusals")
        #expect(accepted + refused == Fuzz.iterations * 3)
    }
}
