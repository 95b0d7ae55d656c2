import ArgumentParser
import RegistryCore
import RegistryStore

struct Correct: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Correct a recorded assessment (A-...) or infusion (I-...); every correction needs a reason.",
        discussion: """
            Give only the fields to change. An assessment takes --answers or --value (scored again), \
            --on and --timepoint; an infusion takes the fields of 'infusion add'. --entered-in-error \
            keeps the record on file but out of timelines and outcomes. The audit trail keeps what \
            it was, what it became, who changed it and why.

            Example:
              ketareg correct A-000012 --answers 2,2,1,3,1,2,1,0,0 --reason "item 9 keyed wrongly"
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: ArgumentHelp("The assessment or infusion id.", valueName: "id")) var id: String
    @Option(help: ArgumentHelp("Why the record is corrected (required).", valueName: "text")) var reason: String
    @Flag(name: .customLong("entered-in-error"), help: "The record should not have been entered: keep it on file, out of timelines and outcomes.") var enteredInError = false
    @Option(help: ArgumentHelp("Assessment: new answers, one per item.", valueName: "a,b,c")) var answers: String?
    @Option(help: ArgumentHelp("Assessment: new value of a single-value measure.", valueName: "x")) var value: String?
    @Option(help: ArgumentHelp("Assessment: baseline, post-infusion or follow-up.", valueName: "timepoint")) var timepoint: String?
    @OptionGroup(title: "Infusion fields (and --on for both)") var fields: InfusionFields

    func run() throws {
        guard let record = RecordID(id), [.assessment, .infusion].contains(record.kind) else {
            throw InputError(field: "<id>", got: id, allowed: "an assessment id (A-000012) or an infusion id (I-000007)")
        }
        let registry = try global.openRegistry()
        switch record.kind {
        case .assessment:
            try refuseInfusionFields()
            let catalog = try loadCatalog()
            var raw: [Int?]?
            if answers != nil || value != nil {
                let scaleID = try registry.scaleOfAssessment(record)
                guard let scale = catalog.scale(scaleID) else { throw CatalogError.noSuchScale(id: scaleID, known: catalog.scaleIDs) }
                raw = try readAnswers(answers: answers, value: value, scale: scale)
            }
            let corrected = try registry.correctAssessment(
                record, answers: raw, on: try fields.on.map { try ClinicalDate.parse($0, field: "on") },
                timepoint: try timepoint.map { try Timepoint.parse($0, field: "timepoint") },
                enteredInError: enteredInError ? true : nil, catalog: catalog, reason: reason, actor: global.actorName)
            if output.json { return try printJSON(corrected) }
            print("Corrected \(corrected.id): \(corrected.scale) " + scoreText(corrected.score, band: corrected.band, scale: catalog.scale(corrected.scale))
                  + (corrected.enteredInError ? " (entered in error)" : "") + (corrected.flags.isEmpty ? "" : " [\(corrected.flags.joined(separator: ", "))]"))
        default:
            if answers != nil || value != nil || timepoint != nil {
                throw InputError(field: answers != nil ? "answers" : value != nil ? "value" : "timepoint", got: id,
                                 allowed: "infusion fields only for an infusion (see 'ketareg correct --help')")
            }
            let corrected = try registry.correctInfusion(record, reason: reason, actor: global.actorName,
                                                         enteredInError: enteredInError ? true : nil) { entry in
                try fields.apply(to: &entry)
            }
            if output.json { return try printJSON(corrected) }
            print("Corrected \(corrected.id): \(formatScore(corrected.doseMgPerKg)) mg/kg \(corrected.route) over \(corrected.minutes) min on \(corrected.on)"
                  + (corrected.enteredInError ? " (entered in error)" : ""))
        }
    }

    private func refuseInfusionFields() throws {
        var onlyDate = fields
        onlyDate.on = nil
        if onlyDate.givesAnything {
            throw InputError(field: "dose-mg-per-kg", got: id, allowed: "assessment fields only for an assessment: --answers, --value, --on, --timepoint")
        }
    }
}

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the audit trail: who changed what, when, and why.",
        discussion: "With a patient id, every change to that patient's records; with a record id, that record's changes."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: ArgumentHelp("A patient or record id (P-, I-, A-, AE-, C-).", valueName: "id")) var id: String?

    func run() throws {
        var record: RecordID?
        if let id {
            guard let parsed = RecordID(id) else {
                throw InputError(field: "<id>", got: id, allowed: "a patient or record id such as P-000042, A-000012, I-000007")
            }
            record = parsed
        }
        let entries = try global.openRegistry().auditTrail(for: record)
        if output.json { return try printJSON(["audit": entries]) }
        if entries.isEmpty { return print("No audit rows\(id.map { " for \($0)" } ?? "").") }
        for entry in entries {
            print("#\(entry.id)  \(entry.at)  \(entry.actor)  \(entry.action) \(entry.entityId)" + (entry.reason.map { "  reason: \($0)" } ?? ""))
            if let before = entry.before { print("    before: \(before)") }
            if let after = entry.after { print("    after:  \(after)") }
        }
    }
}
