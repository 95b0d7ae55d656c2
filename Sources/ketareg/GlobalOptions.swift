import ArgumentParser
import Foundation
import RegistryCore
import RegistryStore

/// Options every command that touches a registry takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The registry file.", discussion: "Default: $KETAREG_REGISTRY, else $XDG_DATA_HOME/ketareg/registry.sqlite (~/.local/share/ketareg/registry.sqlite).", valueName: "path"))
    var registry: String?

    @Option(name: .long, help: ArgumentHelp("Who is making the change, for the audit trail (default: your login name).", valueName: "name"))
    var actor: String?

    /// The registry path after flags, environment and defaults.
    var registryPath: String {
        if let registry { return registry }
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["KETAREG_REGISTRY"], !path.isEmpty { return path }
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return (dataHome as NSString).appendingPathComponent("ketareg/registry.sqlite")
    }

    /// The person recorded in audit rows.
    var actorName: String {
        if let actor, !actor.trimmingCharacters(in: .whitespaces).isEmpty { return actor }
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
    }

    func openRegistry() throws -> Registry {
        try Registry.open(at: registryPath)
    }
}

/// `--json` for commands that show data.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document on standard output, for scripts.")
    var json = false
}

/// Every condition the registry knows: the compiled modules.
func loadCatalog() throws -> ConditionCatalog {
    try ConditionCatalog(builtInConditions)
}
