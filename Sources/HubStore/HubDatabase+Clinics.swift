import Crypto
import Foundation
import HubCore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

extension HubDatabase {
    // MARK: Settings

    /// The network's minimum cell size (the `minimum-cell-size` setting); 11 when it is unset or
    /// not a whole number of at least 1.
    public func minimumCellSize() async throws -> Int {
        for try await value in try await client.query(
            "SELECT value FROM settings WHERE name = 'minimum-cell-size'", logger: logger
        ).decode(String.self) {
            if let size = Int(value), size >= 1 { return size }
        }
        return Pooling.defaultMinimumCellSize
    }

    /// Sets the network's minimum cell size, replacing any earlier one. A size outside
    /// ``Pooling/minimumCellSizeRange`` is refused, whoever calls, and nothing is written.
    public func setMinimumCellSize(_ size: Int) async throws {
        let allowed = Pooling.minimumCellSizeRange
        guard allowed.contains(size) else {
            throw HubError(
                .refused,
                "the minimum cell size must be from \(allowed.lowerBound) to \(allowed.upperBound), not \(size)")
        }
        try await client.query(
            """
            INSERT INTO settings (name, value) VALUES ('minimum-cell-size', \(String(size)))
            ON CONFLICT (name) DO UPDATE SET value = excluded.value
            """, logger: logger)
    }

    // MARK: Clinics

    /// The SHA-256 of a token's UTF-8 bytes: all the hub stores of a token, and what it looks
    /// tokens up by.
    public static func tokenHash(_ token: String) -> [UInt8] { Array(SHA256.hash(data: Data(token.utf8))) }

    /// Registers a clinic by name, storing only the SHA-256 of its token.
    public func addClinic(name: String, token: String) async throws {
        let hash = ByteBuffer(bytes: Self.tokenHash(token))
        do {
            try await client.query("INSERT INTO clinics (name, token_sha256) VALUES (\(name), \(hash))", logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            let constraint = error.serverInfo?[.constraintName] ?? ""
            if constraint.contains("token") {
                throw HubError(
                    .refused,
                    "another clinic already has this token: give each clinic its own (for example `openssl rand -hex 32`)"
                )
            }
            throw HubError(.refused, "a clinic named \(name) is already registered", remedies: [.listClinics])
        }
    }

    /// Refuses the clinic's token from now on (a lost or leaked token); what it sent stays.
    public func revokeClinic(name: String) async throws {
        let rows = try await client.query(
            "UPDATE clinics SET revoked_at = now() WHERE name = \(name) AND revoked_at IS NULL RETURNING id",
            logger: logger)
        var changed = 0
        for try await _ in rows.decode(Int.self) { changed += 1 }
        if changed == 0 { try await requireClinic(name) }
    }

    /// Gives the clinic a new token (only its hash stored); the old one is refused from now on. A
    /// revoked clinic sends again with the new token.
    public func replaceToken(name: String, token: String) async throws {
        let hash = ByteBuffer(bytes: Self.tokenHash(token))
        do {
            let rows = try await client.query(
                "UPDATE clinics SET token_sha256 = \(hash), revoked_at = NULL WHERE name = \(name) RETURNING id",
                logger: logger)
            var changed = 0
            for try await _ in rows.decode(Int.self) { changed += 1 }
            if changed == 0 { try await requireClinic(name) }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw HubError(
                .refused,
                "another clinic already has this token: give each clinic its own (for example `openssl rand -hex 32`)")
        }
    }

    private func requireClinic(_ name: String) async throws {
        for try await _ in try await client.query("SELECT id FROM clinics WHERE name = \(name)", logger: logger).decode(
            Int.self)
        { return }
        throw HubError(.refused, "no clinic is named \(name)", remedies: [.listClinics])
    }

    /// A registered clinic, with what it has sent.
    public struct ClinicSummary: Sendable {
        /// The clinic's name.
        public let name: String
        /// When the clinic was registered.
        public let addedAt: Date
        /// When its token was revoked; nil while the token is accepted.
        public let revokedAt: Date?
        /// How many payloads the hub has stored from the clinic.
        public let payloads: Int
        /// The latest period (`YYYY-MM`) among its payloads; nil when it has sent none.
        public let latestPeriod: String?
        /// When the newest of its payloads was received; nil when it has sent none.
        public let lastReceivedAt: Date?
    }

    /// Every registered clinic, revoked ones included, by name.
    public func clinics() async throws -> [ClinicSummary] {
        let rows = try await client.query(
            """
            SELECT c.name, c.added_at, c.revoked_at, count(p.id)::bigint,
                   max(p.period) FILTER (WHERE p.retracted_at IS NULL), max(p.received_at)
            FROM clinics c LEFT JOIN payloads p ON p.clinic_id = c.id
            GROUP BY c.id ORDER BY c.name
            """, logger: logger)
        var clinics: [ClinicSummary] = []
        for try await (name, added, revoked, payloads, period, received) in rows.decode(
            (String, Date, Date?, Int, String?, Date?).self)
        {
            clinics.append(
                ClinicSummary(
                    name: name, addedAt: added, revokedAt: revoked, payloads: payloads, latestPeriod: period,
                    lastReceivedAt: received))
        }
        return clinics
    }

    /// The clinic whose token this is, or nil. The lookup is by the token's SHA-256 (so the time it
    /// takes depends only on a hash the caller cannot steer); the stored hash is then compared with
    /// the presented one in constant time.
    public func clinic(forToken token: String) async throws -> (id: Int, name: String)? {
        let presented = Self.tokenHash(token)
        let rows = try await client.query(
            """
            SELECT id, name, token_sha256 FROM clinics WHERE token_sha256 = \(ByteBuffer(bytes: presented)) AND revoked_at IS NULL
            """, logger: logger)
        for try await (id, name, stored) in rows.decode((Int, String, ByteBuffer).self) {
            if Self.constantTimeEqual(Array(stored.readableBytesView), presented) { return (id, name) }
        }
        return nil
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
