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
        // Bytes appended to one buffer, not strings interpolated: every audited change hashes one.
        var canonical: [UInt8] = []
        canonical.reserveCapacity(previous.utf8.count + fields.reduce(0) { $0 + ($1?.utf8.count ?? 0) + 8 })
        canonical.append(contentsOf: previous.utf8)
        for field in fields {
            if let field {
                canonical.append(contentsOf: String(field.utf8.count).utf8)
                canonical.append(UInt8(ascii: ":"))
                canonical.append(contentsOf: field.utf8)
                canonical.append(UInt8(ascii: "|"))
            } else {
                canonical.append(UInt8(ascii: "-"))
                canonical.append(UInt8(ascii: "|"))
            }
        }
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: canonical) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
