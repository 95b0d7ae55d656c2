import ArgumentParser
import ClinicWork
import Foundation
import RegistryCore
import RegistryStore

struct Backup: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the registry into a new file, consistently, even while others write.",
        discussion: """
            Uses SQLite's online backup: the copy is one consistent moment of the registry, whatever \\
            other commands do meanwhile. The file is created readable by you alone (0600), never \\
            overwrites another, and is checked after writing. It holds everything, identities and \\
            the pseudonym key included: keep it as safe as the registry.
            """
    )

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
    @Argument(help: ArgumentHelp("The new backup file.", valueName: "file")) var file: String

    func run() throws {
        let summary = try global.openRegistry().backup(to: file)
        if json { return try printJSON(summary) }
        print(
            "Backed up to \(file): \(summary.bytes) bytes, \(summary.rows["patient"] ?? 0) patients, \(summary.rows["audit"] ?? 0) audit rows; checked."
        )
        if let chain = summary.chain {
            print("Chain head at row \(chain.rows): \(chain.head)")
            print("Keep this line off this machine; 'ketareg verify --anchor FILE' checks the registry against it:")
            print(ChainCheck.anchorLine(chain, at: try ClinicDay.clock().now().ISO8601Format()))
        }
    }
}

struct Restore: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore the registry from a backup made with 'ketareg backup'.",
        discussion: """
            The backup is checked before anything is written. An existing registry is replaced only \\
            with --force (make a backup of it first). The restored registry is checked, and brought \\
            up to date when the backup came from an older version.
            """
    )

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
    @Argument(help: ArgumentHelp("The backup file.", valueName: "file")) var file: String
    @Flag(help: "Replace the registry that exists at the registry path.") var force = false

    func run() throws {
        let summary = try Registry.restore(
            from: file, to: global.registryPath, force: force, today: ClinicDay.today(), clock: ClinicDay.clock(),
            random: ClinicDay.random, catalog: global.moduleCatalog())
        if json { return try printJSON(summary) }
        print(
            "Restored \(global.registryPath) from \(file): \(summary.rows["patient"] ?? 0) patients, \(summary.rows["audit"] ?? 0) audit rows; checked."
        )
    }
}
