import Crypto
import Foundation
import RegistryCore

/// The audit trail as a hash chain: each row's `hash` is SHA-256 over the previous row's hash and
/// the row's own canonical content, so that changing, removing, renumbering or inserting a row
/// breaks every hash from there on. The hash reveals nothing of the content.
enum AuditChain {
    /// The "previous hash" of the first row.
    static let genesis = String(repeating: "0", count: 64)

    /// SHA-256, in hex, over the previous hash and every field of the row, each written with its
    /// length so that no two rows can share a canonical form.
    static func hash(previous: String, row: AuditRow) -> String {
        // The fields one by one rather than through an array: every audited change hashes one.
        var canonical: [UInt8] = []
        canonical.reserveCapacity(
            previous.utf8.count + 256 + (row.before?.utf8.count ?? 0) + (row.after?.utf8.count ?? 0))
        canonical.append(contentsOf: previous.utf8)
        append(row.id.map(String.init), to: &canonical)
        append(row.at, to: &canonical)
        append(row.actor, to: &canonical)
        append(row.account, to: &canonical)
        append(row.action, to: &canonical)
        append(row.entity, to: &canonical)
        append(row.entityId, to: &canonical)
        append(row.patient, to: &canonical)
        append(row.before, to: &canonical)
        append(row.after, to: &canonical)
        append(row.reason, to: &canonical)
        return digest(canonical)
    }

    static func hash(previous: String, fields: [String?]) -> String {
        var canonical: [UInt8] = []
        canonical.append(contentsOf: previous.utf8)
        for field in fields { append(field, to: &canonical) }
        return digest(canonical)
    }

    /// `<byte length>:<bytes>|`, or `-|` for no value.
    private static func append(_ field: String?, to canonical: inout [UInt8]) {
        guard var text = field else {
            canonical.append(UInt8(ascii: "-"))
            canonical.append(UInt8(ascii: "|"))
            return
        }
        text.withUTF8 { bytes in
            appendDecimal(bytes.count, to: &canonical)
            canonical.append(UInt8(ascii: ":"))
            canonical.append(contentsOf: bytes)
            canonical.append(UInt8(ascii: "|"))
        }
    }

    /// SHA-256 in lowercase hex.
    private static func digest(_ canonical: [UInt8]) -> String {
        let digest = canonical.withUnsafeBytes { SHA256.hash(data: $0) }
        return String(unsafeUninitializedCapacity: 64) { hex in
            let digits: StaticString = "0123456789abcdef"
            var at = 0
            for byte in digest {
                hex[at] = digits.utf8Start[Int(byte >> 4)]
                hex[at + 1] = digits.utf8Start[Int(byte & 0x0f)]
                at += 2
            }
            return at
        }
    }
}
