/// The kind of a course of ketamine.
public enum CourseKind: String, Vocabulary {
    /// The condition's first course.
    case induction
    /// A later course, after relapse.
    case retreatment = "re-treatment"
}

/// One course of one condition for one patient: its infusions, the maintenance infusions that
/// followed it, when it was over, and which assessment counts for each point of it.
///
/// Built by ``CourseTimeline``; see ``Course`` for the rules that divide a history into courses.
public struct TreatmentCourse: Sendable, Hashable {
    /// 1 for the induction, 2 for the first re-treatment course, ...
    public let number: Int
    /// Whether this is the induction or a re-treatment course.
    public let kind: CourseKind
    /// The protocol the course runs under: the one in force on the day it was opened.
    public let treatment: TreatmentProtocol
    /// The protocol's course: how many infusions, within how many days, its windows.
    public var plan: Course { treatment.course }
    /// The day the course was opened: its first infusion, or the day of `ketareg course start`.
    public let openedOn: ClinicalDate
    /// The infusions of the course.
    public let infusions: [PatientHistory.Infusion]
    /// Infusions after the course was over and before the next course.
    public let maintenance: [PatientHistory.Infusion]
    /// The day the clinic ended the course by hand, if it did.
    public let endedOn: ClinicalDate?
    /// The first infusion of the next course, if there is one.
    public let nextCourseStart: ClinicalDate?
    /// The previous course's day 0, for the baseline: a re-treatment's baseline comes after it.
    let previousDayZero: ClinicalDate?
    let assessments: [PatientHistory.Assessment]
    /// The day the course's last infusion ended.
    public let lastInfusionEnd: ClinicalDate?
    /// The day the course is over: its usual number of infusions given and ended, its days passed
    /// (and its last infusion ended), ended by hand, or a new course started, whichever is first.
    /// `nil` before its first infusion. (Worked out once: outcomes and exports ask for it often.)
    public let overOn: ClinicalDate?

    init(
        number: Int, kind: CourseKind, treatment: TreatmentProtocol, openedOn: ClinicalDate,
        infusions: [PatientHistory.Infusion],
        maintenance: [PatientHistory.Infusion], endedOn: ClinicalDate?, nextCourseStart: ClinicalDate?,
        previousDayZero: ClinicalDate?, assessments: [PatientHistory.Assessment]
    ) {
        self.number = number
        self.kind = kind
        self.treatment = treatment
        self.openedOn = openedOn
        let plan = treatment.course
        self.infusions = infusions
        self.maintenance = maintenance
        self.endedOn = endedOn
        self.nextCourseStart = nextCourseStart
        self.previousDayZero = previousDayZero
        self.assessments = assessments
        let lastInfusionEnd = infusions.map(\.endDate).max()
        self.lastInfusionEnd = lastInfusionEnd
        if let dayZero = infusions.first?.date, let lastInfusionEnd {
            var candidates = [max(dayZero.adding(days: plan.withinDays), lastInfusionEnd)]
            if infusions.count >= plan.infusions { candidates.append(lastInfusionEnd) }
            if let endedOn { candidates.append(endedOn) }
            if let nextCourseStart { candidates.append(nextCourseStart) }
            overOn = candidates.min()
        } else {
            overOn = endedOn
        }
    }

    /// Day 0 of the course: its first infusion; `nil` before any.
    public var dayZero: ClinicalDate? { infusions.first?.date }

    /// Whether the course is over by the end of `day`.
    public func isOver(on day: ClinicalDate) -> Bool {
        overOn.map { $0 <= day } ?? false
    }

    /// The days in which the end-of-course assessment counts: from the day the course's last
    /// infusion ends until the module's window after the course is over, and before the next course.
    public var endOfCourseWindow: ClosedRange<ClinicalDate>? {
        guard let lastInfusionEnd, let overOn else { return nil }
        var last = max(overOn, lastInfusionEnd).adding(days: plan.endOfCourseWindowDays)
        if let nextCourseStart { last = min(last, nextCourseStart.adding(days: -1)) }
        return last < lastInfusionEnd ? nil : lastInfusionEnd...last
    }

    /// The days of a follow-up visit, cut short where the next course starts; `nil` when the next
    /// course starts before the window opens.
    public func window(of visit: FollowUpVisit) -> ClosedRange<ClinicalDate>? {
        guard let dayZero else { return nil }
        let first = dayZero.adding(days: visit.earliestDay)
        var last = dayZero.adding(days: visit.latestDay)
        if let nextCourseStart { last = min(last, nextCourseStart.adding(days: -1)) }
        return last < first ? nil : first...last
    }

    /// The baseline on a scale: the last baseline assessment on or before day 0 (before the first
    /// infusion, any so far), and after the previous course's day 0 for a re-treatment course.
    public func baseline(scale: String) -> PatientHistory.Assessment? {
        assessments.last { assessment in
            assessment.scale == scale && assessment.timepoint == .baseline
                && (dayZero.map { assessment.date <= $0 } ?? true)
                && (previousDayZero.map { assessment.date > $0 } ?? true)
        }
    }

    /// The end-of-course assessment: the last post-infusion assessment in the end-of-course window.
    public func endOfCourse(scale: String) -> PatientHistory.Assessment? {
        guard let window = endOfCourseWindow else { return nil }
        return assessments.last { $0.scale == scale && $0.timepoint == .postInfusion && window.contains($0.date) }
    }

    /// The follow-up assessment for a visit: the one in its window closest to the target day.
    public func followUp(scale: String, visit: FollowUpVisit) -> PatientHistory.Assessment? {
        guard let window = window(of: visit), let dayZero else { return nil }
        let target = dayZero.adding(days: visit.targetDay)
        return
            assessments
            .filter { $0.scale == scale && $0.timepoint == .followUp && window.contains($0.date) }
            .min { abs($0.date.days(until: target)) < abs($1.date.days(until: target)) }
    }
}

/// One patient's courses of one condition, in order: the induction, then any re-treatment courses,
/// each with the maintenance infusions that followed it.
///
/// Only the condition's own infusions count. Infusions join the open course until it is over
/// (``TreatmentCourse/overOn``); later ones are maintenance. A re-treatment course opens with the
/// first infusion after `ketareg course start`, or with the first infusion after
/// ``Course/retreatmentAfterDays`` without one.
public struct CourseTimeline: Sendable, Hashable {
    /// The id of the condition whose courses these are (`depression`).
    public let condition: String
    /// The protocols the history was divided by: each course by the one in force on the day it
    /// was opened.
    public let protocols: ProtocolSchedule
    /// The courses in order: the induction first, then any re-treatment courses; empty before the condition's first
    /// infusion or `ketareg course start`.
    public let courses: [TreatmentCourse]

    /// The courses of `condition` in the patient's history, by the condition's protocols.
    public init(condition: any Condition, history: PatientHistory) {
        self.init(condition: condition.id, protocols: condition.protocols, history: history)
    }

    /// The courses of the condition with this id in the patient's history, each divided by the
    /// protocol of `protocols` in force on the day it was opened: only the condition's own
    /// infusions and course markers count.
    public init(condition: String, protocols: ProtocolSchedule, history: PatientHistory) {
        self.condition = condition
        self.protocols = protocols

        struct Open {
            var kind: CourseKind
            var openedOn: ClinicalDate
            var treatment: TreatmentProtocol
            var infusions: [PatientHistory.Infusion] = []
            var maintenance: [PatientHistory.Infusion] = []
            var endedOn: ClinicalDate?
        }
        enum Event {
            case start(CourseMarker)
            case infusion(PatientHistory.Infusion)
            case end(CourseMarker)
            var date: ClinicalDate {
                switch self {
                case .start(let marker), .end(let marker): marker.date
                case .infusion(let infusion): infusion.date
                }
            }
            // On one day: a course is started before that day's infusions, and ended after them.
            var order: Int {
                switch self {
                case .start: 0
                case .infusion: 1
                case .end: 2
                }
            }
        }
        let markers = history.courseMarkers.filter { $0.condition == condition }
        var events =
            markers.map { $0.kind == .start ? Event.start($0) : Event.end($0) }
            + history.infusions(for: condition).map(Event.infusion)
        // Stable: infusions keep their order within a day.
        events = events.enumerated().sorted {
            ($0.element.date, $0.element.order, $0.offset) < ($1.element.date, $1.element.order, $1.offset)
        }.map(\.element)

        var closed: [Open] = []
        var open: Open?
        func isOver(_ course: Open, on day: ClinicalDate) -> Bool {
            let plan = course.treatment.course
            if let endedOn = course.endedOn, endedOn <= day { return true }
            guard let first = course.infusions.first else { return false }
            let lastEnd = course.infusions.map(\.endDate).max()!
            if course.infusions.count >= plan.infusions, lastEnd <= day { return true }
            return first.date.adding(days: plan.withinDays) <= day && lastEnd <= day
        }
        func newKind(_ requested: CourseKind?) -> CourseKind {
            closed.isEmpty && open == nil ? (requested ?? .induction) : .retreatment
        }
        for event in events {
            switch event {
            case .start(let marker):
                // A second start before any infusion only restates the first.
                if let current = open, current.infusions.isEmpty {
                    open?.kind = closed.isEmpty ? (marker.courseKind ?? current.kind) : .retreatment
                    continue
                }
                let kind = newKind(marker.courseKind)
                if let current = open { closed.append(current) }
                open = Open(kind: kind, openedOn: marker.date, treatment: protocols.inForce(on: marker.date))
            case .end(let marker):
                if let current = open, current.endedOn == nil, !isOver(current, on: marker.date.adding(days: -1)) {
                    open?.endedOn = marker.date
                }
            case .infusion(let infusion):
                guard let current = open else {
                    open = Open(
                        kind: .induction, openedOn: infusion.date, treatment: protocols.inForce(on: infusion.date),
                        infusions: [infusion])
                    continue
                }
                if current.infusions.isEmpty {
                    open?.infusions.append(infusion)
                    continue
                }
                let lastGiven = (current.infusions + current.maintenance).map(\.endDate).max()!
                if let gap = current.treatment.course.retreatmentAfterDays, lastGiven.days(until: infusion.date) >= gap
                {
                    closed.append(current)
                    open = Open(
                        kind: .retreatment, openedOn: infusion.date, treatment: protocols.inForce(on: infusion.date),
                        infusions: [infusion])
                } else if isOver(current, on: infusion.date) {
                    open?.maintenance.append(infusion)
                } else {
                    open?.infusions.append(infusion)
                }
            }
        }
        if let open { closed.append(open) }

        var courses: [TreatmentCourse] = []
        for (index, course) in closed.enumerated() {
            let next = index + 1 < closed.count ? closed[index + 1] : nil
            courses.append(
                TreatmentCourse(
                    number: index + 1, kind: course.kind, treatment: course.treatment, openedOn: course.openedOn,
                    infusions: course.infusions,
                    maintenance: course.maintenance, endedOn: course.endedOn,
                    nextCourseStart: next.map { $0.infusions.first?.date ?? $0.openedOn },
                    previousDayZero: index > 0 ? closed[index - 1].infusions.first?.date : nil,
                    assessments: history.assessments))
        }
        self.courses = courses
    }

    /// The induction, when the condition's first course has started.
    public var induction: TreatmentCourse? { courses.first { $0.kind == .induction } }
}
