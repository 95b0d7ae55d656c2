import RegistryCore
import Testing

/// A condition with a three-infusion course for course and outcome tests.
struct CourseCondition: Condition {
    var id = "course-test"
    let name = "Course test"
    let version = "1"
    let summary = ""
    var scales: [any AssessmentScale] = [TestCondition.scale()]
    var primaryScale = "test-scale"
    var outcomeRules = [
        OutcomeRule(id: "response", scale: "test-scale", criterion: .percentImprovement(atLeast: 50)),
        OutcomeRule(id: "remission", scale: "test-scale", criterion: .scoreAtMost(1)),
    ]
    var course = Course(
        description: "three infusions within two weeks", infusions: 3, withinDays: 14, endOfCourseWindowDays: 7,
        followUps: [FollowUpVisit(id: "visit-1", name: "visit 1", targetDay: 30, earliestDay: 21, latestDay: 45)],
        retreatmentAfterDays: 90)
}

/// A one-infusion course whose infusion may run for days (the migraine module's shape).
func continuousCondition() -> CourseCondition {
    var condition = CourseCondition()
    condition.id = "continuous-test"
    condition.scales = [TestCondition.scale(id: "continuous-scale")]
    condition.primaryScale = "continuous-scale"
    condition.outcomeRules = [
        OutcomeRule(id: "response", scale: "continuous-scale", criterion: .pointImprovement(atLeast: 2))
    ]
    condition.course = Course(
        description: "five-day continuous infusion", infusions: 1, withinDays: 7, endOfCourseWindowDays: 2,
        followUps: [])
    return condition
}

func day(_ offset: Int) -> ClinicalDate { ClinicalDate(year: 2026, month: 1, day: 1)!.adding(days: offset) }

func history(
    _ id: String = "P-000001", condition: String = "course-test", infusions: [Int] = [], minutes: Int = 40,
    assessments: [(Int, Timepoint, Double)] = [], markers: [CourseMarker] = [], flags: [String] = []
) -> PatientHistory {
    let scale = condition == "course-test" ? "test-scale" : "continuous-scale"
    return PatientHistory(
        patient: id, conditions: [condition], enrolledOn: day(-5),
        infusions: infusions.map { PatientHistory.Infusion(condition: condition, date: day($0), minutes: minutes) },
        assessments: assessments.map {
            PatientHistory.Assessment(scale: scale, date: day($0.0), timepoint: $0.1, score: $0.2, flags: flags)
        },
        courseMarkers: markers)
}

let courseCatalog = try! ConditionCatalog([CourseCondition(), continuousCondition()])

func progress(_ history: PatientHistory, on today: Int) -> [CourseProgress] {
    CourseProgress.all(patient: history, catalog: courseCatalog, today: day(today))
}

@Suite("Courses")
struct CourseTests {
    @Test("A five-day continuous infusion ends five days after it starts, later when it starts in the afternoon")
    func continuousInfusion() {
        #expect(PatientHistory.Infusion(condition: "c", date: day(0), minutes: 7_200).endDate == day(5))
        #expect(
            PatientHistory.Infusion(condition: "c", date: day(0), time: ClockTime(hour: 14, minute: 0), minutes: 7_200)
                .endDate == day(5))
        #expect(
            PatientHistory.Infusion(condition: "c", date: day(0), time: ClockTime(hour: 23, minute: 0), minutes: 120)
                .endDate == day(1))
        #expect(PatientHistory.Infusion(condition: "c", date: day(0), minutes: 40).endDate == day(0))
    }

    @Test("Before any infusion the baseline is due and nothing else")
    func notStarted() throws {
        let course = try #require(progress(history(), on: 0).first)
        #expect(course.stage == .notStarted)
        #expect(course.assessments.map(\.status) == [.due])
    }

    @Test("During the course: infusion 2 of 3, baseline done, end of course not yet due")
    func inCourse() throws {
        let course = try #require(progress(history(infusions: [0, 4], assessments: [(-1, .baseline, 6)]), on: 5).first)
        #expect(course.stage == .inCourse)
        #expect(course.infusionsGiven == 2)
        #expect(course.assessments.map(\.status) == [.done, .upcoming, .upcoming])
        #expect(course.summary.hasPrefix("induction: infusion 2 of 3 given"))
    }

    @Test(
        "End of course: due from the day the last infusion ends for a week, then overdue for 30 days, then missed",
        arguments: [
            (9, ScheduledAssessment.Status.due), (16, .due), (17, .overdue), (46, .overdue), (47, .missed),
        ])
    func endOfCourse(today: Int, status: ScheduledAssessment.Status) throws {
        let course = try #require(
            progress(history(infusions: [0, 4, 9], assessments: [(-1, .baseline, 6)]), on: today).first)
        #expect(course.stage == .complete)
        #expect(course.assessments[1].status == status)
        #expect(course.assessments[1].dueFrom == day(9))
        #expect(course.assessments[1].dueBy == day(16))
    }

    @Test(
        "A course stopped early (2 of 3) is over when its days pass; its end-of-course assessment is then due, not overdue at once"
    )
    func stoppedEarly() throws {
        let patient = history(infusions: [0, 4], assessments: [(-1, .baseline, 6)])
        #expect(try #require(progress(patient, on: 13).first).stage == .inCourse)
        let over = try #require(progress(patient, on: 14).first)
        #expect(over.stage == .complete)
        #expect(over.courseEnd == day(14))
        #expect(over.assessments[1].status == .due)
        #expect(over.assessments[1].dueFrom == day(4))  // the last infusion ended
        #expect(over.assessments[1].dueBy == day(21))
    }

    @Test("within-days 14: an infusion on day 13 (day 0 the first) belongs to the course, one on day 14 is maintenance")
    func withinDaysEdge() throws {
        let condition = CourseCondition()
        let inside = try #require(
            CourseTimeline(condition: condition, history: history(infusions: [0, 13])).courses.first)
        #expect(inside.infusions.count == 2 && inside.maintenance.isEmpty)
        let outside = try #require(
            CourseTimeline(condition: condition, history: history(infusions: [0, 14])).courses.first)
        #expect(outside.infusions.count == 1 && outside.maintenance.count == 1)
    }

    @Test("'course end' makes a course over that day: the end-of-course assessment is due at once")
    func endedByHand() throws {
        let patient = history(
            infusions: [0, 4], assessments: [(-1, .baseline, 6)],
            markers: [CourseMarker(condition: "course-test", kind: .end, date: day(6))])
        #expect(try #require(progress(patient, on: 5).first).stage == .inCourse)
        let over = try #require(progress(patient, on: 6).first)
        #expect(over.stage == .complete)
        #expect(over.endedByHandOn == day(6))
        #expect(over.assessments[1].status == .due)
        #expect(over.assessments[1].dueBy == day(13))
    }

    @Test(
        "On day 1 of a five-day continuous infusion the course is running, not complete; it is over when the infusion ends"
    )
    func continuousCourse() throws {
        let patient = history(
            condition: "continuous-test", infusions: [0], minutes: 7_200, assessments: [(0, .baseline, 8)])
        let running = try #require(progress(patient, on: 1).first)
        #expect(running.stage == .inCourse)
        #expect(running.courseEnd == nil)
        #expect(running.assessments[1].status == .upcoming)
        let over = try #require(progress(patient, on: 5).first)
        #expect(over.stage == .complete)
        #expect(over.courseEnd == day(5))
        #expect(over.assessments[1].status == .due)
        #expect(over.assessments[1].dueFrom == day(5))
    }

    @Test("Infusions after the induction is over are maintenance; after the gap a re-treatment course starts")
    func maintenanceAndRetreatment() throws {
        let patient = history(
            infusions: [0, 4, 9, 30, 60, 200, 203, 207],
            assessments: [(-1, .baseline, 6), (10, .postInfusion, 2), (199, .baseline, 6), (208, .postInfusion, 5)])
        let courses = progress(patient, on: 220)
        #expect(courses.map(\.kind) == [.induction, .retreatment])
        #expect(courses[0].infusionsGiven == 3)
        #expect(courses[0].maintenanceInfusions == 2)
        #expect(courses[0].lastMaintenanceInfusion == day(60))
        #expect(courses[1].dayZero == day(200))
        #expect(courses[1].infusionsGiven == 3)
        #expect(courses[1].assessments[0].doneOn == day(199))  // the re-treatment's own baseline
        #expect(courses[1].summary.hasPrefix("re-treatment 1: course complete"))
        // A visit the re-treatment cut short, never taken, cannot be done once it has begun: missed, not overdue.
        let cut = history(
            infusions: [0, 4, 9, 30], assessments: [(-1, .baseline, 6)],
            markers: [CourseMarker(condition: "course-test", kind: .start, date: day(30))])
        let visit = try #require(progress(cut, on: 35).first?.assessments.first { $0.point == "visit-1" })
        #expect(visit.dueBy == day(29))
        #expect(visit.status == .missed)
    }

    @Test("'course start' opens a re-treatment course with the next infusion, before any gap")
    func startedByHand() throws {
        let patient = history(
            infusions: [0, 4, 9, 40, 44],
            markers: [CourseMarker(condition: "course-test", kind: .start, date: day(40), courseKind: .retreatment)])
        let courses = progress(patient, on: 50)
        #expect(courses.map(\.kind) == [.induction, .retreatment])
        #expect(courses[0].maintenanceInfusions == 0)
        #expect(courses[1].infusionsGiven == 2)
        #expect(courses[1].stage == .inCourse)
    }

    @Test("'course start' before any infusion opens the induction; a re-treatment only follows a course")
    func startBeforeAnyInfusion() throws {
        let first = history(
            infusions: [3, 6], markers: [CourseMarker(condition: "course-test", kind: .start, date: day(0))])
        let courses = progress(first, on: 10)
        #expect(courses.map(\.kind) == [.induction])
        #expect(courses[0].openedOn == day(0))
        #expect(courses[0].dayZero == day(3))
        // Opened, no infusion yet: the baseline is due, nothing is over.
        let waiting = try #require(
            progress(history(markers: [CourseMarker(condition: "course-test", kind: .start, date: day(0))]), on: 2)
                .first)
        #expect(waiting.stage == .notStarted)
        #expect(waiting.assessments.map(\.status) == [.due, .upcoming, .upcoming])
        // An induction given elsewhere: the first course here is a re-treatment when the clinic says so.
        let elsewhere = history(
            infusions: [3],
            markers: [CourseMarker(condition: "course-test", kind: .start, date: day(0), courseKind: .retreatment)])
        #expect(progress(elsewhere, on: 10).map(\.kind) == [.retreatment])
    }

    @Test("A course end on a course already over changes nothing")
    func endAfterOver() throws {
        let patient = history(
            infusions: [0, 4, 9], markers: [CourseMarker(condition: "course-test", kind: .end, date: day(20))])
        let course = try #require(progress(patient, on: 30).first)
        #expect(course.courseEnd == day(9))
        #expect(course.endedByHandOn == nil)
    }

    @Test("Each condition's course counts only its own infusions")
    func twoConditions() throws {
        let patient = PatientHistory(
            patient: "P-1", conditions: ["course-test", "continuous-test"], enrolledOn: day(-5),
            infusions: [
                PatientHistory.Infusion(condition: "course-test", date: day(0), minutes: 40),
                PatientHistory.Infusion(condition: "continuous-test", date: day(2), minutes: 7_200),
                PatientHistory.Infusion(condition: "course-test", date: day(4), minutes: 40),
            ],
            assessments: [])
        let courses = progress(patient, on: 10)
        let threeInfusion = try #require(courses.first { $0.condition == "course-test" })
        let continuous = try #require(courses.first { $0.condition == "continuous-test" })
        #expect(threeInfusion.infusionsGiven == 2)
        #expect(threeInfusion.stage == .inCourse)
        #expect(continuous.infusionsGiven == 1)
        #expect(continuous.dayZero == day(2))
        #expect(continuous.courseEnd == day(7))
    }

    @Test("A follow-up visit is due inside its window and done by an assessment in it")
    func visit() throws {
        let base: [(Int, Timepoint, Double)] = [(-1, .baseline, 6), (10, .postInfusion, 2)]
        #expect(
            try #require(progress(history(infusions: [0, 4, 9], assessments: base), on: 20).first).assessments[2].status
                == .upcoming)
        #expect(
            try #require(progress(history(infusions: [0, 4, 9], assessments: base), on: 21).first).assessments[2].status
                == .due)
        let seen = try #require(
            progress(history(infusions: [0, 4, 9], assessments: base + [(44, .followUp, 3)]), on: 50).first)
        #expect(seen.assessments[2].status == .done)
        #expect(seen.assessments[2].doneOn == day(44))
    }

    @Test("The baseline is due from enrolment to day 0, never with the end before the start")
    func baselineWindow() throws {
        // Enrolled after the first infusion was given (recorded late).
        let late = PatientHistory(
            patient: "P-1", conditions: ["course-test"], enrolledOn: day(3),
            infusions: [PatientHistory.Infusion(condition: "course-test", date: day(0), minutes: 40)], assessments: [])
        let baseline = try #require(progress(late, on: 5).first?.assessments.first)
        #expect(baseline.dueFrom! <= baseline.dueBy!)
    }
}
