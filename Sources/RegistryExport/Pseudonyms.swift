import Crypto
import Foundation
import RegistryCore

/// Pseudonyms for patients in exports: HMAC-SHA256 over the patient's internal id, keyed with the
/// registry's secret, with the endpoint's name in the message so that two endpoints receive
/// pseudonyms that cannot be joined. The same patient gets the same pseudonym at the same endpoint
/// on every run.
public struct Pseudonymizer: @unchecked Sendable {
    /// The HMAC keyed, with the message's fixed start (`ketareg-pseudonym-v1`, NUL, the endpoint,
    /// NUL) already fed: each pseudonym copies it and adds the id. Never changed after `init`,
    /// and its hash states are copied on write, hence safe to share (`@unchecked`: swift-crypto
    /// does not mark `HMAC` `Sendable`).
    private let keyed: HMAC<SHA256>

    /// Pseudonyms for the endpoint named `endpoint`, keyed with `secret`, the registry's pseudonym
    /// secret.
    public init(secret: Data, endpoint: String) {
        var keyed = HMAC<SHA256>(key: SymmetricKey(data: secret))
        keyed.update(data: Data("ketareg-pseudonym-v1\u{0}\(endpoint)\u{0}".utf8))
        self.keyed = keyed
    }

    /// 32 hex digits (128 bits) of the keyed hash of the start and the id in decimal.
    public func pseudonym(for rowID: Int64) -> String {
        var mac = keyed
        var digits = String(rowID)
        digits.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
        return mac.finalize().withUnsafeBytes { hexString($0.prefix(16)) }
    }
}

/// SHA-256 of bytes, lower-case hex.
public func sha256Hex(_ data: Data) -> String {
    hexString(SHA256.hash(data: data))
}
