import Foundation
import RegistryCore

/// The network's report: one forest plot per pooled outcome, as self-contained HTML with inline
/// SVG (no script, no font or file fetched), so it can be mailed or archived as it is.
public enum ForestPlot {
    static let width = 760.0
    static let labelWidth = 190.0
    static let numbersWidth = 190.0
    static let rowHeight = 22.0
    static var plotLeft: Double { labelWidth + 10 }
    static var plotWidth: Double { width - labelWidth - numbersWidth - 30 }

    static func escape(_ text: String) -> String { escapeHTML(text) }

    static func percent(_ rate: Double) -> String { String(format: "%.1f%%", rate * 100) }

    static func x(_ rate: Double) -> Double { plotLeft + min(1, max(0, rate)) * plotWidth }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// One outcome's plot: a row per clinic (its rate as a square sized by its random-effects
    /// weight, its 95% CI as a line), the pooled random-effects diamond, and I^2.
    public static func svg(_ outcome: PooledOutcome) -> String {
        let rows = outcome.clinics.count
        let top = 30.0
        let height = top + Double(rows + 3) * rowHeight + 30
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title(outcome)))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        svg +=
            "<text x=\"0\" y=\"16\" font-weight=\"bold\">Clinic</text><text x=\"\(f(width - numbersWidth + 10))\" y=\"16\" font-weight=\"bold\">Rate (95% CI)  n</text>\n"
        let weights: [Double]
        if let analysis = outcome.analysis {
            let raw = outcome.clinics.map { 1 / ($0.proportion.logit.variance + analysis.tau2) }
            let total = raw.reduce(0, +)
            weights = raw.map { $0 / total }
        } else {
            weights = []
        }
        for (index, row) in outcome.clinics.enumerated() {
            let y = top + Double(index) * rowHeight + rowHeight / 2
            let (effect, variance) = row.proportion.logit
            let own = Estimate(logit: effect, standardError: variance.squareRoot())
            let (low, high) = (own.ciLow, own.ciHigh)
            let side = 4 + 10 * (weights.indices.contains(index) ? weights[index].squareRoot() : 0)
            svg += "<g class=\"clinic\"><text x=\"0\" y=\"\(f(y + 4))\">\(escape(String(row.clinic.prefix(28))))</text>"
            svg += "<line x1=\"\(f(x(low)))\" y1=\"\(f(y))\" x2=\"\(f(x(high)))\" y2=\"\(f(y))\" stroke=\"#333\"/>"
            svg +=
                "<rect x=\"\(f(x(row.proportion.rate) - side / 2))\" y=\"\(f(y - side / 2))\" width=\"\(f(side))\" height=\"\(f(side))\" fill=\"#1f5fa8\"/>"
            svg +=
                "<text x=\"\(f(width - numbersWidth + 10))\" y=\"\(f(y + 4))\">\(percent(row.proportion.rate)) (\(percent(low))–\(percent(high)))  \(row.proportion.total)</text></g>\n"
        }
        let pooledY = top + Double(rows) * rowHeight + rowHeight
        if let analysis = outcome.analysis {
            let r = analysis.random
            svg +=
                "<g class=\"pooled\"><text x=\"0\" y=\"\(f(pooledY + 4))\" font-weight=\"bold\">Pooled (random effects)</text>"
            svg +=
                "<polygon points=\"\(f(x(r.ciLow))),\(f(pooledY)) \(f(x(r.rate))),\(f(pooledY - 7)) \(f(x(r.ciHigh))),\(f(pooledY)) \(f(x(r.rate))),\(f(pooledY + 7))\" fill=\"#b5402a\"/>"
            svg +=
                "<text x=\"\(f(width - numbersWidth + 10))\" y=\"\(f(pooledY + 4))\" font-weight=\"bold\">\(percent(r.rate)) (\(percent(r.ciLow))–\(percent(r.ciHigh)))</text></g>\n"
            svg +=
                "<text x=\"0\" y=\"\(f(pooledY + rowHeight + 4))\" fill=\"#555\">I² = \(String(format: "%.0f", analysis.i2 * 100))%, τ² = \(String(format: "%.3f", analysis.tau2)), Q = \(String(format: "%.2f", analysis.q)) on \(analysis.clinics - 1) df</text>\n"
            svg +=
                "<line x1=\"\(f(x(r.rate)))\" y1=\"\(f(top - 4))\" x2=\"\(f(x(r.rate)))\" y2=\"\(f(pooledY + 8))\" stroke=\"#b5402a\" stroke-dasharray=\"3,3\"/>\n"
        }
        let axisY = pooledY + rowHeight * 1.7
        svg +=
            "<g class=\"axis\"><line x1=\"\(f(plotLeft))\" y1=\"\(f(axisY))\" x2=\"\(f(plotLeft + plotWidth))\" y2=\"\(f(axisY))\" stroke=\"#333\"/>"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            svg +=
                "<line x1=\"\(f(x(tick)))\" y1=\"\(f(axisY))\" x2=\"\(f(x(tick)))\" y2=\"\(f(axisY + 4))\" stroke=\"#333\"/>"
            svg += "<text x=\"\(f(x(tick)))\" y=\"\(f(axisY + 16))\" text-anchor=\"middle\">\(Int(tick * 100))%</text>"
        }
        svg += "</g>\n</svg>"
        return svg
    }

    static func title(_ outcome: PooledOutcome) -> String {
        "\(outcome.condition): \(outcome.outcome) on \(outcome.scale)\(outcome.subscore.map { " (\($0))" } ?? ""), \(outcome.window)\(outcome.visit.map { " at \($0)" } ?? "")"
            + (outcome.protocol.map { ", protocol \($0)" } ?? "")
    }

    /// The whole report.
    public static func html(_ outcomes: [PooledOutcome], minimumCellSize: Int, generated: String) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>KetaReg network: pooled outcomes</title>
            <style>body{font-family:sans-serif;max-width:800px;margin:2em auto;color:#222}h2{font-size:1.1em;margin-top:2em}.note{color:#555}</style>
            </head><body>
            <h1>Pooled outcomes across clinics</h1>
            <p class="note">\(escape(generated)). Each clinic's latest summary. Random effects: DerSimonian and Laird on the logit scale, 95% intervals. No clinic is shown, or pooled, whose row has a count from 1 to \(minimumCellSize - 1).</p>

            """
        if outcomes.isEmpty { html += "<p>No outcome has been received yet.</p>\n" }
        for outcome in outcomes {
            html += "<section><h2>\(escape(title(outcome)))</h2>\n"
            if outcome.clinics.isEmpty {
                html += "<p>No clinic's row can be shown.</p>\n"
            } else {
                html += svg(outcome) + "\n"
            }
            if !outcome.notReported.isEmpty {
                html +=
                    "<p class=\"note\">Not reported: "
                    + outcome.notReported.map { "\(escape($0.clinic)) (\(escape($0.reason)))" }.joined(separator: "; ")
                    + ".</p>\n"
            }
            html += "</section>\n"
        }
        html += "</body></html>\n"
        return html
    }
}
