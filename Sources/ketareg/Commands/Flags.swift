import ArgumentParser
import RegistryCore
import RegistryStore

struct FlagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flag",
        abstract: "Safety flags: list them, and record their review.",
        discussion: """
            A flag is raised for clinician review when a record meets a safety rule, and stays open \
            until someone records what was done. The rules: \(FlagCommand.rules). Open flags head \
            'patient show' and are listed by 'due' and 'day'.

            Examples:
              ketareg flag list --open
              ketareg flag review F-000003 --action "seen by Dr Okafor; safety plan agreed; GP informed"
            """,
        subcommands: [List.self, Review.self]
    )

    /// Every rule that raises a flag, in words.
    static var rules: String {
        var rules: [String] = []
        for condition in builtInConditions {
            for check in condition.safetyChecks { rules.append("\(check.flag): \(check.triggerDescription)") }
        }
        return (rules + VitalSafetyRules.standard.descriptions).joined(separator: "; ")
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Flags, oldest first: every one, or only the open ones, for the clinic or one patient.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Only flags still waiting for review.") var open = false
        @Option(help: ArgumentHelp("Only this patient's flags (registry id or MRN).", valueName: "id")) var patient: String?

        func run() throws {
            let registry = try global.openRegistry()
            let flags = try registry.flags(patient: try patient.map { try patientID($0, field: "patient", registry: registry) }, openOnly: open)
            if output.json { return try printJSON(["flags": flags]) }
            if flags.isEmpty { return print(open ? "No open flags." : "No flags.") }
            let names = try registry.patientNames()
            print(table([["FLAG", "PATIENT", "NAME", "KIND", "FROM", "ON", "STATE", "RULE / ACTION"]] + flags.map { flag in
                [flag.id, flag.patient, names[flag.patient] ?? "", flag.flag, flag.source, flag.raisedOn,
                 flag.state == "open" ? "OPEN" : "reviewed by \(flag.reviewedBy ?? "?") \(flag.reviewedAt.map { String($0.prefix(10)) } ?? "")",
                 flag.state == "open" ? flag.rule : (flag.action ?? "")]
            }))
            let openCount = flags.filter { $0.state == "open" }.count
            print("\(counted(flags.count, "flag")), \(openCount) open." + (openCount > 0 ? " Record a review with 'ketareg flag review F-... --action \"...\"'." : ""))
        }
    }

    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that a flag was reviewed: who (--actor or your account), when (now) and what was done.",
            discussion: "The review is audited and cannot be undone; a second review of the same flag is refused."
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: ArgumentHelp("The flag's id, e.g. F-000003.", valueName: "flag-id")) var id: String
        @Option(help: ArgumentHelp("What was done, in a few words (required).", valueName: "text")) var action: String

        func run() throws {
            guard let flag = RecordID(id), flag.kind == .flag else {
                throw InputError(field: "<flag-id>", got: id, allowed: "a flag id such as F-000003 (see 'ketareg flag list --open')")
            }
            let reviewed = try global.openRegistry().reviewFlag(flag, action: action, actor: global.actorName)
            if output.json { return try printJSON(reviewed) }
            print("\(reviewed.id) (\(reviewed.flag), \(reviewed.patient)) reviewed by \(reviewed.reviewedBy ?? "") at \(reviewed.reviewedAt ?? ""): \(reviewed.action ?? "")")
        }
    }
}

/// Says which flags a record just raised, on standard output, so that no one misses them.
func printRaisedFlags(_ registry: Registry, from source: String, patient: RecordID) throws {
    for flag in try registry.flags(patient: patient, openOnly: true) where flag.source == source {
        print("  FOR CLINICIAN REVIEW: \(flag.id) \(flag.flag) (\(flag.rule)). After review: ketareg flag review \(flag.id) --action \"...\"")
    }
}

/// Open flags as `due` and `day` list them, under a heading that says how to review them.
func openFlagsText(_ flags: [SafetyFlagView], names: [String: String]) -> String {
    "OPEN SAFETY FLAGS (review with 'ketareg flag review F-... --action \"...\"'):\n"
        + table(flags.map { [$0.id, $0.patient, names[$0.patient] ?? "", $0.flag, "from \($0.source) on \($0.raisedOn)", $0.rule] }, indent: "  ")
}
