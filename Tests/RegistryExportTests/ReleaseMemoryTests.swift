import Depression
import Foundation
import Migraine
import NeuropathicPain
import PayloadFormat
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

@testable import RegistryExport

@Suite("Summary cells remember who they counted")
struct ReleaseMemoryTests {
    @Test("The smallest difference is taken over every earlier release, joins and departures alike")
    func smallestDifference() {
        // Released at 1 with patients 1-10; at 3 with 1-10 and 11-15; at 4 with 1-5 and 11-16 (6-10 left).
        var members: [(patient: Int64, since: Int, until: Int?)] =
            (1...5).map { ($0, 1, nil) } + (6...10).map { ($0, 1, 4) }
        members += (11...15).map { ($0, 3, nil) } + [(16, 4, nil)]
        let cell = SummaryCellRelease(
            key: "k", values: Data(), computedIn: "2026-01", releases: [1, 3, 4], members: members)
        #expect(cell.smallestDifference(from: Set(1...10)) == 0)
        #expect(cell.smallestDifference(from: Set(1...11)) == 1)  // release 1 plus one joiner
        #expect(cell.smallestDifference(from: Set((1...5).map { Int64($0) } + (11...16).map { Int64($0) })) == 0)
        // vs release 1: 6-10 gone, 17 new
        #expect(cell.smallestDifference(from: Set((1...5).map { Int64($0) } + [17])) == 6)
        #expect(cell.smallestDifference(from: []) == 10)
        #expect(
            SummaryCellRelease(key: "k", values: Data(), computedIn: "x", releases: [], members: []).smallestDifference(
                from: [1]) == Int.max)
        // The same patients as row ids in increasing order (how the summary builder keeps them).
        let sets: [Set<Int64>] = [
            Set(1...10), Set(1...11), Set((1...5).map { Int64($0) } + (11...16).map { Int64($0) }),
            Set((1...5).map { Int64($0) } + [17]), [], [0, 20],
        ]
        for patients in sets {
            #expect(cell.smallestDifference(fromSorted: patients.sorted()) == cell.smallestDifference(from: patients))
        }
    }

    @Test("A cell keeps its values until k patients joined or left it, against every earlier release")
    func heldUntilEnoughChange() throws {
        let k = 5
        var memory = SummaryReleaseMemory()
        var release = 0
        var members: [String: [(patient: Int64, since: Int, until: Int?)]] = [:]
        var releases: [String: [Int]] = [:]
        /// Builds with the memory, then remembers what it published as the outbox would.
        func publish(_ rows: [Int64], period: String) -> SummaryPayload {
            let result = SummaryBuilder.release(
                patients: rows.map { patient($0, baseline: 10 + Int($0 % 13)) }, conditions: catalog.conditions,
                clinic: nil, period: period, minimumCellSize: k, generator: "t", asOf: testToday, published: memory)
            release += 1
            var cells = memory.cells
            for update in result.cells {
                var list = members[update.key] ?? []
                let open = Set(list.filter { $0.until == nil }.map(\.patient))
                list = list.map {
                    $0.until == nil && !update.patients.contains($0.patient) ? ($0.patient, $0.since, release) : $0
                }
                list += Set(update.patients).subtracting(open).map { ($0, release, nil) }
                members[update.key] = list
                releases[update.key, default: []].append(release)
                cells[update.key] = SummaryCellRelease(
                    key: update.key, values: update.values, computedIn: update.computedIn,
                    releases: releases[update.key]!, members: list)
            }
            memory = SummaryReleaseMemory(cells: cells, nextRelease: release + 1)
            return result.payload
        }
        func depression(_ payload: SummaryPayload) throws -> ConditionSummary {
            try #require(payload.conditions.first { $0.condition == "depression" })
        }
        let first = try depression(publish(Array(1...20), period: "2026-01"))
        #expect(first.computedIn == "2026-01")
        // One to four more patients: every cell as it was, computed in January.
        for extra in 21...24 {
            let later = try depression(publish(Array(1...Int64(extra)), period: "2026-02"))
            #expect(later == first, "with \(extra) patients")
        }
        // The fifth: new values.
        let fifth = try depression(publish(Array(1...25), period: "2026-03"))
        #expect(fifth.computedIn == "2026-03" && fifth.patients == 25)
        #expect(fifth.scales.first?.timepoints.first?.mean != first.scales.first?.timepoints.first?.mean)
        // Five leave and one other joins: six changed since March, but only one since January, so
        // nothing new is published: March's values again.
        let back = try depression(publish(Array(1...20) + [99], period: "2026-04"))
        #expect(back == fifth)
    }
}
