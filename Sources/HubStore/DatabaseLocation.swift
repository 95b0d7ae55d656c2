import Crypto
import Foundation
import HubCore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// A problem with the hub's database, its settings or what someone asked of them. Messages never
/// quote a payload, a token or a database password.
public struct HubError: Error, CustomStringConvertible, Sendable {
    /// What kind of problem: `refused`, something asked of the hub that it will not do
    /// (`ketareg-hub` exits 1); `database`, the database failed or cannot be reached (exit 3).
    public enum Kind: Sendable { case refused, database }
    /// Which kind of problem this is.
    public let kind: Kind
    /// What the person at the hub can do about it; the program words each in its own terms.
    public enum Remedy: Sendable, Hashable {
        /// See which clinics are registered, and under which names.
        case listClinics
        /// Create the hub's tables in this database.
        case createTables
        /// The stored value was changed outside the hub or is damaged: restore the database from
        /// a backup.
        case restoreDatabase
    }
    /// The problem in a sentence, for whoever runs the command, in the hub's words (no command).
    public let description: String
    /// What can be done about it, most useful first; empty when nothing needs saying.
    public let remedies: [Remedy]
    /// A problem of `kind`, described by `description`, with what can be done about it.
    public init(_ kind: Kind, _ description: String, remedies: [Remedy] = []) {
        self.kind = kind
        self.description = description
        self.remedies = remedies
    }
}

/// Where the hub's PostgreSQL is: a `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` URL, with
/// `?sslmode=disable|prefer|require` (default prefer) and `?host=/run/postgresql` for a Unix socket
/// (as libpq reads them). The password may also come from `$PGPASSWORD`.
public struct DatabaseLocation: Sendable, CustomStringConvertible {
    /// The client's settings read from the URL: host and port (with TLS as `sslmode` says) or Unix
    /// socket, user, password, database, and a 10-second connect timeout.
    public let configuration: PostgresClient.Configuration
    /// The URL without its password, for messages.
    public let description: String

    /// Reads `text`; `environment` is the program's (for `$PGPASSWORD`): the library reads none.
    public init(url text: String, environment: [String: String]) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw HubError(
                .refused, "the database must be a postgres:// URL, like postgres://ketareg@127.0.0.1:5432/hub")
        }
        guard let user = components.user, !user.isEmpty else {
            throw HubError(.refused, "the database URL names no user (postgres://USER@HOST/DATABASE)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else {
            throw HubError(.refused, "the database URL names no database (postgres://USER@HOST/DATABASE)")
        }
        let password = components.password?.removingPercentEncoding ?? environment["PGPASSWORD"]
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { $1 }
        var configuration: PostgresClient.Configuration
        if let socketFolder = query["host"], socketFolder.hasPrefix("/") {
            let port = components.port ?? 5432
            configuration = .init(
                unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: user, password: password,
                database: database)
        } else {
            guard let host = components.host, !host.isEmpty else {
                throw HubError(
                    .refused, "the database URL names no host (postgres://USER@HOST/DATABASE, or ?host=/socket/folder)")
            }
            let tls: PostgresClient.Configuration.TLS
            switch query["sslmode"] ?? "prefer" {
            case "disable": tls = .disable
            case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
            case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
            case let other:
                throw HubError(.refused, "sslmode \(other) is not one this hub knows: disable, prefer or require")
            }
            configuration = .init(
                host: host, port: components.port ?? 5432, username: user, password: password, database: database,
                tls: tls)
        }
        configuration.options.connectTimeout = .seconds(10)
        self.configuration = configuration
        var shown = components
        shown.password = nil
        description = shown.string ?? "the database"
    }

    /// True when the URL text itself carries a password (which must not be a command-line argument).
    public static func carriesPassword(_ text: String) -> Bool { URLComponents(string: text)?.password != nil }
}
