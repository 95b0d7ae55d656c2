import Foundation

/// Reads a CSV file (RFC 4180: quoted fields may hold commas, quotes and line breaks) one record at
/// a time, in fixed-size chunks, so memory does not grow with the file. A UTF-8 byte-order mark at
/// the start is skipped; a NUL byte or text that is not UTF-8 is refused with its line and field.
struct CSVReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false
    /// The physical line the reader is on.
    private(set) var line = 1
    private var atStart = true
    /// The field being read, kept between records so that its storage is reused.
    private var field: [UInt8] = []
    /// How many fields the last record had: room for as many in the next.
    private var lastFieldCount = 0

    /// How much of the file is read at once (tests read a byte at a time, to put every byte at
    /// a chunk's edge).
    private let chunkSize: Int

    init(path: String, chunkSize: Int = 1 << 20) throws {
        self.chunkSize = max(1, chunkSize)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw RegistryError.storage("cannot read \(path): no such file, or not readable")
        }
        self.handle = handle
    }

    /// The next record and the line it starts on, or `nil` at the end of the file. Blank lines are
    /// skipped.
    mutating func next() throws -> (line: Int, fields: [String])? {
        while true {
            guard let (start, fields) = try nextRecord() else { return nil }
            if fields.count == 1 && fields[0].isEmpty { continue }
            return (start, fields)
        }
    }

    /// Reads the next chunk once the one in hand is used up; false at the end of the file.
    private mutating func refill() throws -> Bool {
        if position < buffer.count { return true }
        if finished { return false }
        let chunk = try handle.read(upToCount: chunkSize) ?? Data()
        if chunk.isEmpty {
            finished = true
            try handle.close()
            return false
        }
        buffer = [UInt8](chunk)
        position = 0
        return true
    }

    private mutating func nextByte() throws -> UInt8? {
        guard try refill() else { return nil }
        defer { position += 1 }
        return buffer[position]
    }

    private mutating func peekByte() throws -> UInt8? {
        guard try refill() else { return nil }
        return buffer[position]
    }

    private mutating func nextRecord() throws -> (Int, [String])? {
        if atStart {
            atStart = false
            if try peekByte() == 0xEF {
                let mark = [try nextByte(), try nextByte(), try nextByte()]
                if mark != [0xEF, 0xBB, 0xBF] {
                    throw CSVReaderError(
                        line: 1, message: "the file does not start as UTF-8 text; save it as CSV in UTF-8")
                }
            }
        }
        let start = line
        var fields: [String] = []
        fields.reserveCapacity(lastFieldCount)
        defer { lastFieldCount = fields.count }
        field.removeAll(keepingCapacity: true)
        var quoted = false
        var sawAnything = false
        func text(_ bytes: [UInt8]) throws -> String {
            // Most fields are ASCII, which is valid UTF-8 as it is: decoded without the generic check.
            if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw CSVReaderError(
                    line: line, message: "field \(fields.count + 1) is not UTF-8 text; save the file as CSV in UTF-8")
            }
            return text
        }
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        let newline = UInt8(ascii: "\n")
        let carriageReturn = UInt8(ascii: "\r")
        while try refill() {
            sawAnything = true
            let byte = buffer[position]
            position += 1
            if byte == 0 {
                throw CSVReaderError(
                    line: line, message: "field \(fields.count + 1) holds a NUL byte, which no value may contain")
            }
            if quoted {
                if byte == quote {
                    if try peekByte() == quote {
                        position += 1
                        field.append(byte)
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == newline { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case quote:
                quoted = true
            case comma:
                fields.append(try text(field))
                field.removeAll(keepingCapacity: true)
            case carriageReturn:
                continue
            case newline:
                line += 1
                fields.append(try text(field))
                return (start, fields)
            default:
                // The run of plain bytes this one starts, taken in one piece (most of a file).
                var end = position
                while end < buffer.count {
                    let next = buffer[end]
                    if next == comma || next == newline || next == quote || next == carriageReturn || next == 0 {
                        break
                    }
                    end += 1
                }
                field.append(byte)
                field.append(contentsOf: buffer[position..<end])
                position = end
            }
        }
        guard sawAnything else { return nil }
        if quoted { throw CSVReaderError(line: start, message: "a quoted field opened here is never closed") }
        fields.append(try text(field))
        return (start, fields)
    }
}

struct CSVReaderError: Error {
    let line: Int
    let message: String
}

/// One CSV field, quoted when it must be. A field a spreadsheet would run as a formula (starting
/// with `=`, `+`, `-` or `@`, and not a number) is written with a leading `'`, which the importer
/// takes off again. A field with a `;` or a tab is quoted too: a spreadsheet that splits on either
/// would otherwise start a new cell there, and `x;=CMD()` would run.
func csvField(_ text: String) -> String {
    var text = text
    if let first = text.first, "=+-@".contains(first), Double(text) == nil { text = "'" + text }
    guard
        text.contains(where: {
            $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == ";" || $0 == "\t"
        })
    else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
