import ArgumentParser
import Foundation
import RegistryCore
import RegistryStore

struct Report: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Write a report as one self-contained HTML file: the clinic's outcomes, or one patient's scores over time.",
        discussion: """
            The file has its charts drawn inline (SVG) and fetches nothing from elsewhere, so it opens \
            in any browser and can be kept or printed as it is. The clinic report names no patient \
            except by registry id next to a safety flag; a patient report identifies the patient and \
            stays at the clinic. An existing file is never overwritten.
            """
    )

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Option(help: ArgumentHelp("The HTML file to write.", valueName: "file.html")) var html: String
    @Option(help: ArgumentHelp("One patient's report instead of the clinic's.", valueName: "id")) var patient: String?

    func run() throws {
        let catalog = try global.catalog()
        let registry = try global.openRegistry()
        let today = try ClinicDay.today()
        let text: String
        if let patient {
            let id = try patientID(patient, field: "patient", registry: registry)
            let (read, history) = try registry.patientPageAndHistory(id)
            var page = read
            page.courses = CourseProgress.all(patient: history, catalog: catalog, today: today)
            let own = catalog.conditions.filter { page.conditions.contains($0.id) }
            let histories = [history]
            let outcomes = OutcomeReport(conditions: own, histories: histories, asOf: today).outcomes
            let timelines = own.flatMap { condition in
                histories.filter { $0.conditions.contains(condition.id) }.map {
                    CourseTimeline(condition: condition, history: $0.asOf(today))
                }
            }
            text = PatientReport(page: page, catalog: catalog, today: today, outcomes: outcomes, timelines: timelines)
                .html()
        } else {
            let histories = try registry.histories()
            text = ClinicReport(
                clinic: try registry.clinicName(), catalog: catalog,
                report: OutcomeReport(conditions: catalog.conditions, histories: histories, asOf: today),
                patients: histories.count, today: today
            ).html()
        }
        try writeNewFile(html, Data(text.utf8), field: "html", command: "report")
        print("Wrote \(html).")
    }
}
