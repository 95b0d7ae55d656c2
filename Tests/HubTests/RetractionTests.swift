import Foundation
import HubCore
import HubStore
import Logging
import PayloadFormat
import RegistryTestSupport
import Testing

/// Issue 34's tenth attack at the hub: a clinic clock far ahead made a far-future period the
/// clinic's "latest" for good. The hub refuses such periods now (ReceivingTests); a payload that
/// must not count, whatever its period, can be retracted by an operator.
@Suite(
    "An operator can retract a payload", .serialized,
    .enabled(if: postgresURL != nil || requirePostgres, "\(postgresMissing)"))
struct RetractionTests {
    @Test("A retracted payload stays stored with when and why, and the clinic's previous one counts again")
    func retract() async throws {
        let hub = try TestHub()
        defer { hub.remove() }
        #expect(try hub.run("init").status == 0)
        let location = try DatabaseLocation(url: hub.url, environment: [:])
        let ids = try await HubDatabase.with(location, logger: Logger(label: "test")) { db in
            try await db.addClinic(name: "Alder", token: "alder-token-0123456789")
            let receiving = Receiving(store: db, maximumBytes: 1024 * 1024)
            guard case .clinic(let clinic, _) = await receiving.sender(authorization: "Bearer alder-token-0123456789")
            else { throw HubError(.refused, "not let in") }
            var ids: [String] = []
            for (period, met, key) in [("2026-10", 12, "k1"), ("2026-11", 20, "k2")] {
                let body = Data(summaryPayload(period: period, outcomes: [("response", "immediate", met, 24)]).utf8)
                let answer = await receiving.receive(body, clinic: clinic, name: "Alder", key: key)
                #expect(answer.status == 202, "\(answer)")
                ids.append(answer.body.payload ?? "")
            }
            #expect(try await db.latestOutcomes().map(\.met) == [20])
            return ids
        }
        let listed = try #require(try hub.run("payload", "list", "--json").json() as? [String: [[String: Any]]])
        #expect(listed["payloads"]?.map { String($0["id"] as? Int ?? 0) } == ids.reversed())
        let before = try hub.dump()
        for (arguments, words) in [
            (["payload", "retract", ids[1]], "--reason"), (["payload", "retract", ids[1], "--reason", " "], "reason"),
            (["payload", "retract", "999999", "--reason", "clock ahead"], "there is no payload 999999"),
        ] {
            let refused = try hub.run(arguments: arguments)
            #expect(refused.status != 0, "\(arguments)")
            #expect(refused.standardError.contains(words), "\(arguments): \(refused.standardError)")
        }
        #expect(try hub.dump() == before, "nothing written")
        let retracted = try hub.run(
            "payload", "retract", ids[1], "--reason", "the clinic's clock ran a month ahead", "--json")
        #expect(retracted.status == 0, "\(retracted.standardError)")
        let shown = try #require(try retracted.json() as? [String: Any])
        #expect(
            shown["period"] as? String == "2026-11"
                && shown["retractReason"] as? String == "the clinic's clock ran a month ahead")
        let again = try hub.run("payload", "retract", ids[1], "--reason", "twice")
        #expect(again.status == 1 && again.standardError.contains("retracted already"), "\(again.standardError)")
        #expect(try hub.sql("SELECT count(*) FROM payloads") == ["2"], "still stored")
        let met = try await HubDatabase.with(location, logger: Logger(label: "test")) { db in
            try await db.latestOutcomes().map(\.met)
        }
        #expect(met == [12], "the clinic's previous latest counts again")
        let clinics = try #require(try hub.run("clinic", "list", "--json").json() as? [String: [[String: Any]]])
        #expect(clinics["clinics"]?.first?["latestPeriod"] as? String == "2026-10")
    }
}
