import Foundation
import RegistryTestSupport
import Testing

/// Issue 34's first attacks, run as the insider ran them: the chain rewritten and recomputed in
/// Python, receipts forged or deleted, the trail cut short. The hub's signed receipts, and an
/// anchor kept elsewhere, must name each.
@Suite("The audit chain is anchored outside the clinic", .serialized)
struct AnchoredChainTests {
    /// A demo clinic delivering its summary to a real hub that signs receipts.
    final class Clinic {
        let hub: TestHub
        var environment = ProcessInfo.processInfo.environment
        let registry: String
        let key: String

        init() throws {
            hub = try TestHub()
            try #require(try hub.run("init").status == 0)
            let token = try hub.addClinic("Demo clinic")
            let printed = try hub.run("key", "--json")
            key = try #require((try printed.json() as? [String: Any])?["hubKey"] as? String)
            let (url, _) = try hub.serve()
            let demo = hub.folder.appendingPathComponent("demo")
            try FileManager.default.createDirectory(at: demo, withIntermediateDirectories: true)
            registry = demo.appendingPathComponent("demo-registry.sqlite").path
            environment["KETAREG_TODAY"] = "2026-11-26"
            environment["KETAREG_REGISTRY"] = registry
            try #require(try ketareg("demo", "--dir", demo.path).status == 0)
            let tokenFile = demo.appendingPathComponent("hub.token").path
            try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
            try #require(chmod(tokenFile, 0o600) == 0)
            let added = try ketareg(
                "endpoint", "add", "hub", "--url", url, "--token-file", tokenFile, "--min-cell", "5", "--hub-key", key)
            try #require(added.status == 0, "\(added.standardError)")
            let run = try ketareg("export", "run", "hub")
            try #require(run.status == 0 && run.standardOutput.contains("delivered (202)"), "\(run.standardOutput)")
        }

        func ketareg(_ arguments: String...) throws -> Outcome {
            try runProcess(ketaregBinary, arguments, environment: environment)
        }

        func verify(_ arguments: String...) throws -> (status: Int32, report: [String: Any]) {
            let outcome = try runProcess(ketaregBinary, ["verify", "--json"] + arguments, environment: environment)
            return (outcome.status, try #require(try outcome.json() as? [String: Any]))
        }

        /// Returns how many audit rows got a new hash.
        @discardableResult
        func rewrite(_ sql: String, _ mode: String? = nil) throws -> Int {
            let outcome = try runProcess(
                "/usr/bin/env",
                [
                    "python3", repositoryRoot.appendingPathComponent("Tests/Attacks/rewrite_chain.py").path, registry,
                    sql,
                ]
                    + (mode.map { [$0] } ?? []))
            try #require(outcome.status == 0, "\(outcome.standardError)")
            return Int(outcome.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }

        func details(_ report: [String: Any]) -> [String] {
            (report["problems"] as? [[String: Any]] ?? []).compactMap { $0["detail"] as? String }
        }
    }

    // An assessment's score lowered, in the record and in the audit row that recorded it.
    static let lowerAScore = """
        UPDATE assessment SET score = score - 3 WHERE id = 1;
        UPDATE audit SET after = json_set(after, '$.score', json_extract(after, '$.score') - 3)
          WHERE entity = 'assessment' AND entity_id = 'A-000001' AND action = 'add';
        """

    @Test("A delivered summary's receipt is signed by the hub, kept, and holds; the hub gives the same one")
    func receiptHolds() throws {
        guard postgresURL != nil else {
            try #require(!requirePostgres, "\(postgresMissing)")
            return
        }
        let clinic = try Clinic()
        defer { clinic.hub.remove() }
        let (status, report) = try clinic.verify()
        #expect(status == 0, "\(report)")
        let anchors = report["anchors"] as? [[String: Any]] ?? []
        #expect(anchors.count == 2, "the kept receipt and the hub's own: \(anchors)")
        #expect(anchors.allSatisfy { $0["held"] as? Bool == true })
        #expect(try clinic.hub.sql("SELECT count(*) FROM payloads WHERE audit_chain_rows >= 1") == ["1"])
    }

    @Test("Attack 1: a score changed and every hash recomputed, the payload's head edited: the receipts say so")
    func recomputedChain() throws {
        guard postgresURL != nil else {
            try #require(!requirePostgres, "\(postgresMissing)")
            return
        }
        let clinic = try Clinic()
        defer { clinic.hub.remove() }
        // Without the receipts this is what the issue found: the chain and the payload check out.
        #expect(try clinic.rewrite(Self.lowerAScore, "--forge-receipts") > 10, "the whole chain after the score is new")
        let (offline, report) = try clinic.verify("--offline")
        #expect(offline == 3)
        #expect(
            clinic.details(report).contains { $0.contains("is not what the hub signed") }, "\(clinic.details(report))")
        // Deleting the receipts instead: the hub still holds its own, which the chain no longer has.
        let second = try Clinic()
        defer { second.hub.remove() }
        try second.rewrite(Self.lowerAScore, "--drop-receipts")
        #expect(try second.verify("--offline").status == 0, "offline, with nothing kept, nothing is left to hold to")
        let (online, found) = try second.verify()
        #expect(online == 3)
        let said = second.details(found)
        #expect(said.contains { $0.contains("that this registry does not keep") }, "\(said)")
        #expect(said.contains { $0.contains("was rewritten since") }, "\(said)")
    }

    @Test("Attack 2: the last rows cut off, with the flag they raised: an anchor kept elsewhere names it")
    func truncatedTail() throws {
        guard postgresURL != nil else {
            try #require(!requirePostgres, "\(postgresMissing)")
            return
        }
        let clinic = try Clinic()
        defer { clinic.hub.remove() }
        let anchor = try clinic.ketareg("audit", "anchor")
        try #require(anchor.status == 0 && anchor.standardOutput.hasPrefix("ketareg-anchor/1 rows="))
        let file = clinic.hub.folder.appendingPathComponent("anchor.txt").path
        try anchor.standardOutput.write(toFile: file, atomically: true, encoding: .utf8)
        // The insider removes the newest three audit rows (the file's latest history).
        try clinic.rewrite("DELETE FROM audit WHERE id > (SELECT MAX(id) - 3 FROM audit);")
        let (status, report) = try clinic.verify("--offline", "--anchor", file)
        #expect(status == 3)
        #expect(
            clinic.details(report).contains { $0.contains("were removed, or the trail was rolled back") },
            "\(clinic.details(report))")
        // A line that is not an anchor is refused, naming the file and line.
        try "not an anchor\n".write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try clinic.ketareg("verify", "--anchor", file)
        #expect(refused.status == 1 && refused.standardError.contains("line 1"), "\(refused.standardError)")
    }
}
