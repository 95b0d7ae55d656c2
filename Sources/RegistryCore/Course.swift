/// A condition's usual course of ketamine, when its assessments are due, and what the module calls
/// maintenance and re-treatment.
///
/// A condition's history is a sequence of courses: the first is the induction, later ones are
/// re-treatment courses. Day 0 of a course is the day of its first infusion. Infusions belong to the
/// course until it is over: its usual number of ``infusions`` given, ``withinDays`` passed since day
/// 0, or the clinic ended it (`ketareg course end`). Infusions after that are maintenance, until a
/// re-treatment course starts: by hand (`ketareg course start`) or by itself after
/// ``retreatmentAfterDays`` without an infusion. The end-of-course assessment counts from the day
/// the course's last infusion ends (a five-day continuous infusion ends five days after it starts)
/// until ``endOfCourseWindowDays`` after the course is over; follow-up visits each have a window of
/// days from day 0.
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
    /// What the module calls maintenance, in words ("booster infusions every 2 to 6 weeks").
    public let maintenance: String
    /// Days without any infusion after which the next infusion starts a re-treatment course; `nil`
    /// when only `ketareg course start` begins one.
    public let retreatmentAfterDays: Int?

    /// Ninety days without an infusion: long enough that a maintenance interval (two to six weeks in
    /// the clinics' protocols) never reaches it.
    public static let defaultRetreatmentAfterDays = 90

    /// A course; maintenance is described in general words, and re-treatment starts after 90 days without an infusion,
    /// unless told otherwise.
    public init(
        description: String, infusions: Int, withinDays: Int, endOfCourseWindowDays: Int, followUps: [FollowUpVisit],
        maintenance: String = "infusions after the course is over, until a re-treatment course starts",
        retreatmentAfterDays: Int? = Course.defaultRetreatmentAfterDays
    ) {
        self.description = description
        self.infusions = infusions
        self.withinDays = withinDays
        self.endOfCourseWindowDays = endOfCourseWindowDays
        self.followUps = followUps
        self.maintenance = maintenance
        self.retreatmentAfterDays = retreatmentAfterDays
    }
}

/// A follow-up visit: its id, the day it aims for, and the days from day 0 in which it counts.
public struct FollowUpVisit: Sendable, Hashable, Codable {
    /// A stable id (`visit-1`).
    public let id: String
    /// The visit's name in reports (`1-month visit`).
    public let name: String
    /// The day (from the first infusion) the visit aims for.
    public let targetDay: Int
    /// The first day on which an assessment counts as this visit.
    public let earliestDay: Int
    /// The last day on which an assessment counts as this visit.
    public let latestDay: Int

    /// A visit aiming for `targetDay`, counting assessments from `earliestDay` to `latestDay`, in days from day 0.
    public init(id: String, name: String, targetDay: Int, earliestDay: Int, latestDay: Int) {
        self.id = id
        self.name = name
        self.targetDay = targetDay
        self.earliestDay = earliestDay
        self.latestDay = latestDay
    }
}
