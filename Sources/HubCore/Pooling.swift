import Foundation
import PayloadFormat
import RegistryCore

/// One clinic's latest row for one outcome, as stored from its summary payload: the payload's own
/// ``OutcomeSummary`` with its condition (``ConditionOutcome``), and the clinic and period it came
/// from. Its members read as the row's own (`row.met` as `met`, `row.condition`).
@dynamicMemberLookup
public struct ClinicOutcome: Sendable, Hashable {
    /// The clinic's name at the hub.
    public var clinic: String
    /// The period (`YYYY-MM`) of the summary the row came from.
    public var period: String
    /// The row as the clinic sent it, with its condition. The hub keeps every member but
    /// `rateMissingAsNonResponse`, which it does not store and reads back as nil.
    public var received: ConditionOutcome

    /// The row of `clinic`'s summary for `period`.
    public init(clinic: String, period: String, received: ConditionOutcome) {
        self.clinic = clinic
        self.period = period
        self.received = received
    }

    /// The condition's id.
    public var condition: String { received.condition }

    /// The row's members.
    public subscript<Value>(dynamicMember member: KeyPath<OutcomeSummary, Value>) -> Value {
        received.row[keyPath: member]
    }
}

/// One outcome pooled across clinics: what the network may publish.
public struct PooledOutcome: Sendable {
    /// A clinic shown and pooled, with its proportion.
    public struct ClinicRow: Sendable, Equatable {
        /// The clinic's name.
        public let clinic: String
        /// The period (`YYYY-MM`) of the summary the row came from.
        public let period: String
        /// Its responders (met) over its patients assessed.
        public let proportion: Proportion
    }

    /// A clinic with this outcome whose row is neither shown nor pooled.
    public struct NotReported: Sendable, Equatable {
        /// The clinic's name.
        public let clinic: String
        /// Why, in words: suppressed by the clinic, fewer than the minimum assessed, a count from 1
        /// to one below the minimum, or counts that do not make a proportion.
        public let reason: String
        /// A clinic left out, and why.
        public init(clinic: String, reason: String) {
            self.clinic = clinic
            self.reason = reason
        }
    }

    /// The condition's id.
    public let condition: String
    /// The rule's id.
    public let outcome: String
    /// The protocol the clinics' courses ran under (`module/1.0`, `clinic/2`); nil for rows from
    /// summaries made before rows named it. Rows of different protocols are pooled apart, and a
    /// clinic's own protocol (`clinic/N`) is pooled with no other clinic's.
    public let `protocol`: String?
    /// The id of the scale the rule is judged on.
    public let scale: String
    /// The subscore the rule is judged on; nil when it judges the total score.
    public let subscore: String?
    /// Whether it judges the end of the course alone, or also a follow-up visit.
    public let window: OutcomeRow.Window
    /// The follow-up visit a sustained outcome is judged at; nil for immediate.
    public let visit: String?
    /// The clinics shown and pooled, by name.
    public let clinics: [ClinicRow]
    /// The clinics with this outcome that are neither shown nor pooled, and why.
    public let notReported: [NotReported]
    /// Nil when no clinic can be shown.
    public let analysis: MetaAnalysis?
    /// Every shown clinic's responders over their patients assessed, with Wilson's interval; nil
    /// when no clinic can be shown.
    public let crude: CrudeProportion?
}

/// The network's rules for what it publishes.
public enum Pooling {
    /// PCORnet's: no count from 1 to 10 is shown.
    public static let defaultMinimumCellSize = 11
    /// The minimum cell sizes a network may set: `HubDatabase.setMinimumCellSize` refuses others,
    /// whoever calls it.
    public static let minimumCellSizeRange = 1...1000

    /// Why a clinic's row may not be shown under a minimum cell size of `minimum`, or nil when it may.
    /// Every count the row shows or implies (assessed, responders, non-responders) must be 0 or at
    /// least the minimum, and assessed at least the minimum. A row that may not be shown is not
    /// pooled either: otherwise subtracting the shown rows from the pooled count would reveal it.
    public static func withheldReason(_ row: ClinicOutcome, minimum: Int) -> String? {
        if row.suppressed { return "suppressed by the clinic" }
        guard let assessed = row.assessed, let met = row.met else { return "suppressed by the clinic" }
        if assessed < minimum { return "fewer than \(minimum) assessed" }
        let small = { (count: Int) in count > 0 && count < minimum }
        if small(met) || small(assessed - met) { return "a count from 1 to \(minimum - 1)" }
        return nil
    }

    /// Groups the rows by condition, protocol (with the clinic, for a clinic's own), outcome,
    /// scale, subscore, window and visit, and pools each group: rows of different protocols are
    /// never pooled together.
    public static func pool(_ rows: [ClinicOutcome], minimumCellSize minimum: Int) -> [PooledOutcome] {
        let groups = Dictionary(grouping: rows) {
            // A module's protocol is the same course at every clinic; a clinic's own (clinic/N) is
            // that clinic's alone, so its rows are pooled with no other clinic's.
            [
                $0.condition, $0.protocol ?? "", ($0.protocol?.hasPrefix("clinic/") ?? false) ? $0.clinic : "",
                $0.outcome, $0.scale, $0.subscore ?? "", $0.window.rawValue, $0.visit ?? "",
            ]
        }
        return groups.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { key in
            let members = groups[key]!.sorted { ($0.clinic, $0.period) < ($1.clinic, $1.period) }
            var shown: [PooledOutcome.ClinicRow] = []
            var notReported: [PooledOutcome.NotReported] = []
            for row in members {
                if let reason = withheldReason(row, minimum: minimum) {
                    notReported.append(.init(clinic: row.clinic, reason: reason))
                } else if let assessed = row.assessed, let met = row.met,
                    let proportion = Proportion(events: met, total: assessed)
                {
                    shown.append(.init(clinic: row.clinic, period: row.period, proportion: proportion))
                } else {
                    notReported.append(.init(clinic: row.clinic, reason: "counts that do not make a proportion"))
                }
            }
            let first = members[0]
            return PooledOutcome(
                condition: first.condition, outcome: first.outcome, protocol: first.protocol, scale: first.scale,
                subscore: first.subscore,
                window: first.window, visit: first.visit, clinics: shown, notReported: notReported,
                analysis: MetaAnalysis(shown.map(\.proportion)), crude: CrudeProportion(shown.map(\.proportion)))
        }
    }
}

extension PooledOutcome {
    /// The JSON shape `ketareg-hub outcomes --json` prints, one object per outcome.
    public var json: [String: Any] {
        // Full precision: a script comparing with its own implementation needs every digit.
        func estimate(_ estimate: Estimate, method: String) -> [String: Any] {
            [
                "rate": estimate.rate, "ciLow": estimate.ciLow, "ciHigh": estimate.ciHigh,
                "logit": estimate.logit, "standardError": estimate.standardError, "method": method,
            ]
        }
        var object: [String: Any] = [
            "condition": condition, "outcome": outcome, "protocol": `protocol` ?? NSNull(), "scale": scale,
            "window": window.rawValue,
            "clinics": clinics.map {
                [
                    "clinic": $0.clinic, "period": $0.period, "responders": $0.proportion.events,
                    "assessed": $0.proportion.total, "rate": $0.proportion.rate,
                ] as [String: Any]
            },
            "notReported": notReported.map { ["clinic": $0.clinic, "reason": $0.reason] },
        ]
        if let subscore { object["subscore"] = subscore }
        if let visit { object["visit"] = visit }
        if let analysis {
            var pooled = estimate(analysis.random, method: "DerSimonian-Laird random effects on the logit scale")
            pooled["tau2"] = analysis.tau2
            pooled["i2"] = analysis.i2
            pooled["q"] = analysis.q
            pooled["clinics"] = analysis.clinics
            object["pooled"] = pooled
            object["fixed"] = estimate(analysis.fixed, method: "inverse-variance fixed effect on the logit scale")
        } else {
            object["pooled"] = NSNull()
            object["fixed"] = NSNull()
        }
        if let crude {
            object["crude"] =
                [
                    "responders": crude.events, "assessed": crude.total, "rate": crude.rate,
                    "ciLow": crude.ciLow, "ciHigh": crude.ciHigh,
                    "method": "sum of responders over sum of assessed, Wilson score interval",
                ] as [String: Any]
        } else {
            object["crude"] = NSNull()
        }
        return object
    }
}
