import Crypto
import Foundation
import HubCore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

extension HubDatabase {
    // MARK: Results

    /// Each clinic's rows from its latest summary (its latest period; the newest payload for it),
    /// optionally for one condition.
    public func latestOutcomes(condition: String? = nil) async throws -> [ClinicOutcome] {
        let rows = try await client.query(
            """
            SELECT clinic, period, condition, outcome, scale, subscore, outcome_window, visit, assessed, met, suppressed
            FROM latest_summary_outcomes
            WHERE \(condition ?? "") = '' OR condition = \(condition ?? "")
            ORDER BY condition, outcome, scale, outcome_window, visit, clinic
            """, logger: logger)
        var outcomes: [ClinicOutcome] = []
        for try await (clinic, period, condition, outcome, scale, subscore, window, visit, assessed, met, suppressed)
            in rows.decode((String, String, String, String, String, String, String, String, Int?, Int?, Bool).self)
        {
            outcomes.append(
                ClinicOutcome(
                    clinic: clinic, period: period, condition: condition, outcome: outcome, scale: scale,
                    subscore: subscore.isEmpty ? nil : subscore, window: window, visit: visit.isEmpty ? nil : visit,
                    assessed: assessed, met: met,
                    suppressed: suppressed))
        }
        return outcomes
    }
}
