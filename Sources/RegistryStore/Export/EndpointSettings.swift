import Foundation
import RegistryCore

/// What an endpoint receives: the closed set of export profiles, decoded strictly.
public enum ExportProfile: String, Vocabulary {
    /// Aggregate tables, small cells suppressed and counts rounded.
    case summary
    /// Pseudonymised rows, in groups of at least k patients.
    case records
    /// The records release as a FHIR R4 Bundle of pseudonymised Observations.
    case fhir

    /// The profiles, for messages: "summary, records or fhir".
    public static let allowed = "summary, records or fhir"
}

/// A research endpoint: where exports go and how. The token itself is never stored: only the file
/// or environment variable it is read from.
public struct EndpointSettings: Sendable, Codable, Hashable {
    /// The endpoint's name: letters, digits, hyphens and underscores.
    public var name: String
    /// Where payloads are POSTed.
    public var url: String
    /// The file holding the bearer token (readable by its owner alone), or nil.
    public var tokenFile: String?
    /// The environment variable holding the bearer token, or nil.
    public var tokenEnvironment: String?
    /// Certificate authorities to trust for this endpoint (PEM), or nil for the system's.
    public var caFile: String?
    /// What the endpoint receives.
    public var profile: ExportProfile
    /// The smallest count a summary shows (``minimumCellRange``).
    public var minCell: Int
    /// The smallest group of patients sharing age band, sex and conditions in records and FHIR
    /// (``kRange``).
    public var k: Int
    /// Seconds a delivery may take before it is retried later (``timeoutRange``).
    public var timeoutSeconds: Int
    /// The hub's public key (`ed25519:BASE64`, as `ketareg-hub key` prints it), which checks the
    /// receipts it answers deliveries with; nil for an endpoint that gives none.
    public var hubKey: String? = nil
    /// Why this endpoint may receive a minimum cell or k below ``networkMinimum`` (audited with
    /// the settings); nil when both are at least that.
    public var smallReason: String? = nil

    /// The privacy limits: a summary cell of one patient, or a records group of one, is never
    /// allowed, whoever creates the endpoint.
    public static let minimumCellRange = 2...1000
    /// See ``minimumCellRange``.
    public static let kRange = 2...1000
    /// The smallest minimum cell and k an endpoint gets without a reason: anything leaves this
    /// machine for a network. Below it (down to 2) only on purpose, with a reason kept in the
    /// audit trail.
    public static let networkMinimum = 5
    /// What a reason for small cells may be: plain text, at most this many characters.
    public static let reasonLength = 1...300
    /// The reason a registry from before reasons were asked for gives its endpoints below
    /// ``networkMinimum`` (the migration that added them).
    public static let reasonBeforeReasons = "set before KetaReg asked for a reason below 5"
    /// How long a delivery may take, in seconds.
    public static let timeoutRange = 1...3600
    /// The defaults the command line offers.
    public static let defaultMinimumCell = 11, defaultK = 5, defaultTimeoutSeconds = 60

    /// Settings as given; ``validated()`` checks them, and `Registry.addEndpoint` refuses any
    /// that it would not pass.
    public init(
        name: String, url: String, tokenFile: String?, tokenEnvironment: String?, caFile: String?,
        profile: ExportProfile, minCell: Int, k: Int, timeoutSeconds: Int
    ) {
        self.name = name
        self.url = url
        self.tokenFile = tokenFile
        self.tokenEnvironment = tokenEnvironment
        self.caFile = caFile
        self.profile = profile
        self.minCell = minCell
        self.k = k
        self.timeoutSeconds = timeoutSeconds
    }

    /// The settings, if they keep the endpoint rules: a name of letters, digits, hyphens and
    /// underscores; exactly one token source; the minimum cell, k and timeout inside their ranges.
    /// The error names the field and what it allows.
    public func validated() throws(InputError) -> EndpointSettings {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw InputError(field: "name", got: name, allowed: "letters, digits, hyphens and underscores")
        }
        guard (tokenFile == nil) != (tokenEnvironment == nil) else {
            throw InputError(
                field: "token-file", got: tokenFile ?? "",
                allowed:
                    "exactly one token source: a token file or an environment variable (the token itself is never an argument)"
            )
        }
        guard Self.minimumCellRange.contains(minCell) else {
            throw InputError(field: "min-cell", got: String(minCell), allowed: Self.describe(Self.minimumCellRange))
        }
        guard Self.kRange.contains(k) else {
            throw InputError(field: "k", got: String(k), allowed: Self.describe(Self.kRange))
        }
        guard Self.timeoutRange.contains(timeoutSeconds) else {
            throw InputError(
                field: "timeout", got: String(timeoutSeconds), allowed: Self.describe(Self.timeoutRange) + " seconds")
        }
        if let hubKey, !Self.isHubKey(hubKey) {
            throw InputError(field: "hub-key", got: hubKey, allowed: Self.hubKeyAllowed)
        }
        var checked = self
        if minCell < Self.networkMinimum || k < Self.networkMinimum {
            let field = minCell < Self.networkMinimum ? "min-cell" : "k"
            let reason = smallReason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard !reason.isEmpty else {
                throw InputError(
                    field: field, got: String(field == "k" ? k : minCell),
                    allowed:
                        "\(Self.networkMinimum) to \(Self.kRange.upperBound); 2 to \(Self.networkMinimum - 1) only on purpose, with a reason that is audited"
                )
            }
            guard isPlainLine(reason, length: Self.reasonLength) else {
                throw InputError(
                    field: "reason", got: reason,
                    allowed:
                        "plain text of \(Self.reasonLength.lowerBound) to \(Self.reasonLength.upperBound) characters on one line"
                )
            }
            checked.smallReason = reason
        } else {
            checked.smallReason = nil
        }
        return checked
    }

    /// What a hub key looks like, for messages.
    public static let hubKeyAllowed = "ed25519: and 32 bytes in base64, the public key the hub prints"

    /// Whether `text` is `ed25519:` and 32 bytes in base64.
    public static func isHubKey(_ text: String) -> Bool {
        guard text.hasPrefix("ed25519:"), let raw = Data(base64Encoded: String(text.dropFirst("ed25519:".count)))
        else { return false }
        return raw.count == 32
    }

    private static func describe(_ range: ClosedRange<Int>) -> String { "\(range.lowerBound) to \(range.upperBound)" }
}
