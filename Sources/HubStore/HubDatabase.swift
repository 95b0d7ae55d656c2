import Crypto
import Foundation
import HubCore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// The hub's store: one PostgreSQL database shared by every `ketareg-hub` process.
public struct HubDatabase: Sendable {
    /// The PostgreSQL client every query goes through; whoever makes the store runs it, as
    /// ``with(_:logger:_:)`` does.
    public let client: PostgresClient
    let logger: Logger

    /// A store over `client`, which the caller runs; `logger` is for the queries.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Runs `body` with a connected client, then closes it.
    public static func with<T: Sendable>(
        _ location: DatabaseLocation, logger: Logger,
        _ body: @Sendable (HubDatabase) async throws -> T
    ) async throws -> T {
        try await probe(location)
        let client = PostgresClient(configuration: location.configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            do {
                let database = HubDatabase(client: client, logger: logger)
                let result = try await body(database)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw HubDatabase.explain(error, location: location)
            }
        }
    }

    /// Fails at once, naming the address, when nothing listens there: a connection pool would
    /// otherwise keep retrying for a minute before a command could say so.
    public static func probe(_ location: DatabaseLocation) async throws {
        let configuration = location.configuration
        do {
            if let path = configuration.unixSocketPath {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(5)).connect(unixDomainSocketPath: path).get()
                // Something answered; a server that already hung up (under load) is still there.
                try? await channel.close()
            } else if let host = configuration.host, let port = configuration.port {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(5)).connect(host: host, port: port).get()
                try? await channel.close()
            }
        } catch {
            throw HubError(
                .database, "\(location): nothing answers there (\(error)); is PostgreSQL running, and is the URL right?"
            )
        }
    }

    /// A PostgreSQL error in words, without the query's bound values.
    public static func explain(_ error: any Error, location: DatabaseLocation) -> any Error {
        if error is HubError { return error }
        if let transaction = error as? PostgresTransactionError, let inner = transaction.closureError {
            return explain(inner, location: location)
        }
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                let code = psql.serverInfo?[.sqlState] ?? ""
                if code == "42P01" {
                    return HubError(
                        .database, "\(location): the hub's tables are missing (\(message))", remedies: [.createTables])
                }
                return HubError(.database, "\(location): PostgreSQL said: \(message)")
            }
            return HubError(.database, "\(location): cannot reach PostgreSQL (\(psql.code.description))")
        }
        return HubError(.database, "\(location): \(error)")
    }

    /// True when PostgreSQL refused the statement for its data (SQLSTATE classes 22, data
    /// exception, and 23, integrity constraint): sending the same payload again cannot succeed.
    public static func isPermanent(_ error: any Error) -> Bool {
        if let transaction = error as? PostgresTransactionError, let inner = transaction.closureError {
            return isPermanent(inner)
        }
        guard let code = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return code.hasPrefix("22") || code.hasPrefix("23")
    }
}
