import Foundation

/// Response, remission and improvement under each condition's own rules, with their denominators,
/// and what else happened to the same patients (adverse events, co-interventions).
///
/// For each rule and each patient enrolled for the condition whose course has started:
/// - the patient is *eligible* when a baseline on the rule's scale exists (and, for a percentage
///   rule, is not 0, since no percentage change can be taken from 0: such patients are counted as
///   `notEvaluable`);
/// - *immediate*: the end-of-course assessment is compared with baseline; eligible patients
///   without one are `missing`;
/// - *sustained*, at each follow-up visit: the rule is met at the end of the course and still met
///   at the visit; eligible patients not seen at the visit are `missing`.
///
/// `rate` is among patients assessed; `rateMissingAsNonResponse` counts every missing patient as
/// not meeting the rule. Rates are computed from the counts, rounded to three decimals.
public struct OutcomeReport: Sendable, Hashable, Codable {
    public let outcomes: [OutcomeRow]
    public let adverseEvents: [AdverseEventCount]
    public let coInterventions: [CoInterventionCount]
    /// Patients with each safety flag raised, for clinician review.
    public let safetyFlags: [SafetyFlagCount]

    public init(conditions: [any Condition], histories: [PatientHistory]) {
        var outcomes: [OutcomeRow] = []
        var adverse: [AdverseEventCount] = []
        var coInterventions: [CoInterventionCount] = []
        var flags: [SafetyFlagCount] = []
        for condition in conditions {
            let patients = histories.filter { $0.conditions.contains(condition.id) }
            let timelines = patients.map { CourseTimeline(course: condition.course, history: $0) }.filter { $0.dayZero != nil }
            // The primary scale's rules first, then the others in the module's order.
            let rules = condition.outcomeRules.filter { $0.scale == condition.primaryScale }
                + condition.outcomeRules.filter { $0.scale != condition.primaryScale }
            for rule in rules {
                let direction = condition.scale(rule.scale)?.direction ?? .higherIsWorse
                outcomes.append(OutcomeRow(condition: condition, rule: rule, direction: direction, window: .immediate, visit: nil, timelines: timelines))
                for visit in condition.course.followUps {
                    outcomes.append(OutcomeRow(condition: condition, rule: rule, direction: direction, window: .sustained, visit: visit, timelines: timelines))
                }
            }
            var events: [String: (term: AdverseEventTerm, grade: AdverseEventGrade, events: Int, patients: Set<String>, serious: Int)] = [:]
            for patient in patients {
                for event in patient.adverseEvents {
                    let key = "\(event.term.rawValue)|\(event.grade.rawValue)"
                    var entry = events[key] ?? (event.term, event.grade, 0, [], 0)
                    entry.events += 1
                    entry.patients.insert(patient.patient)
                    if event.serious { entry.serious += 1 }
                    events[key] = entry
                }
            }
            adverse += events.values
                .sorted { ($0.term.rawValue, AdverseEventGrade.allCases.firstIndex(of: $0.grade)!) < ($1.term.rawValue, AdverseEventGrade.allCases.firstIndex(of: $1.grade)!) }
                .map { AdverseEventCount(condition: condition.id, term: $0.term.rawValue, grade: $0.grade.rawValue, events: $0.events,
                                         patients: $0.patients.count, serious: $0.serious, patientsInCondition: patients.count) }
            for flag in Set(condition.safetyChecks.map(\.flag)).sorted() {
                let flagged = patients.filter { $0.assessments.contains { $0.flags.contains(flag) } }
                flags.append(SafetyFlagCount(condition: condition.id, flag: flag, patients: flagged.count,
                                             patientIDs: flagged.map(\.patient), patientsInCondition: patients.count))
            }
            for kind in CoInterventionKind.allCases {
                let count = patients.filter { $0.coInterventions.contains(kind) }.count
                if count > 0 {
                    coInterventions.append(CoInterventionCount(condition: condition.id, kind: kind.rawValue, patients: count, patientsInCondition: patients.count))
                }
            }
        }
        self.outcomes = outcomes
        self.safetyFlags = flags
        self.adverseEvents = adverse
        self.coInterventions = coInterventions
    }
}

/// One rule, at one point of the course, for one condition.
public struct OutcomeRow: Sendable, Hashable, Codable {
    public enum Window: String, Sendable, Hashable, Codable {
        case immediate, sustained
    }

    public let condition: String
    public let scale: String
    public let subscore: String?
    /// The rule's id (`response`, `remission`, `moderate-improvement`).
    public let outcome: String
    /// The rule's name.
    public let name: String
    /// The rule in words.
    public let rule: String
    public let window: Window
    /// For sustained rows: the visit, its target day and its window in days from the first infusion.
    public let visit: String?
    public let visitDay: Int?
    public let visitDays: String?
    /// Patients whose course started, with a baseline on the scale that the rule can use.
    public let eligible: Int
    /// Patients with the assessment this row compares (end of course, or the visit).
    public let assessed: Int
    /// Eligible patients without it.
    public let missing: Int
    /// Patients meeting the rule (sustained: at the end of the course and still at the visit).
    public let responders: Int
    /// Patients whose baseline made the rule impossible to judge (a percentage change from 0).
    public let notEvaluable: Int
    /// `responders / assessed`, or `nil` when no one was assessed.
    public let rate: Double?
    /// `responders / eligible`: every missing patient counted as not meeting the rule.
    public let rateMissingAsNonResponse: Double?
    /// How missing patients were counted, in words.
    public let missingHandling: String

    init(condition: any Condition, rule: OutcomeRule, direction: ScoreDirection, window: Window, visit: FollowUpVisit?, timelines: [CourseTimeline]) {
        self.condition = condition.id
        scale = rule.scale
        subscore = rule.subscore
        outcome = rule.id
        name = rule.name
        let words = rule.describe(direction: direction)
        self.window = window
        self.visit = visit?.id
        visitDay = visit?.targetDay
        visitDays = visit.map { "\($0.earliestDay)-\($0.latestDay)" }
        if let visit {
            self.rule = "\(words) at the end of the course, still met at \(visit.name) (about day \(visit.targetDay))"
        } else {
            self.rule = "\(words) at the end of the course"
        }

        var eligible = 0, assessed = 0, responders = 0, notEvaluable = 0
        for timeline in timelines {
            guard let baseline = timeline.baseline(scale: rule.scale)?.value(subscore: rule.subscore) else { continue }
            if case .percentImprovement = rule.criterion, baseline == 0 {
                notEvaluable += 1
                continue
            }
            eligible += 1
            let end = timeline.endOfCourse(scale: rule.scale)?.value(subscore: rule.subscore)
            let metAtEnd = end.flatMap { rule.isMet(baseline: baseline, current: $0, direction: direction) } ?? false
            if let visit {
                guard let later = timeline.followUp(scale: rule.scale, visit: visit)?.value(subscore: rule.subscore) else { continue }
                assessed += 1
                if metAtEnd, rule.isMet(baseline: baseline, current: later, direction: direction) == true { responders += 1 }
            } else {
                guard end != nil else { continue }
                assessed += 1
                if metAtEnd { responders += 1 }
            }
        }
        self.eligible = eligible
        self.assessed = assessed
        missing = eligible - assessed
        self.responders = responders
        self.notEvaluable = notEvaluable
        rate = assessed == 0 ? nil : roundedRate(responders, assessed)
        rateMissingAsNonResponse = eligible == 0 ? nil : roundedRate(responders, eligible)
        missingHandling = visit == nil
            ? "patients without an end-of-course assessment are left out of rate and counted as not meeting the rule in rateMissingAsNonResponse"
            : "patients not seen at the visit are left out of rate and counted as not meeting the rule in rateMissingAsNonResponse"
    }
}

/// Adverse events of one term and grade among one condition's patients.
public struct AdverseEventCount: Sendable, Hashable, Codable {
    public let condition: String
    public let term: String
    public let grade: String
    public let events: Int
    public let patients: Int
    public let serious: Int
    public let patientsInCondition: Int
}

/// Patients of one condition with a safety flag raised by any assessment on record.
public struct SafetyFlagCount: Sendable, Hashable, Codable {
    public let condition: String
    public let flag: String
    public let patients: Int
    /// The clinic's own registry ids, so the clinician can review each one.
    public let patientIDs: [String]
    public let patientsInCondition: Int
}

/// Patients of one condition who had one kind of co-intervention.
public struct CoInterventionCount: Sendable, Hashable, Codable {
    public let condition: String
    public let kind: String
    public let patients: Int
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
