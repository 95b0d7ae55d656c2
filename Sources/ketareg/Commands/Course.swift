import ArgumentParser
import RegistryCore
import RegistryStore

/// Which patient, condition and day a course marker is for: shared by `course start` and `course end`.
struct CourseTarget: ParsableArguments {
    @Argument(help: ArgumentHelp("The patient's registry id (P-000042) or MRN.", valueName: "id")) var id: String
    @Option(
        name: .customLong("for"),
        help: ArgumentHelp("The condition: required when the patient has more than one.", valueName: "condition"))
    var condition: String?
    @Option(help: ArgumentHelp("The day, YYYY-MM-DD or today.", valueName: "date")) var on: String

    /// Records the marker and returns it.
    func record(_ kind: CourseMarker.Kind, courseKind: CourseKind? = nil, reason: String?, global: GlobalOptions) throws
        -> CourseEventView
    {
        let registry = try global.openRegistry()
        return try registry.addCourseMarker(
            kind, patient: try patientID(id, registry: registry), condition: condition,
            on: try ClinicDay.parse(on, field: "on"),
            courseKind: courseKind, reason: reason, catalog: try global.catalog(), actor: global.actorName)
    }
}

struct CourseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "course",
        abstract: "Start a re-treatment course, or end a course early.",
        discussion: """
            A condition's history is a sequence of courses. The first infusion opens the induction; \\
            infusions after it is over (its usual number given, or its days passed) are maintenance. \\
            A re-treatment course opens with the first infusion after 'course start', or by itself \\
            after the module's gap without an infusion ('ketareg conditions' shows each module's \\
            conventions). 'course end' marks a course stopped early: it is over that day, and its \\
            end-of-course assessment is due from the day its last infusion ended.
            """,
        subcommands: [Start.self, End.self]
    )

    struct Start: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "start",
            abstract:
                "Open a new course (a re-treatment after relapse): the next infusion for the condition is its first.",
            discussion: "Example:\n  ketareg course start P-000042 --for depression --on 2026-09-01"
        )

        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @OptionGroup var target: CourseTarget
        @Option(
            help: ArgumentHelp(
                "induction or re-treatment (default: induction for the condition's first course, re-treatment after one).",
                valueName: "kind")) var kind: String?
        @Option(help: ArgumentHelp("Why, in a few words (kept in the audit trail).", valueName: "text")) var reason:
            String?

        func run() throws {
            var courseKind: CourseKind?
            if let kind {
                guard let parsed = CourseKind(rawValue: kind.lowercased()) else {
                    throw InputError(
                        field: "kind", got: kind, allowed: CourseKind.allCases.map(\.rawValue).joined(separator: " or ")
                    )
                }
                courseKind = parsed
            }
            let marker = try target.record(.start, courseKind: courseKind, reason: reason, global: global)
            if json { return try printJSON(marker) }
            print(marker.id)
            note(
                "Started a new \(marker.courseKind.map { "\($0) " } ?? "")course of \(marker.condition) for \(marker.patient) on \(marker.on): the next \(marker.condition) infusion is its first."
            )
        }
    }

    struct End: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "end",
            abstract: "End the course in progress (stopped early): it counts as over from that day.",
            discussion:
                "Example:\n  ketareg course end P-000042 --for depression --on 2026-03-20 --reason \"stopped after 4 infusions: nausea\""
        )

        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @OptionGroup var target: CourseTarget
        @Option(help: ArgumentHelp("Why the course ended (required).", valueName: "text")) var reason: String

        func run() throws {
            let marker = try target.record(.end, reason: reason, global: global)
            if json { return try printJSON(marker) }
            print(marker.id)
            note("Ended the \(marker.condition) course of \(marker.patient) on \(marker.on).")
        }
    }
}
