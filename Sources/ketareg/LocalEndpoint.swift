import Foundation
import RegistryCore

/// A research endpoint on 127.0.0.1 that the demo starts for itself: it accepts each POST with a
/// 200 and remembers the idempotency keys it saw. Nothing outside this machine is involved.
final class LocalEndpoint: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var keys: [String] = []

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RegistryDemoError("cannot open a socket for the demo endpoint") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 8) == 0 else {
            throw RegistryDemoError("cannot listen on 127.0.0.1 for the demo endpoint")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        listener = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in self.serve() }
        thread.start()
    }

    var url: String { "http://127.0.0.1:\(port)/ketareg-demo" }

    /// Idempotency keys received, in order.
    var receivedKeys: [String] { lock.withLock { keys } }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var headerEnd: Int?
        var expected = Int.max
        while data.count < expected {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { return }
            data.append(contentsOf: buffer[0..<count])
            if headerEnd == nil, let end = data.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
                headerEnd = end
                let head = String(decoding: data[0..<end], as: UTF8.self)
                let length =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmedWhitespace) } ?? 0
                expected = end + length
                if let key = head.split(separator: "\r\n").first(where: {
                    $0.lowercased().hasPrefix("idempotency-key:")
                }) {
                    let value = key.split(separator: ":", maxSplits: 1)[1].trimmedWhitespace
                    lock.withLock { keys.append(value) }
                }
            }
        }
        let body = "{\"status\":\"received\"}"
        let reply =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        _ = reply.withCString { write(client, $0, strlen($0)) }
    }
}

struct RegistryDemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
