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
    let queue = try DatabaseQueue(path: path, configuration: {
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
        for schema in try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name") {
            lines.append(schema)
        }
        return lines.joined(separator: "\n")
    }
}

/// A small seeded generator (SplitMix64), so that a failing random test can be replayed.
public struct SeededGenerator: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
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
    public static var iterations: Int { ProcessInfo.processInfo.environment["KETAREG_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 300 }
    public static var seed: UInt64 { ProcessInfo.processInfo.environment["KETAREG_FUZZ_SEED"].flatMap(UInt64.init) ?? 2026_11_26 }

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
            case 2: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + Int.random(in: 1...400, using: &random))], at: at)
            case 3, 4: bytes.insert(contentsOf: nasty.randomElement(using: &random)!, at: at)
            default: bytes[at] = UInt8.random(in: 0...255, using: &random)
            }
        }
        return bytes
    }
}
