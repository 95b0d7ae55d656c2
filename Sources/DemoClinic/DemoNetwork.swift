import Foundation
import RegistryExport

/// The demo's research network, in memory: it answers each POST with 200 and remembers the
/// idempotency keys it saw. The exporter builds, stores, leases and judges exactly as for a real
/// endpoint; only the transport stays inside this process, so the demo opens no socket.
public final class DemoNetwork: ExportTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var keys: [String] = []

    /// A network that has received nothing yet.
    public init() {}

    /// Idempotency keys received, in order.
    public var receivedKeys: [String] { lock.withLock { keys } }

    /// Remembers the request's `Idempotency-Key` header (an empty key when it has none) and answers
    /// 200 with `{"status":"stored"}`; nothing leaves the process.
    public func post(url: String, body: Data, headers: [(String, String)], caFile: String?, timeoutSeconds: Int)
        -> TransportResult
    {
        let key = headers.first { $0.0.lowercased() == "idempotency-key" }?.1 ?? ""
        lock.withLock { keys.append(key) }
        return .reply(
            status: 200, headers: ["content-type": "application/json"], body: Data(#"{"status":"stored"}"#.utf8))
    }
}

/// Why the demo could not set itself up (a temporary folder it cannot write).
public struct RegistryDemoError: Error, CustomStringConvertible {
    /// Why the demo could not be set up, in words for the person running it.
    public let description: String
    /// An error that says `description`.
    public init(_ description: String) { self.description = description }
}
