import Foundation

/// One clinic's proportion: how many of those assessed met the outcome.
public struct Proportion: Sendable, Hashable {
    /// The clinic's patients who met the outcome (responders).
    public let events: Int
    /// The clinic's patients assessed: more than 0, and at least `events`.
    public let total: Int

    /// Nil unless 0 <= events <= total and total > 0: nothing below divides by zero or takes the
    /// logarithm of a non-positive number.
    public init?(events: Int, total: Int) {
        guard total > 0, events >= 0, events <= total else { return nil }
        self.events = events
        self.total = total
    }

    /// `events / total`, from 0 to 1.
    public var rate: Double { Double(events) / Double(total) }

    /// The log-odds and its variance (Woolf's), with 0.5 added to both cells only when the clinic
    /// has none or all: that is the only case where either would be infinite.
    public var logit: (effect: Double, variance: Double) {
        let corrected = events == 0 || events == total
        let a = Double(events) + (corrected ? 0.5 : 0)
        let b = Double(total - events) + (corrected ? 0.5 : 0)
        return (Foundation.log(a / b), 1 / a + 1 / b)
    }
}

/// A pooled proportion with its 95% confidence interval, back-transformed from the logit scale.
public struct Estimate: Sendable, Equatable {
    /// The estimate on the logit scale and its standard error.
    public let logit: Double
    /// The standard error of ``logit``.
    public let standardError: Double

    /// The pooled proportion: ``logit`` back-transformed, from 0 to 1.
    public var rate: Double { MetaAnalysis.expit(logit) }
    /// The lower bound of the 95% confidence interval: `expit(logit - z975 * standardError)`.
    public var ciLow: Double { MetaAnalysis.expit(logit - MetaAnalysis.z975 * standardError) }
    /// The upper bound of the 95% confidence interval: `expit(logit + z975 * standardError)`.
    public var ciHigh: Double { MetaAnalysis.expit(logit + MetaAnalysis.z975 * standardError) }
}

/// Inverse-variance meta-analysis of proportions on the logit scale: the fixed-effect estimate and
/// DerSimonian and Laird's random-effects estimate (1986), with Cochran's Q, tau^2 and I^2
/// (Higgins and Thompson, 2002).
///
/// With one clinic there is no between-clinic variance to estimate: tau^2, Q and I^2 are 0 and both
/// estimates are that clinic's own.
public struct MetaAnalysis: Sendable, Equatable {
    /// How many clinics were pooled.
    public let clinics: Int
    /// The inverse-variance fixed-effect estimate.
    public let fixed: Estimate
    /// DerSimonian and Laird's random-effects estimate: each clinic weighted by the inverse of its
    /// variance plus tau^2.
    public let random: Estimate
    /// Cochran's Q: the weighted sum of squared deviations from the fixed-effect estimate.
    public let q: Double
    /// DerSimonian-Laird's moment estimate of the between-clinic variance, truncated at 0.
    public let tau2: Double
    /// The share of the variation that is between clinics rather than chance, (Q - df) / Q,
    /// truncated at 0; 0 when Q is 0.
    public let i2: Double

    /// The 97.5th percentile of the standard normal distribution.
    public static let z975 = 1.959963984540054

    /// The inverse of the logit, `1 / (1 + e^-x)`: log-odds back to a proportion.
    public static func expit(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

    /// Nil when there is no clinic.
    public init?(_ proportions: [Proportion]) {
        guard !proportions.isEmpty else { return nil }
        let effects = proportions.map(\.logit)
        let weights = effects.map { 1 / $0.variance }
        let sumW = weights.reduce(0, +)
        let fixedMean = zip(weights, effects).map { $0 * $1.effect }.reduce(0, +) / sumW
        let q = zip(weights, effects).map { $0 * ($1.effect - fixedMean) * ($1.effect - fixedMean) }.reduce(0, +)
        let df = Double(proportions.count - 1)
        let c = sumW - weights.map { $0 * $0 }.reduce(0, +) / sumW
        let tau2 = c > 0 ? max(0, (q - df) / c) : 0
        let randomWeights = effects.map { 1 / ($0.variance + tau2) }
        let sumRW = randomWeights.reduce(0, +)
        let randomMean = zip(randomWeights, effects).map { $0 * $1.effect }.reduce(0, +) / sumRW
        clinics = proportions.count
        fixed = Estimate(logit: fixedMean, standardError: (1 / sumW).squareRoot())
        random = Estimate(logit: randomMean, standardError: (1 / sumRW).squareRoot())
        self.q = q
        self.tau2 = tau2
        i2 = q > 0 ? max(0, (q - df) / q) : 0
    }
}

/// The plain pooled count: every clinic's events over every clinic's total, with Wilson's score
/// interval (which stays inside 0 to 1 and behaves at 0 and at all).
public struct CrudeProportion: Sendable, Equatable {
    /// Responders summed over the clinics.
    public let events: Int
    /// Patients assessed, summed over the clinics.
    public let total: Int
    /// `events / total`, from 0 to 1.
    public let rate: Double
    /// The lower bound of Wilson's 95% score interval, at least 0.
    public let ciLow: Double
    /// The upper bound of Wilson's 95% score interval, at most 1.
    public let ciHigh: Double

    /// Nil when no patient was assessed at any clinic (or there is no clinic).
    public init?(_ proportions: [Proportion]) {
        let events = proportions.reduce(0) { $0 + $1.events }
        let total = proportions.reduce(0) { $0 + $1.total }
        guard total > 0 else { return nil }
        self.events = events
        self.total = total
        let n = Double(total)
        let p = Double(events) / n
        let z = MetaAnalysis.z975
        let centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        let half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()
        rate = p
        ciLow = max(0, centre - half)
        ciHigh = min(1, centre + half)
    }
}
