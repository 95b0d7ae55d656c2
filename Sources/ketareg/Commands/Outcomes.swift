import ArgumentParser
import ClinicWork
import RegistryCore
import RegistryStore

struct Outcomes: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "outcomes",
        abstract:
            "Response and remission under each condition's rules, at the end of the course and at each follow-up visit.",
        discussion: """
            Each course is judged once it is over: its usual number of infusions given, its days \
            passed, or ended with 'ketareg course end'. For each rule: courses still running \
            ('in course'), over without a baseline, not evaluable (a percentage change from 0, or a \
            remission threshold already met at baseline), awaiting (the assessment's window still \
            open), and the eligible ones: assessed or missing, with the number meeting the rule and \
            two rates: among those assessed, and with missing ones counted as not meeting the rule. \
            'Sustained' means the rule was met at the end of the course and is still met at the \
            visit, so a course without its end-of-course score is missing there. The first course \
            (induction) is counted per patient; re-treatment courses get rows of their own. \
            Maintenance infusions never change a course's result. Adverse events, co-interventions \
            and safety flags of the same patients follow. Records entered in error are left out.

            --as-of (or KETAREG_TODAY) re-runs the report as it stood at the end of a past day.
            """
    )

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
    @Option(help: ArgumentHelp("Only this condition.", valueName: "id")) var condition: String?
    @Option(
        name: .customLong("as-of"),
        help: ArgumentHelp("Count what had happened by the end of this day (default: today).", valueName: "date"))
    var asOf: String?
    @Option(
        help: ArgumentHelp(
            "Only the rows of this protocol (module/VERSION or clinic/N, as 'protocol show' names it).",
            valueName: "protocol"))
    var `protocol`: String?

    func run() throws {
        let catalog = try global.catalog()
        var conditions = catalog.conditions
        if let condition {
            guard let found = catalog.condition(condition.lowercased()) else {
                throw CatalogError.noSuchCondition(id: condition, known: catalog.conditionIDs)
            }
            conditions = [found]
        }
        let day = try asOf.map { try ClinicDay.parse($0, field: "as-of") } ?? ClinicDay.today()
        var tally = OutcomeTally(conditions: conditions, asOf: day)
        try global.openRegistry().forEachHistory(condition: condition?.lowercased()) { tally.add($0) }
        var report = tally.report
        if let given = self.protocol?.trimmedWhitespace {
            let known = Array(Swift.Set(report.outcomes.map(\.protocol))).sorted()
            guard let wanted = known.first(where: { $0.lowercased() == given.lowercased() }) else {
                throw InputError(
                    field: "protocol", got: self.protocol!,
                    allowed: "one of the protocols in these rows: \(known.joined(separator: ", "))")
            }
            report = report.keepingRows { $0.protocol == wanted }
        }
        if json { return try printJSON(report) }
        print("Outcomes as of \(day).")
        for condition in conditions {
            let rows = report.outcomes.filter { $0.condition == condition.id }
            print("\(condition.id) — \(condition.name)")
            for treatment in condition.protocols.treatments
            where rows.contains(where: { $0.protocol == treatment.reference }) {
                print("  protocol \(treatment.reference): \(treatment.course.description)")
                var lines = [
                    [
                        "COURSE", "OUTCOME", "SCALE", "WHEN", "IN COURSE", "ELIGIBLE", "ASSESSED", "MET", "RATE",
                        "MISSING AS NOT MET",
                    ]
                ]
                for row in rows
                where row.protocol == treatment.reference
                    && (row.eligible > 0 || row.notEvaluable > 0 || row.inCourse > 0 || row.awaiting > 0)
                {
                    let when =
                        row.window == .immediate ? "end of course" : "sustained, \(row.visit!) (day \(row.visitDays!))"
                    lines.append([
                        row.course.rawValue, row.name, row.scale + (row.subscore.map { " \($0)" } ?? ""), when,
                        String(row.inCourse), String(row.eligible),
                        String(row.assessed), String(row.responders), percentText(row.rate),
                        percentText(row.rateMissingAsNonResponse),
                    ])
                }
                print(lines.count == 1 ? "    no course started under it yet" : table(lines, indent: "    "))
            }
            let unused = Set(
                rows.filter { $0.eligible == 0 && $0.notEvaluable == 0 && $0.inCourse == 0 && $0.awaiting == 0 }.map(
                    \.scale)
            ).sorted()
            if !unused.isEmpty {
                print("  No course over with a baseline on \(unused.joined(separator: ", ")).")
            }
            for row in rows
            where row.window == .immediate && (row.notEvaluable > 0 || row.awaiting > 0 || row.noBaseline > 0) {
                var parts: [String] = []
                if row.noBaseline > 0 { parts.append("\(row.noBaseline) without a baseline") }
                if row.notEvaluable > 0 {
                    let why: String =
                        switch condition.outcomeRules.first(where: { $0.id == row.outcome })?.criterion {
                        case .percentImprovement?: "a baseline of 0 has no percentage change"
                        default: "already meeting the threshold at baseline"
                        }
                    parts.append("\(row.notEvaluable) not evaluable (\(why))")
                }
                if row.awaiting > 0 { parts.append("\(row.awaiting) awaiting their end-of-course assessment") }
                print("  \(row.course.rawValue) \(row.name): " + parts.joined(separator: "; ") + ".")
            }
            for flag in report.safetyFlags where flag.condition == condition.id && flag.patients > 0 {
                print(
                    "  Safety flag \(flag.flag): \(flag.patients) of \(flag.patientsInCondition) patients (\(flag.patientIDs.joined(separator: ", "))) for clinician review."
                )
            }
            let events = report.adverseEvents.filter { $0.condition == condition.id }
            if !events.isEmpty {
                print(
                    "  Adverse events: "
                        + events.map {
                            "\($0.term) \($0.grade) \($0.events) in \($0.patients) patient\($0.patients == 1 ? "" : "s")"
                                + ($0.serious > 0 ? " (\($0.serious) serious)" : "")
                        }.joined(separator: "; "))
            }
            let others = report.coInterventions.filter { $0.condition == condition.id }
            if !others.isEmpty {
                print(
                    "  Co-interventions: "
                        + others.map { "\($0.kind) \($0.patients) of \($0.patientsInCondition)" }.joined(
                            separator: "; "))
            }
            print("")
        }
        print(
            "Rates are among those assessed; 'missing as not met' counts those without the assessment as not meeting the rule. Induction rows count patients, re-treatment rows count courses."
        )
    }
}

struct Due: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "due",
        abstract: "Assessments due today or overdue, for the whole clinic.",
        discussion: """
            Each condition's course says when its primary scale is due: at baseline before a \
            course's first infusion, at the end of the course (from the day its last infusion \
            ends, once the course is over), and at each follow-up visit's window. Every course \
            counts: the induction and any re-treatment. An assessment stays overdue for \
            \(CourseProgress.overdueGraceDays) days after its window closes; after that it is \
            missed and shown only on the patient's page.

            Above the list: the \(flagsShown) oldest open safety flags, and how many more there are \
            ('ketareg flag list --open' lists them all; --json gives them all).
            """
    )

    /// How many open flags `due` prints above its list (the oldest first); `--json` gives all.
    static let flagsShown = 20

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
    @Option(
        name: [.customLong("as-of"), .customLong("on")],
        help: ArgumentHelp("The day to check (default: today).", valueName: "date")) var asOf: String?

    func run() throws {
        let catalog = try global.catalog()
        let today = try asOf.map { try ClinicDay.parse($0, field: "as-of") } ?? ClinicDay.today()
        // Scripts get every open flag. The screen gets the oldest few and how many more there are:
        // a clinic with thousands unreviewed needs `flag list`, not a wall above its due list.
        let list = try DueList.build(
            registry: try global.openRegistry(), catalog: catalog, on: today, flagLimit: json ? nil : Self.flagsShown)
        if json { return try printJSON(list) }
        let (due, flags, names) = (list.due.map(\.item), list.openFlags, list.names)
        if !flags.isEmpty {
            print(openFlagsText(flags, names: names))
            let total = list.openFlagCount
            if total > flags.count {
                print(
                    "  ... and \(total - flags.count) more open flag\(total - flags.count == 1 ? "" : "s"), \(total) in all: 'ketareg flag list --open' lists every one."
                )
            }
            print("")
        }
        if due.isEmpty { return print("Nothing due or overdue on \(today).") }
        print(
            table(
                [["PATIENT", "NAME", "CONDITION", "COURSE", "ASSESSMENT", "SCALE", "TIMEPOINT", "DUE", "STATUS"]]
                    + due.map { item in
                        [
                            item.patient, names[item.patient] ?? "", item.condition,
                            item.course == .induction ? "induction" : "re-treatment \(item.courseNumber - 1)",
                            item.name, item.scale, item.timepoint,
                            item.dueBy.map { "\(item.dueFrom ?? "") to \($0)" } ?? "before first infusion",
                            item.status == "overdue" ? "OVERDUE \(item.daysOverdue ?? 0)d" : "due",
                        ]
                    }))
        print("\(due.count) assessment\(due.count == 1 ? "" : "s") due or overdue on \(today).")
    }
}
