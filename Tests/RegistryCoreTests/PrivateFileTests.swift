import Foundation
import RegistryCore
import Testing

@Suite("Private files are private from their first moment")
struct PrivateFileTests {
    @Test("A private file is 0600 from its creation, never overwrites a file and never follows a link")
    func privateFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("private-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("token").path
        try writePrivateFile(Data("secret\n".utf8), to: path)
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "secret\n")
        // An existing file is refused, and kept as it was.
        #expect(throws: WriteError.self) { try writePrivateFile(Data("other\n".utf8), to: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "secret\n")
        // A link placed where the file should go (to a file another user could read) is refused.
        let target = folder.appendingPathComponent("readable").path
        #expect(
            FileManager.default.createFile(atPath: target, contents: Data(), attributes: [.posixPermissions: 0o644]))
        let link = folder.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        #expect(throws: WriteError.self) { try writePrivateFile(Data("secret\n".utf8), to: link) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)).isEmpty)
        // A link to nowhere, too: O_EXCL never creates its target.
        let dangling = folder.appendingPathComponent("dangling").path
        try FileManager.default.createSymbolicLink(
            atPath: dangling, withDestinationPath: folder.appendingPathComponent("new").path)
        #expect(throws: WriteError.self) { try writePrivateFile(Data("secret\n".utf8), to: dangling) }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("new").path))
    }
}
