import Foundation
import RegistryCore

/// What the exporter needs from the network: one POST. `CurlTransport` provides it over libcurl;
/// the command line wires the two together, so this module never links libcurl.
public protocol ExportTransport: Sendable {
    func post(url: String, body: Data, headers: [(String, String)], caFile: String?, timeoutSeconds: Int)
        -> TransportResult
    /// One GET (a hub's receipts); a transport that cannot fetch answers `.failure(.refused, ...)`.
    func get(url: String, headers: [(String, String)], caFile: String?, timeoutSeconds: Int) -> TransportResult
}

extension ExportTransport {
    /// No GET: refused without sending.
    public func get(url: String, headers: [(String, String)], caFile: String?, timeoutSeconds: Int)
        -> TransportResult
    {
        .failure(.refused, message: "this transport cannot fetch")
    }
}

/// What came back from one POST.
public enum TransportResult: Sendable {
    case reply(status: Int, headers: [String: String], body: Data)
    case failure(TransportFailure, message: String)
}

/// Why no reply came back.
public enum TransportFailure: Sendable {
    /// The URL breaks the rules (plain http:// to another machine); nothing was sent.
    case refused
    case connection
    case timeout
    /// The server's certificate was not trusted.
    case tls
    case other
}

/// Reads an endpoint's token from its file (which only its owner may read) or its environment
/// variable (looked up with `lookup`, the program's reading of its environment: the library
/// reads none). The file must belong to `owner`, the program's user id as the program gives it. The token is never stored, printed or put in an error message.
public enum TokenSource {
    /// The token, trimmed: from `file` when given, else from the variable `environment` through
    /// `lookup`. Throws ``ExportError`` when the file is not the user's, can be read by group or
    /// others, or does not hold one line; when the variable is unset or empty; or when neither is
    /// given.
    public static func read(file: String?, environment: String?, lookup: (String) -> String?, owner: UInt32)
        throws -> String
    {
        if let file {
            var info = stat()
            guard stat(file, &info) == 0 else {
                throw ExportError("the token file \(file) cannot be read: \(String(cString: strerror(errno)))")
            }
            guard info.st_uid == owner else {
                throw ExportError(
                    "the token file \(file) belongs to another user; it must be yours, readable by you alone (chmod 600)"
                )
            }
            guard info.st_mode & 0o077 == 0 else {
                throw ExportError(
                    "the token file \(file) can be read by others (mode \(String(info.st_mode & 0o777, radix: 8))); make it readable by you alone: chmod 600 \(file)"
                )
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ExportError("the token file \(file) cannot be read")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty, !token.contains(where: \.isNewline) else {
                throw ExportError("the token file \(file) must hold the token on one line, and nothing else")
            }
            return token
        }
        if let environment {
            guard let token = lookup(environment)?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty
            else {
                throw ExportError(
                    "the environment variable \(environment), which holds this endpoint's token, is not set")
            }
            return token
        }
        throw ExportError("the endpoint has no token source; give it a token file or an environment variable")
    }
}

/// An export that cannot go ahead, in a sentence a clinic can act on. Never holds patient data or
/// secrets.
public struct ExportError: Error, Sendable, CustomStringConvertible {
    /// The problem in a sentence, for the clinic.
    public let message: String
    /// An error saying `message`.
    public init(_ message: String) { self.message = message }
    /// The message itself.
    public var description: String { message }
}
