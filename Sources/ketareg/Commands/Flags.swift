import ArgumentParser
import ClinicWork
import RegistryCore
import RegistryStore

struct FlagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flag",
        abstract:
            "Safety flags: list them, record their review, see the rules and set the clinic's vital-sign thresholds.",
        discussion: """
            A flag is raised for clinician review when a record meets a safety rule, and stays open \
            until someone records what was done. Each condition module's scales have rules of \
            their own (suicidal thoughts on a depression scale, for one); on infusions, \
            observations and adverse events, by default: \(joinedBySemicolons(VitalSafetyRules.standard.descriptions)). \
            'ketareg flag rules' shows every rule in force at this clinic; 'ketareg flag thresholds' \
            changes the vital-sign thresholds. Open flags head 'patient show' and are listed by \
            'due' and 'day'.

            Examples:
              ketareg flag list --open
              ketareg flag review F-000003 --action "seen by Dr Okafor; safety plan agreed; GP informed"
              ketareg flag thresholds --systolic-at-least 170 --reason "protocol v3, approved 2026-11-02"
            """,
        subcommands: [List.self, Review.self, Rules.self, Thresholds.self]
    )

    struct List: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Flags, oldest first: every one, or only the open ones, for the clinic or one patient.")
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Flag(help: "Only flags still waiting for review.") var open = false
        @Option(help: ArgumentHelp("Only this patient's flags (registry id or MRN).", valueName: "id")) var patient:
            String?

        func run() throws {
            let registry = try global.openRegistry()
            let flags = try registry.flags(
                patient: try patient.map { try patientID($0, field: "patient", registry: registry) }, openOnly: open)
            if json { return try printJSON(["flags": flags]) }
            if flags.isEmpty { return print(open ? "No open flags." : "No flags.") }
            let names = try registry.patientNames(flags.map(\.patient))
            print(
                table(
                    [["FLAG", "PATIENT", "NAME", "KIND", "FROM", "ON", "STATE", "RULE / ACTION"]]
                        + flags.map { flag in
                            [
                                flag.id, flag.patient, names[flag.patient] ?? "", flag.flag, flag.source, flag.raisedOn,
                                flag.state == .open
                                    ? "OPEN"
                                    : "reviewed by \(flag.reviewedBy ?? "?") \(flag.reviewedAt.map { String($0.prefix(10)) } ?? "")",
                                flag.state == .open ? flag.rule : (flag.action ?? ""),
                            ]
                        }))
            let openCount = flags.filter { $0.state == .open }.count
            print(
                "\(counted(flags.count, "flag")), \(openCount) open."
                    + (openCount > 0 ? " Record a review with 'ketareg flag review F-... --action \"...\"'." : ""))
        }
    }

    struct Review: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "review",
            abstract: "Record that a flag was reviewed: who (--actor or your account), when (now) and what was done.",
            discussion: "The review is audited and cannot be undone; a second review of the same flag is refused."
        )
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("The flag's id, e.g. F-000003.", valueName: "flag-id")) var id: String
        @Option(help: ArgumentHelp("What was done, in a few words (required).", valueName: "text")) var action: String

        func run() throws {
            guard let flag = RecordID(id), flag.kind == .flag else {
                throw InputError(
                    field: "<flag-id>", got: id, allowed: "a flag id such as F-000003 (see 'ketareg flag list --open')")
            }
            let reviewed = try global.openRegistry().reviewFlag(flag, action: action, actor: global.actorName)
            if json { return try printJSON(reviewed) }
            print(
                "\(reviewed.id) (\(reviewed.flag), \(reviewed.patient)) reviewed by \(reviewed.reviewedBy ?? "") at \(reviewed.reviewedAt ?? ""): \(reviewed.action ?? "")"
            )
        }
    }
}

extension FlagCommand {
    /// The rules in force, as `flag rules` prints them.
    struct RulesInForce: Encodable {
        struct ScaleRule: Encodable {
            let condition: String
            let scale: String
            let flag: String
            let rule: String
        }
        let scaleRules: [ScaleRule]
        let vitalThresholds: VitalSafetyRules
        let vitalRules: [String]
        let defaults: Bool
    }

    static func rulesInForce(_ registry: Registry, catalog: ConditionCatalog) throws -> RulesInForce {
        let vital = try registry.vitalRules()
        let scaleRules = catalog.conditions.flatMap { condition in
            condition.safetyChecks.map {
                RulesInForce.ScaleRule(
                    condition: condition.id, scale: $0.scale, flag: $0.flag, rule: $0.triggerDescription)
            }
        }
        return RulesInForce(
            scaleRules: scaleRules, vitalThresholds: vital, vitalRules: vital.descriptions, defaults: vital == .standard
        )
    }

    static func printRules(_ rules: RulesInForce) {
        print("On scales (set by each condition's module):")
        print(table(rules.scaleRules.map { [$0.condition, $0.flag, $0.rule] }, indent: "  "))
        print(
            "On infusions, observations and adverse events (\(rules.defaults ? "the defaults" : "this clinic's thresholds"); 'ketareg flag thresholds' changes them):"
        )
        for rule in rules.vitalRules { print("  \(rule)") }
    }

    struct Rules: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "rules",
            abstract:
                "The rules that raise flags at this clinic: each module's scale rules and the clinic's vital-sign thresholds."
        )
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false

        func run() throws {
            let rules = try FlagCommand.rulesInForce(try global.openRegistry(), catalog: try global.moduleCatalog())
            if json { return try printJSON(rules) }
            FlagCommand.printRules(rules)
        }
    }

    struct Thresholds: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "thresholds",
            abstract: "Set the clinic's vital-sign flag thresholds (blood pressure, SpO2).",
            discussion: """
                Defaults: blood pressure at or above 180 systolic or 110 diastolic; SpO2 below 90%. \
                Allowed: systolic \(VitalSafetyRules.allowed.systolicAtLeast.lowerBound)-\(VitalSafetyRules.allowed.systolicAtLeast.upperBound), \
                diastolic \(VitalSafetyRules.allowed.diastolicAtLeast.lowerBound)-\(VitalSafetyRules.allowed.diastolicAtLeast.upperBound), \
                SpO2 \(VitalSafetyRules.allowed.oxygenSaturationBelow.lowerBound)-\(VitalSafetyRules.allowed.oxygenSaturationBelow.upperBound). \
                A threshold not given keeps its current value. The change is audited with its reason \
                and checked by 'ketareg verify'. It applies to readings recorded from then on, and to \
                records corrected later; flags already raised stay as they are.
                """
        )
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Option(
            name: .customLong("systolic-at-least"),
            help: ArgumentHelp("Flag a systolic pressure at or above this (mmHg).", valueName: "mmHg")) var systolic:
            Int?
        @Option(
            name: .customLong("diastolic-at-least"),
            help: ArgumentHelp("Flag a diastolic pressure at or above this (mmHg).", valueName: "mmHg")) var diastolic:
            Int?
        @Option(
            name: .customLong("spo2-below"), help: ArgumentHelp("Flag an SpO2 below this (%).", valueName: "percent"))
        var spo2: Int?
        @Option(help: ArgumentHelp("Why the thresholds change (required).", valueName: "text")) var reason: String

        func validate() throws {
            guard systolic != nil || diastolic != nil || spo2 != nil else {
                throw ValidationError(
                    "name at least one threshold to change: --systolic-at-least, --diastolic-at-least or --spo2-below ('ketareg flag rules' shows those in force)"
                )
            }
        }

        func run() throws {
            let registry = try global.openRegistry()
            var rules = try registry.vitalRules()
            if let systolic { rules.systolicAtLeast = systolic }
            if let diastolic { rules.diastolicAtLeast = diastolic }
            if let spo2 { rules.oxygenSaturationBelow = spo2 }
            let before = try registry.setVitalRules(rules, reason: reason, actor: global.actorName)
            let after = try FlagCommand.rulesInForce(registry, catalog: try global.moduleCatalog())
            if json { return try printJSON(after) }
            print(
                before == rules
                    ? "Nothing changed: these are the thresholds in force."
                    : "Thresholds changed; they apply to readings recorded from now on.")
            for rule in after.vitalRules.prefix(2) { print("  \(rule)") }
        }
    }
}

/// Says which flags a record just raised, on standard output, so that no one misses them.
/// Each flag a record raised, with how to review it.
func printFlagsForReview(_ flags: [SafetyFlagView]) {
    for flag in flags {
        print(
            "  FOR CLINICIAN REVIEW: \(flag.id) \(flag.flag) (\(flag.rule)). After review: ketareg flag review \(flag.id) --action \"...\""
        )
    }
}

/// Open flags as `due` and `day` list them, under a heading that says how to review them.
func openFlagsText(_ flags: [SafetyFlagView], names: [String: String]) -> String {
    "OPEN SAFETY FLAGS (review with 'ketareg flag review F-... --action \"...\"'):\n"
        + table(
            flags.map {
                [$0.id, $0.patient, names[$0.patient] ?? "", $0.flag, "from \($0.source) on \($0.raisedOn)", $0.rule]
            }, indent: "  ")
}

/// The texts joined by "; ". Every command builds `flag`'s help while ArgumentParser reads the
/// command tree, and `joined(separator:)`, unspecialised here, cost a type lookup in the start-up
/// of every command (0.4M instructions); this loop does not.
private func joinedBySemicolons(_ texts: [String]) -> String {
    var joined = ""
    for text in texts {
        if !joined.isEmpty { joined += "; " }
        joined += text
    }
    return joined
}
