import ArgumentParser
import Foundation
import HubCore
import HubStore

/// Each clinic's latest outcomes, pooled under the network's minimum cell size.
func pooledOutcomes(_ database: DatabaseOptions, condition: String?) async throws -> (
    outcomes: [PooledOutcome], minimum: Int
) {
    try await withDatabase(database) { db in try await db.pooledOutcomes(condition: condition) }
}

struct Outcomes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outcomes",
        abstract:
            "Outcomes pooled across clinics: each clinic's latest counts, random effects, fixed effect and the plain pooled count.",
        discussion: """
            For each condition, outcome, scale and window: each clinic's latest summary (its latest period; of two payloads \
            for one period, the newer), DerSimonian and Laird's random-effects estimate on the logit scale (0.5 added to \
            both cells only for a clinic with none or all), with its 95% CI, tau^2, I^2 and Cochran's Q; the inverse-variance \
            fixed-effect estimate; and the sum of responders over the sum of assessed with Wilson's interval.

            A clinic's row is shown and pooled only when the clinic did not suppress it, at least minimum-cell-size patients \
            were assessed, and neither responders nor non-responders number from 1 to minimum-cell-size minus 1 \
            (`ketareg-hub settings`). The others are listed as not reported, with why.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("Only this condition (an id, like depression).", valueName: "ID")) var condition: String?
    @Flag(help: "Print the results as JSON.") var json = false

    func run() async throws {
        let (outcomes, minimum) = try await pooledOutcomes(database, condition: condition)
        if json {
            return try printJSON(["minimumCellSize": minimum, "outcomes": outcomes.map(\.json)] as [String: Any])
        }
        if outcomes.isEmpty {
            return print(
                condition.map { "No clinic has sent outcomes for \($0)." } ?? "No clinic has sent a summary yet.")
        }
        func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
        var blocks: [String] = []
        for outcome in outcomes {
            var lines = [
                "\(outcome.condition)  \(outcome.outcome)  \(outcome.scale)\(outcome.subscore.map { " (\($0))" } ?? "")  \(outcome.window)\(outcome.visit.map { " (\($0))" } ?? "")"
                    + (outcome.protocol.map { "  protocol \($0)" } ?? "")
            ]
            var rows = outcome.clinics.map {
                [
                    "  " + $0.clinic, "\($0.proportion.events)/\($0.proportion.total)", percent($0.proportion.rate),
                    $0.period,
                ]
            }
            if let analysis = outcome.analysis, let crude = outcome.crude {
                let r = analysis.random
                let f = analysis.fixed
                rows.append([
                    "  pooled, random effects (DL)", "",
                    "\(percent(r.rate)) (\(percent(r.ciLow))-\(percent(r.ciHigh)))",
                    String(
                        format: "tau2 %.4f  I2 %.0f%%  Q %.2f  %d clinic%@", analysis.tau2, analysis.i2 * 100,
                        analysis.q,
                        analysis.clinics, analysis.clinics == 1 ? "" : "s"),
                ])
                rows.append(["  fixed effect", "", "\(percent(f.rate)) (\(percent(f.ciLow))-\(percent(f.ciHigh)))", ""])
                rows.append([
                    "  all clinics' counts", "\(crude.events)/\(crude.total)",
                    "\(percent(crude.rate)) (\(percent(crude.ciLow))-\(percent(crude.ciHigh)))", "",
                ])
            } else {
                rows.append(["  no clinic's row can be shown", "", "", ""])
            }
            lines.append(columns(rows))
            if !outcome.notReported.isEmpty {
                lines.append(
                    "  not reported: "
                        + outcome.notReported.map { "\($0.clinic) (\($0.reason))" }.joined(separator: "; "))
            }
            blocks.append(lines.joined(separator: "\n"))
        }
        print(blocks.joined(separator: "\n\n"))
        note("No count from 1 to \(minimum - 1) is shown (minimum cell size \(minimum)).")
    }
}

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the pooled outcomes as an HTML page of forest plots (self-contained SVG).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("The HTML file to write.", valueName: "FILE")) var html: String
    @Option(help: ArgumentHelp("Only this condition.", valueName: "ID")) var condition: String?

    func run() async throws {
        let (outcomes, minimum) = try await pooledOutcomes(database, condition: condition)
        let generated = "Generated \(timestamp(Date())) by ketareg-hub \(Hub.version)"
        let page = ForestPlot.html(outcomes, minimumCellSize: minimum, generated: generated)
        do {
            try Data(page.utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
        } catch {
            // A file that cannot be written is exit 3, as the program's help says (HubError's
            // `.database` kind is its "not your input" status).
            fail(HubError(.database, "--html: cannot write \(html): \(error.localizedDescription)"))
        }
        print("wrote \(html): \(outcomes.count) forest plot\(outcomes.count == 1 ? "" : "s")")
    }
}
