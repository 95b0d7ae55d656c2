import ArgumentParser
import Foundation
import HubStore
import PayloadFormat
import RegistryCore

struct ClinicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinic",
        abstract: "Register the clinics that may send, and list them.",
        subcommands: [Add.self, List.self, Revoke.self, Token.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Register a clinic and the token it sends with. Only the token's SHA-256 is stored.",
            discussion: """
                The token is read from a file (never from the command line), and must be at least 24 characters: \
                `openssl rand -hex 32 > clinic.token` makes one. Give the same file to the clinic, which names it in \
                `ketareg endpoint add ... --token-file`.
                """)

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The clinic's name, as the network's results show it.") var name: String
        @Option(
            name: .customLong("token-file"), help: ArgumentHelp("A file holding the clinic's token.", valueName: "PATH")
        ) var tokenFile: String
        @Flag(help: "Print the clinic as JSON.") var json = false

        func run() async throws {
            let name = self.name.trimmedWhitespace
            guard isPlainLine(name, length: 1...80) else {
                fail(HubError(.refused, "a clinic's name must be 1 to 80 characters, without control characters"))
            }
            let token = readToken(tokenFile)
            let key = try await withDatabase(database) { db in
                try await db.addClinic(name: name, token: token)
                return try await db.signingKey().publicKey
            }
            if json { return try printJSON(["clinic": name, "hubKey": key.description]) }
            print("registered \(name); it sends with the token in \(tokenFile) (only its hash is stored)")
            print("give the clinic the hub's key too, for its receipts: --hub-key \(key)")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract:
                "Refuse a clinic's token from now on (lost or leaked); what it sent stays. `clinic token` gives it a new one."
        )

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The clinic's name.") var name: String

        func run() async throws {
            try await withDatabase(database) { db in try await db.revokeClinic(name: name) }
            print(
                "revoked \(name)'s token: its requests get 401 until `ketareg-hub clinic token \(name) --token-file PATH`"
            )
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token",
            abstract:
                "Give a clinic a new token, read from a file (only its hash is stored); the old one is refused from now on."
        )

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The clinic's name.") var name: String
        @Option(
            name: .customLong("token-file"),
            help: ArgumentHelp("A file holding the clinic's new token.", valueName: "PATH")) var tokenFile: String

        func run() async throws {
            let token = readToken(tokenFile)
            try await withDatabase(database) { db in try await db.replaceToken(name: name, token: token) }
            print("\(name) now sends with the token in \(tokenFile); the old one is refused")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "The registered clinics and what each has sent.")

        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print the clinics as JSON.") var json = false

        func run() async throws {
            let clinics = try await withDatabase(database) { db in try await db.clinics() }
            if json {
                return try printJSON([
                    "clinics": clinics.map { clinic -> [String: Any] in
                        var object: [String: Any] = [
                            "clinic": clinic.name, "added": timestamp(clinic.addedAt), "payloads": clinic.payloads,
                            "revoked": clinic.revokedAt.map(timestamp) ?? NSNull(),
                        ]
                        object["latestPeriod"] = clinic.latestPeriod ?? NSNull()
                        object["lastReceived"] = clinic.lastReceivedAt.map(timestamp) ?? NSNull()
                        return object
                    }
                ])
            }
            if clinics.isEmpty {
                return print("No clinic is registered: `ketareg-hub clinic add NAME --token-file PATH`.")
            }
            let rows =
                [["CLINIC", "PAYLOADS", "LATEST PERIOD", "LAST RECEIVED", "TOKEN"]]
                + clinics.map {
                    [
                        $0.name, String($0.payloads), $0.latestPeriod ?? "-", $0.lastReceivedAt.map(timestamp) ?? "-",
                        $0.revokedAt.map { "revoked \(timestamp($0))" } ?? "active",
                    ]
                }
            print(columns(rows))
        }
    }
}

/// A clinic's token from a file: one word of at least 24 characters. Never echoed.
func readToken(_ path: String) -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        fail(HubError(.refused, "--token-file: cannot read \(path)"))
    }
    guard let text = String(data: data, encoding: .utf8) else {
        fail(HubError(.refused, "--token-file: \(path) is not UTF-8 text"))
    }
    let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard token.count >= 24, !token.contains(where: { $0.isWhitespace }) else {
        fail(
            HubError(
                .refused,
                "--token-file: the token in \(path) must be one word of at least 24 characters (it has \(token.count)); `openssl rand -hex 32` makes one"
            ))
    }
    return token
}

/// Lines of left-aligned columns. A cell that is not printable ASCII has its control characters
/// shown as `?` (a clinic's name must not move the cursor); lines lose their trailing spaces.
func columns(_ rows: [[String]]) -> String {
    let rows = rows.map { row in
        row.map { cell in
            cell.utf8.allSatisfy({ (0x20...0x7E).contains($0) })
                ? cell
                : String(
                    String.UnicodeScalarView(
                        cell.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
        }
    }
    var widths: [Int] = []
    for row in rows {
        for (index, cell) in row.enumerated() {
            if index >= widths.count { widths.append(0) }
            widths[index] = max(widths[index], cell.count)
        }
    }
    return rows.map { row in
        var line = ""
        for (index, cell) in row.enumerated() {
            line += cell
            if index < row.count - 1 { line += String(repeating: " ", count: widths[index] - cell.count + 2) }
        }
        while line.last == " " { line.removeLast() }
        return line
    }.joined(separator: "\n")
}
