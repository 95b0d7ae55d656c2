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
            The backup is checked before anything is written. An existing registry is replaced only \
            with --force (make a backup of it first). A restore never rolls the registry back in \
            silence: when the registry holds anything the backup does not (later audit rows, \
            another history, exports) or cannot be read, it is refused unless --discard-later is \
            also given. Then a copy of the replaced registry is kept beside it (mode 0600), its \
            delivered exports and their receipts stay in the outbox (nothing is sent twice), and \
            its release memory is kept, so that no later summary can be subtracted from what left. \
            Every restore is an audit row of the restored registry, naming what it discarded; \
            'ketareg verify' reads it. The restored registry is checked, and brought up to date \
            when the backup came from an older version.
            """
    )

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
    @Argument(help: ArgumentHelp("The backup file.", valueName: "file")) var file: String
    @Flag(help: "Replace the registry that exists at the registry path.") var force = false
    @Flag(
        help: "With --force: restore even though the registry holds what the backup does not (audited; a copy is kept)."
    )
    var discardLater = false

    func run() throws {
        let summary = try Registry.restore(
            from: file, to: global.registryPath, force: force, discardLater: discardLater, actor: global.actorName,
            account: ClinicDay.account, today: ClinicDay.today(), clock: ClinicDay.clock(), random: ClinicDay.random,
            catalog: global.moduleCatalog())
        if json { return try printJSON(summary) }
        let restored = summary.restored
        print(
            "Restored \(global.registryPath) from \(file): \(restored.rows["patient"] ?? 0) patients, \(restored.rows["audit"] ?? 0) audit rows; checked; the restore is audit row \(summary.auditRow)."
        )
        switch summary.replaced {
        case .none: break
        case .unreadable:
            print("The registry it replaced could not be read: what it held beyond the backup is lost.")
        case .readable where summary.keptAt == nil:
            print("The registry it replaced held nothing the backup does not.")
        case .readable:
            if summary.discardedRows > 0 {
                let first = summary.sharedRows + 1
                let last = summary.sharedRows + summary.discardedRows
                print(
                    "Discarded audit \(first == last ? "row \(first)" : "rows \(first)-\(last)") of the registry it replaced."
                )
            }
            if !summary.carriedExports.isEmpty {
                print(
                    "Kept on record, with their receipts: \(summary.carriedExports.count) delivered export\(summary.carriedExports.count == 1 ? "" : "s") the backup lacked (\(summary.carriedExports.joined(separator: ", ")))."
                )
            }
            if !summary.discardedExports.isEmpty {
                print("Discarded exports: \(summary.discardedExports.joined(separator: ", ")).")
            }
            if summary.releaseMemory == "replaced" {
                print("The release memory of the registry it replaced is kept: later summaries are built against it.")
            }
        }
        if let kept = summary.keptAt {
            print("A copy of the registry it replaced is kept at \(kept) (readable by you alone); it holds identities.")
        }
    }
}
