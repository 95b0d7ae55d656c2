import CurlTransport
import Foundation
import Testing

@Suite("The libcurl transport's own rules")
struct CurlTransportTests {
    @Test(
        "https:// anywhere; http:// only to loopback; nothing else",
        arguments: [
            ("https://research.example/api", true), ("http://127.0.0.1:8080/x", true), ("http://127.8.9.10/x", true),
            ("http://localhost/x", true), ("http://[::1]:9000/x", true),
            ("http://203.0.113.5/x", false), ("http://research.example/x", false),
            ("http://127.0.0.1.example.org/x", false),
            ("ftp://127.0.0.1/x", false), ("file:///etc/passwd", false), ("not a url", false),
        ])
    func urls(url: String, allowed: Bool) {
        #expect((CurlHTTPClient.check(url: url) == nil) == allowed)
    }

    @Test("A refused URL is never sent: the client answers before opening any connection")
    func refusedBeforeSending() {
        let client = CurlHTTPClient(userAgent: "test")
        let result = client.post(
            HTTPPost(url: "http://203.0.113.5/exports", body: Data("{}".utf8), headers: [], totalTimeoutSeconds: 1))
        guard case .failure(.refused(let reason)) = result else {
            Issue.record("not refused: \(result)")
            return
        }
        #expect(reason.contains("only to this machine"))
    }

    @Test("Nothing listening: a connection failure, reported as such")
    func connectionRefused() throws {
        // Port 9 (discard): nothing listens there on a test machine.
        let client = CurlHTTPClient(userAgent: "test")
        let result = client.post(
            HTTPPost(
                url: "http://127.0.0.1:9/exports", body: Data("{}".utf8), headers: [], connectTimeoutSeconds: 2,
                totalTimeoutSeconds: 3))
        guard case .failure(.connection) = result else {
            Issue.record("expected a connection failure: \(result)")
            return
        }
    }
}
