import ArgumentParser
import Foundation
import HubStore
import RegistryCore

struct PayloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payload",
        abstract: "The payloads the hub stored: list them, and retract one that must not count.",
        subcommands: [List.self, Retract.self])

    static func object(_ payload: HubDatabase.PayloadSummary) -> [String: Any] {
        [
            "id": payload.id, "clinic": payload.clinic, "kind": payload.kind, "schema": payload.schema,
            "period": payload.period, "received": timestamp(payload.receivedAt),
            "retracted": payload.retractedAt.map(timestamp) ?? NSNull(),
            "retractReason": payload.retractReason ?? NSNull(),
        ]
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "Every stored payload, newest first, retracted ones marked.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: ArgumentHelp("Only this clinic's payloads.", valueName: "name")) var clinic: String?
        @Flag(help: "Print the payloads as JSON.") var json = false

        func run() async throws {
            let clinic = self.clinic
            let payloads = try await withDatabase(database) { db in try await db.payloads(clinic: clinic) }
            if json { return try printJSON(["payloads": payloads.map(PayloadCommand.object)]) }
            if payloads.isEmpty { return print("No payload is stored\(clinic.map { " from \($0)" } ?? "").") }
            let rows =
                [["ID", "CLINIC", "KIND", "PERIOD", "RECEIVED", "COUNTS"]]
                + payloads.map {
                    [
                        String($0.id), escapingControlCharacters($0.clinic), $0.kind, $0.period,
                        timestamp($0.receivedAt), $0.retractedAt.map { "retracted \(timestamp($0))" } ?? "yes",
                    ]
                }
            print(columns(rows))
        }
    }

    struct Retract: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retract",
            abstract: "Take a payload out of every result, keeping it stored with when and why.",
            discussion: """
                For a payload that must not count: a clinic whose clock ran ahead (its far-future period would \
                otherwise be its latest), a payload sent in error. The clinic's previous payload for the period, \
                or its previous latest period, counts again. A retraction cannot be undone; the clinic can send \
                again under a new export id.
                """)

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The payload's id (`payload list`).") var id: Int
        @Option(help: ArgumentHelp("Why it must not count: one line, kept with it.", valueName: "text"))
        var reason: String
        @Flag(help: "Print the retracted payload as JSON.") var json = false

        func run() async throws {
            let (id, reason) = (self.id, self.reason)
            let payload = try await withDatabase(database) { db in try await db.retract(payload: id, reason: reason) }
            if json { return try printJSON(PayloadCommand.object(payload)) }
            print(
                "retracted payload \(payload.id) (\(escapingControlCharacters(payload.clinic)), \(payload.kind) for \(payload.period)): it no longer counts in any result"
            )
        }
    }
}
