/// A condition's usual course of ketamine and when its assessments are due.
///
/// Day 0 is the day of the patient's first infusion. The course is the infusions given within
/// ``withinDays`` of day 0; it ends when the last of them ends (a five-day continuous infusion ends
/// five days after it starts). The end-of-course assessment is due from then until
/// ``endOfCourseWindowDays`` later; follow-up visits each have a window of days from day 0.
public struct Course: Sendable, Hashable, Codable {
    /// The course in words ("induction: six infusions within four weeks").
    public let description: String
    /// How many infusions the course usually has.
    public let infusions: Int
    /// Infusions within this many days of the first belong to the course.
    public let withinDays: Int
    /// Days after the course ends within which the end-of-course assessment is due.
    public let endOfCourseWindowDays: Int
    /// Visits after the course, in order.
    public let followUps: [FollowUpVisit]

    public init(description: String, infusions: Int, withinDays: Int, endOfCourseWindowDays: Int, followUps: [FollowUpVisit]) {
        self.description = description
        self.infusions = infusions
        self.withinDays = withinDays
        self.endOfCourseWindowDays = endOfCourseWindowDays
        self.followUps = followUps
    }
}

/// A follow-up visit: its id, the day it aims for, and the days from day 0 in which it counts.
public struct FollowUpVisit: Sendable, Hashable, Codable {
    /// A stable id (`visit-1`).
    public let id: String
    public let name: String
    /// The day (from the first infusion) the visit aims for.
    public let targetDay: Int
    /// The first day on which an assessment counts as this visit.
    public let earliestDay: Int
    /// The last day on which an assessment counts as this visit.
    public let latestDay: Int

    public init(id: String, name: String, targetDay: Int, earliestDay: Int, latestDay: Int) {
        self.id = id
        self.name = name
        self.targetDay = targetDay
        self.earliestDay = earliestDay
        self.latestDay = latestDay
    }
}
