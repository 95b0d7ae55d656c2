import ArgumentParser
import RegistryCore

struct ConditionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conditions",
        abstract: "List the condition modules, their scales and outcome rules."
    )

    @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
    @OptionGroup var modules: CatalogOptions

    func run() throws {
        let catalog = try modules.load()
        let descriptions = (catalog.conditions + catalog.sharedModules).map(ConditionDescription.init)
        if json { return try printJSON(descriptions) }
        for condition in descriptions {
            print(
                "\(condition.id) — \(condition.name) (module version \(condition.version))"
                    + (condition.scope == .everyCondition ? ", shared by every condition" : ""))
            print("  \(condition.summary)")
            if !condition.codes.isEmpty { print("  Codes: \(codesText(condition.codes)).") }
            if let course = condition.course {
                print(
                    "  Course: \(course.description) (\(course.infusions) infusion\(course.infusions == 1 ? "" : "s") within \(course.withinDays) days); maintenance: \(course.maintenance); "
                        + (course.retreatmentAfterDays.map {
                            "re-treatment after \($0) days without an infusion, or with 'ketareg course start'."
                        } ?? "re-treatment with 'ketareg course start'."))
                print(
                    "  Scales (primary: \(condition.primaryScale)\(condition.sharedScales.isEmpty ? "" : "; also the shared " + condition.sharedScales.joined(separator: ", "))):"
                )
            } else {
                print(
                    "  Any patient may be assessed on these scales; their rules are judged within each of the patient's conditions' courses."
                )
                print("  Scales:")
            }
            print(
                table(
                    condition.scales.map {
                        ["\($0.id)", $0.name, "\(formatScore($0.range.min))-\(formatScore($0.range.max))"]
                    }, indent: "    "))
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
        abstract: "Describe assessment scales, and score answers without a registry.",
        subcommands: [Show.self, Score.self]
    )

    /// What `scale score --json` prints: everything `assess` would compute, nothing stored.
    struct Scored: Encodable {
        struct Flag: Encodable {
            let flag: String
            let rule: String
        }
        let scale: String
        let scaleVersion: String
        let condition: String
        let answers: [Int?]
        let score: Double
        let band: String?
        let bandLabel: String?
        let subscores: [String: Double]
        let flags: [Flag]
        /// The unanswered items, by id.
        let unanswered: [String]
        let notes: [String]
    }

    struct Score: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "score",
            abstract:
                "Score answers exactly as 'assess' does, without a registry: score, band, subscores, flags, unanswered items.",
            discussion: """
                Nothing is opened, created or stored. Use it to try a scale, or to check a module \
                you are writing against the instrument's published examples (with --conditions DIR \
                for a folder of YAML modules). A refusal (an answer out of range, too few answered) \
                exits 1 with the reason, as 'assess' would.

                Examples:
                  ketareg scale score phq9 --answers 2,2,1,3,1,2,1,0,1
                  ketareg scale score headache-nrs --value 7 --json
                  ketareg scale score ybocs --answers 3,3,2,2,3,2,2,1,1,2 --conditions my-modules
                """
        )

        @Argument(
            help: ArgumentHelp("The scale id, e.g. phq9 (see 'ketareg conditions').", valueName: "scale"),
            completion: scaleCompletion)
        var scale: String
        @Option(
            help: ArgumentHelp(
                "One answer per item, comma separated; leave an unanswered item empty (3,,2).", valueName: "a,b,c"))
        var answers: String?
        @Option(help: ArgumentHelp("The value of a single-value measure.", valueName: "x")) var value: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @OptionGroup var modules: CatalogOptions

        func validate() throws {
            if answers != nil && value != nil { throw ValidationError("Give --answers or --value, not both") }
        }

        func run() throws {
            let catalog = try modules.load()
            let found = try catalog.scale(named: scale)
            let raw = try readAnswers(
                answers: answers, value: value, scale: found, header: "\(found.name): scoring only, nothing is stored")
            let scored = try catalog.assess(scale: found.id, answers: raw)
            let result = Scored(
                scale: found.id, scaleVersion: found.version, condition: scored.condition, answers: raw,
                score: scored.result.score,
                band: scored.result.band?.id, bandLabel: scored.result.band?.label,
                subscores: Dictionary(uniqueKeysWithValues: scored.result.subscores.map { ($0.name, $0.value) }),
                flags: scored.flags.map { Scored.Flag(flag: $0, rule: scored.flagRules[$0] ?? "") },
                unanswered: found.items.indices.filter { raw[$0] == nil }.map { found.items[$0].id },
                notes: scored.result.notes)
            if json { return try printJSON(result) }
            print(
                "\(found.id) " + scoreText(result.score, band: result.band, scale: found)
                    + subscoreText(result.subscores.isEmpty ? nil : result.subscores))
            for subscore in found.subscores where result.subscores[subscore.id] != nil {
                print("  \(subscore.id) \(formatScore(result.subscores[subscore.id]!)): \(subscore.description)")
            }
            if !result.unanswered.isEmpty {
                print(
                    "  Unanswered: item\(result.unanswered.count == 1 ? "" : "s") \(result.unanswered.joined(separator: ", "))."
                )
            }
            for note in result.notes { print("  Note: \(note).") }
            for flag in result.flags { print("  Would raise \(flag.flag) for clinician review (\(flag.rule)).") }
            print("Nothing was stored.")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a scale's items, allowed answers, range, bands, scoring rule and licence."
        )

        @Argument(
            help: ArgumentHelp("The scale id, e.g. phq9 (see 'ketareg conditions').", valueName: "scale"),
            completion: scaleCompletion)
        var scale: String

        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @OptionGroup var modules: CatalogOptions

        func run() throws {
            let catalog = try modules.load()
            guard let found = catalog.scale(scale.lowercased()),
                let condition = catalog.condition(owningScale: found.id)
            else {
                throw CatalogError.noSuchScale(id: scale, known: catalog.scaleIDs)
            }
            let description = ScaleDescription(found, condition: condition)
            if json { return try printJSON(description) }
            print("\(description.id) — \(description.name), version \(description.version) (\(description.condition))")
            print(
                "Score: \(formatScore(description.range.min)) to \(formatScore(description.range.max)), \(description.direction == .higherIsWorse ? "higher is worse" : "higher is better")."
            )
            print("Scoring: \(description.scoring)")
            print("Licence: \(description.licence.status). \(description.licence.note)")
            if !description.codes.isEmpty { print("Score code: \(codesText(description.codes)).") }
            if !description.formCodes.isEmpty { print("Form code: \(codesText(description.formCodes)).") }
            let itemCodes = description.items.filter { !$0.codes.isEmpty }
            if !itemCodes.isEmpty {
                print(
                    "Item codes: "
                        + itemCodes.map { "\($0.position). \($0.codes.map(\.code).joined(separator: " "))" }.joined(
                            separator: ", ") + " (LOINC).")
            }
            print("")
            print("Items (answer in this order with --answers, comma separated; leave an unanswered item empty):")
            print(
                table(
                    description.items.map { item in
                        let answers: String
                        if let options = item.options {
                            answers = options.map {
                                "\($0.position)=\($0.label)"
                                    + (item.options!.map(\.value) == Array(0..<options.count) ? "" : " (\($0.value))")
                            }.joined(separator: ", ")
                        } else {
                            answers = "\(item.min!)-\(item.max!)"
                        }
                        return ["\(item.position).", item.label + (item.scored ? "" : " [not scored]"), answers]
                    }, indent: "  "))
            if !description.subscores.isEmpty {
                print("")
                print("Subscores (stored with every assessment; outcome rules may use them):")
                print(table(description.subscores.map { [$0.id, $0.description] }, indent: "  "))
            }
            if !description.bands.isEmpty {
                print("")
                print("Bands:")
                print(
                    table(
                        description.bands.map {
                            [
                                "\(formatScore($0.min))-\(formatScore($0.max))", $0.label,
                                $0.codes.isEmpty ? "" : codesText($0.codes),
                            ]
                        }, indent: "  "))
            }
            for rule in description.outcomeRules { print("Outcome rule \(rule.name): \(rule.rule).") }
            for check in description.safetyChecks {
                print("Safety flag \(check.flag): raised when \(check.trigger). \(check.description)")
            }
            // When it is judged: the owning condition's course, or every condition's for a shared scale.
            if condition.scope == .everyCondition {
                print("Judged within each of the patient's conditions' courses (shared by every condition).")
            } else {
                let course = condition.course
                print(
                    "Course (\(condition.id)): \(course.description); baseline before the first infusion, end of course within \(course.endOfCourseWindowDays) days after it ends"
                        + (course.followUps.isEmpty
                            ? ""
                            : ", visits "
                                + course.followUps.map { "\($0.name) (days \($0.earliestDay)-\($0.latestDay))" }.joined(
                                    separator: ", ")) + ".")
            }
        }
    }
}

/// Codes as a person reads them: "SNOMED CT 37796009 (Migraine), ICD-10 G43".
func codesText(_ codes: [StandardCode]) -> String {
    codes.map { code in
        let system =
            switch code.system {
            case StandardCode.loinc: "LOINC"
            case StandardCode.snomed: "SNOMED CT"
            case StandardCode.icd10: "ICD-10"
            default: code.system
            }
        return "\(system) \(code.code)" + (code.display.map { " (\($0))" } ?? "")
    }.joined(separator: ", ")
}
