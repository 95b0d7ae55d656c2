import Foundation
import PayloadFormat
import RegistryCore
import RegistryStore

/// Builds the summary payload. Pure: registry data (and what was published before) in, payload out.
///
/// How a summary keeps small groups hidden, against subtraction within one release and against
/// differencing two releases:
/// - every published count is rounded to the nearest multiple of the rounding base (5, or k when k
///   is smaller); rates are worked out from the rounded counts; means, medians and quartiles are
///   given to one decimal over at least k patients; so counts in different rows (an outcome's
///   eligible beside a timepoint's patients) no longer add up to a hidden one exactly;
/// - a count is small, and never published, unless every count its rounded value could stand for
///   is at least k (k: the endpoint's minimum cell size): with k = 11, 13 and up are shown (as 15,
///   standing for 13 to 17), 1 to 12 are not; nor is anything a small count can be worked out from
///   in its row (its complement, rates);
/// - each cell (a condition's counts, a timepoint, an outcome) gets new values only when its
///   patients differ by at least k from every set of patients it was published for before
///   (``SummaryReleaseMemory``); otherwise the earlier values are published again, with
///   `computedIn` saying which release computed them.
public enum SummaryBuilder {
    /// The base counts are rounded to for a minimum cell size.
    public static func roundingBase(minimumCellSize k: Int) -> Int { max(1, min(5, k)) }

    /// `asOf` is the build day: courses still running then are not judged.
    public static func build(
        patients: [ExportPatient], conditions: [any Condition], clinic: String?, period: String,
        minimumCellSize k: Int, generator: String, asOf: ClinicalDate
    ) -> SummaryPayload {
        release(
            patients: patients, conditions: conditions, clinic: clinic, period: period, minimumCellSize: k,
            generator: generator,
            asOf: asOf, published: SummaryReleaseMemory()
        ).payload
    }

    /// The payload, and the cells it publishes with new values, which the outbox remembers when it
    /// stores the payload.
    public static func release(
        patients: [ExportPatient], conditions: [any Condition], clinic: String?, period: String,
        minimumCellSize k: Int, generator: String, asOf: ClinicalDate,
        published: SummaryReleaseMemory
    ) -> (payload: SummaryPayload, cells: [SummaryCellUpdate]) {
        release(
            forEachPatient: { body in patients.forEach(body) }, conditions: conditions, clinic: clinic, period: period,
            minimumCellSize: k, generator: generator, asOf: asOf, published: published)
    }

    /// The same, reading the patients one at a time (``ExportSnapshot/forEachPatient``), so that
    /// memory holds what the summary counts rather than every patient's history.
    public static func release(
        forEachPatient: ((ExportPatient) -> Void) throws -> Void, conditions: [any Condition], clinic: String?,
        period: String, minimumCellSize k: Int, generator: String, asOf: ClinicalDate,
        published: SummaryReleaseMemory
    ) rethrows -> (payload: SummaryPayload, cells: [SummaryCellUpdate]) {
        var gathered = conditions.map { ConditionGather(condition: $0, asOf: asOf) }
        try forEachPatient { patient in
            for index in gathered.indices { gathered[index].add(patient) }
        }
        return release(
            gathered: gathered, clinic: clinic, period: period, minimumCellSize: k, generator: generator,
            published: published)
    }

    /// What one condition's summary is made of, gathered one patient at a time: counters, one score
    /// per patient and timepoint, and the patients each cell counts.
    struct ConditionGather {
        let condition: any Condition
        let asOf: ClinicalDate
        /// The condition's patients, in the order added.
        var members: [Int64] = []
        var infusions = 0
        var infusionsPerPatient: [Double] = []
        var doses: [Double] = []
        var routePatients: [InfusionRoute: Int] = [:]
        var tally: OutcomeTally
        /// The members each induction outcome row counts as eligible: per row, a bit per member
        /// (by position in `members`), so a row costs an eighth of a byte per patient.
        var eligibleBits: [[UInt64]] = []
        /// Per scale (the condition's order), per point (baseline, end of course, each visit): each
        /// member's score from their induction, or NaN for none (eight bytes a value, not sixteen).
        var scores: [[[Double]]]

        init(condition: any Condition, asOf: ClinicalDate) {
            self.condition = condition
            self.asOf = asOf
            tally = OutcomeTally(conditions: [condition], asOf: asOf)
            visitIDs = Self.visitIDs(of: condition)
            scores = condition.scales.map { [visitIDs] _ in Array(repeating: [], count: 2 + visitIDs.count) }
        }

        /// The follow-up visits of every protocol of the condition, by id, in the order the
        /// protocols were set: an induction's score at a visit counts under that visit's id when
        /// its own protocol has it.
        let visitIDs: [String]

        static func visitIDs(of condition: any Condition) -> [String] {
            var ids: [String] = []
            for treatment in condition.protocols.treatments {
                for visit in treatment.course.followUps where !ids.contains(visit.id) { ids.append(visit.id) }
            }
            return ids
        }

        var pointNames: [String] { ["baseline", "end-of-course"] + visitIDs }

        mutating func add(_ patient: ExportPatient) {
            let history = patient.history
            guard history.conditions.contains(condition.id) else { return }
            members.append(patient.rowID)
            let own = history.infusions(for: condition.id)
            infusions += own.count
            infusionsPerPatient.append(Double(own.count))
            doses += own.compactMap(\.doseMgPerKg)
            for route in Set(own.compactMap(\.route)) { routePatients[route, default: 0] += 1 }
            var eligible: [Int] = []
            var induction: TreatmentCourse?
            tally.add(history, eligible: { _, row in eligible.append(row) }, timeline: { induction = $0.induction })
            let position = members.count - 1
            for row in eligible {
                while eligibleBits.count <= row { eligibleBits.append([]) }
                while eligibleBits[row].count <= position / 64 { eligibleBits[row].append(0) }
                eligibleBits[row][position / 64] |= 1 << UInt64(position % 64)
            }
            for (index, scale) in condition.scales.enumerated() {
                scores[index][0].append(induction?.baseline(scale: scale.id)?.score ?? .nan)
                scores[index][1].append(induction?.endOfCourse(scale: scale.id)?.score ?? .nan)
                for (offset, id) in visitIDs.enumerated() {
                    let visit = induction?.plan.followUps.first { $0.id == id }
                    scores[index][2 + offset].append(
                        visit.flatMap { induction?.followUp(scale: scale.id, visit: $0)?.score } ?? .nan)
                }
            }
        }
    }

    static func release(
        gathered: [ConditionGather], clinic: String?, period: String, minimumCellSize k: Int, generator: String,
        published: SummaryReleaseMemory
    ) -> (payload: SummaryPayload, cells: [SummaryCellUpdate]) {
        let conditions = gathered.map(\.condition)
        let base = roundingBase(minimumCellSize: k)
        func rounded(_ count: Int) -> Int { base * Int((Double(count) / Double(base)).rounded()) }
        // A count is shown when it is 0, or when every count its rounded value could stand for is
        // at least k; anything else is a small cell. (Were 12 shown as 10 with k = 11, a reader
        // would know it is 11 or 12, and two such counts could pin a hidden one between them.)
        func small(_ count: Int) -> Bool { count > 0 && rounded(count) - base / 2 < k }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var updates: [SummaryCellUpdate] = []
        /// The values to publish for a cell: the fresh ones, unless the cell was published before
        /// for patients differing from these by fewer than k.
        /// `patients` gives the cell's patients, in increasing order, only when asked: for a cell
        /// published before, and by the outbox when it remembers the release.
        func choose<Values: Codable>(
            _ key: String, patients: @escaping @Sendable () -> [Int64], fresh: Values, publishable: Bool
        ) -> (Values, String) {
            if let earlier = published.cells[key], earlier.smallestDifference(fromSorted: patients()) < k,
                let values = try? JSONDecoder().decode(Values.self, from: earlier.values)
            {
                return (values, earlier.computedIn)
            }
            if publishable, let data = try? encoder.encode(fresh) {
                updates.append(SummaryCellUpdate(key: key, values: data, computedIn: period, patients: patients))
            }
            return (fresh, period)
        }

        var summaries: [ConditionSummary] = []
        for gather in gathered {
            let condition = gather.condition
            var suppressedCells = 0

            // The condition's own counts: patients, treatment, adverse events, co-interventions.
            let report = gather.tally.report
            let members = gather.members
            let eligibleBits = gather.eligibleBits
            let perPatient = gather.infusionsPerPatient.sorted()
            let doses = gather.doses.sorted()
            let freshCondition = ConditionCell(
                patients: gather.members.count, infusions: gather.infusions,
                medianInfusionsPerPatient: perPatient.isEmpty ? 0 : round2(quantile(perPatient, 0.5)),
                medianDoseMgPerKg: doses.isEmpty ? nil : round2(quantile(doses, 0.5)),
                routes: InfusionRoute.allCases.compactMap { route in
                    let count = gather.routePatients[route] ?? 0
                    return count == 0 ? nil : ConditionCell.Count(name: route.rawValue, patients: count)
                },
                adverseEvents: report.adverseEvents.map {
                    ConditionCell.Event(
                        term: $0.term, grade: $0.grade, patients: $0.patients, events: $0.events, serious: $0.serious)
                },
                coInterventions: report.coInterventions.map {
                    ConditionCell.Count(name: $0.kind, patients: $0.patients)
                })
            let (cell, conditionComputedIn) = choose(
                "condition|\(condition.id)", patients: { increasing(members) }, fresh: freshCondition,
                publishable: freshCondition.patients > 0 && !small(freshCondition.patients))
            if cell.patients == 0 {
                summaries.append(
                    ConditionSummary(
                        condition: condition.id, patients: 0, suppressed: false, treatment: nil, scales: [],
                        outcomes: [],
                        adverseEvents: [], coInterventions: [], suppressedCells: 0, computedIn: conditionComputedIn))
                continue
            }
            if small(cell.patients) {
                summaries.append(
                    ConditionSummary(
                        condition: condition.id, patients: nil, suppressed: true, treatment: nil, scales: [],
                        outcomes: [],
                        adverseEvents: [], coInterventions: [], suppressedCells: 1, computedIn: conditionComputedIn))
                continue
            }

            // Scores at each point of the course, from each patient's induction.
            var scales: [ScaleSummary] = []
            for (scaleIndex, scale) in condition.scales.enumerated() {
                var points: [TimepointSummary] = []
                let baselines = gather.scores[scaleIndex][0]
                let pointValues = Array(zip(gather.pointNames, gather.scores[scaleIndex]))
                for (name, values) in pointValues {
                    let present = values.filter { !$0.isNaN }
                    let changes = zip(values, baselines).compactMap { value, baseline in
                        value.isNaN || baseline.isNaN ? nil : value - baseline
                    }
                    let sorted = present.sorted()
                    let fresh = TimepointCell(
                        patients: present.count,
                        mean: present.isEmpty ? nil : round1(present.reduce(0, +) / Double(present.count)),
                        median: present.isEmpty ? nil : round1(quantile(sorted, 0.5)),
                        q1: present.isEmpty ? nil : round1(quantile(sorted, 0.25)),
                        q3: present.isEmpty ? nil : round1(quantile(sorted, 0.75)),
                        meanChange: name == "baseline" || changes.isEmpty
                            ? nil : round1(changes.reduce(0, +) / Double(changes.count)),
                        changePatients: name == "baseline" ? 0 : changes.count)
                    let (point, computedIn) = choose(
                        "timepoint|\(condition.id)|\(scale.id)|\(name)",
                        patients: { increasing(zip(members, values).compactMap { $1.isNaN ? nil : $0 }) }, fresh: fresh,
                        publishable: fresh.patients > 0 && !small(fresh.patients))
                    if point.patients == 0 { continue }
                    if small(point.patients) {
                        suppressedCells += 1
                        points.append(
                            TimepointSummary(
                                timepoint: name, patients: nil, mean: nil, median: nil, q1: nil, q3: nil,
                                meanChangeFromBaseline: nil, suppressed: true, computedIn: computedIn))
                        continue
                    }
                    points.append(
                        TimepointSummary(
                            timepoint: name, patients: rounded(point.patients), mean: point.mean, median: point.median,
                            q1: point.q1, q3: point.q3,
                            meanChangeFromBaseline: point.changePatients < k ? nil : point.meanChange,
                            suppressed: false, computedIn: computedIn))
                }
                if !points.isEmpty {
                    scales.append(
                        ScaleSummary(
                            scale: scale.id, timepoints: points, codes: scale.codes.isEmpty ? nil : scale.codes))
                }
            }

            // Outcomes of the induction under the module's rules, each row with the patients it
            // counts as eligible. Complementary suppression: assessed and missing add up to
            // eligible, met and not met add up to assessed, so when one of a pair is a small cell
            // both go, with every rate derived from them.
            let rows = report.outcomes.filter { $0.course == .induction }
            let chosen = rows.enumerated().map { index, row in
                let fresh = OutcomeCell(
                    eligible: row.eligible, assessed: row.assessed, missing: row.missing, met: row.responders)
                // A clinic protocol's rows (and an earlier module version's) are remembered apart;
                // the module's own keep the key they had before rows named their protocol, so a
                // release memory from then still holds.
                let key =
                    "outcome|\(condition.id)|\(row.outcome)|\(row.scale)|\(row.subscore ?? "")|\(row.window.rawValue)|\(row.visit ?? "")"
                    + (row.protocol == "module/\(condition.version)" ? "" : "|\(row.protocol)")
                let bits = index < eligibleBits.count ? eligibleBits[index] : []
                return choose(
                    key,
                    patients: {
                        increasing(
                            members.indices.compactMap {
                                $0 / 64 < bits.count && bits[$0 / 64] & (1 << UInt64($0 % 64)) != 0 ? members[$0] : nil
                            })
                    }, fresh: fresh, publishable: fresh.eligible > 0 && !small(fresh.eligible))
            }
            // Across rows: every row of a scale counts the same eligible courses, and its
            // timepoints count the same assessments again, so a hidden assessed or missing in one
            // row would come back from the others; it hides them all (and the timepoints' patients
            // after baseline). Likewise a hidden met hides the met of every window of its rule.
            var pairHidden: Set<String> = []
            var metHidden: Set<String> = []
            for (row, (counts, _)) in zip(rows, chosen) where counts.eligible > 0 {
                if small(counts.eligible) || small(counts.assessed) || small(counts.missing) {
                    pairHidden.insert(row.scale)
                }
                if small(counts.met) || small(counts.assessed - counts.met) {
                    metHidden.insert("\(row.scale)|\(row.outcome)")
                }
            }
            var outcomes: [OutcomeSummary] = []
            for (row, (counts, computedIn)) in zip(rows, chosen) where counts.eligible > 0 {
                let eligibleHidden = small(counts.eligible) || pairHidden.contains(row.scale)
                let assessedHidden = eligibleHidden || pairHidden.contains(row.scale)
                let metHidden = assessedHidden || metHidden.contains("\(row.scale)|\(row.outcome)")
                suppressedCells += (eligibleHidden ? 1 : 0) + (assessedHidden ? 2 : 0) + (metHidden ? 1 : 0)
                let (eligible, assessed, met) = (
                    rounded(counts.eligible), rounded(counts.assessed), rounded(counts.met)
                )
                outcomes.append(
                    OutcomeSummary(
                        outcome: row.outcome, protocol: row.protocol, scale: row.scale, subscore: row.subscore,
                        rule: row.rule,
                        window: row.window, visit: row.visit,
                        eligible: eligibleHidden ? nil : eligible,
                        assessed: assessedHidden ? nil : assessed,
                        missing: assessedHidden ? nil : rounded(counts.missing),
                        met: metHidden ? nil : met,
                        rate: metHidden || assessed == 0 ? nil : roundedRate(met, assessed),
                        rateMissingAsNonResponse: metHidden || eligible == 0 ? nil : roundedRate(met, eligible),
                        suppressed: eligibleHidden || assessedHidden || metHidden, computedIn: computedIn))
            }
            scales = scales.map { scale in
                guard pairHidden.contains(scale.scale) else { return scale }
                return ScaleSummary(
                    scale: scale.scale,
                    timepoints: scale.timepoints.map { point in
                        guard point.timepoint != "baseline", point.patients != nil else { return point }
                        suppressedCells += 1
                        var hidden = point
                        hidden.patients = nil
                        hidden.suppressed = true
                        return hidden
                    }, codes: scale.codes)
            }

            // Adverse events and co-interventions: no totals are published, so a small cell hides
            // only itself.
            let adverse = cell.adverseEvents.map { event -> AdverseEventSummary in
                let hidden = small(event.patients) || small(event.events) || small(event.serious)
                if hidden { suppressedCells += 1 }
                return AdverseEventSummary(
                    term: event.term, grade: event.grade, patients: hidden ? nil : rounded(event.patients),
                    events: hidden ? nil : rounded(event.events), serious: hidden ? nil : rounded(event.serious),
                    suppressed: hidden)
            }
            let others = cell.coInterventions.map { item -> CoInterventionSummary in
                let hidden = small(item.patients)
                if hidden { suppressedCells += 1 }
                return CoInterventionSummary(
                    kind: item.name, patients: hidden ? nil : rounded(item.patients), suppressed: hidden)
            }
            // Every route is hidden when any would be a small cell, since a patient given one
            // route only could otherwise be counted out of the total.
            let routesHidden = cell.routes.contains { small($0.patients) }
            if routesHidden { suppressedCells += cell.routes.count }
            let treatment = TreatmentSummary(
                infusions: rounded(cell.infusions), medianInfusionsPerPatient: cell.medianInfusionsPerPatient,
                medianDoseMgPerKg: cell.medianDoseMgPerKg,
                routes: routesHidden
                    ? [] : cell.routes.map { RouteSummary(route: $0.name, patients: rounded($0.patients)) },
                routesSuppressed: routesHidden)
            summaries.append(
                ConditionSummary(
                    condition: condition.id, patients: rounded(cell.patients), suppressed: false, treatment: treatment,
                    scales: scales,
                    outcomes: outcomes, adverseEvents: adverse, coInterventions: others,
                    suppressedCells: suppressedCells,
                    computedIn: conditionComputedIn))
        }
        // Each condition's codes, shown or suppressed: they say what the condition is, nothing about patients.
        for (index, summary) in summaries.enumerated() {
            let codes = conditions.first { $0.id == summary.condition }?.codes ?? []
            summaries[index].codes = codes.isEmpty ? nil : codes
        }
        let payload = SummaryPayload(
            schema: SummaryPayload.schemaID, generator: generator, clinic: clinic, period: period,
            minimumCellSize: k, roundingBase: base, conditions: summaries)
        return (payload, updates)
    }

    /// Row ids in increasing order, each once: as given when they already are (patients are read
    /// in row-id order, so they always are from a registry).
    static func increasing(_ ids: [Int64]) -> [Int64] {
        zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 } ? ids : Set(ids).sorted()
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
