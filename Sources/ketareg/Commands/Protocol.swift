import ArgumentParser
import Foundation
import RegistryCore
import RegistryStore

struct ProtocolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protocol",
        abstract: "Show or set the course each condition runs: the module's, or the clinic's own.",
        discussion: """
            A course is judged under the protocol in force on the day it started: its number of \
            infusions, the days within which they belong to it, the days after its end in which \
            the end-of-course assessment counts, and its follow-up visits. Without --from, a \
            protocol is the clinic's for every course, past and future; with --from DATE, for \
            courses that start on or after DATE, and earlier courses keep theirs. Every outcome \
            row names its protocol (module/VERSION or clinic/N); 'outcomes --protocol' filters by it.
            """,
        subcommands: [Show.self, SetProtocol.self, Reset.self]
    )

    /// `--from`: the first start day a change applies to.
    static let fromHelp = ArgumentHelp(
        "Apply to courses that start on or after this day (YYYY-MM-DD); without it, to every course.",
        valueName: "date")

    /// What `set` and `reset` print: the protocol and the courses it now applies to.
    static func confirmation(_ change: ProtocolChange, condition: any Condition) -> String {
        "\(condition.id): \(change.treatment.reference) "
            + (change.from.map { "for courses starting from \($0)" } ?? "for every course")
            + ": \(change.treatment.course.description)"
    }

    /// The condition named, from the catalog.
    static func condition(_ id: String, in catalog: ConditionCatalog) throws -> any Condition {
        guard let found = catalog.condition(id.trimmedWhitespace.lowercased()) else {
            throw CatalogError.noSuchCondition(id: id, known: catalog.conditionIDs)
        }
        return found
    }

    struct Show: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "The protocols in force: the module's or the clinic's, since when, set by whom and why.")
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("Only this condition.", valueName: "condition")) var condition: String?

        func run() throws {
            let registry = try global.openRegistry()
            let catalog = try global.catalog()
            let shown = try condition.map { [try ProtocolCommand.condition($0, in: catalog)] } ?? catalog.conditions
            let entries = try shown.map { condition in
                ProtocolEntry(
                    condition: condition.id,
                    periods: condition.protocols.periods.map {
                        ProtocolEntry.Period(from: $0.from?.description, treatment: $0.treatment)
                    }, changes: try registry.protocolChanges(condition: condition.id))
            }
            if json { return try printJSON(["protocols": entries]) }
            for entry in entries {
                print(entry.condition)
                for period in entry.periods {
                    let since = period.from.map { "courses starting from \($0)" } ?? "every course"
                    print("  \(period.treatment.reference)  \(since): \(period.treatment.course.description)")
                    for visit in period.treatment.course.followUps {
                        print(
                            "      \(visit.id): day \(visit.targetDay) (days \(visit.earliestDay)-\(visit.latestDay))")
                    }
                }
                for change in entry.changes {
                    print(
                        "  set \(change.setAt) by \(change.setBy): \(change.treatment.reference)"
                            + (change.from.map { " from \($0)" } ?? " for every course") + " (\(change.reason))")
                }
            }
        }
    }

    /// `protocol show --json`: one condition's protocols in force and the changes that made them.
    struct ProtocolEntry: Encodable {
        struct Period: Encodable {
            let from: String?
            let treatment: TreatmentProtocol
        }
        let condition: String
        let periods: [Period]
        let changes: [ProtocolChange]
    }

    struct SetProtocol: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set the clinic's own protocol for a condition.",
            discussion: """
                Example (a series of three infusions, then assessed):
                  ketareg protocol set migraine --infusions 3 --within-days 14 --end-window-days 7 \\
                    --follow-up visit-1:41:28-56 --reason "clinic protocol 2026"
                Without --follow-up, the module's follow-up visits are kept.
                """)
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("The condition.", valueName: "condition")) var condition: String
        @Option(help: ArgumentHelp("Infusions in a course (1 to 100).", valueName: "n")) var infusions: Int
        @Option(
            name: .customLong("within-days"),
            help: ArgumentHelp(
                "Infusions within this many days of the first belong to the course (1 to 365).", valueName: "days"))
        var withinDays: Int
        @Option(
            name: .customLong("end-window-days"),
            help: ArgumentHelp(
                "Days after the course is over in which the end-of-course assessment counts (0 to 90).",
                valueName: "days"))
        var endWindowDays: Int
        @Option(
            name: .customLong("follow-up"),
            help: ArgumentHelp(
                "A follow-up visit, ID:DAY:FROM-TO in days from the first infusion (repeat for each visit).",
                valueName: "visit"))
        var followUps: [String] = []
        @Flag(help: "The course is one continuous infusion (an inpatient stay).") var continuous = false
        @Option(help: ProtocolCommand.fromHelp) var from: String?
        @Option(help: ArgumentHelp("Why (kept in the audit trail; required).", valueName: "text")) var reason: String

        func run() throws {
            let registry = try global.openRegistry()
            let condition = try ProtocolCommand.condition(self.condition, in: try global.catalog())
            let visits = try followUps.isEmpty ? nil : followUps.map { try FollowUpVisit.parse($0) }
            let change = try registry.setProtocol(
                condition: condition, infusions: infusions, withinDays: withinDays,
                endOfCourseWindowDays: endWindowDays, followUps: visits, continuous: continuous,
                from: try from.map { try ClinicDay.parse($0, field: "from") }, reason: reason,
                actor: global.actorName)
            if json { return try printJSON(change) }
            print(ProtocolCommand.confirmation(change, condition: condition))
        }
    }

    struct Reset: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset", abstract: "Put the module's own protocol back in force for a condition.")
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("The condition.", valueName: "condition")) var condition: String
        @Option(help: ProtocolCommand.fromHelp) var from: String?
        @Option(help: ArgumentHelp("Why (kept in the audit trail; required).", valueName: "text")) var reason: String

        func run() throws {
            let registry = try global.openRegistry()
            let condition = try ProtocolCommand.condition(self.condition, in: try global.catalog())
            let change = try registry.resetProtocol(
                condition: condition, from: try from.map { try ClinicDay.parse($0, field: "from") },
                reason: reason, actor: global.actorName)
            if json { return try printJSON(change) }
            print(ProtocolCommand.confirmation(change, condition: condition))
        }
    }
}
