import Depression
import Foundation
import Migraine
import NeuropathicPain
import PayloadFormat
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

@testable import RegistryExport

@Suite("Delivery rules")
final class DeliveryRuleTests {
    /// A registry in a folder of its own, removed when the test is done.
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ketareg-rules-\(UUID())")
    let exporter: Exporter
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    init() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        exporter = Exporter(
            registry: try Registry.create(
                at: folder.appendingPathComponent("rules.sqlite").path, clinic: nil, today: testToday, clock: testClock,
                random: testRandom),
            catalog: catalog, transport: NoTransport(), generator: "t", tokenOwner: geteuid())
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// When a verdict retries, the time of the next attempt.
    func retryTime(_ outcome: DeliveryOutcome) -> Date? {
        if case .retry(_, _, let at) = outcome { return at }
        return nil
    }

    struct NoTransport: ExportTransport {
        func post(url: String, body: Data, headers: [(String, String)], caFile: String?, timeoutSeconds: Int)
            -> TransportResult
        {
            .failure(.other, message: "unused")
        }
    }

    func reply(_ status: Int, _ headers: [String: String] = [:]) -> TransportResult {
        .reply(status: status, headers: headers, body: Data("ok".utf8))
    }

    @Test("An endpoint's refusal with terminal escape sequences is kept and shown with them escaped")
    func escapesInAReply() throws {
        let body = Data("\u{1B}[2J\u{1B}]0;pwned\u{07}bad request".utf8)
        guard
            case .failed(_, let reason) = exporter.judge(
                .reply(status: 400, headers: [:], body: body), attempt: 1, now: now, jitter: 1)
        else {
            Issue.record("a 400 fails for good")
            return
        }
        #expect(!reason.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(reason)")
        #expect(reason.contains("\\u{1B}[2J") && reason.contains("bad request"), "\(reason)")
    }

    @Test("2xx and 409 are delivered", arguments: [200, 201, 202, 204, 409])
    func delivered(status: Int) {
        guard case .delivered(let got, _) = exporter.judge(reply(status), attempt: 1, now: now, jitter: 1) else {
            Issue.record("not delivered")
            return
        }
        #expect(got == status)
    }

    @Test("408, 425, 429 and 5xx are retried with exponential backoff", arguments: [408, 425, 429, 500, 502, 503, 504])
    func retried(status: Int) throws {
        let first = try #require(retryTime(exporter.judge(reply(status), attempt: 1, now: now, jitter: 1)))
        let third = try #require(retryTime(exporter.judge(reply(status), attempt: 3, now: now, jitter: 1)))
        #expect(first.timeIntervalSince(now) == 30)
        #expect(third.timeIntervalSince(now) == 120)
        let late = try #require(retryTime(exporter.judge(reply(status), attempt: 30, now: now, jitter: 1)))
        #expect(late.timeIntervalSince(now) == 6 * 3600)
    }

    @Test("Retry-After in seconds or as an HTTP date is honoured when longer than the backoff")
    func retryAfter() throws {
        let seconds = try #require(
            retryTime(exporter.judge(reply(429, ["retry-after": "120"]), attempt: 1, now: now, jitter: 1)))
        #expect(seconds.timeIntervalSince(now) == 120)
        // `now` is Friday 15 January 2027, 08:00 GMT.
        let dated = try #require(
            retryTime(
                exporter.judge(
                    reply(503, ["retry-after": "Fri, 15 Jan 2027 09:00:00 GMT"]), attempt: 1, now: now, jitter: 1)))
        #expect(dated.timeIntervalSince(now) == 3600)
        let short = try #require(
            retryTime(exporter.judge(reply(503, ["retry-after": "1"]), attempt: 1, now: now, jitter: 1)))
        #expect(short.timeIntervalSince(now) == 30)  // the backoff is longer
    }

    @Test(
        "Other 4xx, redirects, untrusted certificates and refused URLs fail for good, with a reason",
        arguments: [400, 401, 403, 404, 422, 301, 307])
    func failed(status: Int) {
        guard case .failed(_, let reason) = exporter.judge(reply(status), attempt: 1, now: now, jitter: 1) else {
            Issue.record("not failed")
            return
        }
        #expect(reason.contains(String(status)))
    }

    @Test("Connection failures and timeouts are retried; TLS trust failures are not")
    func transportFailures() {
        if case .retry = exporter.judge(.failure(.connection, message: "refused"), attempt: 1, now: now, jitter: 1) {
        } else {
            Issue.record("connection not retried")
        }
        if case .retry = exporter.judge(.failure(.timeout, message: "slow"), attempt: 1, now: now, jitter: 1) {
        } else {
            Issue.record("timeout not retried")
        }
        if case .failed(_, let reason) = exporter.judge(
            .failure(.tls, message: "self-signed"), attempt: 1, now: now, jitter: 1)
        {
            #expect(reason.contains("CA bundle"))
        } else {
            Issue.record("TLS failure retried")
        }
    }

    @Test(
        "Credentials are cut out of anything an endpoint says",
        arguments: [
            "Bearer s3cr3t-token", "authorization: Bearer s3cr3t-token", "{\"Authorization\": \"Bearer s3cr3t-token\"}",
            "token=s3cr3t-token", "AUTHORIZATION=Basic dXNlcjpwYXNz", "the token s3cr3t-token was wrong",
        ])
    func redaction(text: String) {
        let redacted = Exporter.redact(text, token: "s3cr3t-token")
        #expect(!redacted.contains("s3cr3t-token"))
        #expect(!redacted.contains("dXNlcjpwYXNz"))
        #expect(redacted.contains("[redacted]"))
    }

    @Test("A refusal that quotes the token past the 200 characters kept of an answer leaves no piece of it")
    func redactionBeforeTruncation() throws {
        let token = String(repeating: "k", count: 40) + "TAIL"
        let body = Data((String(repeating: "x", count: 180) + " " + token).utf8)
        let outcome = Exporter.redacting(
            token,
            in: exporter.judge(
                Exporter.redacting(token, in: .reply(status: 400, headers: [:], body: body)), attempt: 1, now: now,
                jitter: 1))
        guard case .failed(_, let reason) = outcome else {
            Issue.record("not failed")
            return
        }
        #expect(!reason.contains("kkkkkkkkkk"))
    }

    @Test(
        "Schedule periods: daily by date, weekly by ISO week, monthly by month",
        arguments: [
            ("2026-11-25", "daily", "daily:2026-11-25"), ("2026-11-25", "weekly", "weekly:2026-W48"),
            ("2026-11-25", "monthly", "monthly:2026-11"),
            ("2027-01-01", "weekly", "weekly:2026-W53"), ("2025-12-29", "weekly", "weekly:2026-W01"),
            ("2026-01-04", "weekly", "weekly:2026-W01"),
        ])
    func periods(date: String, every: String, key: String) throws {
        let interval = try #require(ExportInterval(rawValue: every))
        #expect(Exporter.periodKey(every: interval, on: try ClinicalDate.parse(date, field: "d")) == key)
    }

    @Test(
        "A payload's content (what 'unchanged' compares) is exactly its encoding without the audit-chain head",
        arguments: [ExportProfile.summary, .records])
    func contentWithoutChainHead(profile: ExportProfile) throws {
        let patients = (1...40).map {
            patient(Int64($0), baseline: 14 + $0 % 9, end: $0 % 5 == 0 ? nil : 4 + $0 % 11, route: .iv)
        }
        let endpoint = EndpointSettings(
            name: "net", url: "https://research.invalid/", tokenFile: nil, tokenEnvironment: nil, caFile: nil,
            profile: profile, minCell: 5, k: 3, timeoutSeconds: 10)
        func built(head: String?) throws -> BuiltPayload {
            try exporter.build(
                for: endpoint, patients: patients, clinic: "C", secret: Data(repeating: 7, count: 32),
                period: "2026-03",
                asOf: testToday, auditChainHead: head)
        }
        let bare = try built(head: nil)
        let headed = try built(head: String(repeating: "ab", count: 32))
        #expect(headed.payload != bare.payload)
        #expect(String(decoding: headed.payload, as: UTF8.self).contains("\"auditChainHead\":\"abab"))
        #expect(headed.contentSHA256 == bare.sha256)
        #expect(bare.contentSHA256 == bare.sha256)
        // The member is removed with its own comma, whichever side it is on.
        #expect(
            Exporter.withoutChainHead(Data(#"{"a":1,"auditChainHead":"ff"}"#.utf8), head: "ff")
                == Data(#"{"a":1}"#.utf8))
        #expect(
            Exporter.withoutChainHead(Data(#"{"auditChainHead":"ff","b":2}"#.utf8), head: "ff")
                == Data(#"{"b":2}"#.utf8))
        #expect(Exporter.withoutChainHead(Data(#"{"auditChainHead":"ff"}"#.utf8), head: "ff") == Data("{}".utf8))
    }
}
