/// Where a patient is in one course of a condition, and which of its assessments are done, due or
/// overdue on a given day.
public struct CourseProgress: Sendable, Hashable, Codable {
    /// The patient's registry id (`P-000001`).
    public let patient: String
    /// The id of the condition the course is for (`depression`).
    public let condition: String
    /// 1 for the induction, 2 for the first re-treatment course, ...
    public let number: Int
    /// Whether the course is the induction or a re-treatment course.
    public let kind: CourseKind
    /// The course of its protocol, in words.
    public let course: String
    /// The protocol the course runs under (`module/1.2`, `clinic/1`): the one in force on the day
    /// it was opened (for a course not started, today's).
    public let `protocol`: String
    /// The day the course was opened: its first infusion, the day of `ketareg course start`, or enrolment for a course
    /// not yet started.
    public let openedOn: ClinicalDate
    /// Day 0: the day of the course's first infusion; `nil` before any.
    public let dayZero: ClinicalDate?
    /// How many infusions of the course have been given, maintenance aside.
    public let infusionsGiven: Int
    /// How many infusions the protocol's course has.
    public let infusionsPlanned: Int
    /// Infusions after the course was over and before the next course.
    public let maintenanceInfusions: Int
    /// The day of the last maintenance infusion, if there was one.
    public let lastMaintenanceInfusion: ClinicalDate?
    /// Whether the course has not started, is running or is complete on the day asked about.
    public let stage: Stage
    /// The day the course was over (or will be, when its last infusion ends); `nil` while it runs.
    public let courseEnd: ClinicalDate?
    /// The day the clinic ended the course by hand.
    public let endedByHandOn: ClinicalDate?
    /// The baseline, the end-of-course assessment and each follow-up visit, in that order, on the primary scale; a
    /// visit the next course began before is left out.
    public let assessments: [ScheduledAssessment]

    /// How far the course has gone on the day asked about.
    public enum Stage: String, Sendable, Hashable, Codable {
        /// Opened by `ketareg course start`, no infusion yet.
        case notStarted = "not-started"
        /// Its first infusion given and the course not yet over.
        case inCourse = "in-course"
        /// Over: its usual infusions given, its days passed, ended by hand, or a new course started.
        case complete
    }

    /// A visit listed as overdue stays overdue for this many days after its window closes; after
    /// that it is missed.
    public static let overdueGraceDays = 30

    /// Every course of every condition of a patient, on `today`.
    public static func all(patient history: PatientHistory, catalog: ConditionCatalog, today: ClinicalDate)
        -> [CourseProgress]
    {
        let history = history.asOf(today)
        // A condition the clinic has ended has nothing due and no course in progress.
        return history.conditions.filter { history.endedConditions[$0] == nil }.compactMap { catalog.condition($0) }
            .flatMap { condition in
                let timeline = CourseTimeline(condition: condition, history: history)
                if timeline.courses.isEmpty {
                    return [CourseProgress(notStarted: history, condition: condition, today: today)]
                }
                return timeline.courses.map {
                    CourseProgress(history: history, condition: condition, course: $0, today: today)
                }
            }
    }

    /// A condition whose first course has not started: only the baseline is due.
    init(notStarted history: PatientHistory, condition: any Condition, today: ClinicalDate) {
        let scale = condition.primaryScale
        patient = history.patient
        self.condition = condition.id
        number = 1
        kind = .induction
        let treatment = condition.protocols.inForce(on: today)
        course = treatment.course.description
        self.protocol = treatment.reference
        openedOn = history.enrolledOn
        dayZero = nil
        infusionsGiven = 0
        infusionsPlanned = treatment.course.infusions
        maintenanceInfusions = 0
        lastMaintenanceInfusion = nil
        stage = .notStarted
        courseEnd = nil
        endedByHandOn = nil
        let baseline = history.assessments.last { $0.scale == scale && $0.timepoint == .baseline }
        assessments = [
            ScheduledAssessment(
                point: "baseline", name: "baseline", scale: scale, timepoint: .baseline,
                dueFrom: min(history.enrolledOn, today), dueBy: nil,
                doneOn: baseline?.date, status: baseline != nil ? .done : .due, today: today)
        ]
    }

    init(history: PatientHistory, condition: any Condition, course: TreatmentCourse, today: ClinicalDate) {
        let scale = condition.primaryScale
        patient = history.patient
        self.condition = condition.id
        number = course.number
        kind = course.kind
        self.course = course.plan.description
        self.protocol = course.treatment.reference
        openedOn = course.openedOn
        dayZero = course.dayZero
        infusionsGiven = course.infusions.count
        infusionsPlanned = course.plan.infusions
        maintenanceInfusions = course.maintenance.count
        lastMaintenanceInfusion = course.maintenance.last?.date
        let over = course.isOver(on: today)
        stage = course.dayZero == nil ? .notStarted : over ? .complete : .inCourse
        courseEnd = over ? course.overOn : nil
        endedByHandOn = course.endedOn

        func status(done: ClinicalDate?, from: ClinicalDate?, by: ClinicalDate?) -> ScheduledAssessment.Status {
            if done != nil { return .done }
            guard let from else { return .upcoming }
            if today < from { return .upcoming }
            guard let by else { return .due }
            if today <= by { return .due }
            // Once the next course has begun, nothing taken now counts for this one.
            if let next = course.nextCourseStart, next <= today { return .missed }
            return by.days(until: today) <= Self.overdueGraceDays ? .overdue : .missed
        }

        var scheduled: [ScheduledAssessment] = []
        let baseline = course.baseline(scale: scale)
        // Due from enrolment (the induction) or from the day the course was opened, until day 0.
        let baselineFrom = min(course.number == 1 ? history.enrolledOn : course.openedOn, course.dayZero ?? today)
        scheduled.append(
            ScheduledAssessment(
                point: "baseline", name: "baseline", scale: scale, timepoint: .baseline,
                dueFrom: baselineFrom, dueBy: course.dayZero, doneOn: baseline?.date,
                status: baseline != nil ? .done : (course.dayZero == nil ? .due : .missed), today: today))

        // The end-of-course assessment is due once the course is over, from the day its last
        // infusion ended.
        let window = over ? course.endOfCourseWindow : nil
        let end = course.endOfCourse(scale: scale)
        scheduled.append(
            ScheduledAssessment(
                point: "end-of-course", name: "end of course", scale: scale, timepoint: .postInfusion,
                dueFrom: window?.lowerBound, dueBy: window?.upperBound, doneOn: end?.date,
                status: status(done: end?.date, from: window?.lowerBound, by: window?.upperBound), today: today))

        for visit in course.plan.followUps {
            let window = course.window(of: visit)
            if course.dayZero != nil, window == nil { continue }  // the next course began first
            let done = course.followUp(scale: scale, visit: visit)
            scheduled.append(
                ScheduledAssessment(
                    point: visit.id, name: visit.name, scale: scale, timepoint: .followUp,
                    dueFrom: window?.lowerBound, dueBy: window?.upperBound, doneOn: done?.date,
                    status: status(done: done?.date, from: window?.lowerBound, by: window?.upperBound), today: today))
        }
        assessments = scheduled
    }

    /// "induction" or "re-treatment 2".
    public var courseName: String {
        kind == .induction ? "induction" : "re-treatment \(number - 1)"
    }

    /// The course and the next thing the clinic should do for it, in words.
    public var summary: String {
        var text = "\(courseName): "
        switch stage {
        case .notStarted: text += "not started (\(self.protocol): \(course))"
        case .inCourse:
            text +=
                "infusion \(infusionsGiven) of \(infusionsPlanned) given since \(dayZero!) (\(self.protocol): \(course))"
        case .complete:
            text +=
                "course complete under \(self.protocol) (\(infusionsGiven) infusion\(infusionsGiven == 1 ? "" : "s"), "
                + (endedByHandOn == courseEnd && endedByHandOn != nil
                    ? "ended by hand \(courseEnd!))" : "ended \(courseEnd!))")
        }
        if maintenanceInfusions > 0 {
            text +=
                "; \(maintenanceInfusions) maintenance infusion\(maintenanceInfusions == 1 ? "" : "s"), last \(lastMaintenanceInfusion!)"
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
    /// The point's name in words (`baseline`, `end of course`, `1-month visit`).
    public let name: String
    /// The id of the scale to assess: the condition's primary scale.
    public let scale: String
    /// The timepoint the assessment is recorded with: baseline, post-infusion or follow-up.
    public let timepoint: Timepoint
    /// The first day on which it counts; `nil` while that is not yet known (before the first infusion, or before the
    /// course is over).
    public let dueFrom: ClinicalDate?
    /// The last day on which it counts; `nil` when there is none (a baseline before the first infusion) or it is not
    /// yet known.
    public let dueBy: ClinicalDate?
    /// The day of the assessment that counts for it, if it was taken.
    public let doneOn: ClinicalDate?
    /// Whether it is done, due, overdue, upcoming or missed on the day asked about.
    public let status: Status
    /// Days past `dueBy`, when overdue.
    public let daysOverdue: Int?

    /// Where a scheduled assessment stands on a day.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Done (the assessment was taken); due (its window is open); overdue (its window closed at most
        /// ``CourseProgress/overdueGraceDays`` days ago); upcoming (its window has not opened); missed (later still, or
        /// a next course has begun).
        case done, due, overdue, upcoming, missed
    }

    init(
        point: String, name: String, scale: String, timepoint: Timepoint, dueFrom: ClinicalDate?, dueBy: ClinicalDate?,
        doneOn: ClinicalDate?, status: Status, today: ClinicalDate
    ) {
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
        case .overdue:
            "\(name) \(scale) OVERDUE by \(daysOverdue ?? 0) day\(daysOverdue == 1 ? "" : "s") (was due \(dueFrom!) to \(dueBy!))"
        case .upcoming: "\(name) \(scale)" + (dueFrom.map { " from \($0)" } ?? " after the course")
        case .missed: "\(name) \(scale) missed"
        }
    }
}

/// One assessment due or overdue on a day, for the clinic's list (`ketareg due`).
public struct DueItem: Sendable, Hashable, Codable {
    /// The patient's registry id (`P-000001`).
    public let patient: String
    /// The id of the condition whose course calls for it.
    public let condition: String
    /// `induction` or `re-treatment`.
    public let course: CourseKind
    /// The course's number: 1 for the induction, 2 for the first re-treatment course, ...
    public let courseNumber: Int
    /// `baseline`, `end-of-course` or a visit id (`visit-1`).
    public let point: String
    /// The point's name in words (`end of course`, `1-month visit`).
    public let name: String
    /// The id of the scale to assess.
    public let scale: String
    /// The timepoint to record it with: `baseline`, `post-infusion` or `follow-up`.
    public let timepoint: String
    /// The first day on which it counts, as `YYYY-MM-DD`, when known.
    public let dueFrom: String?
    /// The last day on which it counts, as `YYYY-MM-DD`; `nil` for a baseline before the first infusion.
    public let dueBy: String?
    /// `due` or `overdue`.
    public let status: String
    /// Days past `dueBy`, when overdue.
    public let daysOverdue: Int?

    /// Every assessment due or overdue on `today` across the clinic, overdue ones first, then by the
    /// day they are due by.
    public static func list(histories: [PatientHistory], catalog: ConditionCatalog, today: ClinicalDate) -> [DueItem] {
        sorted(histories.flatMap { items(for: $0, catalog: catalog, today: today) })
    }

    /// What one patient has due or overdue on `today`, in any order.
    public static func items(for history: PatientHistory, catalog: ConditionCatalog, today: ClinicalDate) -> [DueItem] {
        var due: [DueItem] = []
        for progress in CourseProgress.all(patient: history, catalog: catalog, today: today) {
            for item in progress.assessments where item.status == .due || item.status == .overdue {
                due.append(
                    DueItem(
                        patient: history.patient, condition: progress.condition, course: progress.kind,
                        courseNumber: progress.number,
                        point: item.point, name: item.name, scale: item.scale, timepoint: item.timepoint.rawValue,
                        dueFrom: item.dueFrom?.description, dueBy: item.dueBy?.description,
                        status: item.status.rawValue, daysOverdue: item.daysOverdue))
            }
        }
        return due
    }

    /// The clinic's order: overdue first, then by the day each is due by, then by patient.
    public static func sorted(_ items: [DueItem]) -> [DueItem] {
        items.sorted {
            ($0.status == "overdue" ? 0 : 1, $0.dueBy ?? "", $0.patient) < (
                $1.status == "overdue" ? 0 : 1, $1.dueBy ?? "", $1.patient
            )
        }
    }
}
