import Foundation
import Logging
import PostgresNIO
import RegistryCore

extension HubDatabase {
    /// A stored payload, as `payload list` shows it.
    public struct PayloadSummary: Sendable, Codable, Hashable {
        /// The payload's id (the `payload` of the hub's 202 answer).
        public let id: Int
        /// The clinic that sent it.
        public let clinic: String
        /// `summary`, `records` or `fhir`.
        public let kind: String
        /// Its schema.
        public let schema: String
        /// Its period (`YYYY-MM`).
        public let period: String
        /// When the hub stored it.
        public let receivedAt: Date
        /// When it was retracted, and why; nil while it counts.
        public let retractedAt: Date?
        /// Why it was retracted.
        public let retractReason: String?
    }

    /// Every stored payload, newest first; of one clinic when `clinic` is given.
    public func payloads(clinic: String? = nil) async throws -> [PayloadSummary] {
        try await Self.summaries(
            try await client.query(
                """
                \(unescaped: Self.summaryColumns)
                WHERE \(clinic)::text IS NULL OR c.name = \(clinic)
                ORDER BY p.id DESC
                """, logger: logger))
    }

    /// The columns and join a ``PayloadSummary`` is read from.
    private static let summaryColumns = """
        SELECT p.id::bigint, c.name, p.kind, p.schema, p.period, p.received_at, p.retracted_at, p.retract_reason
        FROM payloads p JOIN clinics c ON c.id = p.clinic_id
        """

    /// The summaries in rows selected with ``summaryColumns``.
    private static func summaries(_ rows: PostgresRowSequence) async throws -> [PayloadSummary] {
        var found: [PayloadSummary] = []
        for try await (id, name, kind, schema, period, received, retracted, reason) in rows.decode(
            (Int, String, String, String, String, Date, Date?, String?).self)
        {
            found.append(
                PayloadSummary(
                    id: id, clinic: name, kind: kind, schema: schema, period: period, receivedAt: received,
                    retractedAt: retracted, retractReason: reason))
        }
        return found
    }

    /// Retracts a payload: it stays stored, with the time and the reason, and no longer counts in
    /// any result (the clinic's previous payload for the period, or its previous latest period,
    /// counts again). Refuses an unknown payload, one already retracted, and a reason that is not
    /// one line of 1 to 300 characters.
    public func retract(payload id: Int, reason: String) async throws -> PayloadSummary {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard isPlainLine(reason, length: 1...300) else {
            throw HubError(.refused, "a retraction needs a reason: one line of 1 to 300 characters")
        }
        return try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                "SELECT retracted_at FROM payloads WHERE id = \(id) FOR UPDATE", logger: logger)
            var exists = false
            for try await retracted in rows.decode(Date?.self) {
                exists = true
                if let retracted {
                    throw HubError(.refused, "payload \(id) was retracted already, at \(retracted.ISO8601Format())")
                }
            }
            guard exists else { throw HubError(.refused, "there is no payload \(id)") }
            try await connection.query(
                "UPDATE payloads SET retracted_at = now(), retract_reason = \(reason) WHERE id = \(id)", logger: logger)
            let shown = try await Self.summaries(
                try await connection.query(
                    "\(unescaped: Self.summaryColumns) WHERE p.id = \(id)", logger: logger))
            guard let payload = shown.first else { throw HubError(.database, "payload \(id) cannot be read back") }
            return payload
        }
    }
}
