import Foundation
import RegistryTestSupport
import Testing

/// The package's own folder.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The built `ketareg` binary run as a subprocess against a registry in a temporary folder.
struct Clinic {
    let folder: URL
    let registry: String

    /// The binary next to the test bundle (`swift build` puts both in the same folder), or
    /// `$KETAREG_BINARY`.
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["KETAREG_BINARY"] { return path }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ketareg")
                .path,
            Bundle.main.bundleURL.appendingPathComponent("ketareg").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("ketareg").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    init(initialise: Bool = true) throws {
        folder = try makeTemporaryFolder("ketareg-e2e")
        registry = folder.appendingPathComponent("registry.sqlite").path
        if initialise {
            let created = try run("init", "--clinic", "End-to-end clinic")
            guard created.status == 0 else { throw CocoaError(.fileWriteUnknown) }
        }
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Runs `ketareg ARGS` with this clinic's registry in the environment.
    @discardableResult
    func run(_ arguments: String..., input: String? = nil, environment extra: [String: String] = [:]) throws -> Outcome
    {
        try run(arguments: arguments, input: input, environment: extra)
    }

    func run(arguments: [String], input: String? = nil, environment extra: [String: String] = [:]) throws -> Outcome {
        try runProcess(Self.binary, arguments, input: input, environment: environment(extra))
    }

    /// The environment every process of this clinic runs in: its registry, no actor, and a fixed
    /// day, whatever the machine's clock or the caller's KETAREG_TODAY says, and the machine's time of
    /// day unless a test passes KETAREG_NOW; a test may pass its own.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["KETAREG_REGISTRY"] = registry
        environment["KETAREG_ACTOR"] = nil
        environment["KETAREG_TODAY"] = testToday.description
        environment["KETAREG_NOW"] = nil
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// Starts a process in the background with this clinic's environment, its output discarded:
    /// `ketareg ARGS` by default. The caller waits for it, or kills it.
    func start(_ arguments: [String], executable: String = Clinic.binary) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The registry's whole contents, for before-and-after comparisons.
    func dump() throws -> String { try dumpDatabase(registry) }

    /// Enrols a patient and returns the new id.
    func enroll(mrn: String, condition: [String] = ["depression"], consent: String = "yes") throws -> String {
        var arguments = [
            "enroll", "--mrn", mrn, "--given", "Ottilie", "--family", "Varga-Brandt", "--birth-date", "1968-11-02",
            "--sex", "female", "--research-consent", consent, "--enrolled-on", "2026-03-01",
            "--prior-treatment", "antidepressants:3", "--prior-treatment", "ect",
        ]
        for id in condition { arguments += ["--condition", id] }
        let outcome = try run(arguments: arguments)
        #expect(outcome.status == 0, "enroll failed: \(outcome.standardError)")
        return outcome.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
