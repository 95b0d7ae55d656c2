import RegistryCore
import RegistryStore

/// A line a score must cross to meet an outcome rule, drawn across the chart from the day its
/// course began.
struct ChartThreshold {
    /// What it says at the right edge: "response ≤ 9 (50% below baseline 18)".
    let label: String
    let value: Double
    /// The first day it applies (its course's day 0); the chart's first day when nil.
    let from: ClinicalDate?
    /// The day the next course takes over; the chart's last day when nil.
    let until: ClinicalDate?
}

/// A patient's scores on one scale over time: the scale's bands shaded behind, infusions marked as
/// vertical lines (a continuous infusion as a shaded span), each score a labelled point, and the
/// outcome rules' thresholds as dashed lines.
///
/// Every label is placed so that none overlaps another: date ticks at a step chosen for the span
/// (days, weeks, months, years), score ticks at round steps, band and threshold labels spread apart
/// with a leader to where they belong, and a score's value left to its tooltip when its label would
/// cover another.
struct ScoreChart {
    let scale: any AssessmentScale
    let assessments: [AssessmentView]
    let infusions: [InfusionView]
    /// The days shown, the same for every chart of one patient so they line up.
    let days: ClosedRange<ClinicalDate>
    var thresholds: [ChartThreshold] = []

    static let width = 960.0
    static let height = 280.0
    static let margin = (left: 56.0, right: 214.0, top: 16.0, bottom: 46.0)
    static let plotWidth = width - margin.left - margin.right
    static let plotHeight = height - margin.top - margin.bottom
    /// The width of a character at 11 px, generously: labels are kept apart by at least this.
    static let characterWidth = 6.6

    /// The days on the axis: the data's days with a little room on each side, so no point sits on
    /// the frame.
    var domain: (first: Int, last: Int) {
        let first = days.lowerBound.dayNumber
        let last = days.upperBound.dayNumber
        let pad = last == first ? 3 : max(1, (last - first) / 30)
        return (first - pad, last + pad)
    }

    func x(dayNumber: Double) -> Double {
        let (first, last) = domain
        return Self.margin.left + (dayNumber - Double(first)) / Double(last - first) * Self.plotWidth
    }

    func x(_ date: ClinicalDate) -> Double { x(dayNumber: Double(date.dayNumber)) }

    func y(_ score: Double) -> Double {
        let low = scale.range.lowerBound
        let high = scale.range.upperBound
        let clamped = min(max(score, low), high)
        return Self.margin.top + (high - clamped) / max(high - low, 1e-9) * Self.plotHeight
    }

    /// Score ticks at a round step, at most 6 intervals: 0, 5, 10 ... for PHQ-9; 0, 50 ... for MIDAS.
    static func scoreTicks(_ range: ClosedRange<Double>) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0 else { return [range.lowerBound] }
        let steps = [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000]
        let step = steps.first { span / $0 <= 6 } ?? span / 6
        let start = (range.lowerBound / step).rounded(.up)
        let end = (range.upperBound / step).rounded(.down)
        guard start <= end else { return [range.lowerBound, range.upperBound] }
        return stride(from: start, through: end, by: 1).map { ($0 * step * 1000).rounded() / 1000 }
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Date ticks and their labels: the finest step (1, 2, 7 or 14 days; 1, 2, 3 or 6 months; a
    /// year) whose labels do not touch. Day steps count from the first day with data, so weekly
    /// ticks fall on the weekday treatment began; month steps fall on the 1st. The year is written
    /// on the first tick and wherever it changes.
    func dateTicks() -> [(date: ClinicalDate, label: String)] {
        let (first, last) = domain
        let anchor = days.lowerBound.dayNumber
        var candidates: [[ClinicalDate]] = []
        for step in [1, 2, 7, 14] {
            let start = anchor - ((anchor - first) / step) * step
            candidates.append(stride(from: start, through: last, by: step).map { ClinicalDate(dayNumber: $0) })
        }
        let firstDate = ClinicalDate(dayNumber: first)
        let lastDate = ClinicalDate(dayNumber: last)
        for step in [1, 2, 3, 6, 12] {
            var ticks: [ClinicalDate] = []
            var year = firstDate.year
            var month = firstDate.month
            while let date = ClinicalDate(year: year, month: month, day: 1), date <= lastDate {
                if date >= firstDate, (month - 1) % step == 0 { ticks.append(date) }
                month += 1
                if month > 12 {
                    month = 1
                    year += 1
                }
            }
            candidates.append(ticks)
        }
        func labelled(_ ticks: [ClinicalDate], monthly: Bool) -> [(date: ClinicalDate, label: String)] {
            var previousYear: Int?
            return ticks.map { date in
                let name = Self.months[date.month - 1]
                let base = monthly ? name : "\(date.day) \(name)"
                defer { previousYear = date.year }
                return (date, previousYear == date.year ? base : "\(base) \(date.year)")
            }
        }
        for (index, ticks) in candidates.enumerated() where ticks.count >= 2 || index == candidates.count - 1 {
            let labels = labelled(ticks, monthly: index >= 4)
            let fits = zip(labels, labels.dropFirst()).allSatisfy { left, right in
                x(right.date) - x(left.date) >= (Double(left.label.count + right.label.count) / 2 + 2)
                    * Self.characterWidth
            }
            if fits { return labels }
        }
        // A span of decades: the first and last day.
        return labelled([firstDate, lastDate], monthly: false)
    }

    /// Centres for labels that want to be centred at `desired`, each `heights` tall, none
    /// overlapping, within `bounds`, each as close to where it wants to be as the others allow.
    /// Their order is kept.
    static func spread(_ desired: [Double], heights: [Double], within bounds: ClosedRange<Double>) -> [Double] {
        guard !desired.isEmpty else { return [] }
        let order = desired.indices.sorted { desired[$0] < desired[$1] }
        let height = order.map { heights[$0] }
        var centre = order.map { index in
            min(max(desired[index], bounds.lowerBound + heights[index] / 2), bounds.upperBound - heights[index] / 2)
        }
        for rank in centre.indices.dropFirst() {
            centre[rank] = max(centre[rank], centre[rank - 1] + (height[rank - 1] + height[rank]) / 2)
        }
        if let last = centre.indices.last, centre[last] + height[last] / 2 > bounds.upperBound {
            centre[last] = bounds.upperBound - height[last] / 2
            for rank in centre.indices.dropLast().reversed() {
                centre[rank] = min(centre[rank], centre[rank + 1] - (height[rank] + height[rank + 1]) / 2)
            }
        }
        var result = desired
        for (rank, index) in order.enumerated() { result[index] = centre[rank] }
        return result
    }

    /// Text broken at spaces into lines of at most `width` characters (a longer word stays whole).
    static func wrapped(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// How many characters fit in the right margin's labels.
    static let sideLabelCharacters = Int((margin.right - 16) / characterWidth)
    static let lineHeight = 13.0

    func svg() -> String {
        let high = scale.range.upperBound
        let left = Self.margin.left
        let right = Self.margin.left + Self.plotWidth
        let top = Self.margin.top
        let bottom = Self.margin.top + Self.plotHeight
        var parts: [String] = []
        parts.append(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(svgNumber(Self.width))\" height=\"\(svgNumber(Self.height))\" role=\"img\" aria-label=\"\(escapeHTML(scale.name)) over time\">"
        )
        // Bands, lowest score at the bottom; a band runs to the next band's lower bound.
        let colours = bandColours(scale.bands.count)
        var sideLabels: [(desired: Double, text: String, colour: String)] = []
        for (index, band) in scale.bands.enumerated() {
            let upper = index + 1 < scale.bands.count ? scale.bands[index + 1].lowerBound : high
            let rectangleTop = y(upper)
            let rectangleBottom = y(band.lowerBound)
            parts.append(
                "<rect x=\"\(svgNumber(left))\" y=\"\(svgNumber(rectangleTop))\" width=\"\(svgNumber(Self.plotWidth))\" height=\"\(svgNumber(max(rectangleBottom - rectangleTop, 1)))\" fill=\"\(colours[index])\"><title>\(escapeHTML(band.label)) \(band.rangeDescription)</title></rect>"
            )
            sideLabels.append(
                ((rectangleTop + rectangleBottom) / 2, "\(band.label) \(band.rangeDescription)", "#52606d"))
        }
        // Score ticks with light grid lines.
        for tick in Self.scoreTicks(scale.range) {
            parts.append(
                "<line x1=\"\(svgNumber(left))\" y1=\"\(svgNumber(y(tick)))\" x2=\"\(svgNumber(right))\" y2=\"\(svgNumber(y(tick)))\" stroke=\"#ffffff\" stroke-opacity=\"0.7\"/>"
            )
            parts.append(
                "<text class=\"score-tick\" x=\"\(svgNumber(left - 6))\" y=\"\(svgNumber(y(tick) + 4))\" font-size=\"11\" text-anchor=\"end\" fill=\"#52606d\">\(formatScore(tick))</text>"
            )
        }
        // Date ticks.
        for tick in dateTicks() {
            let position = x(tick.date)
            parts.append(
                "<line x1=\"\(svgNumber(position))\" y1=\"\(svgNumber(bottom))\" x2=\"\(svgNumber(position))\" y2=\"\(svgNumber(bottom + 4))\" stroke=\"#9aa5b1\"/>"
            )
            parts.append(
                "<text class=\"date-tick\" x=\"\(svgNumber(position))\" y=\"\(svgNumber(bottom + 28))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#52606d\">\(tick.label)</text>"
            )
        }
        // Infusions: a dashed line at the start, a triangle below the axis, and the span of an
        // infusion that runs for hours or days.
        for infusion in infusions where !infusion.enteredInError {
            guard let date = try? ClinicalDate.parse(infusion.on, field: "on") else { continue }
            let minute =
                infusion.at.flatMap { at -> Double? in
                    let parts = at.split(separator: ":").compactMap { Double($0) }
                    return parts.count == 2 ? parts[0] * 60 + parts[1] : nil
                } ?? 0
            let start = Double(date.dayNumber) + minute / 1440
            let position = x(dayNumber: start)
            if infusion.minutes >= 360 {
                let end = x(dayNumber: start + Double(infusion.minutes) / 1440)
                parts.append(
                    "<rect x=\"\(svgNumber(position))\" y=\"\(svgNumber(top))\" width=\"\(svgNumber(max(end - position, 1)))\" height=\"\(svgNumber(Self.plotHeight))\" fill=\"#3e4c59\" fill-opacity=\"0.12\"><title>continuous infusion \(infusion.id) from \(infusion.on): \(infusion.minutes / 60) h</title></rect>"
                )
            }
            parts.append(
                "<line x1=\"\(svgNumber(position))\" y1=\"\(svgNumber(top))\" x2=\"\(svgNumber(position))\" y2=\"\(svgNumber(bottom))\" stroke=\"#3e4c59\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"><title>infusion \(infusion.id) on \(infusion.on): \(infusion.dosingText) over \(infusion.minutes) min for \(escapeHTML(([infusion.condition] + (infusion.alsoFor ?? [])).joined(separator: " and ")))</title></line>"
            )
            parts.append(
                "<path d=\"M \(svgNumber(position - 5)) \(svgNumber(bottom + 13)) l 5 -8 l 5 8 z\" fill=\"#3e4c59\"/>")
        }
        // Thresholds: dashed lines, labelled at the right with the bands.
        let thresholdColours = ["#6b21a8", "#0f766e", "#9a3412", "#1e40af"]
        for (index, threshold) in thresholds.enumerated() {
            let colour = thresholdColours[index % thresholdColours.count]
            let from = threshold.from.map { max(x($0), left) } ?? left
            let until = threshold.until.map { min(x($0), right) } ?? right
            guard until > from else { continue }
            parts.append(
                "<line x1=\"\(svgNumber(from))\" y1=\"\(svgNumber(y(threshold.value)))\" x2=\"\(svgNumber(until))\" y2=\"\(svgNumber(y(threshold.value)))\" stroke=\"\(colour)\" stroke-width=\"1.5\" stroke-dasharray=\"7 4\" class=\"threshold\"><title>\(escapeHTML(threshold.label))</title></line>"
            )
            sideLabels.append((y(threshold.value), threshold.label, colour))
        }
        let lines = sideLabels.map { Self.wrapped($0.text, width: Self.sideLabelCharacters) }
        let placed = Self.spread(
            sideLabels.map(\.desired), heights: lines.map { Double($0.count) * Self.lineHeight },
            within: (top - 8)...(bottom + 10))
        for ((label, text), centre) in zip(zip(sideLabels, lines), placed) {
            if abs(centre - label.desired) > 2 {
                parts.append(
                    "<polyline points=\"\(svgNumber(right)),\(svgNumber(label.desired)) \(svgNumber(right + 5)),\(svgNumber(centre)) \(svgNumber(right + 9)),\(svgNumber(centre))\" fill=\"none\" stroke=\"#9aa5b1\"/>"
                )
            }
            let first = centre - Double(text.count) * Self.lineHeight / 2 + 10
            parts.append(
                "<text class=\"side-label\" x=\"\(svgNumber(right + 12))\" y=\"\(svgNumber(first))\" font-size=\"11\" fill=\"\(label.colour)\">"
                    + text.enumerated().map {
                        "<tspan x=\"\(svgNumber(right + 12))\" dy=\"\($0.offset == 0 ? 0 : Self.lineHeight)\">\(escapeHTML($0.element))</tspan>"
                    }.joined()
                    + "</text>")
        }
        parts.append(
            "<rect x=\"\(svgNumber(left))\" y=\"\(svgNumber(top))\" width=\"\(svgNumber(Self.plotWidth))\" height=\"\(svgNumber(Self.plotHeight))\" fill=\"none\" stroke=\"#9aa5b1\"/>"
        )
        // Scores.
        let points = assessments.filter { !$0.enteredInError }.compactMap {
            assessment -> (Double, Double, AssessmentView)? in
            guard let date = try? ClinicalDate.parse(assessment.on, field: "on") else { return nil }
            return (x(date), y(assessment.score), assessment)
        }
        if points.count > 1 {
            parts.append(
                "<polyline points=\"" + points.map { "\(svgNumber($0.0)),\(svgNumber($0.1))" }.joined(separator: " ")
                    + "\" fill=\"none\" stroke=\"#1f4e8c\" stroke-width=\"2\"/>")
        }
        // A score's label goes above its point, else below, else (when both would cover another
        // label) only in its tooltip.
        var taken: [(x: ClosedRange<Double>, y: ClosedRange<Double>)] = []
        for (px, py, assessment) in points {
            let flagged = !assessment.flags.isEmpty
            parts.append(
                "<circle cx=\"\(svgNumber(px))\" cy=\"\(svgNumber(py))\" r=\"\(flagged ? 6 : 4.5)\" fill=\"\(flagged ? "#c81e1e" : "#1f4e8c")\"><title>\(assessment.on) \(assessment.timepoint): \(formatScore(assessment.score))\(assessment.band.map { " (\($0))" } ?? "")\(flagged ? " — " + assessment.flags.joined(separator: ", ") : "")</title></circle>"
            )
            let text = formatScore(assessment.score)
            let halfWidth = Double(text.count) * Self.characterWidth / 2 + 1
            for baseline in [py - 9, py + 18] where baseline - 10 >= top - 12 && baseline <= bottom + 2 {
                let box = (x: (px - halfWidth)...(px + halfWidth), y: (baseline - 10)...baseline)
                guard !taken.contains(where: { $0.x.overlaps(box.x) && $0.y.overlaps(box.y) }) else { continue }
                taken.append(box)
                parts.append(
                    "<text class=\"score\" x=\"\(svgNumber(px))\" y=\"\(svgNumber(baseline))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1f2933\">\(text)</text>"
                )
                break
            }
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
        let rowHeight = 26.0
        let labelWidth = 330.0
        let barWidth = 300.0
        let width = 960.0
        let height = Double(rows.count) * rowHeight + 30
        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\" role=\"img\" aria-label=\"outcome rates\">"
        ]
        for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let position = labelWidth + tick * barWidth
            parts.append(
                "<line x1=\"\(svgNumber(position))\" y1=\"0\" x2=\"\(svgNumber(position))\" y2=\"\(svgNumber(height - 22))\" stroke=\"#e4e7eb\"/>"
            )
            parts.append(
                "<text x=\"\(svgNumber(position))\" y=\"\(svgNumber(height - 8))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#52606d\">\(Int(tick * 100))%</text>"
            )
        }
        for (index, row) in rows.enumerated() {
            let top = Double(index) * rowHeight + 4
            let when = row.window == .immediate ? "end of course" : "sustained, " + hyphensAsSpaces(row.visit ?? "")
            parts.append(
                "<text x=\"\(svgNumber(labelWidth - 8))\" y=\"\(svgNumber(top + 15))\" font-size=\"12\" text-anchor=\"end\" fill=\"#1f2933\">\(row.course == .retreatment ? "re-treatment: " : "")\(escapeHTML(row.name)), \(escapeHTML(when))</text>"
            )
            // Fewer than 5 assessed (or eligible): no bar and no mark, since a 100% from 1 of 1
            // would look like a result.
            if (row.assessed > 0 && row.assessed < Self.fewestToJudge)
                || (row.eligible > 0 && row.eligible < Self.fewestToJudge)
            {
                parts.append(
                    "<text x=\"\(svgNumber(labelWidth + 4))\" y=\"\(svgNumber(top + 15))\" font-size=\"12\" font-style=\"italic\" fill=\"#52606d\">too few to judge</text>"
                )
                let counts =
                    row.assessed == 0
                    ? "no one assessed (\(row.eligible) eligible)"
                    : "\(row.responders) of \(row.assessed) assessed, \(row.eligible) eligible"
                parts.append(
                    "<text x=\"\(svgNumber(labelWidth + barWidth + 8))\" y=\"\(svgNumber(top + 15))\" font-size=\"12\" fill=\"#1f2933\">\(counts)</text>"
                )
                continue
            }
            let rate = row.rate ?? 0
            let fill = row.window == .immediate ? "#1f4e8c" : "#7b93c4"
            parts.append(
                "<rect x=\"\(svgNumber(labelWidth))\" y=\"\(svgNumber(top + 2))\" width=\"\(svgNumber(max(rate * barWidth, 0.5)))\" height=\"18\" fill=\"\(fill)\"><title>\(row.responders) of \(row.assessed) assessed</title></rect>"
            )
            if let missing = row.rateMissingAsNonResponse, row.missing > 0 {
                let position = labelWidth + missing * barWidth
                parts.append(
                    "<line x1=\"\(svgNumber(position))\" y1=\"\(svgNumber(top))\" x2=\"\(svgNumber(position))\" y2=\"\(svgNumber(top + 22))\" stroke=\"#c81e1e\" stroke-width=\"2\"><title>missing counted as not met: \(percentText(missing))</title></line>"
                )
            }
            let label =
                row.assessed == 0
                ? "no one assessed (\(row.eligible) eligible)"
                : "\(percentText(row.rate)): \(row.responders) of \(row.assessed) assessed, \(row.eligible) eligible"
            parts.append(
                "<text x=\"\(svgNumber(labelWidth + barWidth + 8))\" y=\"\(svgNumber(top + 15))\" font-size=\"12\" fill=\"#1f2933\">\(label)</text>"
            )
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }
}
