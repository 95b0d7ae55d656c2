import ArgumentParser
import RegistryCore
import RegistryStore

struct Init: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new, empty registry for this clinic.",
        discussion: """
            Creates the registry file readable by you alone (mode 0600, in a folder made 0700) and a \
            secret key for export pseudonyms that never leaves the file. Refuses to overwrite an \
            existing registry.
            """
    )

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false

    @Option(help: ArgumentHelp("The clinic's name, shown on reports.", valueName: "name"))
    var clinic: String?
    @Option(
        help: ArgumentHelp(
            "clinic (the default) or test: a test registry takes a $KETAREG_TODAY after this machine's date.",
            valueName: "purpose"))
    var purpose: String = "clinic"

    func run() throws {
        guard let chosen = RegistryPurpose(rawValue: purpose), chosen != .demo else {
            throw InputError(field: "purpose", got: purpose, allowed: "clinic or test ('ketareg demo' makes a demo)")
        }
        let registry = try Registry.create(
            at: global.registryPath, clinic: clinic, purpose: chosen, today: try ClinicDay.today(),
            clock: try ClinicDay.clock(),
            random: ClinicDay.random
        ).operated(byAccount: ClinicDay.account)
        if json {
            try printJSON(["path": registry.path, "clinic": clinic ?? ""])
        } else {
            print("Created a new registry at \(registry.path)\(clinic.map { " for \($0)" } ?? "").")
            print("Next: 'ketareg conditions' to see what it records, 'ketareg enroll --help' to enrol a patient.")
        }
    }
}
