import ArgumentParser
import HubStore
import PayloadFormat

struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Print the hub's public key: clinics check the hub's receipts with it.",
        discussion: """
            Every payload the hub stores that names the clinic's audit-chain head is answered with a receipt \
            signed by the hub's own Ed25519 key, made by `init` and kept in the database. Give clinics the \
            public key this prints (it is no secret): `ketareg endpoint add ... --hub-key KEY`, or \
            `ketareg endpoint trust NAME --hub-key KEY`.
            """)

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print the key and its id as JSON.") var json = false

    func run() async throws {
        let key = try await withDatabase(database) { db in try await db.signingKey().publicKey }
        if json { return try printJSON(["hubKey": key.description, "id": key.id]) }
        print(key.description)
    }
}
