import Foundation
import RegistryCore
import Yams

/// The condition and its course.
extension Reader {
    func condition(_ root: Node) throws -> DeclarativeCondition {
        // `applies-to: every-condition` makes a shared module (quality of life): scales for any
        // patient, judged within each of their conditions' courses; it has no course or primary scale.
        var scope = ModuleScope.condition
        if case .mapping(let top) = root, let node = top.first(where: { $0.key.string == "applies-to" })?.value {
            let text = try string(node, "applies-to")
            switch text {
            case "one-condition": scope = .condition
            case "every-condition": scope = .everyCondition
            default: throw fail(node, "applies-to '\(text)' is not one of one-condition (the default), every-condition")
            }
        }
        let entries =
            scope == .condition
            ? try mapping(
                root, "the condition", required: ["id", "name", "version", "summary", "primary-scale", "scales"],
                optional: ["course", "outcome-rules", "safety-checks", "applies-to", "codes"])
            : try mapping(
                root, "a module that applies to every condition (it has no course or primary scale of its own)",
                required: ["id", "name", "version", "summary", "scales", "applies-to"],
                optional: ["outcome-rules", "safety-checks", "codes"])
        let conditionID = try id(entries["id"], "the condition's id")
        var scales: [StandardScale] = []
        var scaleLines: [String: Node] = [:]
        for node in try sequence(entries["scales"], "scales") {
            let scale = try self.scale(node)
            if scaleLines[scale.id] != nil {
                throw fail(node, "a second scale with the id '\(scale.id)'; scale ids must be unique")
            }
            scaleLines[scale.id] = node
            scales.append(scale)
        }
        let primary =
            scope == .everyCondition ? scales.first?.id ?? "" : try string(entries["primary-scale"], "primary-scale")
        guard scaleLines[primary] != nil else {
            throw fail(
                entries["primary-scale"],
                "primary-scale names '\(primary)', which is not one of this file's scales (\(scales.map(\.id).joined(separator: ", ")))"
            )
        }
        var rules: [OutcomeRule] = []
        for node in try entries["outcome-rules"].map({ try sequence($0, "outcome-rules") }) ?? [] {
            let rule = try outcomeRule(node, scales: scales)
            if rules.contains(where: { $0.id == rule.id }) {
                throw fail(node, "a second outcome rule with the id '\(rule.id)'")
            }
            rules.append(rule)
        }
        var checks: [SafetyCheck] = []
        for node in try entries["safety-checks"].map({ try sequence($0, "safety-checks") }) ?? [] {
            checks.append(try safetyCheck(node, scales: scales))
        }
        let course = try entries["course"].map { try self.course($0) }
        let built = DeclarativeCondition(
            id: conditionID, name: try string(entries["name"], "name"),
            version: try string(entries["version"], "version"),
            summary: try string(entries["summary"], "summary"), primaryScale: primary, standardScales: scales,
            outcomeRules: rules,
            safetyChecks: checks, course: course ?? Fallback().course, scope: scope,
            codes: try entries["codes"].map { try codes($0, "the condition's codes") } ?? [], file: file,
            lines: scaleLines.reduce(into: ["id": entries["id"]?.mark?.line ?? 1]) {
                $0["scale:\($1.key)"] = $1.value.mark?.line ?? 1
            })
        // Anything the file-level checks missed, the catalog's own checks find.
        do { _ = try ConditionCatalog([built]) } catch { throw fail(root, "\(error)") }
        return built
    }

    /// The protocol's default course, for files that do not describe one.
    private struct Fallback: Condition {
        let id = "fallback", name = "", version = "", summary = "", primaryScale = ""
        var scales: [any AssessmentScale] { [] }
        var outcomeRules: [OutcomeRule] { [] }
    }

    func course(_ node: Node) throws -> Course {
        let entries = try mapping(
            node, "course", required: ["description", "infusions", "within-days", "end-of-course-window-days"],
            optional: ["follow-ups", "maintenance", "retreatment-after-days"])
        // Day counts are bounded so that no date arithmetic on them can overflow.
        func days(_ key: String, _ range: ClosedRange<Int>, in fields: [String: Node], of node: Node) throws -> Int {
            let value = try int(fields[key], key)
            guard range.contains(value) else {
                throw fail(
                    fields[key] ?? node, "\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)"
                )
            }
            return value
        }
        var visits: [FollowUpVisit] = []
        for visit in try entries["follow-ups"].map({ try sequence($0, "follow-ups") }) ?? [] {
            let fields = try mapping(
                visit, "a follow-up visit", required: ["id", "name", "target-day", "earliest-day", "latest-day"],
                optional: [])
            let earliest = try days("earliest-day", 0...3_650, in: fields, of: visit)
            let target = try days("target-day", 0...3_650, in: fields, of: visit)
            let latest = try days("latest-day", 0...3_650, in: fields, of: visit)
            guard earliest <= target, target <= latest else {
                throw fail(visit, "a visit's days must run earliest-day <= target-day <= latest-day")
            }
            visits.append(
                FollowUpVisit(
                    id: try id(fields["id"], "a visit's id"), name: try string(fields["name"], "a visit's name"),
                    targetDay: target, earliestDay: earliest, latestDay: latest))
        }
        // `retreatment-after-days: none` when only `ketareg course start` begins a re-treatment course.
        var retreatment: Int? = Course.defaultRetreatmentAfterDays
        if let node = entries["retreatment-after-days"] {
            if case .scalar(let scalar) = node, scalar.string.lowercased() == "none" {
                retreatment = nil
            } else {
                retreatment = try days("retreatment-after-days", 1...3_650, in: entries, of: node)
            }
        }
        let maintenance = try entries["maintenance"].map { try string($0, "maintenance") }
        return Course(
            description: try string(entries["description"], "course description"),
            infusions: try days("infusions", 1...100, in: entries, of: node),
            withinDays: try days("within-days", 1...365, in: entries, of: node),
            endOfCourseWindowDays: try days("end-of-course-window-days", 0...365, in: entries, of: node),
            followUps: visits,
            maintenance: maintenance ?? "infusions after the course is over, until a re-treatment course starts",
            retreatmentAfterDays: retreatment)
    }
}
