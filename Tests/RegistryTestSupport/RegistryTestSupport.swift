import Foundation
import GRDB

/// A fresh folder under the system's temporary directory, removed by the caller when done.
public func makeTemporaryFolder(_ prefix: String = "ketareg-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Every row of every table of a SQLite file, as text: equal dumps mean equal contents.
public func dumpDatabase(_ path: String) throws -> String {
    let queue = try DatabaseQueue(
        path: path,
        configuration: {
            var configuration = Configuration()
            configuration.readonly = true
            return configuration
        }())
    return try queue.read { db in
        var lines: [String] = []
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        for table in tables {
            lines.append("TABLE \(table)")
            for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier) ORDER BY rowid") {
                lines.append(row.description)
            }
        }
        for schema in try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        {
            lines.append(schema)
        }
        return lines.joined(separator: "\n")
    }
}

/// A small seeded generator (SplitMix64), so that a failing random test can be replayed.
public struct SeededGenerator: RandomNumberGenerator {
    /// The generator's state: the seed, moved on by each number drawn.
    public var state: UInt64
    /// A generator that starts from `seed`; the same seed draws the same numbers.
    public init(seed: UInt64) { state = seed }
    /// The next number.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Seeded mutations of hostile bytes for the parsers' fuzz tests. CI runs a few hundred;
/// `Scripts/fuzz` many more (`KETAREG_FUZZ_ITERATIONS`) from a seed of its own (`KETAREG_FUZZ_SEED`).
public enum Fuzz {
    /// How many mutated inputs a fuzz test tries: `$KETAREG_FUZZ_ITERATIONS`, else 300.
    public static var iterations: Int {
        ProcessInfo.processInfo.environment["KETAREG_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 300
    }
    /// The fuzz tests' seed: `$KETAREG_FUZZ_SEED`, else a fixed one, so CI replays the same inputs.
    public static var seed: UInt64 {
        ProcessInfo.processInfo.environment["KETAREG_FUZZ_SEED"].flatMap(UInt64.init) ?? 2026_11_26
    }

    /// One to four mutations of `bytes`: truncate, delete a run, duplicate a run, insert one of
    /// `nasty`, or flip a byte.
    public static func mutate(_ bytes: [UInt8], nasty: [[UInt8]], using random: inout SeededGenerator) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            guard !bytes.isEmpty else { return nasty.randomElement(using: &random)! }
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0: bytes = Array(bytes[..<at])
            case 1: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...40, using: &random)))
            case 2:
                bytes.insert(
                    contentsOf: bytes[at..<min(bytes.count, at + Int.random(in: 1...400, using: &random))], at: at)
            case 3, 4: bytes.insert(contentsOf: nasty.randomElement(using: &random)!, at: at)
            default: bytes[at] = UInt8.random(in: 0...255, using: &random)
            }
        }
        return bytes
    }
}

/// What one run of a binary did.
public struct Outcome: Sendable {
    /// The exit status.
    public let status: Int32
    /// Everything written to standard output, as UTF-8.
    public let standardOutput: String
    /// Everything written to standard error, as UTF-8.
    public let standardError: String

    /// Standard output parsed as JSON.
    public func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(standardOutput.utf8))
    }
}

/// Runs a binary to its end, its output collected in files (never a pipe a chatty process could fill).
public func runProcess(
    _ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String]? = nil
) throws -> Outcome {
    // Output goes to files rather than pipes, so a chatty process can never block on a full pipe.
    let folder = try makeTemporaryFolder("ketareg-run")
    defer { try? FileManager.default.removeItem(at: folder) }
    let outputURL = folder.appendingPathComponent("stdout")
    let errorURL = folder.appendingPathComponent("stderr")
    let inputURL = folder.appendingPathComponent("stdin")
    _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: inputURL.path, contents: Data((input ?? "").utf8))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let output = try FileHandle(forWritingTo: outputURL)
    let error = try FileHandle(forWritingTo: errorURL)
    let stdin = try FileHandle(forReadingFrom: inputURL)
    process.standardOutput = output
    process.standardError = error
    process.standardInput = stdin
    try process.run()
    process.waitUntilExit()
    try output.close()
    try error.close()
    try stdin.close()
    return Outcome(
        status: process.terminationStatus,
        standardOutput: try String(contentsOf: outputURL, encoding: .utf8),
        standardError: try String(contentsOf: errorURL, encoding: .utf8))
}
