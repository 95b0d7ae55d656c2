import ArgumentParser
import ClinicWork
import Foundation
import RegistryCore
import RegistryStore

struct Verify: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that the registry is what its audit trail says: nothing changed behind the program's back.",
        discussion: """
            Checks the audit chain (each row's SHA-256 over the row before it), every clinical record \
            against the last state its audit rows describe, the triggers that keep the audit trail \
            append-only, every export against the audit row that built it, and the schema's migrations; \
            names every break it finds. Exit 0 only for an intact registry, 3 otherwise.

            A chain can be recomputed by anyone who can write the file, so it is anchored outside it: \
            each hub's signed receipt for a delivered export (kept at delivery, checked against the key \
            given with `endpoint add --hub-key` or `endpoint trust`), the receipts each such hub holds \
            (asked for over the network unless --offline), and any --anchor FILE of lines printed by \
            `ketareg audit anchor`. Each anchor's head must still be the chain's row at its number: a \
            rewrite, a cut-short trail or a rollback before the last anchor is reported. Rows written \
            after the last anchor have nothing outside to be held to. Names, MRNs and birth dates are \
            not in the audit trail; each patient's audit rows carry a keyed seal of them instead, so an \
            identity row changed or moved to another patient is named.

            After a 'ketareg restore --discard-later', the hubs still hold receipts of the history it \
            discarded: they are reported, since a restore row written behind the program's back could \
            name any of them. Once you know the restore was made on purpose, --accept-restores reports \
            them as notes and checks the rest.
            """
    )

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
    @Option(
        name: .customLong("anchor"),
        help: ArgumentHelp("A file of chain anchors written by 'ketareg audit anchor' (repeatable).", valueName: "file")
    )
    var anchorFiles: [String] = []
    @Flag(help: "Do not ask the hubs for their receipts; check only what is kept here and --anchor files.")
    var offline = false
    @Flag(
        name: .customLong("accept-restores"),
        help:
            "Report the anchors of history an audited restore discarded as notes, not breaks (restores made on purpose)."
    )
    var acceptRestores = false

    func run() throws {
        var fileAnchors: [VerifyReport.Anchor] = []
        for file in anchorFiles {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw InputError(field: "anchor", got: file, allowed: "a readable file of anchors")
            }
            fileAnchors += try ChainCheck.anchors(inFile: String(decoding: data, as: UTF8.self), named: file)
        }
        // As the file is: verifying never migrates or writes.
        let inspected = try Registry.inspect(
            at: global.registryPath, today: ClinicDay.today(), clock: ClinicDay.clock(),
            random: ClinicDay.random)
        let report = try ChainCheck(exporter: makeExporter(inspected, catalog: try ConditionCatalog([])))
            .run(
                fileAnchors: fileAnchors, offline: offline, realToday: ClinicDay.machineToday,
                acceptRestores: acceptRestores)
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
            for anchor in report.anchors {
                print("  \(anchor.source): row \(anchor.rows) is \(anchor.head.prefix(16))..., held.")
            }
        } else {
            print("NOT INTACT: \(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") found.")
            for problem in report.problems { print("  [\(problem.kind)] \(problem.detail)") }
        }
        if !json {
            if report.anchors.isEmpty {
                print(
                    "No anchor outside this file: give an endpoint its hub's key, or keep 'ketareg audit anchor' lines elsewhere."
                )
            }
            for note in report.notes { print("Note: \(note)") }
        }
        if !report.intact { throw ExitCode(ExitStatus.storage) }
    }
}
