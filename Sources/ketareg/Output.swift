import Foundation
import RegistryCore

/// Prints one JSON document on standard output.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    FileHandle.standardOutput.write(try encoder.encode(value))
    FileHandle.standardOutput.write(Data("\n".utf8))
}

/// A message for the person at the keyboard: standard error, so that standard output stays data.
func note(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Lines of columns, padded to line up.
func table(_ rows: [[String]], indent: String = "") -> String {
    guard let first = rows.first else { return "" }
    var widths = Array(repeating: 0, count: first.count)
    for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
    return rows.map { row in
        indent + row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }.joined(separator: "\n")
}

/// A score with its band, as the clinic reads it: "14 (moderate)".
func scoreText(_ score: Double, band: String?, scale: (any AssessmentScale)?) -> String {
    guard let band else { return formatScore(score) }
    let label = scale?.bands.first { $0.id == band }?.label ?? band
    return "\(formatScore(score)) (\(label))"
}

/// "1 row", "3 rows".
func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}
