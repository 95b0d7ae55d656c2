import ArgumentParser
import ClinicWork
import Foundation
import RegistryCore
import RegistryStore

/// `ketareg day`: the clinic's day on one sheet.
struct Day: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "day",
        abstract:
            "The day sheet: open safety flags, who was treated or assessed that day, and what is due or overdue, by name.",
        discussion: """
            Examples:
              ketareg day
              ketareg day 2026-11-20 --json
            """
    )

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
    @Argument(help: ArgumentHelp("The day, YYYY-MM-DD or today (default: today).", valueName: "date")) var date: String?

    func run() throws {
        let catalog = try global.catalog()
        let day = try date.map { try ClinicDay.parse($0, field: "date") } ?? ClinicDay.today()
        let sheet = try DaySheet.build(registry: try global.openRegistry(), catalog: catalog, on: day)
        let (flags, seen, due, names) = (sheet.openFlags, sheet.seen, sheet.due, sheet.names)
        if json { return try printJSON(sheet) }

        print("Day sheet for \(day)")
        print("")
        if flags.isEmpty {
            print("Open safety flags: none.")
        } else {
            print(openFlagsText(flags, names: names))
        }
        print("")
        if seen.isEmpty {
            print("Treated or assessed: nobody on \(day).")
        } else {
            print("Treated or assessed:")
            print(
                table(
                    [["NAME", "PATIENT", "INFUSIONS", "ASSESSMENTS"]]
                        + seen.map {
                            [
                                $0.name, $0.patient, $0.infusions.isEmpty ? "-" : $0.infusions.joined(separator: "; "),
                                $0.assessments.isEmpty ? "-" : $0.assessments.joined(separator: "; "),
                            ]
                        }, indent: "  "))
        }
        print("")
        if due.isEmpty {
            print("Due or overdue: nothing.")
        } else {
            print("Due or overdue:")
            print(
                table(
                    [["NAME", "PATIENT", "CONDITION", "ASSESSMENT", "SCALE", "DUE", "STATUS"]]
                        + due.map { entry in
                            let item = entry.item
                            return [
                                entry.name ?? "", item.patient, item.condition, item.name, item.scale,
                                item.dueBy.map { "\(item.dueFrom ?? "") to \($0)" } ?? "before first infusion",
                                item.status == "overdue" ? "OVERDUE \(item.daysOverdue ?? 0)d" : "due",
                            ]
                        }, indent: "  "))
        }
    }
}
