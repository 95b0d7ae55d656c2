import ArgumentParser
import Foundation
import HubCore
import HubStore
import Logging
import PayloadFormat
import RegistryCore

/// `ketareg-hub`: the research network's side. It receives clinics' exports into PostgreSQL and
/// publishes their outcomes pooled across clinics.
@main
struct Hub: AsyncParsableCommand {
    static let version = "0.13.0"

    static let configuration = CommandConfiguration(
        commandName: "ketareg-hub",
        abstract: "The research network's receiver: clinics' exports into PostgreSQL, outcomes pooled across clinics.",
        discussion: """
            The database is --database URL, else $KETAREG_HUB_DATABASE: postgres://USER@HOST[:PORT]/DATABASE, with \
            ?sslmode=disable|prefer|require and ?host=/socket/folder for a Unix socket. A password goes in \
            $KETAREG_HUB_DATABASE or $PGPASSWORD, never on the command line.

            Exit codes: 0 done, 1 refused input, 2 usage, 3 database problem (or output that could not be written).
            """,
        version: version,
        subcommands: [
            Init.self, ClinicCommand.self, Serve.self, Outcomes.self, Report.self, Settings.self, KeyCommand.self,
            PayloadCommand.self,
        ]
    )

    /// ArgumentParser's own `main`, and then what `print` buffered is flushed and checked: a full
    /// disk ends a command with exit status 3 and a message, not with status 0 and its output lost.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            try flushStandardOutput()
        } catch let error as WriteError {
            fail(HubError(.database, "\(error)"))
        } catch {
            // Help and version end with status 0. They are written here, checked like any other
            // output, rather than by ArgumentParser's `exit(withError:)`, whose `print` is flushed
            // by `exit` with nothing to report a full disk.
            switch exitCode(for: error) {
            case .success:
                let text = fullMessage(for: error)
                if !text.isEmpty { writeOrFail(Data((text + "\n").utf8)) }
                Foundation.exit(0)
            case .validationFailure:
                // Usage errors end with 2, as the help says (ArgumentParser's own is 64).
                note(fullMessage(for: error))
                Foundation.exit(2)
            default:
                exit(withError: error)
            }
        }
    }
}

/// `--database URL`, else `$KETAREG_HUB_DATABASE`.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The hub's PostgreSQL, as a postgres:// URL without a password (default: $KETAREG_HUB_DATABASE).",
            valueName: "URL"))
    var database: String?

    func location() throws -> DatabaseLocation {
        if let database {
            if DatabaseLocation.carriesPassword(database) {
                throw HubError(
                    .refused,
                    "--database carries a password, which would be visible to every user of this machine: put the URL in $KETAREG_HUB_DATABASE, or the password in $PGPASSWORD"
                )
            }
            return try DatabaseLocation(url: database, environment: ProcessInfo.processInfo.environment)
        }
        guard let url = ProcessInfo.processInfo.environment["KETAREG_HUB_DATABASE"], !url.isEmpty else {
            throw HubError(
                .refused, "no database: give --database postgres://USER@HOST/DATABASE or set $KETAREG_HUB_DATABASE")
        }
        return try DatabaseLocation(url: url, environment: ProcessInfo.processInfo.environment)
    }
}

/// A logger for the PostgreSQL client that only speaks of real trouble, on standard error.
func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .error
    return logger
}

/// Runs a command's body against the database; a refusal or a database problem becomes a message
/// on standard error and exit code 1 or 3.
func withDatabase<T: Sendable>(_ options: DatabaseOptions, _ body: @Sendable (HubDatabase) async throws -> T)
    async throws -> T
{
    do {
        let location = try options.location()
        return try await HubDatabase.with(location, logger: quietLogger("ketareg-hub.postgres"), body)
    } catch let error as HubError {
        fail(error)
    }
}

func fail(_ error: HubError) -> Never {
    let remedies = error.remedies.map { remedy in
        switch remedy {
        case .listClinics: "see the registered clinics with `ketareg-hub clinic list`"
        case .createTables: "run `ketareg-hub init` first"
        case .restoreDatabase: "the database was changed outside the hub or is damaged: restore it from a backup"
        }
    }
    note("ketareg-hub: \(([error.description] + remedies).joined(separator: "; "))")
    Foundation.exit(error.kind == .refused ? 1 : 3)
}

/// A message on standard error, best effort (``writeStandardError(_:)``).
func note(_ text: String) {
    writeStandardError(text + "\n")
}

/// Bytes on standard output (``writeStandardOutput(_:)``); a failure (a full disk) ends the
/// command with exit status 3 and says so.
func writeOrFail(_ data: Data) {
    do { try writeStandardOutput(data) } catch { fail(HubError(.database, "\(error)")) }
}

/// Prints one JSON document (sorted keys, two-space indents) on standard output. Written here
/// rather than by JSONSerialization, which took most of `outcomes --json`'s time at a thousand
/// clinics.
func printJSON(_ object: Any) throws {
    var text = ""
    text.reserveCapacity(1 << 16)
    writeJSON(object, indent: "", into: &text)
    text += "\n"
    writeOrFail(Data(text.utf8))
}

func writeJSON(_ value: Any, indent: String, into text: inout String) {
    switch value {
    case let bool as Bool: text += bool ? "true" : "false"
    case let int as Int: text += String(int)
    case let double as Double: text += double.isFinite ? "\(double)" : "null"
    case let string as String: text += jsonString(string)
    case let object as [String: Any]:
        if object.isEmpty {
            text += "{}"
            return
        }
        let inner = indent + "  "
        text += "{\n"
        for (index, key) in object.keys.sorted().enumerated() {
            text += inner
            text += jsonString(key)
            text += ": "
            writeJSON(object[key]!, indent: inner, into: &text)
            text += index == object.count - 1 ? "\n" : ",\n"
        }
        text += indent + "}"
    case let array as [Any]:
        if array.isEmpty {
            text += "[]"
            return
        }
        let inner = indent + "  "
        text += "[\n"
        for (index, element) in array.enumerated() {
            text += inner
            writeJSON(element, indent: inner, into: &text)
            text += index == array.count - 1 ? "\n" : ",\n"
        }
        text += indent + "]"
    default: text += "null"
    }
}

/// A moment as ISO 8601 in UTC, to the second.
func timestamp(_ date: Date) -> String { date.ISO8601Format() }

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the hub's tables, or apply the migrations it lacks (safe to run again).")

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print what was applied as JSON.") var json = false

    func run() async throws {
        let (applied, all) = try await withDatabase(database) { db in
            let applied = try await db.migrate()
            return (applied, try await db.migrationNames())
        }
        if json { return try printJSON(["applied": applied, "migrations": all]) }
        if applied.isEmpty {
            print("The hub's database is up to date (\(all.count) migration\(all.count == 1 ? "" : "s")).")
        } else {
            for name in applied { print("applied \(name)") }
        }
    }
}

struct Settings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Show or change the network's settings.",
        discussion:
            "minimum-cell-size: no result shows a clinic's row with a count from 1 to this minus 1 (default 11, as PCORnet uses)."
    )

    @OptionGroup var database: DatabaseOptions
    @Option(name: .customLong("minimum-cell-size"), help: "Set the network's minimum cell size (1 to 1000).")
    var minimumCellSize: Int?
    @Flag(help: "Print the settings as JSON.") var json = false

    func run() async throws {
        // Refused before the database is reached; the hub's store refuses it too, for any caller.
        let allowed = Pooling.minimumCellSizeRange
        if let size = minimumCellSize, !allowed.contains(size) {
            fail(
                HubError(
                    .refused,
                    "--minimum-cell-size must be from \(allowed.lowerBound) to \(allowed.upperBound), not \(size)"))
        }
        let current = try await withDatabase(database) { [minimumCellSize] db in
            if let size = minimumCellSize { try await db.setMinimumCellSize(size) }
            return try await db.minimumCellSize()
        }
        if json { return try printJSON(["minimumCellSize": current]) }
        print("minimum-cell-size  \(current)")
    }
}
