import RegistryCore
import Testing

@Suite("Outcome report")
struct OutcomeReportTests {
    let condition = CourseCondition()

    func row(_ report: OutcomeReport, _ outcome: String, _ window: OutcomeRow.Window, course: CourseKind = .induction)
        throws -> OutcomeRow
    {
        try #require(report.outcomes.first { $0.outcome == outcome && $0.window == window && $0.course == course })
    }

    @Test("Counts, rates and missing patients for immediate and sustained response")
    func counts() throws {
        let patients = [
            history(
                "P-1", infusions: [0, 4, 9],
                assessments: [(-1, .baseline, 6), (10, .postInfusion, 3), (30, .followUp, 3)]),  // responder, sustained
            history(
                "P-2", infusions: [0, 4, 9],
                assessments: [(-1, .baseline, 6), (10, .postInfusion, 3), (30, .followUp, 5)]),  // responder, relapsed
            history(
                "P-3", infusions: [0, 4, 9],
                assessments: [(-1, .baseline, 6), (10, .postInfusion, 4), (30, .followUp, 2)]),  // late: not sustained
            history("P-4", infusions: [0, 4, 9], assessments: [(-1, .baseline, 6)]),  // missing
            // baseline 0
            history("P-5", infusions: [0, 4, 9], assessments: [(-1, .baseline, 0), (10, .postInfusion, 0)]),
            history("P-6", assessments: [(-1, .baseline, 6)]),  // not started
        ]
        let report = OutcomeReport(conditions: [condition], histories: patients, asOf: day(100))
        let immediate = try row(report, "response", .immediate)
        #expect(
            (immediate.eligible, immediate.assessed, immediate.missing, immediate.responders, immediate.notEvaluable)
                == (4, 3, 1, 2, 1))
        #expect(immediate.rate == 0.667)
        #expect(immediate.rateMissingAsNonResponse == 0.5)
        let sustained = try row(report, "response", .sustained)
        #expect((sustained.assessed, sustained.responders, sustained.missing) == (3, 1, 1))
        // Remission from a baseline of 0 is not evaluable: that patient started in remission.
        let remission = try row(report, "remission", .immediate)
        #expect((remission.eligible, remission.assessed, remission.responders, remission.notEvaluable) == (4, 3, 0, 1))
    }

    @Test(
        "A patient two infusions into a three-infusion course, with an interim score, is in course: never eligible, never missing"
    )
    func stillInCourse() throws {
        let patient = history(infusions: [0, 4], assessments: [(-1, .baseline, 6), (5, .postInfusion, 1)])
        let report = OutcomeReport(conditions: [condition], histories: [patient], asOf: day(6))
        let immediate = try row(report, "response", .immediate)
        #expect(
            (immediate.inCourse, immediate.eligible, immediate.assessed, immediate.missing, immediate.responders) == (
                1, 0, 0, 0, 0
            ))
        // Once the course is over, the interim score (before the last infusion ended... here there
        // is none later) still counts only inside the end-of-course window.
        let later = OutcomeReport(conditions: [condition], histories: [patient], asOf: day(60))
        #expect(try row(later, "response", .immediate).assessed == 1)
    }

    @Test("A patient mid-way through a five-day infusion is in course, not eligible and missing")
    func midContinuousInfusion() throws {
        let patient = history(
            condition: "continuous-test", infusions: [0], minutes: 7_200, assessments: [(0, .baseline, 8)])
        let report = OutcomeReport(conditions: [continuousCondition()], histories: [patient], asOf: day(2))
        let immediate = try row(report, "response", .immediate)
        #expect((immediate.inCourse, immediate.eligible, immediate.missing) == (1, 0, 0))
        // Over, window still open, not yet scored: awaiting, not missing.
        let awaiting = try row(
            OutcomeReport(conditions: [continuousCondition()], histories: [patient], asOf: day(6)), "response",
            .immediate)
        #expect((awaiting.inCourse, awaiting.awaiting, awaiting.eligible, awaiting.missing) == (0, 1, 0, 0))
        // Window closed: missing.
        let missing = try row(
            OutcomeReport(conditions: [continuousCondition()], histories: [patient], asOf: day(8)), "response",
            .immediate)
        #expect((missing.awaiting, missing.eligible, missing.missing) == (0, 1, 1))
    }

    @Test(
        "Remission needs a baseline not already in remission: 3 -> 4 on a 'below 5' rule is not a remission",
        arguments: [
            (6.0, 4.0, 0, 1), (5.0, 4.0, 0, 1), (4.0, 4.0, 1, 0), (3.0, 4.0, 1, 0), (6.0, 5.0, 0, 0),
        ])
    func remissionBaseline(baseline: Double, end: Double, notEvaluable: Int, responders: Int) throws {
        var phqLike = CourseCondition()
        phqLike.outcomeRules = [OutcomeRule(id: "remission", scale: "test-scale", criterion: .scoreBelow(5))]
        let patient = history(
            infusions: [0, 4, 9], assessments: [(-1, .baseline, baseline), (10, .postInfusion, end)])
        let remission = try row(
            OutcomeReport(conditions: [phqLike], histories: [patient], asOf: day(60)), "remission", .immediate)
        #expect(
            (remission.notEvaluable, remission.eligible, remission.responders) == (
                notEvaluable, 1 - notEvaluable, responders
            ))
    }

    @Test("Sustained response needs the end-of-course score: a patient seen only at the visit is missing, not assessed")
    func sustainedNeedsEnd() throws {
        let patient = history(infusions: [0, 4, 9], assessments: [(-1, .baseline, 6), (30, .followUp, 1)])
        let sustained = try row(
            OutcomeReport(conditions: [condition], histories: [patient], asOf: day(100)), "response", .sustained)
        #expect((sustained.eligible, sustained.assessed, sustained.missing, sustained.responders) == (1, 0, 1, 0))
        // While the visit's window is open: awaited if the end-of-course score can still come, missing once it cannot.
        let early = history(infusions: [0, 4, 9], assessments: [(-1, .baseline, 6)])
        let during = try row(
            OutcomeReport(conditions: [condition], histories: [early], asOf: day(12)), "response", .sustained)
        #expect((during.awaiting, during.missing) == (1, 0))
        let afterEndWindow = try row(
            OutcomeReport(conditions: [condition], histories: [early], asOf: day(25)), "response", .sustained)
        #expect((afterEndWindow.awaiting, afterEndWindow.missing) == (0, 1))
    }

    @Test(
        "A maintenance infusion never changes the induction's result; a re-treatment course is counted in its own row")
    func maintenanceAndRetreatmentRows() throws {
        let induction: [(Int, Timepoint, Double)] = [(-1, .baseline, 6), (10, .postInfusion, 2)]
        let plain = history(infusions: [0, 4, 9], assessments: induction)
        let maintained = history(infusions: [0, 4, 9, 12, 30], assessments: induction)
        for patient in [plain, maintained] {
            let immediate = try row(
                OutcomeReport(conditions: [condition], histories: [patient], asOf: day(60)), "response", .immediate)
            #expect((immediate.assessed, immediate.responders) == (1, 1))
        }
        let retreated = history(
            infusions: [0, 4, 9, 200, 203, 207],
            assessments: induction + [(199, .baseline, 6), (208, .postInfusion, 5)])
        let report = OutcomeReport(conditions: [condition], histories: [retreated], asOf: day(260))
        #expect(try row(report, "response", .immediate).responders == 1)
        let retreatment = try row(report, "response", .immediate, course: .retreatment)
        #expect((retreatment.started, retreatment.assessed, retreatment.responders) == (1, 1, 0))
    }

    @Test("As of a past day, later records are left out")
    func asOf() throws {
        let patient = history(infusions: [0, 4, 9], assessments: [(-1, .baseline, 6), (10, .postInfusion, 2)])
        let before = try row(
            OutcomeReport(conditions: [condition], histories: [patient], asOf: day(5)), "response", .immediate)
        #expect((before.inCourse, before.assessed) == (1, 0))
        #expect(OutcomeReport(conditions: [condition], histories: [patient], asOf: day(5)).asOf == day(5))
    }

    @Test("Adverse events are counted by term and grade, patients once each; flags name the patients")
    func adverseEventsAndFlags() {
        let one = PatientHistory(
            patient: "P-1", conditions: ["course-test"], enrolledOn: day(0), infusions: [], assessments: [],
            adverseEvents: [
                .init(term: .nausea, grade: .mild, serious: false), .init(term: .nausea, grade: .mild, serious: false),
                .init(term: .hypertension, grade: .severe, serious: true),
            ],
            coInterventions: [.yoga])
        let two = PatientHistory(
            patient: "P-2", conditions: ["course-test"], enrolledOn: day(0), infusions: [], assessments: [],
            adverseEvents: [.init(term: .nausea, grade: .mild, serious: false)])
        let report = OutcomeReport(conditions: [condition], histories: [one, two], asOf: day(10))
        #expect(
            report.adverseEvents.map { "\($0.term) \($0.grade) \($0.events)/\($0.patients)/\($0.serious)" } == [
                "hypertension severe 1/1/1", "nausea mild 3/2/0",
            ])
        #expect(
            report.coInterventions.map { "\($0.kind) \($0.patients) of \($0.patientsInCondition)" } == ["yoga 1 of 2"])
    }
}

@Suite("Outcome rule thresholds")
struct OutcomeThresholdTests {
    @Test(
        "The threshold drawn on a chart is where isMet changes: at it (when inclusive) met, a step worse not met",
        arguments: [
            OutcomeRule.Criterion.percentImprovement(atLeast: 50), .percentImprovement(atLeast: 30),
            .pointImprovement(atLeast: 2),
            .scoreBelow(5), .scoreAtMost(10),
        ])
    func thresholdMatchesRule(_ criterion: OutcomeRule.Criterion) throws {
        let rule = OutcomeRule(id: "r", scale: "s", criterion: criterion)
        for direction in [ScoreDirection.higherIsWorse, .higherIsBetter] {
            for baseline in stride(from: 1.0, through: 40, by: 1) {
                let (value, inclusive) = try #require(rule.threshold(baseline: baseline, direction: direction))
                let worse = direction == .higherIsWorse ? 0.01 : -0.01
                // Exactly at the line only where it falls on a whole number (30% of 7 is not exact in binary).
                if value == value.rounded() {
                    #expect(
                        rule.isMet(baseline: baseline, current: value, direction: direction) == inclusive,
                        "\(criterion) \(direction) \(baseline)")
                }
                #expect(rule.isMet(baseline: baseline, current: value + worse, direction: direction) == false)
                #expect(rule.isMet(baseline: baseline, current: value - worse, direction: direction) == true)
            }
        }
        // Hand-worked: half of a PHQ-9 of 18 is 9; two points below 7 is 5.
        #expect(
            OutcomeRule(id: "r", scale: "s", criterion: .percentImprovement(atLeast: 50)).threshold(baseline: 18)! == (
                9, true
            ))
        #expect(
            OutcomeRule(id: "r", scale: "s", criterion: .pointImprovement(atLeast: 2)).threshold(baseline: 7)! == (
                5, true
            ))
        // A percentage of nothing, or a change without a baseline, has no threshold.
        #expect(
            OutcomeRule(id: "r", scale: "s", criterion: .percentImprovement(atLeast: 50)).threshold(baseline: 0) == nil)
        #expect(
            OutcomeRule(id: "r", scale: "s", criterion: .pointImprovement(atLeast: 2)).threshold(baseline: nil) == nil)
    }
}
