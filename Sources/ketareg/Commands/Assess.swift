import ArgumentParser
import Foundation
import RegistryCore
import RegistryStore

struct Assess: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record an assessment on a validated scale; prints its score, band and any safety flag.",
        discussion: """
            Give the answers with --answers, one per item in item order, comma separated; leave an \
            unanswered item empty (3,,2). Labelled items take the label or its position from 0 \
            (HIT-6: never, rarely, sometimes, very-often, always), yes/no items take yes/no or 1/0. \
            A single-value measure (a 0-10 rating, a day count) takes --value. With neither, at a \
            terminal, you are asked item by item. 'ketareg scale show SCALE' lists the items.

            Examples:
              ketareg assess P-000042 --scale phq9 --on today --timepoint baseline --answers 2,2,1,3,1,2,1,0,1
              ketareg assess P-000042 --scale pain-nrs --on today --timepoint post-infusion --value 4
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: ArgumentHelp("The patient's registry id (P-000042) or MRN.", valueName: "id")) var id: String
    @Option(help: ArgumentHelp("The scale id (see 'ketareg conditions').", valueName: "scale")) var scale: String
    @Option(help: ArgumentHelp("Date of the assessment, YYYY-MM-DD or today.", valueName: "date")) var on: String
    @Option(help: ArgumentHelp("baseline, post-infusion or follow-up.", valueName: "timepoint")) var timepoint: String
    @Option(help: ArgumentHelp("One answer per item, comma separated.", valueName: "a,b,c")) var answers: String?
    @Option(help: ArgumentHelp("The value of a single-value measure.", valueName: "x")) var value: String?
    @Flag(name: .customLong("repeat"), help: "A genuine second administration of the scale that day at that timepoint (otherwise refused as a duplicate).") var repeatAdministration = false

    func validate() throws {
        if answers != nil && value != nil { throw ValidationError("Give --answers or --value, not both") }
    }

    func run() throws {
        let catalog = try global.catalog()
        let registry = try global.openRegistry()
        let patient = try patientID(id, registry: registry)
        guard let found = catalog.scale(scale.lowercased()) else {
            throw CatalogError.noSuchScale(id: scale, known: catalog.scaleIDs)
        }
        let date = try ClinicDay.parse(on, field: "on")
        let when = try Timepoint.parse(timepoint, field: "timepoint")
        // At the keyboard, before any item is asked, so that no answer typed is lost to a refusal.
        if answers == nil, value == nil, !repeatAdministration {
            try registry.refuseDuplicateAssessment(patient: patient, scale: found.id, on: date, timepoint: when)
        }
        let raw = try readAnswers(answers: answers, value: value, scale: found)
        let scored = try catalog.assess(scale: found.id, answers: raw)
        let assessment = try registry.addAssessment(scored, patient: patient, on: date, timepoint: when, repeat: repeatAdministration, actor: global.actorName)
        if output.json { return try printJSON(assessment) }
        printAssessment(assessment, scored: scored, catalog: catalog)
        try printRaisedFlags(registry, from: assessment.id, patient: patient)
    }
}

/// Raw answers from --answers, --value, or item by item at a terminal.
func readAnswers(answers: String?, value: String?, scale: any AssessmentScale) throws -> [Int?] {
    if let answers { return try scale.parseAnswers(answers) }
    if let value {
        guard scale.isSingleValue else { throw ScaleError.notSingleValue(scale: scale.id, items: scale.items.count) }
        return [try scale.parseAnswer(value, item: 1)]
    }
    guard isatty(STDIN_FILENO) == 1 else {
        throw ValidationError("Give --answers (or --value for a single-value measure); there is no terminal to ask item by item")
    }
    return try askItemByItem(scale)
}

/// Asks each item at the terminal, asking again until the answer is allowed. An empty line leaves
/// the item unanswered.
func askItemByItem(_ scale: any AssessmentScale) throws -> [Int?] {
    note("\(scale.name): \(scale.items.count) item\(scale.items.count == 1 ? "" : "s"). Press Enter to leave an item unanswered.")
    var answers: [Int?] = []
    for (index, item) in scale.items.enumerated() {
        while true {
            FileHandle.standardError.write(Data("  \(index + 1). \(item.label) [\(item.response.promptDescription)]: ".utf8))
            guard let line = readLine() else {
                throw InputError(field: "answers", got: "end of input", allowed: "an answer for every item (input ended at item \(index + 1))")
            }
            do {
                answers.append(try scale.parseAnswer(line, item: index + 1))
                break
            } catch {
                note("    \(error)")
            }
        }
    }
    return answers
}

func printAssessment(_ assessment: AssessmentView, scored: ScoredAssessment, catalog: ConditionCatalog) {
    let scale = catalog.scale(assessment.scale)
    var line = "\(assessment.id)  \(assessment.patient)  \(assessment.scale) " + scoreText(assessment.score, band: assessment.band, scale: scale)
    line += subscoreText(assessment.subscores)
    print(line)
    for text in scored.result.notes { print("  note: \(text)") }
    let checks = catalog.condition(assessment.condition)?.safetyChecks ?? []
    for flag in assessment.flags {
        print("  \(flag): " + (checks.first { $0.flag == flag && $0.scale == assessment.scale }?.description ?? flag))
    }
}
