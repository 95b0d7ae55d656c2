import ArgumentParser
import DemoClinic
import Foundation
import RegistryCore
import RegistryExport
import RegistryStore

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a synthetic clinic end to end on a temporary registry and show what a clinician would look at.",
        discussion: "Every patient in the demo is invented. Your own registry is never touched."
    )

    @Option(
        help: ArgumentHelp(
            "Folder for the demo registry (default: a new temporary folder). It must not already hold a demo registry.",
            valueName: "dir"))
    var dir: String?

    @OptionGroup var modules: CatalogOptions

    func run() throws {
        let folder = try dir ?? makeTemporaryFolder()
        let path = (folder as NSString).appendingPathComponent("demo-registry.sqlite")
        let modulesCatalog = try modules.load()
        let today = try ClinicDay.today()
        let registry = try Registry.create(
            at: path, clinic: "KetaReg demo clinic", purpose: .demo, today: today, clock: try ClinicDay.clock(),
            random: ClinicDay.random
        ).operated(byAccount: ClinicDay.account)
        // The clinic's own depression protocol, as in the product description: six infusions
        // within three weeks (the module's is six within four), the module's visits kept.
        if let depression = modulesCatalog.condition("depression") {
            try registry.setProtocol(
                condition: depression, infusions: 6, withinDays: 21, endOfCourseWindowDays: 14, followUps: nil,
                continuous: false, from: nil, reason: "the demo clinic's protocol: six infusions within three weeks",
                actor: "demo")
        }
        let catalog = try registry.clinicCatalog(modulesCatalog)
        print("KetaReg demo: a synthetic clinic in \(path)")
        print("")
        print("Conditions and primary scales:")
        print(
            table(
                catalog.conditions.map {
                    [$0.id, $0.name, "primary: \($0.primaryScale)", "\($0.scales.count) scales"]
                }, indent: "  "))
        for condition in catalog.conditions where condition.protocols.inForce(on: today).source == .clinic {
            print(
                "  \(condition.id) runs the clinic's own protocol: \(condition.protocols.inForce(on: today).description)"
            )
        }
        print("")
        note("Recording patients, infusions and assessments...")
        var clinic = SyntheticClinic(registry: registry, catalog: catalog, today: today)
        let patients = try clinic.populate { note($0) }

        // A clinician's corrections and a consent withdrawal, to show the audit trail at work.
        let someone = patients[2]
        if let first = try registry.patientPage(someone).assessments.first(where: { $0.scale == "phq9" }) {
            var answers = first.answers
            answers[0] = 3
            let scored = try catalog.assess(scale: "phq9", answers: answers)
            _ = try registry.correctAssessment(
                RecordID(first.id)!, answers: scored.answers, on: nil, timepoint: nil,
                enteredInError: nil, catalog: catalog, reason: "item 1 keyed as 2, form says 3", actor: "demo")
        }
        _ = try registry.withdrawConsent(
            patients[4], on: today, reason: "patient asked to leave the research programme", actor: "demo")

        let summaries = try registry.patients()
        print("")
        print("Patients (\(summaries.count)):")
        print(
            table(
                [["ID", "CONDITIONS", "INFUSIONS", "LAST ASSESSED", "CONSENT", "FLAGS"]]
                    + summaries.map { patient in
                        [
                            patient.id, patient.conditions.joined(separator: ","), String(patient.infusions),
                            patient.lastAssessedOn ?? "-",
                            patient.consentWithdrawnOn != nil ? "withdrawn" : (patient.researchConsent ? "yes" : "no"),
                            patient.flags.joined(separator: ","),
                        ]
                    }, indent: "  "))

        print("")
        print("Outcomes on each condition's primary scale at the end of the course (ketareg outcomes):")
        let report = OutcomeReport(conditions: catalog.conditions, histories: try registry.histories(), asOf: today)
        for row in report.outcomes where row.window == .immediate && row.course == .induction {
            guard let condition = catalog.condition(row.condition), row.scale == condition.primaryScale else {
                continue
            }
            print(
                "  \(row.condition) \(row.name): \(row.responders) of \(row.assessed) assessed (\(percentText(row.rate))); \(row.eligible) eligible, \(row.inCourse) still in their course"
            )
        }
        let courses = try summaries.flatMap { summary in
            try courseProgress(registry: registry, patient: RecordID(summary.id)!, catalog: catalog, today: today)
        }.filter { $0.dayZero != nil }
        print(
            "  Courses: \(courses.filter { $0.kind == .induction }.count) inductions, \(courses.filter { $0.maintenanceInfusions > 0 }.count) followed by maintenance infusions, "
                + "\(courses.filter { $0.kind == .retreatment }.count) re-treatment courses (ketareg patient show P-000001)."
        )
        for row in report.outcomes where row.window == .immediate && row.course == .retreatment && row.started > 0 {
            guard let condition = catalog.condition(row.condition), row.scale == condition.primaryScale else {
                continue
            }
            print(
                "  \(row.condition) re-treatment \(row.name): \(row.responders) of \(row.assessed) courses assessed; \(row.inCourse) still running"
            )
        }
        print("")
        print("Adverse events by term and grade:")
        var counts: [String: Int] = [:]
        for summary in summaries {
            for event in try registry.patientPage(RecordID(summary.id)!).adverseEvents where !event.enteredInError {
                counts["\(event.term) (\(event.grade)\(event.serious ? ", serious" : ""))", default: 0] += 1
            }
        }
        print(table(counts.sorted { $0.key < $1.key }.map { ["\($0.value)", $0.key] }, indent: "  "))

        let flagged = summaries.first { !$0.flags.isEmpty } ?? summaries[0]
        print("")
        print("A patient page (ketareg patient show \(flagged.id)):")
        print("")
        print(PatientPageText(page: try registry.patientPage(RecordID(flagged.id)!), catalog: catalog).render())
        print("")
        let due = DueItem.list(histories: try registry.histories(), catalog: catalog, today: today).count
        print("Assessments due or overdue today: \(due) (ketareg due).")
        try exportToLocalEndpoint(registry: registry, catalog: catalog, folder: folder)
        print("")
        print("Audit trail: \(try registry.auditTrail().count) rows, append-only.")
        print("Explore it yourself: ketareg --registry \(path) patients")
    }

    /// Previews the anonymised summary, delivers it to the demo's research network (in memory, see
    /// ``DemoNetwork``), and shows the outbox.
    private func exportToLocalEndpoint(registry: Registry, catalog: ConditionCatalog, folder: String) throws {
        let network = DemoNetwork()
        let url = "https://research-network.invalid/v1/exports"
        let token = (folder as NSString).appendingPathComponent("demo-endpoint.token")
        do {
            try writePrivateFile(Data("demo-token-\(UUID().uuidString)\n".utf8), to: token)
        } catch {
            throw RegistryDemoError("cannot write the demo endpoint's token file in \(folder): \(error)")
        }
        try registry.addEndpoint(
            EndpointSettings(
                name: "demo-network", url: url, tokenFile: token, tokenEnvironment: nil, caFile: nil,
                profile: .summary, minCell: 5, k: 5, timeoutSeconds: 10), actor: "demo")
        let exporter = Exporter(
            registry: registry, catalog: catalog, transport: network, generator: "ketareg \(Ketareg.version)",
            tokenOwner: ClinicDay.userID)
        let preview = try exporter.preview(endpoint: "demo-network")
        print("")
        print(
            "Anonymised summary for a research network (ketareg export preview demo-network), \(preview.count) bytes,")
        print("cells under 5 suppressed (5 for this small demo clinic; endpoints default to 11); the start of it:")
        let pretty = try JSONSerialization.jsonObject(with: preview)
        let text = String(
            decoding: try JSONSerialization.data(withJSONObject: pretty, options: [.prettyPrinted, .sortedKeys]),
            as: UTF8.self)
        print(text.split(separator: "\n").prefix(40).map { "  " + $0 }.joined(separator: "\n"))
        print("  ...")
        let entry = try exporter.store(endpoint: "demo-network")!
        let attempts = try exporter.deliverDue(endpoint: "demo-network", holder: ClinicDay.leaseHolder)
        print(
            "Delivered to the demo network (in memory, as \(url)): \(attempts.first?.detail ?? "not yet"); it saw idempotency key \(network.receivedKeys.first ?? "none")."
        )
        print(
            "Outbox (ketareg export status): "
                + (try registry.outbox().map {
                    "\($0.id) \($0.state.rawValue), \($0.patients) consenting patients, \($0.attempts) attempt\($0.attempts == 1 ? "" : "s")"
                }.joined(separator: "; ")))
        _ = entry
    }

    private func makeTemporaryFolder() throws -> String {
        var template = Array(
            (NSTemporaryDirectory() as NSString).appendingPathComponent("ketareg-demo-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw RegistryError(.storage, "cannot create a temporary folder for the demo")
        }
        return String(cString: made)
    }
}
