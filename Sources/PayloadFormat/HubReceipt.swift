import Crypto
import Foundation
import RegistryCore

/// What a hub answers when it stores a payload that names the clinic's audit-chain head: the
/// head, the number of rows it closes, which export brought it, when, and the hub's Ed25519
/// signature over all of that. The clinic keeps its receipts; `ketareg verify` checks that every
/// receipted head is still in the chain at its row, and asks the hub for receipts it lacks. A
/// receipt cannot be made by anyone without the hub's private key, so a clinic insider who
/// rewrites the chain (and every hash after the change) cannot make the receipts agree.
public struct HubReceipt: Sendable, Codable, Hashable {
    /// `ketareg-receipt/1`: the receipt's format, and the first line of what is signed.
    public static let format = "ketareg-receipt/1"

    /// ``format``.
    public let receipt: String
    /// The clinic's name at the hub.
    public let clinic: String
    /// The export's id: the `Idempotency-Key` it was sent under.
    public let export: String
    /// SHA-256 of the payload's exact bytes, hex.
    public let digest: String
    /// The audit-chain head the payload named.
    public let auditChainHead: String
    /// How many audit rows that head closes.
    public let auditChainRows: Int
    /// When the hub stored the payload, ISO 8601 in UTC to the second.
    public let receivedAt: String
    /// The signing key's id (``HubPublicKey/id``).
    public let key: String
    /// The Ed25519 signature over ``signedBytes``, base64.
    public let signature: String

    /// The anchor the receipt vouches for.
    public var anchor: ChainAnchor { ChainAnchor(head: auditChainHead, rows: auditChainRows) }

    /// What the hub signs: the format and each member, one `name=value` line each, in this order.
    /// Values never hold a newline (each is checked before signing and after reading).
    public static func signedBytes(
        clinic: String, export: String, digest: String, head: String, rows: Int, receivedAt: String, key: String
    ) -> Data {
        Data(
            [
                format, "clinic=\(clinic)", "export=\(export)", "digest=\(digest)", "auditChainHead=\(head)",
                "auditChainRows=\(rows)", "receivedAt=\(receivedAt)", "key=\(key)",
            ].joined(separator: "\n").utf8)
    }

    /// ``signedBytes(clinic:export:digest:head:rows:receivedAt:key:)`` for this receipt.
    public var signedBytes: Data {
        Self.signedBytes(
            clinic: clinic, export: export, digest: digest, head: auditChainHead, rows: auditChainRows,
            receivedAt: receivedAt, key: key)
    }

    /// Why the receipt is not one `key` made, or `nil` when it is: a member that breaks the format,
    /// another key's id, or a signature that does not verify.
    public func problem(under key: HubPublicKey) -> String? {
        guard receipt == Self.format else { return "it is not a \(Self.format) receipt" }
        for (name, value) in [
            ("clinic", clinic), ("export", export), ("digest", digest), ("receivedAt", receivedAt),
            ("key", self.key),
        ]
        where value.isEmpty || value.contains(where: \.isNewline) || value.utf8.count > 400 {
            return "its \(name) is not one line of 1 to 400 bytes"
        }
        guard ChainAnchor.isHash(auditChainHead), auditChainRows >= 1 else {
            return "its chain head or row count is not a chain position"
        }
        guard self.key == key.id else { return "it was signed by the key \(self.key), not the hub's \(key.id)" }
        guard let signature = Data(base64Encoded: signature),
            key.key.isValidSignature(signature, for: signedBytes)
        else { return "its signature is not the hub's" }
        return nil
    }
}

/// A hub's public key, as the clinic is given it when it joins: `ed25519:` and the 32-byte key in
/// base64. It is no secret: anyone may check a receipt with it.
public struct HubPublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The key's 32 bytes (Crypto's key types are not `Sendable`).
    let raw: Data

    /// The key from its text (`ed25519:BASE64`); nil when the text is not one.
    public init?(_ text: String) {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("ed25519:"), let raw = Data(base64Encoded: String(text.dropFirst("ed25519:".count))),
            raw.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil
        else { return nil }
        self.raw = raw
    }

    init(_ key: Curve25519.Signing.PublicKey) { raw = key.rawRepresentation }

    /// The key, for checking a signature.
    var key: Curve25519.Signing.PublicKey {
        // The bytes were checked to be a key when this value was made.
        try! Curve25519.Signing.PublicKey(rawRepresentation: raw)
    }

    /// `ed25519:` and the key in base64.
    public var description: String { "ed25519:" + raw.base64EncodedString() }

    /// A short name for the key: the first 16 hex digits of SHA-256 over its 32 bytes.
    public var id: String {
        hexString(SHA256.hash(data: raw).prefix(8))
    }

    /// What a message about a key that does not read says it should look like.
    public static let allowed = "ed25519: and 32 bytes in base64, the public key the hub prints"
}

/// A hub's private signing key: it signs receipts. It lives in the hub's database and never
/// leaves the hub.
public struct HubSigningKey: Sendable {
    /// The key's 32 bytes (Crypto's key types are not `Sendable`).
    public let rawRepresentation: Data

    /// A new key, from the system's secure random source.
    public init() { rawRepresentation = Curve25519.Signing.PrivateKey().rawRepresentation }

    /// The key from its 32 stored bytes; nil when they are not a key.
    public init?(rawRepresentation: Data) {
        guard rawRepresentation.count == 32,
            (try? Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation)) != nil
        else { return nil }
        self.rawRepresentation = rawRepresentation
    }

    /// The key, for signing.
    var key: Curve25519.Signing.PrivateKey {
        // The bytes were checked to be a key when this value was made.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation)
    }

    /// The public half, for clinics.
    public var publicKey: HubPublicKey { HubPublicKey(key.publicKey) }

    /// A signed receipt for a stored payload.
    public func receipt(
        clinic: String, export: String, digest: String, anchor: ChainAnchor, receivedAt: String
    ) throws -> HubReceipt {
        let id = publicKey.id
        let bytes = HubReceipt.signedBytes(
            clinic: clinic, export: export, digest: digest, head: anchor.head, rows: anchor.rows,
            receivedAt: receivedAt, key: id)
        return HubReceipt(
            receipt: HubReceipt.format, clinic: clinic, export: export, digest: digest, auditChainHead: anchor.head,
            auditChainRows: anchor.rows, receivedAt: receivedAt, key: id,
            signature: try key.signature(for: bytes).base64EncodedString())
    }
}
