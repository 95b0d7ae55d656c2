import ArgumentParser
import DeclarativeConditions
import Foundation
import RegistryCore
import RegistryExport
import RegistryStore

/// The clinic's command line. Commands parse, call the libraries and print; rules live in the
/// libraries.
@main
struct Ketareg: ParsableCommand {
    static let version = "0.1.0"

    /// The command's configuration. While `main` parses a command line that does not ask for a
    /// completion script, it is the same with `_superCommandName` set, which is ArgumentParser's only
    /// way to skip its check for `--generate-completion-script`. That check parses two small commands
    /// of its own by reflection before ketareg's, and skipping it saves 2.5M of the 14.8M instructions
    /// of `ketareg --version` (callgrind), and as many in every other command. The super-command name
    /// is read only when help or an error message is written, after the parse, by which time the
    /// standard configuration is back.
    static var configuration: CommandConfiguration {
        CompletionCheck.skipped ? configurationSkippingCompletionCheck : standardConfiguration
    }

    private static let configurationSkippingCompletionCheck: CommandConfiguration = {
        var configuration = standardConfiguration
        configuration._superCommandName = "ketareg"
        return configuration
    }()

    private static let standardConfiguration = CommandConfiguration(
        commandName: "ketareg",
        abstract: "KetaReg: the registry of a ketamine therapy clinic.",
        discussion: """
            Records patients, infusions, safety observations and validated assessment scales for \
            treatment-resistant depression, neuropathic chronic pain, refractory migraine and the \
            conditions of declarative modules (PTSD ships as one), in one SQLite file per clinic. \
            Every change is audited; anonymised summaries go to research endpoints.

            The registry is --registry PATH, else $KETAREG_REGISTRY, else \
            $XDG_DATA_HOME/ketareg/registry.sqlite (~/.local/share/ketareg/registry.sqlite).

            Today is the machine's date, or $KETAREG_TODAY (YYYY-MM-DD) for demos, tests and \
            re-running a report as it stood on a past day. $KETAREG_NOW (an ISO 8601 instant, \
            2026-03-02T09:30:00Z) stops the clock at one moment, for tests: audit times, leases \
            and retries read it, and today is its local date unless $KETAREG_TODAY is set.

            Exit codes: 0 done, 1 input or rule refused (nothing written), 2 usage, \
            3 registry or file problem, 4 delivery problem.
            """,
        version: version,
        subcommands: [
            Init.self, ConditionsCommand.self, ScaleCommand.self,
            Enroll.self, Patients.self, PatientCommand.self,
            InfusionCommand.self, CourseCommand.self, ProtocolCommand.self, Assess.self, AdverseCommand.self,
            CoInterventionCommand.self, SessionCommand.self,
            Day.self, FlagCommand.self, Correct.self, Audit.self, Verify.self, Backup.self, Restore.self, Outcomes.self,
            Due.self, Report.self, Import.self, ExportCSV.self,
            EndpointCommand.self, ExportCommand.self, FhirCommand.self, Dictionary_.self, Demo.self,
        ]
    )

    /// Runs a command and turns every error into a message on standard error and the exit code
    /// the command line promises.
    static func main() {
        do {
            var command = try parseSkippingCompletionCheck(Array(CommandLine.arguments.dropFirst()))
            try command.run()
            try flushStandardOutput()
            Registry.closeKept()
        } catch {
            Registry.closeKept()
            let (message, code) = describe(error)
            if code == 0 {
                print(message)
                do { try flushStandardOutput() } catch {
                    writeStandardError("ketareg: \(error)\n")
                    Foundation.exit(ExitStatus.storage)
                }
            } else {
                writeStandardError(message + "\n")
            }
            Foundation.exit(code)
        }
    }

    /// Parses the command line as `parseAsRoot` does. Unless an argument asks for a completion script,
    /// ArgumentParser's check for one is skipped (see `configuration`); the configuration is
    /// standard again before anything is written, whether the parse succeeds or throws.
    static func parseSkippingCompletionCheck(_ arguments: [String]) throws -> any ParsableCommand {
        CompletionCheck.skipped = !arguments.contains { $0.contains("generate-completion-script") }
        defer { CompletionCheck.skipped = false }
        return try parseAsRoot(arguments)
    }

    /// The message and exit code for an error.
    static func describe(_ error: any Error) -> (String, Int32) {
        switch error {
        case let error as InputError: return ("ketareg: \(error.commandLineText)", ExitStatus.refused)
        case let error as ScaleError: return ("ketareg: \(error)", ExitStatus.refused)
        case let error as CatalogError: return ("ketareg: \(error)", ExitStatus.refused)
        case let error as ImportError: return ("ketareg: \(error)", ExitStatus.refused)
        case let error as ExportError: return ("ketareg: \(error)", ExitStatus.refused)
        case let error as ConditionFileErrors:
            return (
                "ketareg: cannot start: a condition module file is broken (nothing was loaded):\n"
                    + error.errors.map { "  \($0)" }.joined(separator: "\n"), ExitStatus.storage
            )
        case let error as RegistryError:
            return (
                "ketareg: \(error.commandLineText)", error.kind == .refused ? ExitStatus.refused : ExitStatus.storage
            )
        case let error as WriteError:
            // Output is written after the change it reports: a script must not take this for a
            // change refused and make it twice.
            let saved =
                error.place == "standard output"
                ? "; any change the command made is saved ('ketareg audit' lists the latest)" : ""
            return ("ketareg: \(error)\(saved)", ExitStatus.storage)
        default:
            // The argument parser's own outcomes: help and version (success), usage errors.
            switch exitCode(for: error) {
            case .success: return (fullMessage(for: error), 0)
            case .validationFailure: return (fullMessage(for: error), ExitStatus.usage)
            case let code where error is ExitCode: return ("", code.rawValue)
            default: return ("ketareg: \(error)", ExitStatus.storage)
            }
        }
    }
}

/// Whether the parse in progress skips ArgumentParser's completion-script check. Set only by
/// `Ketareg.parseSkippingCompletionCheck`, on the main thread, for the length of one parse.
enum CompletionCheck {
    nonisolated(unsafe) static var skipped = false
}

/// The exit codes `ketareg` promises scripts.
enum ExitStatus {
    static let refused: Int32 = 1
    static let usage: Int32 = 2
    static let storage: Int32 = 3
    static let delivery: Int32 = 4
}
