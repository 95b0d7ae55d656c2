import ClinicWork
import DemoClinic
import Depression
import Foundation
import GRDB
import RegistryCore
import RegistryExport
import RegistryStore
import RegistryTestSupport
import Testing

/// Export runs through the library: the steps in their order (build, store, lease, deliver, judge)
/// over the product's in-memory network, which answers 200 and keeps the keys it saw.
@Suite("Export runs, without the command line")
struct ExportRunsTests {
    let catalog = try! ConditionCatalog([DepressionModule()])

    func clinic() throws -> (ExportRuns, DemoNetwork, Registry, URL) {
        let (registry, _, folder) = try useCaseRegistry(seed: 5)
        let patient = try enrolDepressionPatient(registry, mrn: "X-1")
        _ = try registry.addAssessment(
            try catalog.assess(scale: "phq9", answers: [2, 2, 2, 2, 2, 2, 2, 2, 0]), patient: patient,
            on: ClinicalDate(year: 2026, month: 3, day: 2)!, timepoint: .baseline, actor: "nurse")
        let token = folder.appendingPathComponent("token").path
        #expect(FileManager.default.createFile(atPath: token, contents: Data("t0ken\n".utf8)))
        chmod(token, 0o600)
        try registry.addEndpoint(
            EndpointSettings(
                name: "net", url: "https://research.invalid/v1/exports", tokenFile: token, tokenEnvironment: nil,
                caFile: nil, profile: .summary, minCell: 5, k: 5, timeoutSeconds: 10), actor: "nurse")
        let network = DemoNetwork()
        let exporter = Exporter(
            registry: registry, catalog: catalog, transport: network, generator: "test", tokenOwner: geteuid())
        let holder = LeaseHolder(name: "test@here") { _ in true }
        return (ExportRuns(exporter: exporter, holder: holder), network, registry, folder)
    }

    @Test("A run now builds and delivers once; run again with nothing changed, it sends nothing")
    func runNow() throws {
        let (runs, network, _, folder) = try clinic()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try runs.runNow(endpoint: "net", actor: "nurse")
        #expect(first.action == .built)
        #expect(first.state == .delivered, "\(String(describing: first.attempt))")
        #expect(first.attempt?.status == 200)
        #expect(network.receivedKeys == [first.entry.id])
        let again = try runs.runNow(endpoint: "net", actor: "nurse")
        #expect(again.action == .unchanged && again.attempt == nil && again.state == .delivered)
        #expect(again.entry.id == first.entry.id)
        #expect(network.receivedKeys.count == 1, "nothing sent twice")
    }

    @Test(
        "A schedule damaged behind the program's back: what was waiting is still delivered, and the run says how to set the schedule again"
    )
    func damagedSchedule() throws {
        let (runs, network, registry, folder) = try clinic()
        defer { try? FileManager.default.removeItem(at: folder) }
        try registry.setSchedule(endpoint: "net", every: .daily, actor: "nurse")
        guard case .built(let waiting) = try runs.exporter.run(endpoint: "net", actor: "nurse") else {
            Issue.record("nothing built")
            return
        }
        try DatabaseQueue(path: registry.path).write {
            try $0.execute(sql: "UPDATE export_schedule SET every = 'fortnightly'")
        }
        let due = try runs.runDue()
        #expect(due.built.isEmpty)
        #expect(due.attempts.map(\.id) == [waiting.id] && due.attempts.first?.state == .delivered, "\(due.attempts)")
        #expect(network.receivedKeys == [waiting.id])
        let failure = try #require(due.buildFailure as? RegistryError)
        #expect(failure.remedies.contains(.setScheduleAgain("net")), "\(failure)")
        #expect(!failure.message.contains("fortnightly"), "the stored text is not repeated")
        try registry.setSchedule(endpoint: "net", every: .daily, actor: "nurse")
        #expect(try runs.runDue().buildFailure == nil, "set again, the schedules read")
    }

    @Test("A scheduled endpoint is built once in its period and delivered; a second run finds nothing due")
    func runDue() throws {
        let (runs, network, registry, folder) = try clinic()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try runs.runDue().built.isEmpty, "no schedule, nothing built")
        try registry.setSchedule(endpoint: "net", every: .monthly, actor: "nurse")
        let due = try runs.runDue()
        #expect(due.built.count == 1)
        #expect(due.attempts.map(\.state) == [.delivered])
        #expect(!due.anyFailed)
        #expect(network.receivedKeys == due.built.map(\.id))
        let next = try runs.runDue()
        #expect(next.built.isEmpty && next.attempts.isEmpty)
        #expect(network.receivedKeys.count == 1)
    }
}
