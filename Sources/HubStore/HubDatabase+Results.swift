import Crypto
import Foundation
import HubCore
import Logging
import NIOCore
import NIOPosix
import PayloadFormat
import PostgresNIO
import RegistryCore

extension HubDatabase {
    // MARK: Results

    /// Each clinic's rows from its latest summary (its latest period; the newest payload for it),
    /// optionally for one condition.
    public func latestOutcomes(condition: String? = nil) async throws -> [ClinicOutcome] {
        let rows = try await client.query(
            """
            SELECT clinic, period, condition, outcome, scale, subscore, outcome_window, visit, rule,
                   eligible, assessed, missing, met, rate, suppressed, computed_in, protocol
            FROM latest_summary_outcomes
            WHERE \(condition ?? "") = '' OR condition = \(condition ?? "")
            ORDER BY condition, protocol, outcome, scale, outcome_window, visit, clinic
            """, logger: logger)
        var outcomes: [ClinicOutcome] = []
        for try await row in rows {
            // Seventeen columns: more than one tuple decodes, so by position.
            let cells = row.makeRandomAccess()
            func text(_ index: Int) throws -> String { try cells[index].decode(String.self) }
            func count(_ index: Int) throws -> Int? { try cells[index].decode(Int?.self) }
            let subscore = try text(5)
            let visit = try text(7)
            guard let window = OutcomeRow.Window(rawValue: try text(6)) else {
                throw HubError(
                    .database,
                    "the window of a stored outcome is not one of \(OutcomeRow.Window.allowedWords)",
                    remedies: [.restoreDatabase])
            }
            outcomes.append(
                ClinicOutcome(
                    clinic: try text(0), period: try text(1),
                    received: ConditionOutcome(
                        condition: try text(2),
                        row: OutcomeSummary(
                            outcome: try text(3), protocol: try text(16).isEmpty ? nil : try text(16),
                            scale: try text(4),
                            subscore: subscore.isEmpty ? nil : subscore,
                            rule: try text(8), window: window, visit: visit.isEmpty ? nil : visit,
                            eligible: try count(9), assessed: try count(10), missing: try count(11),
                            met: try count(12), rate: try cells[13].decode(Double?.self),
                            suppressed: try cells[14].decode(Bool.self), computedIn: try text(15)))))
        }
        return outcomes
    }

    /// What the network may publish: each clinic's latest outcomes (optionally for one condition),
    /// pooled under the network's minimum cell size, which is returned with them.
    public func pooledOutcomes(condition: String? = nil) async throws -> (outcomes: [PooledOutcome], minimum: Int) {
        let minimum = try await minimumCellSize()
        return (Pooling.pool(try await latestOutcomes(condition: condition), minimumCellSize: minimum), minimum)
    }
}
