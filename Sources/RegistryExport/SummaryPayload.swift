import Foundation
import RegistryCore
import RegistryStore

/// The `summary` profile: aggregate tables per condition, scale and point of the course, with every
/// cell counting fewer than the endpoint's minimum suppressed, and whatever could reveal it too.
public struct SummaryPayload: Sendable, Codable, Hashable {
    public static let schemaID = "ketareg-summary/2"

    public let schema: String
    public let generator: String
    public let clinic: String?
    /// The year and month the payload was built.
    public let period: String
    /// The clinic's audit-chain head when the payload was built: a witness of its history.
    public var auditChainHead: String?
    public let minimumCellSize: Int
    public let conditions: [ConditionSummary]
}

public struct ConditionSummary: Sendable, Codable, Hashable {
    public let condition: String
    /// Consenting patients with a course; absent when fewer than the minimum cell size.
    public let patients: Int?
    public let suppressed: Bool
    /// Infusions given in the patients' courses; absent with the condition.
    public let treatment: TreatmentSummary?
    public let scales: [ScaleSummary]
    public let outcomes: [OutcomeSummary]
    public let adverseEvents: [AdverseEventSummary]
    public let coInterventions: [CoInterventionSummary]
    /// How many cells were suppressed in this condition's tables.
    public let suppressedCells: Int
}

/// How the condition's patients were treated: infusions per patient, dose per kg, routes.
public struct TreatmentSummary: Sendable, Codable, Hashable {
    public let infusions: Int
    public let medianInfusionsPerPatient: Double
    public let medianDoseMgPerKg: Double?
    /// Patients given ketamine by each route; every route is hidden when any would be a small
    /// cell, since a patient given one route only could otherwise be counted out of the total.
    public let routes: [RouteSummary]
    public let routesSuppressed: Bool
}

public struct RouteSummary: Sendable, Codable, Hashable {
    public let route: String
    public let patients: Int
}

public struct ScaleSummary: Sendable, Codable, Hashable {
    public let scale: String
    public let timepoints: [TimepointSummary]
}

/// Scores at one point of the course: `baseline`, `end-of-course`, or a visit id.
public struct TimepointSummary: Sendable, Codable, Hashable {
    public let timepoint: String
    public let patients: Int?
    public let mean: Double?
    public let median: Double?
    public let q1: Double?
    public let q3: Double?
    /// Mean change from baseline among patients with both.
    public let meanChangeFromBaseline: Double?
    public let suppressed: Bool
}

public struct OutcomeSummary: Sendable, Codable, Hashable {
    public let outcome: String
    public let scale: String
    public let subscore: String?
    public let rule: String
    /// `immediate` or `sustained`.
    public let window: String
    public let visit: String?
    public let eligible: Int?
    public let assessed: Int?
    public let missing: Int?
    public let met: Int?
    public let rate: Double?
    public let rateMissingAsNonResponse: Double?
    public let suppressed: Bool
}

public struct AdverseEventSummary: Sendable, Codable, Hashable {
    public let term: String
    public let grade: String
    public let patients: Int?
    public let events: Int?
    public let serious: Int?
    public let suppressed: Bool
}

public struct CoInterventionSummary: Sendable, Codable, Hashable {
    public let kind: String
    public let patients: Int?
    public let suppressed: Bool
}

/// Builds the summary payload. Pure: registry data in, payload out.
public enum SummaryBuilder {
    /// `asOf` is the build day: courses still running then are not judged.
    public static func build(patients: [ExportPatient], conditions: [any Condition], clinic: String?, period: String,
                             minimumCellSize k: Int, generator: String, asOf: ClinicalDate) -> SummaryPayload {
        // A count is shown when it is 0 or at least k; 1 to k-1 is a small cell.
        func small(_ count: Int) -> Bool { count > 0 && count < k }
        var summaries: [ConditionSummary] = []
        for condition in conditions {
            let histories = patients.map(\.history).filter { $0.conditions.contains(condition.id) }
            if small(histories.count) {
                summaries.append(ConditionSummary(condition: condition.id, patients: nil, suppressed: true, treatment: nil, scales: [], outcomes: [],
                                                  adverseEvents: [], coInterventions: [], suppressedCells: 1))
                continue
            }
            var suppressedCells = 0
            // Scores are those of each patient's induction, the course every patient has first.
            let timelines = histories.compactMap { CourseTimeline(condition: condition, history: $0.asOf(asOf)).induction }

            // Scores at each point of the course.
            var scales: [ScaleSummary] = []
            for scale in condition.scales {
                var points: [TimepointSummary] = []
                let baselines = timelines.map { $0.baseline(scale: scale.id)?.score }
                let pointValues: [(String, [Double?])] = [("baseline", baselines), ("end-of-course", timelines.map { $0.endOfCourse(scale: scale.id)?.score })]
                    + condition.course.followUps.map { visit in (visit.id, timelines.map { $0.followUp(scale: scale.id, visit: visit)?.score }) }
                for (name, values) in pointValues {
                    let present = values.compactMap { $0 }
                    if present.isEmpty { continue }
                    if small(present.count) {
                        suppressedCells += 1
                        points.append(TimepointSummary(timepoint: name, patients: nil, mean: nil, median: nil, q1: nil, q3: nil,
                                                       meanChangeFromBaseline: nil, suppressed: true))
                        continue
                    }
                    let changes = zip(values, baselines).compactMap { value, baseline in value.flatMap { v in baseline.map { v - $0 } } }
                    let sorted = present.sorted()
                    points.append(TimepointSummary(
                        timepoint: name, patients: present.count, mean: round2(present.reduce(0, +) / Double(present.count)),
                        median: round2(quantile(sorted, 0.5)), q1: round2(quantile(sorted, 0.25)), q3: round2(quantile(sorted, 0.75)),
                        meanChangeFromBaseline: name == "baseline" || changes.count < k ? nil : round2(changes.reduce(0, +) / Double(changes.count)),
                        suppressed: false))
                }
                if !points.isEmpty { scales.append(ScaleSummary(scale: scale.id, timepoints: points)) }
            }

            // Outcomes under the module's rules, with complementary suppression: assessed and
            // missing add up to eligible, met and not met add up to assessed, so when one of a
            // pair is a small cell both go, with every rate derived from them.
            let report = OutcomeReport(conditions: [condition], histories: histories, asOf: asOf)
            var outcomes: [OutcomeSummary] = []
            for row in report.outcomes where row.course == .induction && row.eligible > 0 {
                let eligibleSmall = small(row.eligible)
                let assessedPairSmall = eligibleSmall || small(row.assessed) || small(row.missing)
                let metPairSmall = assessedPairSmall || small(row.responders) || small(row.assessed - row.responders)
                suppressedCells += (eligibleSmall ? 1 : 0) + (assessedPairSmall ? 2 : 0) + (metPairSmall ? 2 : 0)
                outcomes.append(OutcomeSummary(
                    outcome: row.outcome, scale: row.scale, subscore: row.subscore, rule: row.rule, window: row.window.rawValue, visit: row.visit,
                    eligible: eligibleSmall ? nil : row.eligible,
                    assessed: assessedPairSmall ? nil : row.assessed, missing: assessedPairSmall ? nil : row.missing,
                    met: metPairSmall ? nil : row.responders,
                    rate: metPairSmall ? nil : row.rate,
                    rateMissingAsNonResponse: metPairSmall || assessedPairSmall ? nil : row.rateMissingAsNonResponse,
                    suppressed: eligibleSmall || assessedPairSmall || metPairSmall))
            }

            // Adverse events and co-interventions: no totals are published, so a small cell hides
            // only itself.
            let adverse = report.adverseEvents.map { event -> AdverseEventSummary in
                let hidden = small(event.patients) || small(event.events) || small(event.serious)
                if hidden { suppressedCells += 1 }
                return AdverseEventSummary(term: event.term, grade: event.grade, patients: hidden ? nil : event.patients,
                                           events: hidden ? nil : event.events, serious: hidden ? nil : event.serious, suppressed: hidden)
            }
            let others = report.coInterventions.map { item -> CoInterventionSummary in
                let hidden = small(item.patients)
                if hidden { suppressedCells += 1 }
                return CoInterventionSummary(kind: item.kind, patients: hidden ? nil : item.patients, suppressed: hidden)
            }
            let infusions = histories.flatMap { $0.infusions(for: condition.id) }
            let perPatient = histories.map { Double($0.infusions(for: condition.id).count) }.sorted()
            let doses = infusions.compactMap(\.doseMgPerKg).sorted()
            let routes = InfusionRoute.allCases.compactMap { route -> RouteSummary? in
                let count = histories.filter { $0.infusions(for: condition.id).contains { $0.route == route } }.count
                return count == 0 ? nil : RouteSummary(route: route.rawValue, patients: count)
            }
            let routesHidden = routes.contains { small($0.patients) }
            if routesHidden { suppressedCells += routes.count }
            let treatment = histories.isEmpty ? nil : TreatmentSummary(
                infusions: infusions.count, medianInfusionsPerPatient: round2(quantile(perPatient, 0.5)),
                medianDoseMgPerKg: doses.isEmpty ? nil : round2(quantile(doses, 0.5)),
                routes: routesHidden ? [] : routes, routesSuppressed: routesHidden)
            summaries.append(ConditionSummary(condition: condition.id, patients: histories.count, suppressed: false, treatment: treatment, scales: scales,
                                              outcomes: outcomes, adverseEvents: adverse, coInterventions: others, suppressedCells: suppressedCells))
        }
        return SummaryPayload(schema: SummaryPayload.schemaID, generator: generator, clinic: clinic, period: period,
                              minimumCellSize: k, conditions: summaries)
    }

    /// The q-th quantile of sorted values, by linear interpolation between closest ranks.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard sorted.count > 1 else { return sorted.first ?? 0 }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}

func round2(_ value: Double) -> Double { (value * 100).rounded() / 100 }
