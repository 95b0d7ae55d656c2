import Crypto
import Foundation

/// Pseudonyms for patients in exports: HMAC-SHA256 over the patient's internal id, keyed with the
/// registry's secret, with the endpoint's name in the message so that two endpoints receive
/// pseudonyms that cannot be joined. The same patient gets the same pseudonym at the same endpoint
/// on every run.
public struct Pseudonymizer: Sendable {
    private let secret: Data
    private let endpoint: String

    public init(secret: Data, endpoint: String) {
        self.secret = secret
        self.endpoint = endpoint
    }

    /// 32 hex digits (128 bits) of the keyed hash.
    public func pseudonym(for rowID: Int64) -> String {
        let message = Data("ketareg-pseudonym-v1\u{0}\(endpoint)\u{0}\(rowID)".utf8)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret))
        return hexString(Data(code).prefix(16))
    }
}

/// SHA-256 of bytes, lower-case hex.
public func sha256Hex(_ data: Data) -> String {
    hexString(SHA256.hash(data: data))
}

/// Bytes as lower-case hex, two digits each.
func hexString<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: text, as: UTF8.self)
}
