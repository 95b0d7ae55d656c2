/// Where one patient's first course of one condition stands: its day 0, its infusions, its end,
/// and which assessment counts for each point of the course.
public struct CourseTimeline: Sendable, Hashable {
    public let course: Course
    /// The first infusion's date; `nil` before any infusion.
    public let dayZero: ClinicalDate?
    /// The infusions that belong to the course.
    public let courseInfusions: [PatientHistory.Infusion]
    let history: PatientHistory

    public init(course: Course, history: PatientHistory) {
        self.course = course
        self.history = history
        dayZero = history.infusions.first?.date
        if let dayZero {
            courseInfusions = history.infusions.filter { $0.date.dayNumber - dayZero.dayNumber < course.withinDays }
        } else {
            courseInfusions = []
        }
    }

    /// Whether the course is over on `today`: all its usual infusions given, or its days passed.
    public func isComplete(on today: ClinicalDate) -> Bool {
        guard let dayZero else { return false }
        return courseInfusions.count >= course.infusions || dayZero.days(until: today) >= course.withinDays
    }

    /// The day the course's last infusion ended.
    public var courseEnd: ClinicalDate? { courseInfusions.map(\.endDate).max() }

    /// The days in which the end-of-course assessment counts: from the day of the last infusion
    /// to the end of the window after the course ends.
    public var endOfCourseWindow: ClosedRange<ClinicalDate>? {
        guard let last = courseInfusions.last, let courseEnd else { return nil }
        return last.date...courseEnd.adding(days: course.endOfCourseWindowDays)
    }

    /// The days of a follow-up visit.
    public func window(of visit: FollowUpVisit) -> ClosedRange<ClinicalDate>? {
        guard let dayZero else { return nil }
        return dayZero.adding(days: visit.earliestDay)...dayZero.adding(days: visit.latestDay)
    }

    /// The baseline on a scale: the last baseline assessment on or before day 0 (any, before the
    /// course has started).
    public func baseline(scale: String) -> PatientHistory.Assessment? {
        history.assessments.last { $0.scale == scale && $0.timepoint == .baseline && (dayZero == nil || $0.date <= dayZero!) }
    }

    /// The end-of-course assessment: the last post-infusion assessment in the end-of-course window.
    public func endOfCourse(scale: String) -> PatientHistory.Assessment? {
        guard let window = endOfCourseWindow else { return nil }
        return history.assessments.last { $0.scale == scale && $0.timepoint == .postInfusion && window.contains($0.date) }
    }

    /// The follow-up assessment for a visit: the one in its window closest to the target day.
    public func followUp(scale: String, visit: FollowUpVisit) -> PatientHistory.Assessment? {
        guard let window = window(of: visit), let dayZero else { return nil }
        let target = dayZero.adding(days: visit.targetDay)
        return history.assessments
            .filter { $0.scale == scale && $0.timepoint == .followUp && window.contains($0.date) }
            .min { abs($0.date.days(until: target)) < abs($1.date.days(until: target)) }
    }
}
