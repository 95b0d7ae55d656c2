import RegistryCore
import Testing

/// A condition with a three-infusion course for course and outcome tests.
struct CourseCondition: Condition {
    let id = "course-test"
    let name = "Course test"
    let version = "1"
    let summary = ""
    let scales: [any AssessmentScale] = [TestCondition.scale()]
    let primaryScale = "test-scale"
    let outcomeRules = [
        OutcomeRule(id: "response", scale: "test-scale", criterion: .percentImprovement(atLeast: 50)),
        OutcomeRule(id: "remission", scale: "test-scale", criterion: .scoreAtMost(1)),
    ]
    let course = Course(description: "three infusions within two weeks", infusions: 3, withinDays: 14, endOfCourseWindowDays: 7,
                        followUps: [FollowUpVisit(id: "visit-1", name: "visit 1", targetDay: 30, earliestDay: 21, latestDay: 45)])
}

func day(_ offset: Int) -> ClinicalDate { ClinicalDate(year: 2026, month: 1, day: 1)!.adding(days: offset) }

func history(_ id: String = "P-000001", infusions: [Int] = [], minutes: Int = 40,
             assessments: [(Int, Timepoint, Double)] = [], flags: [String] = []) -> PatientHistory {
    PatientHistory(patient: id, conditions: ["course-test"], enrolledOn: day(-5),
                   infusions: infusions.map { PatientHistory.Infusion(date: day($0), minutes: minutes) },
                   assessments: assessments.map { PatientHistory.Assessment(scale: "test-scale", date: day($0.0), timepoint: $0.1, score: $0.2, flags: flags) })
}

@Suite("Courses")
struct CourseTests {
    let condition = CourseCondition()

    @Test("A five-day continuous infusion ends five days after it starts")
    func continuousInfusion() {
        #expect(PatientHistory.Infusion(date: day(0), minutes: 7_200).endDate == day(5))
        #expect(PatientHistory.Infusion(date: day(0), minutes: 40).endDate == day(0))
    }

    @Test("Before any infusion the baseline is due and nothing else")
    func notStarted() {
        let progress = CourseProgress(patient: history(), condition: condition, today: day(0))
        #expect(progress.stage == .notStarted)
        #expect(progress.assessments.map(\.status) == [.due, .upcoming, .upcoming])
    }

    @Test("During the course: infusion 2 of 3, baseline done, end of course not yet due")
    func inCourse() {
        let progress = CourseProgress(patient: history(infusions: [0, 4], assessments: [(-1, .baseline, 6)]), condition: condition, today: day(5))
        #expect(progress.stage == .inCourse)
        #expect(progress.infusionsGiven == 2)
        #expect(progress.assessments.map(\.status) == [.done, .upcoming, .upcoming])
        #expect(progress.summary.hasPrefix("infusion 2 of 3 given"))
    }

    @Test("End of course: due for a week after the last infusion, then overdue for 30 days, then missed", arguments: [
        (9, ScheduledAssessment.Status.due), (16, .due), (17, .overdue), (46, .overdue), (47, .missed),
    ])
    func endOfCourse(today: Int, status: ScheduledAssessment.Status) {
        let progress = CourseProgress(patient: history(infusions: [0, 4, 9], assessments: [(-1, .baseline, 6)]), condition: condition, today: day(today))
        #expect(progress.stage == .complete)
        #expect(progress.assessments[1].status == status)
        #expect(progress.assessments[1].dueBy == day(16))
    }

    @Test("The course ends when its days pass even with fewer infusions than usual")
    func endsByDays() {
        let progress = CourseProgress(patient: history(infusions: [0, 4]), condition: condition, today: day(14))
        #expect(progress.stage == .complete)
        #expect(progress.assessments[0].status == .missed) // no baseline before the first infusion
    }

    @Test("A follow-up visit is due inside its window and done by an assessment in it")
    func visit() {
        let base: [(Int, Timepoint, Double)] = [(-1, .baseline, 6), (10, .postInfusion, 2)]
        #expect(CourseProgress(patient: history(infusions: [0, 4, 9], assessments: base), condition: condition, today: day(20)).assessments[2].status == .upcoming)
        #expect(CourseProgress(patient: history(infusions: [0, 4, 9], assessments: base), condition: condition, today: day(21)).assessments[2].status == .due)
        let seen = CourseProgress(patient: history(infusions: [0, 4, 9], assessments: base + [(44, .followUp, 3)]), condition: condition, today: day(50))
        #expect(seen.assessments[2].status == .done)
        #expect(seen.assessments[2].doneOn == day(44))
    }
}

@Suite("Outcome report")
struct OutcomeReportTests {
    let condition = CourseCondition()

    @Test("Counts, rates and missing patients for immediate and sustained response")
    func counts() throws {
        let patients = [
            history("P-1", infusions: [0, 4, 9], assessments: [(-1, .baseline, 6), (10, .postInfusion, 3), (30, .followUp, 3)]), // responder, sustained
            history("P-2", infusions: [0, 4, 9], assessments: [(-1, .baseline, 6), (10, .postInfusion, 3), (30, .followUp, 5)]), // responder, relapsed
            history("P-3", infusions: [0, 4, 9], assessments: [(-1, .baseline, 6), (10, .postInfusion, 4), (30, .followUp, 2)]), // late: not sustained
            history("P-4", infusions: [0, 4, 9], assessments: [(-1, .baseline, 6)]),                                              // missing
            history("P-5", infusions: [0], assessments: [(-1, .baseline, 0), (2, .postInfusion, 0)]),                             // baseline 0
            history("P-6", assessments: [(-1, .baseline, 6)]),                                                                   // not started
        ]
        let report = OutcomeReport(conditions: [condition], histories: patients)
        let immediate = try #require(report.outcomes.first { $0.outcome == "response" && $0.window == .immediate })
        #expect((immediate.eligible, immediate.assessed, immediate.missing, immediate.responders, immediate.notEvaluable) == (4, 3, 1, 2, 1))
        #expect(immediate.rate == 0.667)
        #expect(immediate.rateMissingAsNonResponse == 0.5)
        let sustained = try #require(report.outcomes.first { $0.outcome == "response" && $0.window == .sustained })
        #expect((sustained.assessed, sustained.responders) == (3, 1))
        // Remission is a threshold: the baseline of 0 does not make it impossible to judge.
        let remission = try #require(report.outcomes.first { $0.outcome == "remission" && $0.window == .immediate })
        #expect((remission.eligible, remission.assessed, remission.responders) == (5, 4, 1))
    }

    @Test("Adverse events are counted by term and grade, patients once each; flags name the patients")
    func adverseEventsAndFlags() {
        let one = PatientHistory(patient: "P-1", conditions: ["course-test"], enrolledOn: day(0), infusions: [], assessments: [],
                                 adverseEvents: [.init(term: .nausea, grade: .mild, serious: false), .init(term: .nausea, grade: .mild, serious: false),
                                                 .init(term: .hypertension, grade: .severe, serious: true)],
                                 coInterventions: [.yoga])
        let two = PatientHistory(patient: "P-2", conditions: ["course-test"], enrolledOn: day(0), infusions: [], assessments: [],
                                 adverseEvents: [.init(term: .nausea, grade: .mild, serious: false)])
        let report = OutcomeReport(conditions: [condition], histories: [one, two])
        #expect(report.adverseEvents.map { "\($0.term) \($0.grade) \($0.events)/\($0.patients)/\($0.serious)" } == ["hypertension severe 1/1/1", "nausea mild 3/2/0"])
        #expect(report.coInterventions.map { "\($0.kind) \($0.patients) of \($0.patientsInCondition)" } == ["yoga 1 of 2"])
    }
}
