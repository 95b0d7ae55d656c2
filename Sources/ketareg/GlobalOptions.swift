import ArgumentParser
import DeclarativeConditions
import Foundation
import RegistryCore
import RegistryStore
import Synchronization

/// A command that touches a registry: it takes `--registry`, `--actor` and `--conditions`, and
/// reads them through `global`. Each such command declares the three options itself:
///
///     @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
///     @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
///     @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
///
/// rather than taking them as `@OptionGroup var global: GlobalOptions`: an option group costs every
/// command's parse four first-time type lookups (the runtime scans every conformance record of the
/// program for each), 1.5M instructions, about 0.5 ms, of a `patient show` (callgrind, 22.0M to
/// 20.6M). The help a command prints is the same either way.
protocol RegistryCommand: ParsableCommand {
    var registry: String? { get }
    var actor: String? { get }
    var conditions: String? { get }
}

extension RegistryCommand {
    /// The command's registry options, with what they default to.
    var global: GlobalOptions { GlobalOptions(registry: registry, actor: actor, conditions: conditions) }
}

/// The options every command that touches a registry takes (see ``RegistryCommand``), and what
/// they default to.
struct GlobalOptions {
    var registry: String?
    var actor: String?
    var conditions: String?

    static let registryHelp = ArgumentHelp(
        "The registry file.",
        discussion:
            "Default: $KETAREG_REGISTRY, else $XDG_DATA_HOME/ketareg/registry.sqlite (~/.local/share/ketareg/registry.sqlite).",
        valueName: "path")
    static let actorHelp = ArgumentHelp(
        "Who is making the change, for the audit trail (default: your login name).", valueName: "name")

    /// The conditions this run knows, as the modules define them: for commands that score,
    /// enrol or check flag rules, which judge no course (so a damaged protocol history, which
    /// ``catalog()`` refuses, does not stop them).
    func moduleCatalog() throws -> ConditionCatalog { try CatalogOptions.load(conditions: conditions) }

    /// The conditions this run knows, with the clinic's own protocols from the registry: what
    /// every command that judges courses (outcomes, due, day, pages, exports) uses.
    func catalog() throws -> ConditionCatalog {
        let path = registryPath
        if let known = Self.clinicCatalogs.withLock({ $0[path] }) { return known }
        let catalog = try openRegistry().clinicCatalog(moduleCatalog())
        Self.clinicCatalogs.withLock { $0[path] = catalog }
        return catalog
    }

    /// Each registry's clinic catalog, read once per run (commands ask for it more than once).
    private static let clinicCatalogs = Mutex<[String: ConditionCatalog]>([:])

    /// The registries this run opened, by path: opened once, closed when the run ends.
    private static let openRegistries = Mutex<[String: Registry]>([:])

    /// The registry path after flags, environment and defaults.
    var registryPath: String {
        if let registry { return registry }
        if let path = environmentVariable("KETAREG_REGISTRY"), !path.isEmpty { return path }
        let dataHome =
            environmentVariable("XDG_DATA_HOME").flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return (dataHome as NSString).appendingPathComponent("ketareg/registry.sqlite")
    }

    /// The person recorded in audit rows.
    var actorName: String {
        if let actor, !actor.trimmedWhitespace.isEmpty { return actor }
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return environmentVariable("USER") ?? "unknown"
    }

    func openRegistry() throws -> Registry {
        let path = registryPath
        if let open = Self.openRegistries.withLock({ $0[path] }) { return open }
        // Closed by `Ketareg.main` when the command ends (see `Registry.keepUntilExit`).
        let registry = try Registry.open(
            at: path, today: ClinicDay.today(), clock: ClinicDay.clock(), random: ClinicDay.random,
            catalog: moduleCatalog(), whenWaiting: ClinicDay.whenWaiting
        )
        .operated(byAccount: ClinicDay.account).keepUntilExit()
        try ClinicDay.requireHonestDay(for: registry)
        Self.openRegistries.withLock { $0[path] = registry }
        return registry
    }
}

/// `--json` for commands that show data. Each such command declares the flag itself, with this
/// help, rather than taking it as an option group: every option group costs a command's parse four
/// first-time type lookups (the runtime scans every conformance record of the program for each),
/// about 1.3M instructions.
enum OutputOptions {
    static let jsonHelp: ArgumentHelp = "Print one JSON document on standard output, for scripts."
}

/// Where the declarative condition modules are.
struct CatalogOptions: ParsableArguments {
    @Option(name: .long, help: conditionsHelp)
    var conditions: String?

    static let conditionsHelp = ArgumentHelp(
        "Folder of declarative condition modules (YAML).",
        discussion:
            "Default: $KETAREG_CONDITIONS, else Registry/conditions in this folder or beside the program's source tree, else /usr/local/share/ketareg/conditions.",
        valueName: "dir")

    /// The folder to read for `--conditions`, if there is one.
    private static func directory(conditions: String?) -> String? {
        if let conditions { return conditions }
        if let path = environmentVariable("KETAREG_CONDITIONS"), !path.isEmpty { return path }
        return Self.defaultDirectory
    }

    /// The first folder of the defaults that exists, looked for once per run: through
    /// `Bundle.main` and `URL` this cost about 0.4M instructions a time, and a command asks twice.
    private static let defaultDirectory: String? = {
        let candidates = [
            FileManager.default.currentDirectoryPath + "/Registry/conditions",
            // .build/<triple>/debug/ketareg in a checkout
            parentFolder(of: executablePath(), levels: 4) + "/Registry/conditions",
            "/usr/local/share/ketareg/conditions",
        ]
        return candidates.first {
            var folder: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &folder) && folder.boolValue
        }
    }()

    /// This program's file with symbolic links resolved (the kernel's `/proc/self/exe`), else
    /// how it was started, resolved.
    private static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if length > 0 {
            return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    }

    /// `path` without its last `levels` components ("/" at the top).
    private static func parentFolder(of path: String, levels: Int) -> String {
        var components = path.split(separator: "/", omittingEmptySubsequences: true)
        components.removeLast(min(levels, components.count))
        return "/" + components.joined(separator: "/")
    }

    /// Every condition: the compiled modules and the declarative ones. A broken file stops the
    /// program rather than half-loading the catalog.
    func load() throws -> ConditionCatalog { try Self.load(conditions: conditions) }

    /// The catalog for `--conditions` (nil when not given).
    static func load(conditions: String?) throws -> ConditionCatalog {
        // A command asks more than once (to open the registry, to render); the folder is read
        // once per run.
        let directory = directory(conditions: conditions)
        if let loaded = Self.loaded.withLock({ $0[directory ?? ""] }) { return loaded }
        let catalog = try readCatalog(directory: directory)
        Self.loaded.withLock { $0[directory ?? ""] = catalog }
        return catalog
    }

    private static let loaded = Mutex<[String: ConditionCatalog]>([:])

    private static func readCatalog(directory: String?) throws -> ConditionCatalog {
        var declarative: [DeclarativeCondition] = []
        if let directory {
            var folder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &folder), folder.boolValue else {
                throw RegistryError(.storage, "--conditions: no folder at \(directory)")
            }
            declarative = try ConditionFileLoader.load(directory: directory)
        }
        return try ConditionFileLoader.catalog(compiled: builtInConditions, declarative: declarative)
    }
}
