import Foundation

/// Response, remission and improvement under each condition's own rules, with their denominators,
/// and what else happened to the same patients (adverse events, co-interventions).
///
/// Each course is judged on its own, and only once it is over (``TreatmentCourse/overOn``). Rows
/// for the induction count patients (one induction each); rows for re-treatment count re-treatment
/// courses. For each rule, every course that has started falls into exactly one of:
/// - `inCourse`: not over on the report's day: never eligible, never missing;
/// - `noBaseline`: over, with no baseline on the rule's scale before its day 0;
/// - `notEvaluable`: the baseline makes the rule meaningless: a percentage change from 0, or a
///   remission threshold the baseline already meets;
/// - `awaiting`: the assessment's window is still open and it has not been taken yet;
/// - `assessed` or `missing`: the *eligible* courses. *Immediate* compares the end-of-course
///   assessment with baseline; *sustained* at a follow-up visit needs the rule met at the end of the
///   course and still met at the visit, so a course without its end-of-course assessment is missing.
///
/// `rate` is among those assessed; `rateMissingAsNonResponse` counts every missing one as not
/// meeting the rule. Rates are computed from the counts, rounded to three decimals. Maintenance
/// infusions never move a course's end or its windows, so they never change its result.
public struct OutcomeReport: Sendable, Hashable, Codable {
    /// The day the report counts up to: later records are left out.
    public let asOf: ClinicalDate
    /// Each condition's rows: for inductions, then (when any has started) re-treatment courses, each rule at the end of
    /// the course and then at each follow-up visit, the primary scale's rules first.
    public let outcomes: [OutcomeRow]
    /// Adverse events by condition, term and grade.
    public let adverseEvents: [AdverseEventCount]
    /// Co-interventions by condition and kind, for the kinds any patient had.
    public let coInterventions: [CoInterventionCount]
    /// Patients with each safety flag raised, for clinician review.
    public let safetyFlags: [SafetyFlagCount]

    /// The report on these conditions over these patients, counting what was recorded up to `asOf`.
    public init(conditions: [any Condition], histories: [PatientHistory], asOf: ClinicalDate) {
        var tally = OutcomeTally(conditions: conditions, asOf: asOf)
        for history in histories { tally.add(history) }
        self = tally.report
    }

    /// The report with only the outcome rows `keep` keeps (one protocol's, say); the counts of
    /// adverse events, co-interventions and flags stay as they are.
    public func keepingRows(_ keep: (OutcomeRow) -> Bool) -> OutcomeReport {
        OutcomeReport(
            asOf: asOf, outcomes: outcomes.filter(keep), adverseEvents: adverseEvents,
            coInterventions: coInterventions, safetyFlags: safetyFlags)
    }

    init(
        asOf: ClinicalDate, outcomes: [OutcomeRow], adverseEvents: [AdverseEventCount],
        coInterventions: [CoInterventionCount],
        safetyFlags: [SafetyFlagCount]
    ) {
        self.asOf = asOf
        self.outcomes = outcomes
        self.adverseEvents = adverseEvents
        self.coInterventions = coInterventions
        self.safetyFlags = safetyFlags
    }
}

/// An ``OutcomeReport`` counted one patient at a time, so that a report over a whole registry
/// holds counters, not histories: add each patient's history once, then read ``report``.
public struct OutcomeTally: Sendable {
    /// The day the report counts up to: each history's later records are left out.
    public let asOf: ClinicalDate
    private var conditions: [ConditionTally]

    /// A tally of these conditions, counting records up to `asOf`, with no patient counted yet.
    public init(conditions: [any Condition], asOf: ClinicalDate) {
        self.asOf = asOf
        self.conditions = conditions.map(ConditionTally.init)
    }

    /// Counts one patient (their records up to the report's day) in every condition they have.
    /// `eligible(condition, row)` is called for each of the patient's induction rows (by index
    /// among the condition's induction rows) that counts them as eligible.
    /// `timeline` is given each condition's course timeline as worked out here, for a caller
    /// that needs it too (the summary's scores).
    public mutating func add(
        _ history: PatientHistory, eligible: ((String, Int) -> Void)? = nil, timeline: ((CourseTimeline) -> Void)? = nil
    ) {
        let history = history.asOf(asOf)
        for index in conditions.indices where history.conditions.contains(conditions[index].condition.id) {
            conditions[index].add(history, asOf: asOf, eligible: eligible, timeline: timeline)
        }
    }

    /// The report on the patients added so far.
    public var report: OutcomeReport {
        var outcomes: [OutcomeRow] = []
        var adverse: [AdverseEventCount] = []
        var coInterventions: [CoInterventionCount] = []
        var flags: [SafetyFlagCount] = []
        for tally in conditions {
            let condition = tally.condition
            for (kindIndex, kind) in CourseKind.allCases.enumerated() {
                let rows = tally.rows[kindIndex]
                if kind == .retreatment, rows.allSatisfy({ $0.counts.started == 0 }) { continue }
                outcomes += rows.map {
                    OutcomeRow(
                        condition: condition, courseKind: kind, treatment: $0.treatment, rule: $0.rule,
                        direction: $0.direction, visit: $0.visit, counts: $0.counts)
                }
            }
            adverse += tally.events.values
                .sorted {
                    ($0.term.rawValue, AdverseEventGrade.allCases.firstIndex(of: $0.grade)!) < (
                        $1.term.rawValue, AdverseEventGrade.allCases.firstIndex(of: $1.grade)!
                    )
                }
                .map {
                    AdverseEventCount(
                        condition: condition.id, term: $0.term.rawValue, grade: $0.grade.rawValue, events: $0.events,
                        patients: $0.patients, serious: $0.serious, patientsInCondition: tally.patients)
                }
            for (flag, patients) in tally.flagged {
                flags.append(
                    SafetyFlagCount(
                        condition: condition.id, flag: flag, patients: patients.count, patientIDs: patients,
                        patientsInCondition: tally.patients))
            }
            for kind in CoInterventionKind.allCases {
                let count = tally.coInterventions[kind] ?? 0
                if count > 0 {
                    coInterventions.append(
                        CoInterventionCount(
                            condition: condition.id, kind: kind.rawValue, patients: count,
                            patientsInCondition: tally.patients))
                }
            }
        }
        return OutcomeReport(
            asOf: asOf, outcomes: outcomes, adverseEvents: adverse, coInterventions: coInterventions, safetyFlags: flags
        )
    }

    /// One condition's counters.
    private struct ConditionTally: Sendable {
        struct Row {
            let treatment: TreatmentProtocol
            /// The treatment's place among the condition's protocols, compared per course.
            let protocolIndex: Int
            let rule: OutcomeRule
            let direction: ScoreDirection
            let visit: FollowUpVisit?
            var counts = OutcomeRow.Counts()
        }
        let condition: any Condition
        /// Per kind of course (in `CourseKind.allCases` order), per protocol of the condition's
        /// schedule (in its order): the primary scale's rules first, then the others in the
        /// module's order; each rule at the end of the course, then at each of the protocol's
        /// follow-up visits. A course counts only in the rows of the protocol it ran under.
        var rows: [[Row]]
        /// The condition's protocols, in its schedule's order.
        let treatments: [TreatmentProtocol]
        var patients = 0
        var events:
            [String: (term: AdverseEventTerm, grade: AdverseEventGrade, events: Int, patients: Int, serious: Int)] = [:]
        /// Each safety flag's patients, in the order counted.
        var flagged: [(String, [String])]
        var coInterventions: [CoInterventionKind: Int] = [:]

        init(_ condition: any Condition) {
            self.condition = condition
            let rules =
                condition.outcomeRules.filter { $0.scale == condition.primaryScale }
                + condition.outcomeRules.filter { $0.scale != condition.primaryScale }
            treatments = condition.protocols.treatments
            let perKind = treatments.enumerated().flatMap { protocolIndex, treatment in
                rules.flatMap { rule in
                    let direction = condition.scale(rule.scale)?.direction ?? .higherIsWorse
                    return ([nil] + treatment.course.followUps.map(Optional.some)).map {
                        Row(
                            treatment: treatment, protocolIndex: protocolIndex, rule: rule, direction: direction,
                            visit: $0)
                    }
                }
            }
            rows = CourseKind.allCases.map { _ in perKind }
            flagged = Set(condition.safetyChecks.map(\.flag)).sorted().map { ($0, []) }
        }

        mutating func add(
            _ history: PatientHistory, asOf: ClinicalDate, eligible: ((String, Int) -> Void)?,
            timeline: ((CourseTimeline) -> Void)?
        ) {
            patients += 1
            let all = CourseTimeline(condition: condition, history: history)
            timeline?(all)
            let courses = all.courses.filter { $0.dayZero != nil }
            for course in courses {
                guard let kindIndex = CourseKind.allCases.firstIndex(of: course.kind) else { continue }
                let protocolIndex =
                    treatments.count == 1 ? 0 : treatments.firstIndex(of: course.treatment) ?? -1
                for index in rows[kindIndex].indices where rows[kindIndex][index].protocolIndex == protocolIndex {
                    let row = rows[kindIndex][index]
                    let before = rows[kindIndex][index].counts.eligible
                    rows[kindIndex][index].counts.add(
                        course, rule: row.rule, direction: row.direction, visit: row.visit, asOf: asOf)
                    if let eligible, course.kind == .induction, rows[kindIndex][index].counts.eligible > before {
                        eligible(condition.id, index)
                    }
                }
            }
            var seen: Set<String> = []
            for event in history.adverseEvents {
                let key = "\(event.term.rawValue)|\(event.grade.rawValue)"
                var entry = events[key] ?? (event.term, event.grade, 0, 0, 0)
                entry.events += 1
                if seen.insert(key).inserted { entry.patients += 1 }
                if event.serious { entry.serious += 1 }
                events[key] = entry
            }
            for index in flagged.indices
            where history.assessments.contains(where: { $0.flags.contains(flagged[index].0) }) {
                flagged[index].1.append(history.patient)
            }
            for kind in Set(history.coInterventions) { coInterventions[kind, default: 0] += 1 }
        }
    }
}

/// Adverse events of one term and grade among one condition's patients.
public struct AdverseEventCount: Sendable, Hashable, Codable {
    /// The id of the condition whose patients are counted.
    public let condition: String
    /// The adverse event term (`nausea`).
    public let term: String
    /// The grade: `mild`, `moderate` or `severe`.
    public let grade: String
    /// How many events of this term and grade were recorded.
    public let events: Int
    /// How many patients had at least one.
    public let patients: Int
    /// How many of the events were serious.
    public let serious: Int
    /// How many patients of the condition were counted, the denominator.
    public let patientsInCondition: Int
}

/// Patients of one condition with a safety flag raised by any assessment on record.
public struct SafetyFlagCount: Sendable, Hashable, Codable {
    /// The id of the condition whose patients are counted.
    public let condition: String
    /// The flag (`suicide-risk`).
    public let flag: String
    /// How many patients have an assessment that raised it.
    public let patients: Int
    /// The clinic's own registry ids, so the clinician can review each one.
    public let patientIDs: [String]
    /// How many patients of the condition were counted, the denominator.
    public let patientsInCondition: Int
}

/// Patients of one condition who had one kind of co-intervention.
public struct CoInterventionCount: Sendable, Hashable, Codable {
    /// The id of the condition whose patients are counted.
    public let condition: String
    /// The kind of co-intervention (`magnesium`).
    public let kind: String
    /// How many patients had it at least once.
    public let patients: Int
    /// How many patients of the condition were counted, the denominator.
    public let patientsInCondition: Int
}

/// A proportion rounded to three decimals (48 of 61 is 0.787).
public func roundedRate(_ count: Int, _ total: Int) -> Double {
    (Double(count) / Double(total) * 1000).rounded() / 1000
}

/// A proportion as a percentage with one decimal ("78.7%").
public func percentText(_ rate: Double?) -> String {
    guard let rate else { return "-" }
    return String(format: "%.1f%%", rate * 100)
}
