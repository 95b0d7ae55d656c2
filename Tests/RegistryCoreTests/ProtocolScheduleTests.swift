import RegistryCore
import Testing

/// The clinic's protocols in the domain alone: the checks of a course, which protocol a course
/// runs under, and outcomes judged under each.
@Suite("Protocols")
struct ProtocolScheduleTests {
    let base = CourseCondition().course

    func clinic(_ version: String, infusions: Int, within: Int, window: Int, visits: [FollowUpVisit]? = nil) throws
        -> TreatmentProtocol
    {
        TreatmentProtocol(
            source: .clinic, version: version,
            course: try TreatmentProtocol.clinicCourse(
                infusions: infusions, withinDays: within, endOfCourseWindowDays: window, followUps: visits,
                continuous: false, base: base))
    }

    @Test(
        "Each limit of a clinic's course is allowed and the value past it refused, naming the field",
        arguments: [
            (1, 1, 0, nil), (100, 365, 90, nil), (0, 14, 7, "infusions"), (101, 14, 7, "infusions"),
            (3, 0, 7, "within-days"), (3, 366, 7, "within-days"), (3, 14, -1, "end-window-days"),
            (3, 14, 91, "end-window-days"),
        ] as [(Int, Int, Int, String?)])
    func limits(infusions: Int, within: Int, window: Int, field: String?) {
        do {
            // The module's visit ends on day 45: a course of up to 44 days keeps it.
            let visits = within >= 45 ? [] as [FollowUpVisit] : nil
            _ = try TreatmentProtocol.clinicCourse(
                infusions: infusions, withinDays: within, endOfCourseWindowDays: window, followUps: visits,
                continuous: false, base: base)
            #expect(field == nil, "accepted, but \(String(describing: field)) is out of range")
        } catch {
            #expect(error.field == field, "\(error)")
        }
    }

    @Test(
        "A visit's window: its end must come after the course's last possible day, its target inside it",
        arguments: [
            ("visit-1:15:15-15", 14, true), ("visit-1:14:10-14", 14, false), ("visit-1:41:28-56", 14, true),
            ("visit-1:27:28-56", 14, false), ("visit-1:57:28-56", 14, false), ("visit-1:30:31-30", 14, false),
        ])
    func visitWindow(visit: String, within: Int, accepted: Bool) throws {
        let parsed = try FollowUpVisit.parse(visit)
        let course = try? TreatmentProtocol.clinicCourse(
            infusions: 3, withinDays: within, endOfCourseWindowDays: 7, followUps: [parsed], continuous: false,
            base: base)
        #expect((course != nil) == accepted, "\(visit)")
    }

    @Test("A protocol set for every course replaces the schedule; one set from a day keeps every earlier course's")
    func schedule() throws {
        let module = TreatmentProtocol(moduleOf: CourseCondition())
        let first = try clinic("1", infusions: 3, within: 14, window: 7)
        let second = try clinic("2", infusions: 2, within: 7, window: 5)
        let third = try clinic("3", infusions: 4, within: 21, window: 7)
        var schedule = ProtocolSchedule(module: module)
        #expect(schedule.inForce(on: day(-1000)) == module)
        schedule = schedule.setting(first, from: nil)
        #expect(schedule.treatments == [first], "the module's is gone for every course")
        schedule = schedule.setting(second, from: day(100))
        #expect(schedule.inForce(on: day(99)) == first)
        #expect(schedule.inForce(on: day(100)) == second, "a course opened on the day runs the new one")
        #expect(schedule.inForce(on: day(101)) == second)
        // A later change from an earlier day: everything from that day on is its own.
        schedule = schedule.setting(third, from: day(50))
        #expect(schedule.treatments == [first, third])
        #expect(schedule.inForce(on: day(49)) == first && schedule.inForce(on: day(120)) == third)
        #expect(schedule.current == third)
    }

    @Test(
        "Each course runs under the protocol in force on the day it was opened: a course start before the change keeps the earlier one, a re-treatment after it takes the new one"
    )
    func coursesUnderTheirProtocols() throws {
        let first = try clinic("1", infusions: 3, within: 14, window: 7)
        let second = try clinic("2", infusions: 2, within: 7, window: 5)
        let schedule = ProtocolSchedule(module: TreatmentProtocol(moduleOf: CourseCondition())).setting(
            first, from: nil
        ).setting(second, from: day(100))
        // Induction from day 0 (three infusions); re-treatment opened by hand on day 95, its first
        // infusion on day 101, after the change; a third course after a 90-day gap, from day 300.
        let patient = history(
            infusions: [0, 2, 4, 101, 103, 105, 300, 302],
            markers: [CourseMarker(condition: "course-test", kind: .start, date: day(95))])
        let courses = CourseTimeline(condition: "course-test", protocols: schedule, history: patient).courses
        #expect(courses.map(\.treatment.reference) == ["clinic/1", "clinic/1", "clinic/2"])
        #expect(courses.map(\.infusions.count) == [3, 3, 2], "the second keeps clinic/1's three infusions")
        #expect(courses[2].overOn == day(302), "clinic/2: over after its second infusion")
    }

    @Test(
        "The end-of-course window under each protocol: its last day counts, the day after does not; a window of 0 days is the day the course ends"
    )
    func endWindowsUnderEachProtocol() throws {
        for (window, lastDay) in [(7, 11), (0, 4)] {
            let treatment = try clinic("1", infusions: 3, within: 14, window: window)
            var condition = CourseCondition()
            condition.course = treatment.course
            let catalog = try ConditionCatalog([condition])
            let judged = try #require(catalog.condition("course-test"))
            for (offset, counted) in [(lastDay, true), (lastDay + 1, false)] {
                let patient = history(
                    infusions: [0, 2, 4], assessments: [(-1, .baseline, 10), (offset, .postInfusion, 4)])
                let report = OutcomeReport(conditions: [judged], histories: [patient], asOf: day(200))
                let row = try #require(
                    report.outcomes.first {
                        $0.outcome == "response" && $0.window == .immediate && $0.course == .induction
                    })
                #expect(row.assessed == (counted ? 1 : 0), "window \(window), rated on day \(offset)")
                #expect(row.missing == (counted ? 0 : 1))
            }
        }
    }
}
