import Foundation
import Testing

/// The libraries speak of the registry, not of one front door: none of the messages of the store,
/// the domain, the exporter or the use cases names a command or an option (`ketareg …`, `--flag`);
/// each front door adds its own words for the field and the way out.
@Suite("The libraries' messages name no command and no option")
struct MessageWordsTests {
    @Test(
        "No string in the libraries (the clinic's, the hub's, the wire's) names a ketareg or ketareg-hub command or a command-line option",
        arguments: [
            "RegistryStore", "RegistryCore", "RegistryExport", "ClinicWork", "HubStore", "HubCore", "PayloadFormat",
        ])
    func noCommandWords(target: String) throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/\(target)").standardized
        let files = try #require(FileManager.default.enumerator(atPath: sources.path))
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(files.count >= 4, "read the sources of \(target): \(files.count) files")
        var strings = 0
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                guard !code.hasPrefix("//"), code.contains("\"") else { continue }
                strings += 1
                // The account name of the rows a migration wrote is data, not advice.
                // An HTML element in a page the hub writes is markup, not the command line's `<name>`.
                let words = code.replacingOccurrences(of: "'ketareg migration'", with: "")
                    .replacingOccurrences(
                        of: #"</?(p|h[1-6]|section|table|tr|td|th|div|span|ul|li|svg|g|text|line|rect|title|style)\b"#,
                        with: "", options: .regularExpression)
                // `<argument>` is the command line's notation for its arguments, `$VARIABLE` its
                // environment's.
                let names =
                    words.contains("ketareg ") || words.contains("'ketareg") || words.contains("`ketareg")
                    || words.range(of: #"--[a-z]|"<[a-z-]+>|\$KETAREG"#, options: .regularExpression) != nil
                #expect(!names, "\(target)/\(file):\(number + 1): \(code)")
            }
        }
        #expect(strings >= 5, "looked at the string literals of \(target): \(strings) lines")
    }
}
