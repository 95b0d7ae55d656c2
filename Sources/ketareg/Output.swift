import Foundation
import RegistryCore
import RegistryStore

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
    // No cell may move the cursor, change colours or reorder the line on a terminal.
    let rows = rows.map { $0.map(escapingControlCharacters) }
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

/// Subscores as the clinic reads them after a score: " [severity 5.25, interference 5]".
func subscoreText(_ subscores: [String: Double]?) -> String {
    guard let subscores else { return "" }
    return " [" + subscores.sorted { $0.key > $1.key }.map { "\($0.key) \(formatScore($0.value))" }.joined(separator: ", ") + "]"
}

/// A new file readable by its owner alone (0600). Never overwrites: an existing file is refused,
/// naming the option it came from.
func createNewFile(_ path: String, field: String, command: String) throws -> FileHandle {
    let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
    guard descriptor >= 0 else {
        if errno == EEXIST { throw InputError(field: field, got: path, allowed: "a file that does not exist yet (\(command) never overwrites)") }
        throw RegistryError(.storage, "cannot create \(path): \(String(cString: strerror(errno)))")
    }
    return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
}
