import Foundation
import Logging
import NIOCore
import PayloadFormat
import PostgresNIO
import RegistryCore

extension HubDatabase {
    // MARK: Receipts

    /// The hub's signing key, made by `init` (migration `004-receipts`).
    public func signingKey() async throws -> HubSigningKey {
        let rows = try await client.query("SELECT private_key FROM signing_key", logger: logger)
        for try await bytes in rows.decode(ByteBuffer.self) {
            guard let key = HubSigningKey(rawRepresentation: Data(bytes.readableBytesView)) else {
                throw HubError(.database, "the hub's signing key is not a key", remedies: [.restoreDatabase])
            }
            return key
        }
        throw HubError(.database, "the hub has no signing key yet", remedies: [.createTables])
    }

    /// Every receipt the hub can give `clinic`: one per stored payload that named its chain head
    /// and row count, oldest first, signed with `key`.
    public func receipts(clinic: Int, signedWith key: HubSigningKey) async throws -> [HubReceipt] {
        let rows = try await client.query(
            """
            SELECT c.name, p.idempotency_key, p.digest, p.audit_chain_head, p.audit_chain_rows, p.received_at
            FROM payloads p JOIN clinics c ON c.id = p.clinic_id
            WHERE p.clinic_id = \(clinic) AND p.audit_chain_head IS NOT NULL AND p.audit_chain_rows IS NOT NULL
            ORDER BY p.id
            """, logger: logger)
        var receipts: [HubReceipt] = []
        for try await (name, export, digest, head, count, at) in rows.decode(
            (String, String, String, String, Int, Date).self)
        {
            receipts.append(
                try key.receipt(
                    clinic: name, export: export, digest: digest, anchor: ChainAnchor(head: head, rows: count),
                    receivedAt: Self.receiptTime(at)))
        }
        return receipts
    }

    /// A receipt's moment: ISO 8601 in UTC, to the second.
    public static func receiptTime(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).ISO8601Format()
    }
}
