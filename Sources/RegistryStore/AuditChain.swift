import Crypto
import Foundation

/// The audit trail as a hash chain: each row's `hash` is SHA-256 over the previous row's hash and
/// the row's own canonical content, so that changing, removing, renumbering or inserting a row
/// breaks every hash from there on. The hash reveals nothing of the content.
enum AuditChain {
    /// The "previous hash" of the first row.
    static let genesis = String(repeating: "0", count: 64)

    /// SHA-256, in hex, over the previous hash and every field of the row, each written with its
    /// length so that no two rows can share a canonical form.
    static func hash(previous: String, row: AuditRow) -> String {
        hash(previous: previous, fields: [row.id.map(String.init), row.at, row.actor, row.account, row.action, row.entity, row.entityId,
                                          row.patient, row.before, row.after, row.reason])
    }

    static func hash(previous: String, fields: [String?]) -> String {
        var canonical = previous
        for field in fields {
            if let field {
                canonical += "\(field.utf8.count):\(field)|"
            } else {
                canonical += "-|"
            }
        }
        return SHA256.hash(data: Data(canonical.utf8)).map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }
}
