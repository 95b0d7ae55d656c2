/// How a condition decides that a patient responded to treatment, improved meaningfully, or is in
/// remission, on one scale (or one subscore of it).
///
/// Rules compare a later score with the patient's baseline. "Improvement" follows the scale's
/// direction: for a symptom scale it is a fall in the score.
public struct OutcomeRule: Sendable, Hashable {
    /// A stable id within the condition: `response`, `remission`, `substantial-improvement`.
    public let id: String
    /// What the rule is called in reports.
    public let name: String
    /// The scale the rule applies to.
    public let scale: String
    /// The subscore the rule applies to, when not the headline score (BPI-SF interference).
    public let subscore: String?
    /// The test.
    public let criterion: Criterion

    /// A rule on `scale` (or one of its subscores); the name defaults to the id with hyphens as spaces.
    public init(id: String, name: String? = nil, scale: String, subscore: String? = nil, criterion: Criterion) {
        self.id = id
        self.name = name ?? hyphensAsSpaces(id)
        self.scale = scale
        self.subscore = subscore
        self.criterion = criterion
    }

    /// The test a later score must pass.
    public enum Criterion: Sendable, Hashable {
        /// At least this percentage better than baseline (50: "at least 50% lower" on a symptom
        /// scale). Not evaluable when the baseline is 0.
        case percentImprovement(atLeast: Double)
        /// At least this many points better than baseline.
        case pointImprovement(atLeast: Double)
        /// A score strictly below this value, whatever the baseline (PHQ-9 remission: below 5).
        case scoreBelow(Double)
        /// A score at or below this value, whatever the baseline (MADRS remission: 10 or below).
        case scoreAtMost(Double)
    }

    /// The rule in words: "at least 50% lower than baseline".
    public func describe(direction: ScoreDirection) -> String {
        let better = direction == .higherIsWorse ? "lower" : "higher"
        let target = subscore.map { "\(scale) \($0)" } ?? scale
        switch criterion {
        case .percentImprovement(let percent):
            return "\(target) at least \(formatScore(percent))% \(better) than baseline"
        case .pointImprovement(let points):
            return "\(target) at least \(formatScore(points)) point\(points == 1 ? "" : "s") \(better) than baseline"
        case .scoreBelow(let value):
            return "\(target) below \(formatScore(value))"
        case .scoreAtMost(let value):
            return "\(target) at or below \(formatScore(value))"
        }
    }

    /// Whether the rule can judge a course with this baseline: a percentage change needs a baseline
    /// other than 0, and a threshold (remission) needs a baseline that does not meet it already, or
    /// a patient who started in remission would count as remitted.
    public func isEvaluable(baseline: Double, direction: ScoreDirection = .higherIsWorse) -> Bool {
        switch criterion {
        case .percentImprovement: baseline != 0
        case .pointImprovement: true
        case .scoreBelow, .scoreAtMost: isMet(baseline: nil, current: baseline, direction: direction) == false
        }
    }

    /// The score a later assessment must reach to meet the rule, for drawing it on a chart: the
    /// boundary value, and whether the boundary itself meets the rule (`<=` rather than `<`).
    /// `nil` when the rule needs a baseline it has not got, or a percentage of a baseline of 0.
    public func threshold(baseline: Double?, direction: ScoreDirection = .higherIsWorse) -> (
        value: Double, inclusive: Bool
    )? {
        let sign = direction == .higherIsWorse ? -1.0 : 1.0
        switch criterion {
        case .percentImprovement(let percent):
            guard let baseline, baseline != 0 else { return nil }
            return (baseline + sign * percent / 100 * abs(baseline), true)
        case .pointImprovement(let points):
            guard let baseline else { return nil }
            return (baseline + sign * points, true)
        case .scoreBelow(let value):
            return (value, false)
        case .scoreAtMost(let value):
            return (value, true)
        }
    }

    /// Whether a score meets the rule, given the patient's baseline on the same scale.
    ///
    /// Returns `nil` when the rule cannot be judged: a change-based rule without a baseline, or a
    /// percentage change from a baseline of 0.
    public func isMet(baseline: Double?, current: Double, direction: ScoreDirection = .higherIsWorse) -> Bool? {
        // Improvement as a positive number of points, whatever the scale's direction.
        func improvement(from baseline: Double) -> Double {
            direction == .higherIsWorse ? baseline - current : current - baseline
        }
        switch criterion {
        case .percentImprovement(let percent):
            guard let baseline, baseline != 0 else { return nil }
            // Compared as products rather than a quotient so 5 of 10 is exactly 50%.
            return improvement(from: baseline) * 100 >= percent * abs(baseline)
        case .pointImprovement(let points):
            guard let baseline else { return nil }
            return improvement(from: baseline) >= points
        case .scoreBelow(let value):
            return direction == .higherIsWorse ? current < value : current > value
        case .scoreAtMost(let value):
            return direction == .higherIsWorse ? current <= value : current >= value
        }
    }
}
