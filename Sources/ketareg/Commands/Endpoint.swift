import ArgumentParser
import ClinicWork
import Foundation
import RegistryCore
import RegistryExport
import RegistryStore

struct EndpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endpoint",
        abstract: "Research endpoints that receive anonymised exports.",
        subcommands: [Add.self, List.self, Remove.self, Trust.self]
    )

    struct Add: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a research endpoint.",
            discussion: """
                The token is never given on the command line: give --token-file (a file readable by \
                you alone, holding the token on one line) or --token-env (the name of an environment \
                variable that holds it). URLs must be https:// (plain http:// only to this machine). \
                --profile summary (the default) sends aggregate tables with small cells suppressed; \
                records sends pseudonymised rows in groups of at least --k patients; fhir sends the \
                same release as a FHIR R4 Bundle of pseudonymised Observations (no dates, no \
                Patient resources; weeks from the first infusion as an extension). --min-cell and --k are \
                at least 5: anything sent leaves this machine. Smaller values (down to 2) need \
                --allow-small and a --reason, kept in the audit trail. The settings are audited: the \
                exporter builds and sends nothing for an endpoint whose stored settings differ from \
                them, and 'ketareg verify' names the difference.

                Example:
                  ketareg endpoint add network --url https://research.example/api/v1/summaries \\
                    --token-file ~/.config/ketareg/network.token
                """
        )

        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Argument(
            help: ArgumentHelp("A name for the endpoint (letters, digits, hyphens, underscores).", valueName: "name"))
        var name: String
        @Option(help: ArgumentHelp("Where payloads are POSTed.", valueName: "url")) var url: String
        @Option(
            name: .customLong("token-file"),
            help: ArgumentHelp("A file holding the endpoint's bearer token, readable by you alone.", valueName: "path"))
        var tokenFile: String?
        @Option(
            name: .customLong("token-env"),
            help: ArgumentHelp("An environment variable holding the token, read at delivery.", valueName: "name"))
        var tokenEnv: String?
        @Option(
            name: .customLong("ca-file"),
            help: ArgumentHelp(
                "PEM bundle of the certificate authorities to trust for this endpoint.", valueName: "path")) var caFile:
            String?
        @Option(help: ArgumentHelp("summary, records or fhir (default summary).", valueName: "profile")) var profile:
            String = "summary"
        @Option(
            name: .customLong("min-cell"),
            help: ArgumentHelp("Smallest count shown in a summary (default 11).", valueName: "n")) var minCell: Int =
                EndpointSettings.defaultMinimumCell
        @Option(
            help: ArgumentHelp(
                "Smallest group of patients sharing age band, sex and conditions in records and fhir (default 5).",
                valueName: "n")) var k: Int = EndpointSettings.defaultK
        @Option(
            help: ArgumentHelp(
                "Seconds a delivery may take before it is retried later (default 60).", valueName: "seconds"))
        var timeout: Int = EndpointSettings.defaultTimeoutSeconds
        @Option(
            name: .customLong("hub-key"),
            help: ArgumentHelp(
                "The hub's public key (ed25519:BASE64, from 'ketareg-hub key'): its signed receipts anchor the audit chain.",
                valueName: "key"))
        var hubKey: String?
        @Flag(
            name: .customLong("allow-small"),
            help:
                "Allow --min-cell or --k below 5 (down to 2), with --reason: for a recipient trusted with small groups."
        )
        var allowSmall = false
        @Option(
            help: ArgumentHelp(
                "Why this endpoint may receive cells or groups below 5 (with --allow-small); kept in the audit trail.",
                valueName: "text"))
        var reason: String?

        func run() throws {
            guard let profile = ExportProfile(rawValue: profile) else {
                throw InputError(field: "profile", got: profile, allowed: ExportProfile.allowed)
            }
            let floor = EndpointSettings.networkMinimum
            if minCell < floor || k < floor, !allowSmall {
                let field = minCell < floor ? "min-cell" : "k"
                throw InputError(
                    field: field, got: String(field == "k" ? k : minCell),
                    allowed: "\(floor) to 1000; 2 to \(floor - 1) only with --allow-small --reason TEXT")
            }
            if let reason, !allowSmall {
                throw InputError(field: "reason", got: reason, allowed: "a reason only with --allow-small")
            }
            if allowSmall, reason?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true {
                throw InputError(
                    field: "reason", got: reason ?? "",
                    allowed:
                        "why this endpoint may receive cells or groups below \(floor): --allow-small needs --reason TEXT"
                )
            }
            // Paths as this command was given them, made absolute from its folder: a scheduled run
            // started elsewhere finds them.
            let absolute = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.path }
            var settings = EndpointSettings(
                name: name, url: url, tokenFile: tokenFile.map(absolute), tokenEnvironment: tokenEnv,
                caFile: caFile.map(absolute), profile: profile, minCell: minCell, k: k, timeoutSeconds: timeout)
            settings.hubKey = hubKey?.trimmingCharacters(in: .whitespacesAndNewlines)
            if allowSmall { settings.smallReason = reason }
            let setup = try endpointSetup(global)
            if let advice = try setup.add(settings, actor: global.actorName) { note("Note: \(advice)") }
            print("Added endpoint \(name) (\(profile)). See what it would receive: ketareg export preview \(name)")
        }
    }

    struct List: RegistryCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the research endpoints.")
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false

        func run() throws {
            // The JSON holds no schedules: a damaged one must not stop the list a script reads.
            if json { return try printJSON(["endpoints": try global.openRegistry().endpoints()]) }
            let endpoints = try endpointSetup(global).list()
            if endpoints.isEmpty { return print("No endpoints. Add one with 'ketareg endpoint add --help'.") }
            print(
                table(
                    [["NAME", "URL", "PROFILE", "TOKEN FROM", "SCHEDULE"]]
                        + endpoints.map { endpoint, schedule in
                            [
                                endpoint.name, endpoint.url,
                                endpoint.profile != .summary
                                    ? "\(endpoint.profile.rawValue) (k \(endpoint.k))"
                                    : "summary (min cell \(endpoint.minCell))",
                                endpoint.tokenFile.map { "file \($0)" } ?? "env \(endpoint.tokenEnvironment ?? "?")",
                                schedule?.every.rawValue ?? "-",
                            ]
                        }))
        }
    }

    struct Remove: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove an endpoint: nothing more is built or sent for it; its outbox history stays.")
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Argument(help: ArgumentHelp("The endpoint's name.", valueName: "name")) var name: String

        func run() throws {
            try endpointSetup(global).remove(name, actor: global.actorName)
            print("Removed endpoint \(name).")
        }
    }

    struct Trust: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "trust",
            abstract: "Give an endpoint its hub's public key, which checks the receipts the hub signs (audited).",
            discussion: """
                A hub answers each delivered export with a receipt: its Ed25519 signature over the export, the \
                payload's digest and the audit-chain head and row count it carried. The registry keeps every \
                receipt; `ketareg verify` checks each against this key and asks the hub for the ones it lacks. \
                The operators print the key with `ketareg-hub key`; it is no secret. --forget removes it.
                """)
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Argument(help: ArgumentHelp("The endpoint's name.", valueName: "name")) var name: String
        @Option(
            name: .customLong("hub-key"),
            help: ArgumentHelp(
                "The hub's public key: ed25519:BASE64, as 'ketareg-hub key' prints it.", valueName: "key"))
        var hubKey: String?
        @Flag(help: "Forget the endpoint's hub key: its receipts are no longer checked against one.") var forget = false

        func run() throws {
            guard (hubKey == nil) != !forget else {
                throw InputError(
                    field: "hub-key", got: "", allowed: "a key (--hub-key ed25519:BASE64) or --forget, one of them")
            }
            let key = hubKey?.trimmingCharacters(in: .whitespacesAndNewlines)
            try global.openRegistry().setHubKey(endpoint: name, key: key, actor: global.actorName)
            print(
                key.map { "\(name)'s receipts are checked against \($0) from now on." } ?? "\(name) has no hub key now."
            )
        }
    }
}

/// The endpoint use cases on this command's registry, with the program's environment and user id.
func endpointSetup(_ global: GlobalOptions) throws -> EndpointSetup {
    EndpointSetup(
        registry: try global.openRegistry(), environment: { environmentVariable($0) }, tokenOwner: ClinicDay.userID)
}
