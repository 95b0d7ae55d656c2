import ArgumentParser
import RegistryCore
import RegistryStore

struct Verify: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that the registry is what its audit trail says: nothing changed behind the program's back.",
        discussion: """
            Checks the audit chain (each row's SHA-256 over the row before it), every clinical record \\
            against the last state its audit rows describe, the triggers that keep the audit trail \\
            append-only, and the schema's migrations; names every break it finds. Exit 0 only for an \\
            intact registry, 3 otherwise. The chain head it prints is a witness of the whole history: \\
            kept elsewhere, it shows later whether that history was rewritten. Names, MRNs and birth \\
            dates are not in the audit trail, so changes to them are not detected.
            """
    )

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false

    func run() throws {
        // As the file is: verifying never migrates or writes.
        let report = try Registry.inspect(
            at: global.registryPath, today: ClinicDay.today(), clock: ClinicDay.clock(),
            random: ClinicDay.random
        )
        .verify()
        if json {
            try printJSON(report)
        } else if report.intact {
            print(
                "Intact: \(counted(report.auditRows, "audit row")) chained, \(report.recordsChecked == 1 ? "1 record matches its" : "\(report.recordsChecked) records match their") history, triggers and migrations as they should be."
            )
            print("Chain head: \(report.chainHead ?? "none (empty audit trail)")")
            for witness in report.witnesses {
                print(
                    "  \(witness.endpoint) holds \(witness.chainHead) (export \(witness.export), delivered \(witness.deliveredAt ?? "?")): in the chain."
                )
            }
        } else {
            print("NOT INTACT: \(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") found.")
            for problem in report.problems { print("  [\(problem.kind)] \(problem.detail)") }
        }
        if !report.intact { throw ExitCode(ExitStatus.storage) }
    }
}
