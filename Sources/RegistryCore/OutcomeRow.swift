import Foundation

/// One rule, at one point of the course, for one condition and one kind of course.
public struct OutcomeRow: Sendable, Hashable, Codable {
    /// Whether a row judges the end of the course alone, or the end of the course and a follow-up visit.
    public enum Window: String, Vocabulary {
        /// `immediate`: the end-of-course assessment against baseline; `sustained`: met at the end of the course and
        /// still met at the visit.
        case immediate, sustained
    }

    /// The id of the condition (`migraine`).
    public let condition: String
    /// `induction` (one per patient) or `re-treatment` (every re-treatment course).
    public let course: CourseKind
    /// The protocol the row's courses ran under (`module/1.2`, `clinic/2`): a course counts in the
    /// rows of the protocol in force on the day it was opened (its first infusion, or `course
    /// start`).
    public let `protocol`: String
    /// The protocol's course in words.
    public let protocolCourse: String
    /// The id of the scale the rule is judged on.
    public let scale: String
    /// The subscore the rule is judged on; `nil` for the headline score.
    public let subscore: String?
    /// The rule's id (`response`, `remission`, `moderate-improvement`).
    public let outcome: String
    /// The rule's name.
    public let name: String
    /// The rule in words.
    public let rule: String
    /// Whether the row judges the end of the course or a follow-up visit.
    public let window: Window
    /// For sustained rows: the visit, its target day and its window in days from the first infusion.
    public let visit: String?
    /// The visit's target day, counted from the first infusion; `nil` for an immediate row.
    public let visitDay: Int?
    /// The visit's window in days from the first infusion (`21-45`); `nil` for an immediate row.
    public let visitDays: String?
    /// Courses that have started (the induction: patients).
    public let started: Int
    /// Courses not over on the report's day.
    public let inCourse: Int
    /// Courses over without a baseline on the rule's scale.
    public let noBaseline: Int
    /// Courses whose baseline makes the rule meaningless (a percentage change from 0, or a
    /// remission threshold already met at baseline).
    public let notEvaluable: Int
    /// Courses whose assessment window is still open, not yet assessed.
    public let awaiting: Int
    /// Courses over, with a baseline the rule can use, whose assessment window has opened:
    /// `assessed + missing`.
    public let eligible: Int
    /// Eligible courses with the assessments this row compares (end of course; sustained: end of
    /// course and the visit).
    public let assessed: Int
    /// Eligible courses without them.
    public let missing: Int
    /// Courses meeting the rule (sustained: at the end of the course and still at the visit).
    public let responders: Int
    /// `responders / assessed`, or `nil` when none was assessed.
    public let rate: Double?
    /// `responders / eligible`: every missing course counted as not meeting the rule.
    public let rateMissingAsNonResponse: Double?
    /// How missing courses were counted, in words.
    public let missingHandling: String

    init(
        condition: any Condition, courseKind: CourseKind, treatment: TreatmentProtocol, rule: OutcomeRule,
        direction: ScoreDirection, visit: FollowUpVisit?, counts: Counts
    ) {
        self.condition = condition.id
        course = courseKind
        self.protocol = treatment.reference
        protocolCourse = treatment.course.description
        scale = rule.scale
        subscore = rule.subscore
        outcome = rule.id
        name = rule.name
        let words = rule.describe(direction: direction)
        window = visit == nil ? .immediate : .sustained
        self.visit = visit?.id
        visitDay = visit?.targetDay
        visitDays = visit.map { "\($0.earliestDay)-\($0.latestDay)" }
        if let visit {
            self.rule = "\(words) at the end of the course, still met at \(visit.name) (about day \(visit.targetDay))"
        } else {
            self.rule = "\(words) at the end of the course"
        }

        started = counts.started
        inCourse = counts.inCourse
        noBaseline = counts.noBaseline
        notEvaluable = counts.notEvaluable
        awaiting = counts.awaiting
        assessed = counts.assessed
        missing = counts.missing
        eligible = counts.eligible
        responders = counts.responders
        rate = assessed == 0 ? nil : roundedRate(responders, assessed)
        rateMissingAsNonResponse = eligible == 0 ? nil : roundedRate(responders, eligible)
        missingHandling =
            visit == nil
            ? "courses over without an end-of-course assessment (its window closed) are left out of rate and counted as not meeting the rule in rateMissingAsNonResponse"
            : "courses without the end-of-course assessment or not seen at the visit (its window closed) are left out of rate and counted as not meeting the rule in rateMissingAsNonResponse"
    }
    /// One row's counters, a course at a time.
    struct Counts: Sendable {
        var started = 0, inCourse = 0, noBaseline = 0, notEvaluable = 0, awaiting = 0, assessed = 0, missing = 0,
            responders = 0
        var eligible: Int { assessed + missing }

        /// Counts one course that has started under one rule, at the end of the course or at a visit.
        mutating func add(
            _ course: TreatmentCourse, rule: OutcomeRule, direction: ScoreDirection, visit: FollowUpVisit?,
            asOf: ClinicalDate
        ) {
            started += 1
            guard course.isOver(on: asOf) else {
                inCourse += 1
                return
            }
            guard let baseline = course.baseline(scale: rule.scale)?.value(subscore: rule.subscore) else {
                noBaseline += 1
                return
            }
            guard rule.isEvaluable(baseline: baseline, direction: direction) else {
                notEvaluable += 1
                return
            }
            let end = course.endOfCourse(scale: rule.scale)?.value(subscore: rule.subscore)
            let endWindow = course.endOfCourseWindow
            if let visit {
                let later = course.followUp(scale: rule.scale, visit: visit)?.value(subscore: rule.subscore)
                let visitWindow = course.window(of: visit)
                if later == nil, let visitWindow, asOf <= visitWindow.upperBound {
                    // Still awaited, unless the end-of-course score it needs can no longer come.
                    if end == nil, let endWindow, asOf > endWindow.upperBound { missing += 1 } else { awaiting += 1 }
                    return
                }
                // Also missing: a visit that a re-treatment course, begun before it, cut off.
                guard let end, let later else {
                    missing += 1
                    return
                }
                assessed += 1
                if rule.isMet(baseline: baseline, current: end, direction: direction) == true,
                    rule.isMet(baseline: baseline, current: later, direction: direction) == true
                {
                    responders += 1
                }
            } else {
                guard let end else {
                    if let endWindow, asOf <= endWindow.upperBound { awaiting += 1 } else { missing += 1 }
                    return
                }
                assessed += 1
                if rule.isMet(baseline: baseline, current: end, direction: direction) == true { responders += 1 }
            }
        }
    }
}
