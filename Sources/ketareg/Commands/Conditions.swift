import ArgumentParser
import RegistryCore

struct ConditionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conditions",
        abstract: "List the condition modules, their scales and outcome rules."
    )

    @OptionGroup var output: OutputOptions
    @OptionGroup var modules: CatalogOptions

    func run() throws {
        let catalog = try modules.load()
        let descriptions = catalog.conditions.map(ConditionDescription.init)
        if output.json { return try printJSON(descriptions) }
        for condition in descriptions {
            print("\(condition.id) — \(condition.name) (module version \(condition.version))")
            print("  \(condition.summary)")
            let course = condition.course
            print("  Course: \(course.description) (\(course.infusions) infusion\(course.infusions == 1 ? "" : "s") within \(course.withinDays) days); maintenance: \(course.maintenance); "
                  + (course.retreatmentAfterDays.map { "re-treatment after \($0) days without an infusion, or with 'ketareg course start'." } ?? "re-treatment with 'ketareg course start'."))
            print("  Scales (primary: \(condition.primaryScale)):")
            print(table(condition.scales.map { ["\($0.id)", $0.name, "\(formatScore($0.range.min))-\(formatScore($0.range.max))"] }, indent: "    "))
            if !condition.outcomeRules.isEmpty {
                print("  Outcome rules:")
                print(table(condition.outcomeRules.map { [$0.name + ":", $0.rule] }, indent: "    "))
            }
            for check in condition.safetyChecks {
                print("  Safety flag \(check.flag): raised when \(check.trigger).")
            }
            print("")
        }
        print("See one scale's items and answers with 'ketareg scale show SCALE'.")
    }
}

struct ScaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Describe assessment scales.",
        subcommands: [Show.self]
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a scale's items, allowed answers, range, bands, scoring rule and licence."
        )

        @Argument(help: ArgumentHelp("The scale id, e.g. phq9 (see 'ketareg conditions').", valueName: "scale"), completion: scaleCompletion)
        var scale: String

        @OptionGroup var output: OutputOptions
        @OptionGroup var modules: CatalogOptions

        func run() throws {
            let catalog = try modules.load()
            guard let found = catalog.scale(scale.lowercased()), let condition = catalog.condition(owningScale: found.id) else {
                throw CatalogError.noSuchScale(id: scale, known: catalog.scaleIDs)
            }
            let description = ScaleDescription(found, condition: condition)
            if output.json { return try printJSON(description) }
            print("\(description.id) — \(description.name), version \(description.version) (\(description.condition))")
            print("Score: \(formatScore(description.range.min)) to \(formatScore(description.range.max)), \(description.direction == .higherIsWorse ? "higher is worse" : "higher is better").")
            print("Scoring: \(description.scoring)")
            print("Licence: \(description.licence.status). \(description.licence.note)")
            print("")
            print("Items (answer in this order with --answers, comma separated; leave an unanswered item empty):")
            print(table(description.items.map { item in
                let answers: String
                if let options = item.options {
                    answers = options.map { "\($0.position)=\($0.label)" + (item.options!.map(\.value) == Array(0..<options.count) ? "" : " (\($0.value))") }.joined(separator: ", ")
                } else {
                    answers = "\(item.min!)-\(item.max!)"
                }
                return ["\(item.position).", item.label + (item.scored ? "" : " [not scored]"), answers]
            }, indent: "  "))
            if !description.bands.isEmpty {
                print("")
                print("Bands:")
                print(table(description.bands.map { ["\(formatScore($0.min))-\(formatScore($0.max))", $0.label] }, indent: "  "))
            }
            for rule in description.outcomeRules { print("Outcome rule \(rule.name): \(rule.rule).") }
            for check in description.safetyChecks { print("Safety flag \(check.flag): raised when \(check.trigger). \(check.description)") }
        }
    }
}
