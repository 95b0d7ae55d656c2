import Foundation
import RegistryTestSupport
import Testing

@testable import RegistryStore

/// The importer's CSV reader, which reads the file in chunks and takes runs of plain bytes in one
/// piece, against a plain reading of RFC 4180 done on the whole text at once.
@Suite("CSV reader")
struct CSVReaderTests {
    /// Records as RFC 4180 reads them (quotes around a field, `""` for a quote inside, carriage
    /// returns outside quotes dropped), with each record's first line; blank lines skipped.
    func reference(_ bytes: [UInt8]) -> [(line: Int, fields: [String])] {
        var records: [(Int, [String])] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var line = 1
        var start = 1
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func finish() {
            fields.append(String(decoding: field, as: UTF8.self))
            field = []
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((start, fields)) }
            fields = []
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index < bytes.count && bytes[index] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") {
                quoted = true
            } else if byte == UInt8(ascii: ",") {
                fields.append(String(decoding: field, as: UTF8.self))
                field = []
            } else if byte == UInt8(ascii: "\n") {
                line += 1
                finish()
                start = line
            } else if byte != UInt8(ascii: "\r") {
                field.append(byte)
            }
        }
        if index > 0 && (bytes.last != UInt8(ascii: "\n") || !field.isEmpty || !fields.isEmpty) { finish() }
        return records
    }

    func read(_ path: String, chunkSize: Int) throws -> [(line: Int, fields: [String])] {
        var reader = try CSVReader(path: path, chunkSize: chunkSize)
        var records: [(line: Int, fields: [String])] = []
        while let record = try reader.next() { records.append(record) }
        return records
    }

    @Test(
        "Every chunk size reads the same records as the whole text read at once, quotes, line breaks and multi-byte text at every edge"
    )
    func chunkEdges() throws {
        var random = SeededGenerator(seed: 7)
        let pieces = [
            "a", "PHQ-9", "1,2,3", "say \"hi\"", "two\nlines", "é", "漢字", "", " ", "\r", "x\r\ny", "\"", ",", "'=1",
            String(repeating: "z", count: 70),
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("csv-reader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var checked = 0
        for file in 0..<40 {
            var text = file % 5 == 0 ? "\u{FEFF}" : ""
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                let fields = (0..<Int.random(in: 1...5, using: &random)).map { _ -> String in
                    let value = pieces.randomElement(using: &random)!
                    let mustQuote = value.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
                    return mustQuote || Bool.random(using: &random)
                        ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
                }
                text += fields.joined(separator: ",") + (Bool.random(using: &random) ? "\r\n" : "\n")
                if Int.random(in: 0..<6, using: &random) == 0 { text += "\n" }
            }
            if Bool.random(using: &random), text.hasSuffix("\n") { text.removeLast() }
            let path = folder.appendingPathComponent("\(file).csv").path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let expected = reference(Array(text.utf8))
            for chunkSize in [1, 2, 3, 5, 64, 1 << 20] {
                let got = try read(path, chunkSize: chunkSize)
                #expect(
                    got.map(\.line) == expected.map(\.line) && got.map(\.fields) == expected.map(\.fields),
                    "file \(file), chunks of \(chunkSize)")
                checked += 1
            }
        }
        #expect(checked == 240)
    }

    @Test(
        "A NUL byte and text that is not UTF-8 are refused with their line and field, at any chunk size",
        arguments: [1, 3, 1 << 20])
    func refusals(chunkSize: Int) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("csv-reader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (bytes, line, message) in [
            (Array("a,b\nc,\"x\ny\",d\u{0}e\n".utf8), 3, "field 3 holds a NUL byte"),
            (Array("a,b\nc,d".utf8) + [0xFF] + Array(",e\n".utf8), 2, "field 2 is not UTF-8 text"),
            (Array("a,b\n\"open,c\nd\n".utf8), 2, "a quoted field opened here is never closed"),
        ] {
            let path = folder.appendingPathComponent("bad.csv").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: CSVReaderError.self) { _ = try read(path, chunkSize: chunkSize) }
            #expect(error?.line == line && error?.message.hasPrefix(message) == true, "\(String(describing: error))")
        }
    }
}
