/// Where a patient is in a condition's course and which assessments are done, due or overdue.
public struct CourseProgress: Sendable, Hashable, Codable {
    public let patient: String
    public let condition: String
    public let course: String
    public let dayZero: ClinicalDate?
    public let infusionsGiven: Int
    public let infusionsPlanned: Int
    public let stage: Stage
    public let courseEnd: ClinicalDate?
    public let assessments: [ScheduledAssessment]

    public enum Stage: String, Sendable, Hashable, Codable {
        case notStarted = "not-started"
        case inCourse = "in-course"
        case complete
    }

    /// A visit listed as overdue stays overdue for this many days after its window closes; after
    /// that it is missed.
    public static let overdueGraceDays = 30

    public init(patient history: PatientHistory, condition: any Condition, today: ClinicalDate) {
        let timeline = CourseTimeline(course: condition.course, history: history)
        let scale = condition.primaryScale
        patient = history.patient
        self.condition = condition.id
        course = condition.course.description
        dayZero = timeline.dayZero
        infusionsGiven = timeline.courseInfusions.count
        infusionsPlanned = condition.course.infusions
        let complete = timeline.isComplete(on: today)
        stage = timeline.dayZero == nil ? .notStarted : complete ? .complete : .inCourse
        courseEnd = complete ? timeline.courseEnd : nil

        func status(done: ClinicalDate?, from: ClinicalDate?, by: ClinicalDate?) -> ScheduledAssessment.Status {
            if done != nil { return .done }
            guard let from else { return .upcoming }
            if today < from { return .upcoming }
            guard let by else { return .due }
            if today <= by { return .due }
            return by.days(until: today) <= Self.overdueGraceDays ? .overdue : .missed
        }

        var scheduled: [ScheduledAssessment] = []
        let baseline = timeline.baseline(scale: scale)
        scheduled.append(ScheduledAssessment(
            point: "baseline", name: "baseline", scale: scale, timepoint: .baseline,
            dueFrom: history.enrolledOn, dueBy: timeline.dayZero, doneOn: baseline?.date,
            status: baseline != nil ? .done : (timeline.dayZero == nil ? .due : .missed), today: today))

        let endWindow = complete ? timeline.endOfCourseWindow : nil
        let end = timeline.endOfCourse(scale: scale)
        scheduled.append(ScheduledAssessment(
            point: "end-of-course", name: "end of course", scale: scale, timepoint: .postInfusion,
            dueFrom: endWindow.map { _ in timeline.courseEnd! }, dueBy: endWindow?.upperBound, doneOn: end?.date,
            status: status(done: end?.date, from: endWindow.map { _ in timeline.courseEnd! }, by: endWindow?.upperBound), today: today))

        for visit in condition.course.followUps {
            let window = timeline.window(of: visit)
            let done = timeline.followUp(scale: scale, visit: visit)
            scheduled.append(ScheduledAssessment(
                point: visit.id, name: visit.name, scale: scale, timepoint: .followUp,
                dueFrom: window?.lowerBound, dueBy: window?.upperBound, doneOn: done?.date,
                status: status(done: done?.date, from: window?.lowerBound, by: window?.upperBound), today: today))
        }
        assessments = scheduled
    }

    /// The next thing the clinic should do for this course, in words.
    public var summary: String {
        var text: String
        switch stage {
        case .notStarted: text = "not started (\(course))"
        case .inCourse: text = "infusion \(infusionsGiven) of \(infusionsPlanned) given since \(dayZero!) (\(course))"
        case .complete: text = "course complete (\(infusionsGiven) infusion\(infusionsGiven == 1 ? "" : "s"), ended \(courseEnd!))"
        }
        let pending = assessments.filter { $0.status == .due || $0.status == .overdue }
        if !pending.isEmpty {
            text += "; " + pending.map { $0.statusText }.joined(separator: "; ")
        }
        return text
    }
}

/// One assessment a course calls for, and whether it was done.
public struct ScheduledAssessment: Sendable, Hashable, Codable {
    /// `baseline`, `end-of-course` or a visit id.
    public let point: String
    public let name: String
    public let scale: String
    public let timepoint: Timepoint
    public let dueFrom: ClinicalDate?
    public let dueBy: ClinicalDate?
    public let doneOn: ClinicalDate?
    public let status: Status
    /// Days past `dueBy`, when overdue.
    public let daysOverdue: Int?

    public enum Status: String, Sendable, Hashable, Codable {
        case done, due, overdue, upcoming, missed
    }

    init(point: String, name: String, scale: String, timepoint: Timepoint, dueFrom: ClinicalDate?, dueBy: ClinicalDate?,
         doneOn: ClinicalDate?, status: Status, today: ClinicalDate) {
        self.point = point
        self.name = name
        self.scale = scale
        self.timepoint = timepoint
        self.dueFrom = dueFrom
        self.dueBy = dueBy
        self.doneOn = doneOn
        self.status = status
        daysOverdue = status == .overdue ? dueBy.map { $0.days(until: today) } : nil
    }

    /// "end of course phq9 due by 2026-04-02", "visit 1 headache-nrs overdue by 3 days".
    public var statusText: String {
        switch status {
        case .done: "\(name) \(scale) done \(doneOn!)"
        case .due: "\(name) \(scale) due" + (dueBy.map { " by \($0)" } ?? " before the first infusion")
        case .overdue: "\(name) \(scale) OVERDUE by \(daysOverdue ?? 0) day\(daysOverdue == 1 ? "" : "s") (was due \(dueFrom!) to \(dueBy!))"
        case .upcoming: "\(name) \(scale)" + (dueFrom.map { " from \($0)" } ?? " after the course")
        case .missed: "\(name) \(scale) missed"
        }
    }
}
