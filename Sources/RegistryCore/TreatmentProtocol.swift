/// The course a clinic runs for a condition: the module's published one, or the clinic's own
/// (`3 infusions within 14 days, assessed within 7 days of the last`), named by a stable reference
/// (`module/1.2`, `clinic/2`) so that results under different protocols are never counted together
/// unknowingly.
public struct TreatmentProtocol: Sendable, Hashable, Codable {
    /// Whose protocol it is.
    public enum Source: String, Vocabulary {
        /// The module's own course, as published.
        case module
        /// A course the clinic set for the condition (`protocol set`).
        case clinic
    }

    /// Whose protocol it is.
    public let source: Source
    /// The module's version for its own protocol; for the clinic's, which of the clinic's
    /// protocols for the condition it is (`1`, `2`, ...), in the order they were set.
    public let version: String
    /// The course: how many infusions, within how many days, the end-of-course window, the visits.
    public let course: Course
    /// Whether the course is one continuous infusion (an inpatient stay), as the clinic says.
    public let continuous: Bool

    /// A protocol of `source` and `version` running `course`.
    public init(source: Source, version: String, course: Course, continuous: Bool = false) {
        self.source = source
        self.version = version
        self.course = course
        self.continuous = continuous
    }

    /// The module's own protocol for `condition`.
    public init(moduleOf condition: any Condition) {
        self.init(source: .module, version: condition.version, course: condition.course)
    }

    /// `module/1.2` or `clinic/2`: what outcome rows, payloads and `outcomes --protocol` name.
    public var reference: String { "\(source.rawValue)/\(version)" }

    /// The protocol's course in words, for pages and reports.
    public var description: String {
        "\(reference): \(course.description)"
    }

    /// The clinic's own course, checked: refusals name the field and the allowed range. The
    /// module's `base` course gives what the clinic does not say: its follow-up visits (when
    /// `followUps` is `nil`), maintenance words and re-treatment gap.
    public static func clinicCourse(
        infusions: Int, withinDays: Int, endOfCourseWindowDays: Int, followUps: [FollowUpVisit]?,
        continuous: Bool, base: Course
    ) throws(InputError) -> Course {
        guard (1...100).contains(infusions) else {
            throw InputError(field: "infusions", got: String(infusions), allowed: "a whole number from 1 to 100")
        }
        guard (1...365).contains(withinDays) else {
            throw InputError(
                field: "within-days", got: String(withinDays), allowed: "a whole number of days from 1 to 365")
        }
        guard (0...90).contains(endOfCourseWindowDays) else {
            throw InputError(
                field: "end-window-days", got: String(endOfCourseWindowDays),
                allowed: "a whole number of days from 0 to 90")
        }
        let visits = followUps ?? base.followUps
        var seen: Set<String> = []
        for visit in visits {
            let text = "\(visit.id):\(visit.targetDay):\(visit.earliestDay)-\(visit.latestDay)"
            let field = followUps == nil ? "follow-up (the module's \(visit.id), kept)" : "follow-up"
            guard seen.insert(visit.id).inserted else {
                throw InputError(
                    field: field, got: text, allowed: "visits with different ids (\(visit.id) is given twice)")
            }
            guard visit.earliestDay <= visit.latestDay else {
                throw InputError(field: field, got: text, allowed: "a window FROM-TO that starts on or before it ends")
            }
            guard (visit.earliestDay...visit.latestDay).contains(visit.targetDay) else {
                throw InputError(
                    field: field, got: text,
                    allowed: "a target day inside its own window (\(visit.earliestDay) to \(visit.latestDay))")
            }
            guard visit.latestDay > withinDays, visit.latestDay <= 3650 else {
                throw InputError(
                    field: field, got: text,
                    allowed:
                        "a window ending after day \(withinDays), the last day a course of \(withinDays) days can run, and by day 3650"
                )
            }
        }
        let plural = infusions == 1 ? "infusion" : "infusions"
        let kind = continuous ? "continuous " : ""
        return Course(
            description:
                "\(infusions) \(kind)\(plural) within \(withinDays) day\(withinDays == 1 ? "" : "s"), assessed within \(endOfCourseWindowDays) day\(endOfCourseWindowDays == 1 ? "" : "s") of the course's end",
            infusions: infusions, withinDays: withinDays, endOfCourseWindowDays: endOfCourseWindowDays,
            followUps: visits.sorted { ($0.targetDay, $0.id) < ($1.targetDay, $1.id) }, maintenance: base.maintenance,
            retreatmentAfterDays: base.retreatmentAfterDays)
    }
}

extension FollowUpVisit {
    /// Reads `ID:DAY:FROM-TO` (`visit-1:41:28-56`): the visit's id, its target day and the days from
    /// day 0 in which an assessment counts as it.
    public static func parse(_ text: String, field: String = "follow-up") throws(InputError) -> FollowUpVisit {
        let allowed = "ID:DAY:FROM-TO, days counted from the first infusion, like visit-1:41:28-56"
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { throw InputError(field: field, got: text, allowed: allowed) }
        let id = parts[0].trimmedWhitespace.lowercased()
        // The summary names its points baseline, end-of-course and each visit's id: a visit may
        // not take the first two.
        guard !id.isEmpty, id.count <= 40,
            id.split(separator: "-", omittingEmptySubsequences: false).allSatisfy({
                !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }
            }), id != "baseline", id != "end-of-course"
        else {
            throw InputError(
                field: field, got: text,
                allowed: "an id of lower-case letters, digits and inner hyphens, then :DAY:FROM-TO")
        }
        let window = parts[2].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let target = Int(parts[1].trimmedWhitespace), window.count == 2,
            let from = Int(window[0].trimmedWhitespace), let to = Int(window[1].trimmedWhitespace),
            (0...3650).contains(target), (0...3650).contains(from), (0...3650).contains(to)
        else {
            throw InputError(field: field, got: text, allowed: allowed + ", each day from 0 to 3650")
        }
        return FollowUpVisit(
            id: id, name: id.replacingOccurrences(of: "-", with: " "), targetDay: target, earliestDay: from,
            latestDay: to)
    }
}

/// Which protocol is in force for a condition's courses, by the day each course starts: the
/// module's, until the clinic sets its own. A protocol set without a day is the clinic's for every
/// course, past and future; one set from a day applies to courses that start on or after it, and
/// earlier courses keep the protocol they started under.
public struct ProtocolSchedule: Sendable, Hashable {
    /// One stretch of start days and the protocol in force for courses starting in it.
    public struct Period: Sendable, Hashable {
        /// The first start day the protocol applies to; `nil` for every day before the next period.
        public let from: ClinicalDate?
        /// The protocol in force.
        public let treatment: TreatmentProtocol
    }

    /// The periods in order of their first day (the first has none).
    public let periods: [Period]

    /// The module's protocol for every course.
    public init(module: TreatmentProtocol) {
        periods = [Period(from: nil, treatment: module)]
    }

    /// The schedule after a protocol is set (or the module's set again) from `from`, or for every
    /// course when `from` is `nil`.
    public func setting(_ treatment: TreatmentProtocol, from: ClinicalDate?) -> ProtocolSchedule {
        guard let from else { return ProtocolSchedule(periods: [Period(from: nil, treatment: treatment)]) }
        return ProtocolSchedule(
            periods: periods.filter { ($0.from.map { $0 < from } ?? true) } + [Period(from: from, treatment: treatment)]
        )
    }

    private init(periods: [Period]) { self.periods = periods }

    /// The protocol a course that starts on `day` runs under.
    public func inForce(on day: ClinicalDate) -> TreatmentProtocol {
        periods.last { $0.from.map { $0 <= day } ?? true }?.treatment ?? periods[0].treatment
    }

    /// The protocol in force for a course starting today or later: the last one set.
    public var current: TreatmentProtocol { periods[periods.count - 1].treatment }

    /// Every protocol of the schedule, once each, in the order of their periods.
    public var treatments: [TreatmentProtocol] {
        var seen: [TreatmentProtocol] = []
        for period in periods where !seen.contains(period.treatment) { seen.append(period.treatment) }
        return seen
    }
}
