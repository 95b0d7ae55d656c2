import Foundation
import RegistryCore
import RegistryStore

/// Prints one JSON document on standard output.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(value)
    data.append(UInt8(ascii: "\n"))
    try writeStandardOutput(data)
}

/// JSON already written (as ``printJSON(_:)`` would write it), on its own line.
func printJSONText(_ text: String) throws {
    try writeStandardOutput(Data((text + "\n").utf8))
}

/// A message for the person at the keyboard: standard error, so that standard output stays data.
/// Best effort (``writeStandardError(_:)``).
func note(_ text: String) {
    writeStandardError(text + "\n")
}

/// Lines of columns, padded to line up.
func table(_ rows: [[String]], indent: String = "") -> String {
    // No cell may move the cursor, change colours or reorder the line on a terminal.
    let rows = rows.map { $0.map(escapingControlCharacters) }
    guard let first = rows.first else { return "" }
    // Each cell measured once: a long list has tens of thousands of cells.
    let cellWidths = rows.map { $0.map(displayWidth) }
    var widths = Array(repeating: 0, count: first.count)
    for row in cellWidths {
        for (index, width) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], width) }
    }
    return zip(rows, cellWidths).map { row, measured in
        indent
            + trimmed(
                row.enumerated().map { index, cell in
                    index == row.count - 1 || index >= widths.count
                        ? cell : cell + String(repeating: " ", count: max(0, widths[index] - measured[index]))
                }.joined(separator: "  "))
    }.joined(separator: "\n")
}

/// The line without whitespace at either end. Foundation's trimming is asked only when an end
/// could be whitespace: a line that starts and ends with printable ASCII other than a space has
/// none (every other whitespace character is a tab or not ASCII).
private func trimmed(_ line: String) -> String {
    func plain(_ byte: UInt8?) -> Bool { byte.map { (0x21...0x7E).contains($0) } ?? false }
    if plain(line.utf8.first), plain(line.utf8.last) { return line }
    return line.trimmedWhitespace
}

/// Columns a text takes on a terminal: one per character (a letter with its combining marks is
/// one), two for East Asian wide and fullwidth characters and emoji, none for joiners and marks
/// standing alone.
func displayWidth(_ text: String) -> Int {
    // Printable ASCII, the common case, is one column a byte; only other text needs Unicode's tables.
    if text.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) { return text.utf8.count }
    return text.reduce(0) { total, character in
        guard let scalar = character.unicodeScalars.first else { return total }
        if character.unicodeScalars.allSatisfy({
            $0.properties.generalCategory == .nonspacingMark || $0.properties.generalCategory == .enclosingMark
                || $0.properties.generalCategory == .format
        }) {
            return total
        }
        return total
            + (isWide(scalar) || character.unicodeScalars.contains { $0.properties.isEmojiPresentation } ? 2 : 1)
    }
}

/// East Asian Wide (W) and Fullwidth (F) ranges of Unicode's EastAsianWidth.txt, in brief.
private func isWide(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
        0x4E00...0x9FFF,
        0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
        0xFF00...0xFF60,
        0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
        return true
    default:
        return false
    }
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
    return " ["
        + subscores.sorted { $0.key > $1.key }.map { "\($0.key) \(formatScore($0.value))" }.joined(separator: ", ")
        + "]"
}

/// A new file readable by its owner alone (0600). Never overwrites: an existing file is refused,
/// naming the option it came from.
func createNewFile(_ path: String, field: String, command: String) throws -> FileHandle {
    let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
    guard descriptor >= 0 else {
        if errno == EEXIST {
            throw InputError(
                field: field, got: path, allowed: "a file that does not exist yet (\(command) never overwrites)")
        }
        throw RegistryError(.storage, "cannot create \(path): \(String(cString: strerror(errno)))")
    }
    return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
}

/// `data` as a new file (``createNewFile(_:field:command:)``). A write that fails part-way (a full
/// disk) removes the file rather than leave it half written.
func writeNewFile(_ path: String, _ data: Data, field: String, command: String) throws {
    let handle = try createNewFile(path, field: field, command: command)
    do {
        try writeAll(data, toDescriptor: handle.fileDescriptor, place: path)
    } catch {
        try? handle.close()
        unlink(path)
        throw error
    }
    try handle.close()
}
