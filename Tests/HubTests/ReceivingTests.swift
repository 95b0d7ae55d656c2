import Foundation
import HubCore
import HubStore
import Logging
import PayloadFormat
import RegistryTestSupport
import Testing

/// The hub's side of the exporter's protocol on its store alone, without HTTP: the same answers
/// `ketareg-hub serve` gives, for any front door a network builds.
@Suite(
    "The hub's receiving rules, on its store", .serialized,
    .enabled(if: postgresURL != nil || requirePostgres, "\(postgresMissing)"))
struct ReceivingTests {
    @Test(
        "Token, headers and body in their order: 401 without or with an unknown token, 400/415/413 by the headers, then 202 once, 409 the same bytes again, 422 other bytes under that key"
    )
    func answers() async throws {
        let hub = try TestHub()
        defer { hub.remove() }
        #expect(try hub.run("init").status == 0)
        let location = try DatabaseLocation(url: hub.url, environment: [:])
        try await HubDatabase.with(location, logger: Logger(label: "test")) { db in
            try await db.addClinic(name: "Alder", token: "alder-token-0123456789")
            let receiving = Receiving(store: db, maximumBytes: 1024 * 1024)

            for (header, outcome) in [(nil, "no-token"), ("Basic abc", "no-token"), ("Bearer nope", "unknown-token")] {
                guard case .refused(let answer) = await receiving.sender(authorization: header) else {
                    Issue.record("\(String(describing: header)) was let in")
                    continue
                }
                #expect(answer.status == 401 && answer.asksForToken && answer.outcome == outcome)
                #expect(answer.body.status == .unauthorized)
            }
            guard
                case .clinic(let clinic, let name) = await receiving.sender(
                    authorization: "Bearer alder-token-0123456789")
            else {
                Issue.record("the registered clinic was refused")
                return
            }
            #expect(name == "Alder")

            #expect(receiving.refusal(idempotencyKey: nil, contentType: nil, contentLength: nil)?.status == 400)
            #expect(
                receiving.refusal(
                    idempotencyKey: String(repeating: "k", count: 201), contentType: nil, contentLength: nil)?
                    .status == 400)
            #expect(receiving.refusal(idempotencyKey: "a b", contentType: nil, contentLength: nil)?.status == 400)
            #expect(
                receiving.refusal(idempotencyKey: "k1", contentType: "text/plain", contentLength: nil)?.status == 415)
            #expect(
                receiving.refusal(
                    idempotencyKey: "k1", contentType: "application/json", contentLength: 1024 * 1024 + 1)?
                    .status == 413)
            #expect(receiving.refusal(idempotencyKey: "k1", contentType: "application/json", contentLength: 10) == nil)

            let invalid = await receiving.receive(
                Data("{\"schema\": \"nope\"}".utf8), clinic: clinic, name: "test", key: "k0")
            #expect(invalid.status == 400 && invalid.body.status == .refused && invalid.body.reason != nil)

            let body = Data(
                summaryPayload(period: "2026-10", outcomes: [("response", "immediate", 12, 24)]).utf8)
            let stored = await receiving.receive(body, clinic: clinic, name: "test", key: "k1")
            #expect(stored.status == 202 && stored.body.status == .received, "\(stored)")
            #expect(stored.body.schema == "ketareg-summary/3" && stored.body.period == "2026-10")
            let again = await receiving.receive(body, clinic: clinic, name: "test", key: "k1")
            #expect(again.status == 409 && again.body.status == .alreadyReceived)
            #expect(again.body.payload == stored.body.payload && again.body.digest == stored.body.digest)
            let other = Data(
                summaryPayload(period: "2026-10", outcomes: [("response", "immediate", 13, 24)]).utf8)
            let reused = await receiving.receive(other, clinic: clinic, name: "test", key: "k1")
            #expect(reused.status == 422 && reused.outcome == "key-reused")
            // A clinic whose clock runs years ahead: refused, so that it never becomes the latest.
            let ahead = Data(
                summaryPayload(period: "2099-01", outcomes: [("response", "immediate", 20, 24)]).utf8)
            let future = await receiving.receive(ahead, clinic: clinic, name: "test", key: "k2")
            #expect(future.status == 422 && future.outcome == "period-ahead", "\(future)")
            #expect(future.body.reason?.contains("2099-01 is more than a month after this hub's date") == true)
            #expect(try await db.latestOutcomes().map(\.met) == [12], "only the first body was stored")
            // What the network may publish from it: 12 of 24, both counts at least the minimum of 11.
            let pooled = try await db.pooledOutcomes()
            #expect(pooled.minimum == Pooling.defaultMinimumCellSize)
            #expect(pooled.outcomes.first?.clinics.map(\.clinic) == ["Alder"])
            #expect(pooled.outcomes.first?.clinics.first?.proportion.events == 12)
        }
    }

    @Test(
        "Rows of two protocols in one summary are stored and pooled apart; a summary from before rows named their protocol still reads, pooled apart from both"
    )
    func protocolsPooledApart() async throws {
        let hub = try TestHub()
        defer { hub.remove() }
        #expect(try hub.run("init").status == 0)
        let location = try DatabaseLocation(url: hub.url, environment: [:])
        try await HubDatabase.with(location, logger: Logger(label: "test")) { db in
            let receiving = Receiving(store: db, maximumBytes: 1024 * 1024)
            var clinics: [Int] = []
            for name in ["Alder", "Birch", "Cedar"] {
                try await db.addClinic(name: name, token: "\(name.lowercased())-token-0123456789")
                guard
                    case .clinic(let clinic, _) = await receiving.sender(
                        authorization: "Bearer \(name.lowercased())-token-0123456789")
                else {
                    Issue.record("\(name) was refused")
                    return
                }
                clinics.append(clinic)
            }
            // Alder ran its own protocol, then a second from the summer: the same outcome and window
            // twice, once per protocol.
            let two = await receiving.receive(
                Data(
                    summaryPayload(
                        period: "2026-10",
                        outcomes: [("response", "immediate", 12, 24), ("response", "immediate", 15, 30)],
                        protocols: ["clinic/1", "clinic/2"]
                    ).utf8), clinic: clinics[0], name: "test", key: "a1")
            #expect(two.status == 202, "\(two)")
            // (a /4 payload, as a clinic not yet updated to /5 sends it: still accepted)
            #expect(two.body.schema == "ketareg-summary/4")
            // Birch has not been updated: its /3 summary names no protocol.
            let old = await receiving.receive(
                Data(summaryPayload(period: "2026-10", outcomes: [("response", "immediate", 15, 30)]).utf8),
                clinic: clinics[1], name: "test", key: "b1")
            #expect(old.status == 202, "\(old)")
            // Cedar's own protocol is also its first: clinic/1 there is another course than Alder's.
            let cedar = await receiving.receive(
                Data(
                    summaryPayload(
                        period: "2026-10", outcomes: [("response", "immediate", 12, 24)], protocols: ["clinic/1"]
                    ).utf8), clinic: clinics[2], name: "test", key: "c1")
            #expect(cedar.status == 202, "\(cedar)")
            let stored = try await db.latestOutcomes()
            #expect(
                stored.map(\.protocol).sorted { ($0 ?? "") < ($1 ?? "") } == [nil, "clinic/1", "clinic/1", "clinic/2"])
            let pooled = try await db.pooledOutcomes().outcomes
            #expect(pooled.count == 4, "one group per protocol, a clinic's own per clinic: \(pooled.map(\.protocol))")
            #expect(
                pooled.allSatisfy { $0.clinics.count + $0.notReported.count == 1 }, "never pooled across protocols")
            // The same protocol twice in one summary is refused, naming it.
            let twice = await receiving.receive(
                Data(
                    summaryPayload(
                        period: "2026-11",
                        outcomes: [("response", "immediate", 12, 24), ("response", "immediate", 20, 30)],
                        protocols: ["clinic/1", "clinic/1"]
                    ).utf8), clinic: clinics[0], name: "test", key: "a2")
            #expect(twice.status == 422 || twice.status == 400, "\(twice)")
            #expect(twice.body.reason?.contains("clinic/1") == true, "\(String(describing: twice.body.reason))")
        }
    }
}
