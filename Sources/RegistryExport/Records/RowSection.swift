import Crypto
import Foundation
import PayloadFormat
import RegistryCore
import RegistryStore

/// A new file, readable and writable only by this user, already gone from its folder: it lives only
/// as long as this process holds it, and no one else can open it by name. `mkstemp` creates it with
/// mode 0600 in one step (never a moment with wider permissions) under a name it picks, refusing a
/// name that exists.
func unlinkedTemporaryFile() throws -> FileHandle {
    let folder = FileManager.default.temporaryDirectory
    var template = Array(folder.appendingPathComponent("ketareg-records-XXXXXX").path.utf8CString)
    let (descriptor, unlinked) = template.withUnsafeMutableBufferPointer { buffer -> (Int32, Bool) in
        let descriptor = mkstemp(buffer.baseAddress!)
        guard descriptor >= 0 else { return (descriptor, false) }
        // Not handed to any program this one starts.
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return (descriptor, unlink(buffer.baseAddress!) == 0)
    }
    guard descriptor >= 0, unlinked else {
        let reason = String(cString: strerror(errno))
        if descriptor >= 0 { close(descriptor) }
        throw ExportError("cannot make a temporary file in \(folder.path) for the records payload: \(reason)")
    }
    return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
}

/// One array of the payload: its rows, comma-separated, in an unlinked temporary file.
final class RowSection {
    /// The error for rows (or the rest) that break the schema: nothing is stored or printed.
    static func invalid(_ problems: [SchemaError]) -> ExportError {
        ExportError(
            "the records payload does not match its schema \(RecordsPayload.schemaID), so it was not stored: "
                + problems.prefix(3).map(\.description).joined(separator: "; "))
    }

    let name: String
    private let validator: SchemaItemValidator?
    private let file: FileHandle
    private var buffer: [UInt8] = []
    private var row: [UInt8] = []
    private var count = 0

    init(name: String, validator: SchemaItemValidator?) throws {
        self.name = name
        self.validator = validator
        file = try unlinkedTemporaryFile()
        buffer.reserveCapacity(1 << 16)
    }

    deinit { try? file.close() }

    /// The member names of recent rows with each name written as a key (`"name":`): rows come
    /// in a few layouts.
    private var keys: [(names: [String], written: [[UInt8]])] = []

    private func writtenKeys(_ members: RowWriter.Members) -> [[UInt8]] {
        for layout in keys
        where layout.names.count == members.count && zip(layout.names, members).allSatisfy({ $0 == $1.name }) {
            return layout.written
        }
        let written = members.map { RowWriter.key($0.name) }
        if keys.count >= 16 { keys.removeFirst() }
        keys.append((members.map(\.name), written))
        return written
    }

    func append(_ members: RowWriter.Members) throws {
        if let validator {
            let problems = validator.problems(inRow: members, index: count)
            guard problems.isEmpty else { throw Self.invalid(problems) }
        }
        row.removeAll(keepingCapacity: true)
        RowWriter.write(members, keys: writtenKeys(members), into: &row)
        if count > 0 { buffer.append(UInt8(ascii: ",")) }
        buffer.append(contentsOf: row)
        count += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        try file.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func replay(to sink: (Data) throws -> Void) throws {
        try flush()
        try file.seek(toOffset: 0)
        while let chunk = try file.read(upToCount: 1 << 20), !chunk.isEmpty { try sink(chunk) }
    }
}
