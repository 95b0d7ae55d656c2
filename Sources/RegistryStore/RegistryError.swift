import RegistryCore

/// Why the registry refused or failed an operation. The description is the sentence the command
/// line prints; it never contains a patient's identifying fields.
public struct RegistryError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The input breaks a rule (a duplicate MRN, a patient not enrolled for the scale's
        /// condition, an unknown id): nothing was written.
        case refused
        /// The registry file could not be created, opened, read or written.
        case storage
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static func refused(_ message: String) -> RegistryError { RegistryError(.refused, message) }
    static func storage(_ message: String) -> RegistryError { RegistryError(.storage, message) }
}
