import ArgumentParser

/// Options shared by the subcommands, as `ketareg`'s global options are.
struct Shared: ParsableArguments {
    @Option(help: "A path.") var registry: String?
    @Flag(help: "JSON output.") var json = false
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Shows one record.")
    @OptionGroup var shared: Shared
    @Argument(help: "The record's id.") var id: String
    func run() { print(id) }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Lists records.")
    @OptionGroup var shared: Shared
    @Option(help: "Only this condition.") var condition: String?
    func run() { print(condition ?? "all") }
}

/// Parsed as `ketareg` parses: ArgumentParser's completion-script check is skipped, unless an
/// argument asks for a script, by a super-command name set for the length of the parse.
nonisolated(unsafe) var skipsCompletionCheck = false

struct StartupFloor: ParsableCommand {
    static var configuration: CommandConfiguration { skipsCompletionCheck ? skipping : standard }

    static let standard = CommandConfiguration(
        commandName: "startup-floor", abstract: "ArgumentParser alone: the start-up floor for ketareg.",
        version: "0.1.0", subcommands: [Show.self, List.self])

    static let skipping: CommandConfiguration = {
        var configuration = standard
        configuration._superCommandName = "startup-floor"
        return configuration
    }()
}

let arguments = Array(CommandLine.arguments.dropFirst())
skipsCompletionCheck = !arguments.contains { $0.contains("generate-completion-script") }
do {
    var command = try StartupFloor.parseAsRoot(arguments)
    skipsCompletionCheck = false
    try command.run()
} catch {
    skipsCompletionCheck = false
    StartupFloor.exit(withError: error)
}
