import Foundation
import Testing

/// The store speaks of the registry, not of one front door: none of its messages names a command
/// or an option (`ketareg …`, `--flag`); each front door adds its own words for the way out.
@Suite("The store's messages name no command and no option")
struct MessageWordsTests {
    @Test("No string in the store's sources names a ketareg command or a command-line option")
    func noCommandWords() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/RegistryStore").standardized
        let files = try #require(FileManager.default.enumerator(atPath: sources.path))
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(files.count > 30, "read the store's sources: \(files.count) files")
        var strings = 0
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                guard !code.hasPrefix("//"), code.contains("\"") else { continue }
                strings += 1
                // The account name of the rows a migration wrote is data, not advice.
                let words = code.replacingOccurrences(of: "'ketareg migration'", with: "")
                let names =
                    words.contains("ketareg ") || words.contains("'ketareg") || words.contains("`ketareg")
                    || words.range(of: #"--[a-z]"#, options: .regularExpression) != nil
                #expect(!names, "\(file):\(number + 1): \(code)")
            }
        }
        #expect(strings > 200, "looked at the store's string literals: \(strings) lines")
    }
}
