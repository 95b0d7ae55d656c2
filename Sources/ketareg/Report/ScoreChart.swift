import RegistryCore
import RegistryStore

/// A patient's scores on one scale over time: the scale's bands shaded behind, infusions marked as
/// vertical lines, each score a labelled point.
struct ScoreChart {
    let scale: any AssessmentScale
    let assessments: [AssessmentView]
    let infusions: [InfusionView]
    /// The days shown, the same for every chart of one patient so they line up.
    let days: ClosedRange<ClinicalDate>

    static let width = 960.0
    static let height = 260.0
    static let margin = (left: 56.0, right: 190.0, top: 16.0, bottom: 36.0)

    func svg() -> String {
        let first = days.lowerBound, last = days.upperBound
        let span = max(1, first.days(until: last))
        let plotWidth = Self.width - Self.margin.left - Self.margin.right
        let plotHeight = Self.height - Self.margin.top - Self.margin.bottom
        let low = scale.range.lowerBound, high = scale.range.upperBound
        func x(_ date: ClinicalDate) -> Double { Self.margin.left + Double(first.days(until: date)) / Double(span) * plotWidth }
        func y(_ score: Double) -> Double { Self.margin.top + (high - score) / max(high - low, 1) * plotHeight }

        var parts: [String] = []
        parts.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(svgNumber(Self.width))\" height=\"\(svgNumber(Self.height))\" role=\"img\" aria-label=\"\(escapeHTML(scale.name)) over time\">")
        // Bands, lowest score at the bottom; a band runs to the next band's lower bound.
        let colours = bandColours(scale.bands.count)
        for (index, band) in scale.bands.enumerated() {
            let top = index + 1 < scale.bands.count ? scale.bands[index + 1].lowerBound : high
            let rectangleTop = y(top), rectangleBottom = y(band.lowerBound)
            parts.append("<rect x=\"\(svgNumber(Self.margin.left))\" y=\"\(svgNumber(rectangleTop))\" width=\"\(svgNumber(plotWidth))\" height=\"\(svgNumber(max(rectangleBottom - rectangleTop, 1)))\" fill=\"\(colours[index])\"><title>\(escapeHTML(band.label)) \(band.rangeDescription)</title></rect>")
            parts.append("<text x=\"\(svgNumber(Self.margin.left + plotWidth + 6))\" y=\"\(svgNumber((rectangleTop + rectangleBottom) / 2 + 4))\" font-size=\"11\" fill=\"#52606d\">\(escapeHTML(band.label)) \(band.rangeDescription)</text>")
        }
        // Axes.
        parts.append("<rect x=\"\(svgNumber(Self.margin.left))\" y=\"\(svgNumber(Self.margin.top))\" width=\"\(svgNumber(plotWidth))\" height=\"\(svgNumber(plotHeight))\" fill=\"none\" stroke=\"#9aa5b1\"/>")
        for tick in [low, (low + high) / 2, high] {
            parts.append("<text x=\"\(svgNumber(Self.margin.left - 6))\" y=\"\(svgNumber(y(tick) + 4))\" font-size=\"11\" text-anchor=\"end\" fill=\"#52606d\">\(formatScore((tick * 10).rounded() / 10))</text>")
        }
        parts.append("<text x=\"\(svgNumber(Self.margin.left))\" y=\"\(svgNumber(Self.height - 6))\" font-size=\"11\" fill=\"#52606d\">\(first)</text>")
        parts.append("<text x=\"\(svgNumber(Self.margin.left + plotWidth))\" y=\"\(svgNumber(Self.height - 6))\" font-size=\"11\" text-anchor=\"end\" fill=\"#52606d\">\(last) (day \(span))</text>")
        // Infusions.
        for infusion in infusions where !infusion.enteredInError {
            guard let date = try? ClinicalDate.parse(infusion.on, field: "on") else { continue }
            let position = x(date)
            parts.append("<line x1=\"\(svgNumber(position))\" y1=\"\(svgNumber(Self.margin.top))\" x2=\"\(svgNumber(position))\" y2=\"\(svgNumber(Self.margin.top + plotHeight))\" stroke=\"#3e4c59\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"><title>infusion \(infusion.id) on \(infusion.on): \(infusion.dosingText) over \(infusion.minutes) min for \(infusion.condition)</title></line>")
            parts.append("<path d=\"M \(svgNumber(position - 5)) \(svgNumber(Self.margin.top + plotHeight + 10)) l 5 -8 l 5 8 z\" fill=\"#3e4c59\"/>")
        }
        // Scores.
        let points = assessments.filter { !$0.enteredInError }.compactMap { assessment -> (Double, Double, AssessmentView)? in
            guard let date = try? ClinicalDate.parse(assessment.on, field: "on") else { return nil }
            return (x(date), y(assessment.score), assessment)
        }
        if points.count > 1 {
            parts.append("<polyline points=\"" + points.map { "\(svgNumber($0.0)),\(svgNumber($0.1))" }.joined(separator: " ") + "\" fill=\"none\" stroke=\"#1f4e8c\" stroke-width=\"2\"/>")
        }
        for (px, py, assessment) in points {
            let flagged = !assessment.flags.isEmpty
            parts.append("<circle cx=\"\(svgNumber(px))\" cy=\"\(svgNumber(py))\" r=\"\(flagged ? 6 : 4.5)\" fill=\"\(flagged ? "#c81e1e" : "#1f4e8c")\"><title>\(assessment.on) \(assessment.timepoint): \(formatScore(assessment.score))\(assessment.band.map { " (\($0))" } ?? "")\(flagged ? " — " + assessment.flags.joined(separator: ", ") : "")</title></circle>")
            parts.append("<text x=\"\(svgNumber(px))\" y=\"\(svgNumber(py - 9))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1f2933\">\(formatScore(assessment.score))</text>")
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }
}

/// Rates of response and remission as horizontal bars, each labelled with its counts.
struct RateBars {
    let rows: [OutcomeRow]
    /// Rows with fewer patients assessed than this get no bar.
    static let fewestToJudge = 5

    func svg() -> String {
        let rowHeight = 26.0, labelWidth = 330.0, barWidth = 300.0, width = 960.0
        let height = Double(rows.count) * rowHeight + 30
        var parts = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\" role=\"img\" aria-label=\"outcome rates\">"]
        for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let position = labelWidth + tick * barWidth
            parts.append("<line x1=\"\(svgNumber(position))\" y1=\"0\" x2=\"\(svgNumber(position))\" y2=\"\(svgNumber(height - 22))\" stroke=\"#e4e7eb\"/>")
            parts.append("<text x=\"\(svgNumber(position))\" y=\"\(svgNumber(height - 8))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#52606d\">\(Int(tick * 100))%</text>")
        }
        for (index, row) in rows.enumerated() {
            let top = Double(index) * rowHeight + 4
            let when = row.window == .immediate ? "end of course" : "sustained, " + (row.visit ?? "").replacingOccurrences(of: "-", with: " ")
            parts.append("<text x=\"\(svgNumber(labelWidth - 8))\" y=\"\(svgNumber(top + 15))\" font-size=\"12\" text-anchor=\"end\" fill=\"#1f2933\">\(row.course == .retreatment ? "re-treatment: " : "")\(escapeHTML(row.name)), \(escapeHTML(when))</text>")
            // Fewer than 5 assessed (or eligible): no bar and no mark, since a 100% from 1 of 1
            // would look like a result.
            if (row.assessed > 0 && row.assessed < Self.fewestToJudge) || (row.eligible > 0 && row.eligible < Self.fewestToJudge) {
                parts.append("<text x=\"\(svgNumber(labelWidth + 4))\" y=\"\(svgNumber(top + 15))\" font-size=\"12\" font-style=\"italic\" fill=\"#52606d\">too few to judge</text>")
                let counts = row.assessed == 0 ? "no one assessed (\(row.eligible) eligible)" : "\(row.responders) of \(row.assessed) assessed, \(row.eligible) eligible"
                parts.append("<text x=\"\(svgNumber(labelWidth + barWidth + 8))\" y=\"\(svgNumber(top + 15))\" font-size=\"12\" fill=\"#1f2933\">\(counts)</text>")
                continue
            }
            let rate = row.rate ?? 0
            let fill = row.window == .immediate ? "#1f4e8c" : "#7b93c4"
            parts.append("<rect x=\"\(svgNumber(labelWidth))\" y=\"\(svgNumber(top + 2))\" width=\"\(svgNumber(max(rate * barWidth, 0.5)))\" height=\"18\" fill=\"\(fill)\"><title>\(row.responders) of \(row.assessed) assessed</title></rect>")
            if let missing = row.rateMissingAsNonResponse, row.missing > 0 {
                let position = labelWidth + missing * barWidth
                parts.append("<line x1=\"\(svgNumber(position))\" y1=\"\(svgNumber(top))\" x2=\"\(svgNumber(position))\" y2=\"\(svgNumber(top + 22))\" stroke=\"#c81e1e\" stroke-width=\"2\"><title>missing counted as not met: \(percentText(missing))</title></line>")
            }
            let label = row.assessed == 0 ? "no one assessed (\(row.eligible) eligible)" : "\(percentText(row.rate)): \(row.responders) of \(row.assessed) assessed, \(row.eligible) eligible"
            parts.append("<text x=\"\(svgNumber(labelWidth + barWidth + 8))\" y=\"\(svgNumber(top + 15))\" font-size=\"12\" fill=\"#1f2933\">\(label)</text>")
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }
}
