import DeclarativeConditions
import Foundation
import RegistryTestSupport
import Testing

/// Seeded mutations of a real module file: each loads or is refused with its file and a line,
/// never a crash, and in time linear in its size. `Scripts/fuzz` runs many more
/// (`KETAREG_FUZZ_ITERATIONS`, `KETAREG_FUZZ_SEED`).
@Suite("Fuzzing the module loader")
struct ModuleFuzzTests {
    static let nasty: [[UInt8]] = [
        Array("9223372036854775807".utf8), Array("-9223372036854775808".utf8), Array("1e308".utf8), Array(".nan".utf8),
        Array(".inf".utf8),
        [0], [0xFF], [0xC3], Array("&x [1, 2]".utf8), Array("*x".utf8), Array("<<: *x".utf8), Array("{".utf8),
        Array("[".utf8),
        Array("!!binary AAAA".utf8), Array("!!python/object:x {}".utf8), Array("? complex key".utf8), Array("\t".utf8),
        Array("---\n".utf8),
        Array("\"\\u0000\"".utf8), Array(String(repeating: "[", count: 200).utf8),
        Array(String(repeating: "- ", count: 200).utf8),
        Array("\u{202E}".utf8), Array("~".utf8), Array("null".utf8), Array("yes".utf8), Array("0o777".utf8),
    ]

    @Test("Seeded mutations of ptsd.yaml load or are refused with a line, never a crash")
    func mutations() throws {
        let original = Array(try Data(contentsOf: repository.appendingPathComponent("Registry/conditions/ptsd.yaml")))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ketareg-module-fuzz-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("fuzz.yaml")
        var random = SeededGenerator(seed: Fuzz.seed)
        var refused = 0
        for _ in 0..<Fuzz.iterations {
            let bytes = Fuzz.mutate(original, nasty: Self.nasty, using: &random)
            try Data(bytes).write(to: file)
            do {
                _ = try ConditionFileLoader.load(file: file.path)
            } catch {
                #expect(error.line >= 1, "\(error)")
                #expect(error.file == file.path)
                refused += 1
            }
        }
        #expect(refused > 0)
    }

    @Test(
        "An alias bomb, a NUL byte, bytes that are not UTF-8 and a file over 1 MiB are refused with a line; a byte-order mark is read"
    )
    func hostileFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ketareg-module-hostile-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try Data(contentsOf: repository.appendingPathComponent("Registry/conditions/ptsd.yaml"))
        var bomb = "a0: &a0 [x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            bomb +=
                "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 8).joined(separator: ", ") + "]\n"
        }
        let cases: [(String, Data, String)] = [
            ("bomb.yaml", Data(bomb.utf8), "unknown key"),
            ("nul.yaml", good.prefix(200) + Data([0]) + good.dropFirst(200), "a NUL byte"),
            ("latin1.yaml", Data("id: caf".utf8) + Data([0xE9]) + Data("\n".utf8) + good, "not UTF-8"),
            ("huge.yaml", Data(repeating: 0x23, count: (1 << 20) + 1), "at most 1048576"),
        ]
        for (name, bytes, message) in cases {
            let path = folder.appendingPathComponent(name).path
            try bytes.write(to: URL(fileURLWithPath: path))
            do {
                _ = try ConditionFileLoader.load(file: path)
                Issue.record("\(name) loaded")
            } catch {
                #expect(error.message.contains(message), "\(name): \(error)")
                #expect(error.line >= 1)
            }
        }
        let bom = folder.appendingPathComponent("bom.yaml").path
        try (Data([0xEF, 0xBB, 0xBF]) + good).write(to: URL(fileURLWithPath: bom))
        #expect(try ConditionFileLoader.load(file: bom).id == "ptsd")
    }
}
