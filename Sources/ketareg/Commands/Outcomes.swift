import ArgumentParser
import RegistryCore
import RegistryStore

struct Outcomes: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Response and remission under each condition's rules, at the end of the course and at each follow-up visit.",
        discussion: """
            For each rule: patients eligible (course started, baseline on the scale), assessed, \
            missing, meeting the rule, and two rates: among those assessed, and with missing \
            patients counted as not meeting the rule. 'Sustained' means the rule was met at the \
            end of the course and is still met at the visit. Adverse events, co-interventions and \
            safety flags of the same patients follow. Records entered in error are left out.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(help: ArgumentHelp("Only this condition.", valueName: "id")) var condition: String?

    func run() throws {
        let catalog = try global.catalog()
        var conditions = catalog.conditions
        if let condition {
            guard let found = catalog.condition(condition.lowercased()) else {
                throw CatalogError.noSuchCondition(id: condition, known: catalog.conditionIDs)
            }
            conditions = [found]
        }
        let histories = try global.openRegistry().histories(condition: condition?.lowercased())
        let report = OutcomeReport(conditions: conditions, histories: histories)
        if output.json { return try printJSON(report) }
        for condition in conditions {
            let rows = report.outcomes.filter { $0.condition == condition.id }
            print("\(condition.id) — \(condition.name); course: \(condition.course.description)")
            var table_ = [["OUTCOME", "SCALE", "WHEN", "ELIGIBLE", "ASSESSED", "MET", "RATE", "MISSING AS NOT MET"]]
            for row in rows where row.eligible > 0 || row.notEvaluable > 0 {
                let when = row.window == .immediate ? "end of course" : "sustained, \(row.visit!) (day \(row.visitDays!))"
                table_.append([row.name, row.scale + (row.subscore.map { " \($0)" } ?? ""), when, String(row.eligible), String(row.assessed),
                               String(row.responders), percentText(row.rate), percentText(row.rateMissingAsNonResponse)])
            }
            print(table(table_, indent: "  "))
            let unused = Set(rows.filter { $0.eligible == 0 && $0.notEvaluable == 0 }.map(\.scale)).sorted()
            if !unused.isEmpty {
                print("  No patient with a course and a baseline on \(unused.joined(separator: ", ")).")
            }
            let notEvaluable = rows.filter { $0.notEvaluable > 0 }
            for row in notEvaluable where row.window == .immediate {
                print("  \(row.notEvaluable) patient\(row.notEvaluable == 1 ? "" : "s") left out of \(row.name): a baseline of 0 has no percentage change.")
            }
            for flag in report.safetyFlags where flag.condition == condition.id && flag.patients > 0 {
                print("  Safety flag \(flag.flag): \(flag.patients) of \(flag.patientsInCondition) patients (\(flag.patientIDs.joined(separator: ", "))) for clinician review.")
            }
            let events = report.adverseEvents.filter { $0.condition == condition.id }
            if !events.isEmpty {
                print("  Adverse events: " + events.map { "\($0.term) \($0.grade) \($0.events) in \($0.patients) patient\($0.patients == 1 ? "" : "s")" + ($0.serious > 0 ? " (\($0.serious) serious)" : "") }.joined(separator: "; "))
            }
            let others = report.coInterventions.filter { $0.condition == condition.id }
            if !others.isEmpty {
                print("  Co-interventions: " + others.map { "\($0.kind) \($0.patients) of \($0.patientsInCondition)" }.joined(separator: "; "))
            }
            print("")
        }
        print("Rates are among patients assessed; 'missing as not met' counts patients without the assessment as not meeting the rule.")
    }
}

struct Due: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Assessments due today or overdue, for the whole clinic.",
        discussion: """
            Each condition's course says when its primary scale is due: at baseline before the first \
            infusion, at the end of the course, and at each follow-up visit's window. An assessment \
            stays overdue for \(CourseProgress.overdueGraceDays) days after its window closes; after \
            that it is missed and shown only on the patient's page.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(help: ArgumentHelp("The day to check (default: today).", valueName: "date")) var on: String?

    func run() throws {
        let catalog = try global.catalog()
        let today = try on.map { try ClinicalDate.parse($0, field: "on") } ?? .today
        let due = dueItems(histories: try global.openRegistry().histories(), catalog: catalog, today: today)
        if output.json { return try printJSON(DueReport(date: today.description, due: due)) }
        if due.isEmpty { return print("Nothing due or overdue on \(today).") }
        print(table([["PATIENT", "CONDITION", "ASSESSMENT", "SCALE", "TIMEPOINT", "DUE", "STATUS"]] + due.map { item in
            [item.patient, item.condition, item.name, item.scale, item.timepoint,
             item.dueBy.map { "\(item.dueFrom ?? "") to \($0)" } ?? "before first infusion",
             item.status == "overdue" ? "OVERDUE \(item.daysOverdue ?? 0)d" : "due"]
        }))
        print("\(due.count) assessment\(due.count == 1 ? "" : "s") due or overdue on \(today).")
    }
}

/// Every assessment due or overdue on `today`, overdue ones first, then by due date.
func dueItems(histories: [PatientHistory], catalog: ConditionCatalog, today: ClinicalDate) -> [DueItem] {
    var due: [DueItem] = []
    for history in histories {
        for conditionID in history.conditions {
            guard let condition = catalog.condition(conditionID) else { continue }
            let progress = CourseProgress(patient: history, condition: condition, today: today)
            for item in progress.assessments where item.status == .due || item.status == .overdue {
                due.append(DueItem(patient: history.patient, condition: conditionID, point: item.point, name: item.name, scale: item.scale,
                                   timepoint: item.timepoint.rawValue, dueFrom: item.dueFrom?.description, dueBy: item.dueBy?.description,
                                   status: item.status.rawValue, daysOverdue: item.daysOverdue))
            }
        }
    }
    return due.sorted { ($0.status == "overdue" ? 0 : 1, $0.dueBy ?? "", $0.patient) < ($1.status == "overdue" ? 0 : 1, $1.dueBy ?? "", $1.patient) }
}

/// One row of `ketareg due`.
struct DueItem: Codable {
    let patient: String
    let condition: String
    let point: String
    let name: String
    let scale: String
    let timepoint: String
    let dueFrom: String?
    let dueBy: String?
    let status: String
    let daysOverdue: Int?
}

/// `ketareg due --json`.
struct DueReport: Codable {
    let date: String
    let due: [DueItem]
}
