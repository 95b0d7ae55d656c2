import Foundation
import RegistryTestSupport
import Testing

/// `docs/CLI.md` against the programs themselves: every command, subcommand and option that
/// `--help` shows must be documented, and every command documented must exist.
@Suite("docs/CLI.md describes both programs")
struct DocumentationTests {
    /// One command as `--help` shows it.
    struct Command {
        let path: [String]
        let options: Set<String>
    }

    /// Every command of `binary`, walking `--help` down its subcommands.
    static func commands(of binary: String, under path: [String] = []) throws -> [Command] {
        let help = try runProcess(binary, path + ["--help"])
        guard help.status == 0 else {
            throw HubTestError("\(path.joined(separator: " ")) --help: \(help.standardError)")
        }
        var section = ""
        var options: Set<String> = []
        var subcommands: [String] = []
        for line in help.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if let heading = line.wholeMatch(of: /([A-Z][A-Z ]+):.*/) {
                section = String(heading.1)
                continue
            }
            if section == "OPTIONS", line.hasPrefix("  -") {
                // The names come before the gap that starts the description.
                let names = line.split(separator: "  ", omittingEmptySubsequences: true).first.map(String.init) ?? line
                for match in names.matches(of: /(?:^|[\s,\/])(--?[A-Za-z0-9][A-Za-z0-9-]*)/) {
                    options.insert(String(match.1))
                }
            }
            if section == "SUBCOMMANDS",
                let match = line.wholeMatch(of: /[ ]{2}([a-z][a-z0-9-]*)( \(default\))?(\s.*)?/)
            {
                subcommands.append(String(match.1))
            }
        }
        var found = [Command(path: path, options: options.subtracting(["-h", "--help", "--version"]))]
        for subcommand in subcommands where subcommand != "help" {
            found += try commands(of: binary, under: path + [subcommand])
        }
        return found
    }

    /// The document's sections: each heading's text (its command, when it names one in
    /// backticks) with the lines up to the next heading.
    static func sections(_ text: String) -> [(heading: String, body: String)] {
        var sections: [(heading: String, body: String)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("#") {
                sections.append((line, ""))
            } else if !sections.isEmpty {
                sections[sections.count - 1].body += line + "\n"
            }
        }
        return sections
    }

    /// Whether `text` mentions `option` as a whole option (`--k` is not found in `--kind`).
    static func mentions(_ text: String, _ option: String) -> Bool {
        var searched = text[...]
        while let range = searched.range(of: option) {
            let next = searched[range.upperBound...].first
            if next.map({ !($0.isLetter || $0.isNumber || $0 == "-") }) ?? true { return true }
            searched = searched[range.upperBound...]
        }
        return false
    }

    @Test(
        "Every command, subcommand and option of ketareg and ketareg-hub is in docs/CLI.md, under its own heading; no heading names a command that does not exist"
    )
    func everyCommandAndOption() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/CLI.md"), encoding: .utf8)
        let sections = Self.sections(text)
        let common = sections.filter { $0.heading.contains("Common options") }.map(\.body).joined()
        #expect(!common.isEmpty, "docs/CLI.md has a 'Common options' section")
        var documented: [String: String] = [:]
        for section in sections {
            if let match = section.heading.firstMatch(of: /`((?:ketareg|ketareg-hub)(?: [a-z][a-z0-9-]*)*)`/) {
                documented[String(match.1)] = section.body
            }
        }
        var checkedOptions = 0
        var existing: Set<String> = []
        for (program, binary) in [("ketareg", ketaregBinary), ("ketareg-hub", hubBinary)] {
            let commands = try Self.commands(of: binary)
            #expect(commands.count > (program == "ketareg" ? 50 : 8), "\(program): the walk found its subcommands")
            for command in commands {
                let name = ([program] + command.path).joined(separator: " ")
                existing.insert(name)
                guard let body = documented[name] else {
                    Issue.record("docs/CLI.md has no heading for `\(name)`")
                    continue
                }
                for option in command.options.sorted() {
                    checkedOptions += 1
                    #expect(
                        Self.mentions(body, option) || Self.mentions(common, option),
                        "docs/CLI.md does not mention \(option) of `\(name)`")
                }
            }
        }
        #expect(checkedOptions > 100)
        for name in documented.keys.sorted() where !existing.contains(name) {
            Issue.record("docs/CLI.md documents `\(name)`, which is no command of either program")
        }
    }

    @Test("The check finds what is missing: an option is not taken for another that starts with it")
    func wholeOptionsOnly() {
        #expect(Self.mentions("`--kind KIND`", "--kind"))
        #expect(!Self.mentions("`--kind KIND`", "--k"))
        #expect(Self.mentions("`--k N`, then `--kind`", "--k"))
        #expect(!Self.mentions("nothing here", "--k"))
    }
}
