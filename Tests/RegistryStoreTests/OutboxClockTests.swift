import Foundation
import GRDB
import RegistryCore
import RegistryTestSupport
import Synchronization
import Testing

@testable import RegistryStore

/// A clock the test moves by hand: time passes only when the test says so.
final class ManualClock: WallClock {
    private let moment: Mutex<Date>
    init(_ start: Date) { moment = Mutex(start) }
    func now() -> Date { moment.withLock { $0 } }
    func advance(seconds: Double) { moment.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A registry on a clock of the test's own.
private func registry(clock: ManualClock) throws -> (Registry, URL) {
    let folder = try makeTemporaryFolder()
    let path = folder.appendingPathComponent("registry.sqlite").path
    return (
        try Registry.create(at: path, clinic: "Test clinic", today: testToday, clock: clock, random: testRandom), folder
    )
}

private func endpoint(
    _ name: String = "net", profile: ExportProfile = .summary, minCell: Int = 11, k: Int = 5,
    timeout: Int = 60, tokenFile: String? = "/nonexistent/token", tokenEnvironment: String? = nil
) -> EndpointSettings {
    EndpointSettings(
        name: name, url: "https://research.invalid/v1/exports", tokenFile: tokenFile,
        tokenEnvironment: tokenEnvironment,
        caFile: nil, profile: profile, minCell: minCell, k: k, timeoutSeconds: timeout)
}

@Suite("Endpoint rules hold for any caller of the library")
struct EndpointRuleTests {
    @Test(
        "Settings outside the privacy limits are refused by the registry itself, naming the field; nothing is written",
        arguments: [
            (endpoint(k: 1), "k: '1'"), (endpoint(minCell: 1), "min-cell: '1'"), (endpoint(k: 1001), "k: '1001'"),
            (endpoint(minCell: 0), "min-cell: '0'"), (endpoint(timeout: 0), "timeout: '0'"),
            (endpoint("a b"), "name: 'a b'"),
            (endpoint(tokenFile: nil), "exactly one token source: a token file or an environment variable"),
            (endpoint(tokenEnvironment: "TOKEN"), "exactly one token source: a token file or an environment variable"),
        ])
    func refused(settings: EndpointSettings, message: String) throws {
        let clock = ManualClock(testClock.moment)
        let (registry, folder) = try registry(clock: clock)
        defer { try? FileManager.default.removeItem(at: folder) }
        let audit = try registry.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM audit") }
        let error = try #require(throws: InputError.self) { try registry.addEndpoint(settings, actor: "test") }
        #expect(error.description.hasPrefix(message) || error.description.contains(message), "\(error)")
        #expect(!error.description.contains("--"), "the library names the field, not an option: \(error)")
        #expect(try registry.endpoints().isEmpty)
        #expect(try registry.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM audit") } == audit)
    }

    @Test(
        "The limits themselves are allowed: k and minimum cell 5 and 1000, 2 with a reason (kept, audited), timeout 1 and 3600"
    )
    func boundaries() throws {
        let (registry, folder) = try registry(clock: ManualClock(testClock.moment))
        defer { try? FileManager.default.removeItem(at: folder) }
        let audit = try registry.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM audit") }
        // Below 5 without a reason, or with a blank or multi-line one: refused, nothing written.
        for (minCell, k, reason, field) in [
            (4, 5, nil, "min-cell"), (5, 4, nil, "k"), (2, 2, " ", "min-cell"), (3, 3, "two\nlines", "reason"),
        ] as [(Int, Int, String?, String)] {
            var small = endpoint("small", minCell: minCell, k: k)
            small.smallReason = reason
            #expect(throws: InputError.self) { try registry.addEndpoint(small, actor: "test") }
            do { try registry.addEndpoint(small, actor: "test") } catch let error as InputError {
                #expect(error.field == field, "\(error)")
            }
        }
        #expect(try registry.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM audit") } == audit)
        try registry.addEndpoint(endpoint("five", minCell: 5, k: 5, timeout: 1), actor: "test")
        #expect(try registry.endpoint("five").smallReason == nil)
        var low = endpoint("low", minCell: 2, k: 2, timeout: 1)
        low.smallReason = "  a registry of our own, on this machine  "
        try registry.addEndpoint(low, actor: "test")
        #expect(try registry.endpoint("low").smallReason == "a registry of our own, on this machine")
        // The schema holds the floors too: another tool cannot lower them.
        #expect(throws: (any Error).self) {
            try registry.write { try $0.execute(sql: "UPDATE endpoint SET min_cell = 1 WHERE name = 'five'") }
        }
        #expect(throws: (any Error).self) {
            try registry.write { try $0.execute(sql: "UPDATE endpoint SET k = 3 WHERE name = 'five'") }
        }
        #expect(throws: (any Error).self) {
            try registry.write { try $0.execute(sql: "UPDATE endpoint SET small_reason = NULL WHERE name = 'low'") }
        }
        try registry.addEndpoint(
            endpoint("high", profile: .records, minCell: 1000, k: 1000, timeout: 3600), actor: "test")
        #expect(try registry.endpoints().map(\.name) == ["five", "high", "low"])
        #expect(try registry.endpoint("high").profile == .records)
    }

    @Test("A profile changed behind the program's back is refused, never built as a summary")
    func unknownStoredProfile() throws {
        let (registry, folder) = try registry(clock: ManualClock(testClock.moment))
        defer { try? FileManager.default.removeItem(at: folder) }
        try registry.addEndpoint(endpoint(profile: .records), actor: "test")
        // The schema refuses it; the insider drops its trigger first.
        #expect(throws: (any Error).self) {
            try DatabaseQueue(path: registry.path).write {
                try $0.execute(sql: "UPDATE endpoint SET profile = 'everything'")
            }
        }
        try DatabaseQueue(path: registry.path).write {
            try $0.execute(sql: "DROP TRIGGER endpoint_floors_update; UPDATE endpoint SET profile = 'everything'")
        }
        let error = try #require(throws: RegistryError.self) { try registry.endpoint("net") }
        #expect("\(error)".contains("'everything', which this version does not know (summary, records or fhir)"))
        #expect(throws: RegistryError.self) { try registry.endpoints() }
    }
}

@Suite("Delivery leases and retries on the registry's clock")
struct OutboxClockTests {
    /// A registry with one endpoint and one pending export.
    private func pending(clock: ManualClock) throws -> (Registry, URL, OutboxEntry) {
        let (registry, folder) = try registry(clock: clock)
        try registry.addEndpoint(endpoint(), actor: "test")
        let payload = Data(#"{"schema":"test"}"#.utf8)
        let entry = try #require(
            try registry.createExport(endpoint: "net", periodKey: nil) { _ in
                BuiltPayload(payload: payload, schema: "test", patients: 0, sha256: "0")
            })
        return (registry, folder, entry)
    }

    private let alive = LeaseHolder(name: "1@here") { _ in true }
    private let other = LeaseHolder(name: "2@here") { _ in true }

    @Test("A lease keeps another holder off until it runs out, by the clock, not by waiting")
    func leaseRunsOut() throws {
        let clock = ManualClock(testClock.moment)
        let (registry, folder, entry) = try pending(clock: clock)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try registry.claimDueExports(holder: alive, leaseSeconds: 90).map(\.0.id) == [entry.id])
        #expect(try registry.claimDueExports(holder: other, leaseSeconds: 90).isEmpty)
        clock.advance(seconds: 89.9)
        #expect(try registry.claimDueExports(holder: other, leaseSeconds: 90).isEmpty)
        clock.advance(seconds: 0.2)
        #expect(try registry.claimDueExports(holder: other, leaseSeconds: 90).map(\.0.id) == [entry.id])
        // The first holder's late answer is not recorded: the lease is no longer its own.
        try registry.recordDelivery(
            id: entry.id, owner: alive.name, outcome: .delivered(status: 200, responseDigest: "x"))
        #expect(try registry.outbox().first?.state == .pending)
        try registry.recordDelivery(
            id: entry.id, owner: other.name, outcome: .delivered(status: 200, responseDigest: "x"))
        let delivered = try #require(try registry.outbox().first)
        #expect(delivered.state == .delivered)
        #expect(delivered.attempts == 1)
    }

    @Test("A lease whose holder is known to have died is void at once")
    func deadHolder() throws {
        let clock = ManualClock(testClock.moment)
        let (registry, folder, entry) = try pending(clock: clock)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try registry.claimDueExports(holder: alive, leaseSeconds: 90).count == 1)
        let judge = LeaseHolder(name: "3@here") { $0 != "1@here" }
        #expect(try registry.claimDueExports(holder: judge, leaseSeconds: 90).map(\.0.id) == [entry.id])
    }

    @Test("A retry is not due before its time and is due at it; the audit rows carry the clock's time")
    func retryTime() throws {
        let clock = ManualClock(testClock.moment)
        let (registry, folder, entry) = try pending(clock: clock)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try registry.claimDueExports(holder: alive, leaseSeconds: 90).count == 1)
        try registry.recordDelivery(
            id: entry.id, owner: alive.name,
            outcome: .retry(status: 503, reason: "busy", notBefore: clock.now().addingTimeInterval(30)))
        clock.advance(seconds: 29.5)
        #expect(try registry.claimDueExports(holder: alive, leaseSeconds: 90).isEmpty)
        clock.advance(seconds: 0.5)
        #expect(try registry.claimDueExports(holder: alive, leaseSeconds: 90).count == 1)
        let times = try registry.read { try String.fetchAll($0, sql: "SELECT at FROM audit ORDER BY id") }
        #expect(!times.isEmpty)
        #expect(times.allSatisfy { $0 == "2026-11-26T12:00:00.000Z" }, "\(times)")
    }
}
