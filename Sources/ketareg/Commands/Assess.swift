import ArgumentParser
import ClinicWork
import Foundation
import RegistryCore
import RegistryStore

struct Assess: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "assess",
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

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
    @Argument(help: ArgumentHelp("The patient's registry id (P-000042) or MRN.", valueName: "id")) var id: String
    @Option(
        help: ArgumentHelp("The scale id (see 'ketareg conditions').", valueName: "scale"), completion: scaleCompletion)
    var scale: String
    @Option(help: ArgumentHelp("Date of the assessment, YYYY-MM-DD or today.", valueName: "date")) var on: String
    @Option(help: ArgumentHelp("baseline, post-infusion or follow-up.", valueName: "timepoint")) var timepoint: String
    @Option(help: ArgumentHelp("One answer per item, comma separated.", valueName: "a,b,c")) var answers: String?
    @Option(help: ArgumentHelp("The value of a single-value measure.", valueName: "x")) var value: String?
    @Flag(
        name: .customLong("repeat"),
        help:
            "A genuine second administration of the scale that day at that timepoint (otherwise refused as a duplicate)."
    ) var repeatAdministration = false

    func validate() throws {
        if answers != nil && value != nil { throw ValidationError("Give --answers or --value, not both") }
    }

    func run() throws {
        let catalog = try global.moduleCatalog()
        let registry = try global.openRegistry()
        let recording = AssessmentRecording(registry: registry, catalog: catalog)
        let patient = try patientID(id, registry: registry)
        let found = try recording.scale(scale)
        let date = try ClinicDay.parse(on, field: "on")
        let when = try Timepoint.parse(timepoint, field: "timepoint")
        // At the keyboard, before any item is asked, so that no answer typed is lost to a refusal.
        if answers == nil, value == nil {
            try recording.checkNotRecorded(
                patient: patient, scale: found, on: date, timepoint: when, repeatAdministration: repeatAdministration)
        }
        let person = try registry.patientSummary(patient)
        let raw = try readAnswers(
            answers: answers, value: value, scale: found,
            header:
                "\(person.id)  \(escapingControlCharacters(person.familyName)), \(escapingControlCharacters(person.givenName))  (MRN \(escapingControlCharacters(person.mrn)))"
                + ": \(found.name), \(when.rawValue), \(date)")
        let recorded = try recording.record(
            patient: patient, scale: found, answers: raw, on: date, timepoint: when,
            repeatAdministration: repeatAdministration, actor: global.actorName)
        if json { return try printJSON(recorded.assessment) }
        printAssessment(recorded.assessment, scored: recorded.scored, catalog: catalog)
        printFlagsForReview(recorded.raisedFlags)
    }
}

/// Raw answers from --answers, --value, or item by item at a terminal (`header` says whose form
/// it is).
func readAnswers(answers: String?, value: String?, scale: any AssessmentScale, header: String? = nil) throws -> [Int?] {
    if let answers { return try scale.parseAnswers(answers) }
    if let value {
        guard scale.isSingleValue else { throw ScaleError.notSingleValue(scale: scale.id, items: scale.items.count) }
        return [try scale.parseAnswer(value, item: 1)]
    }
    guard isatty(STDIN_FILENO) == 1 else {
        throw ValidationError(
            "Give --answers (or --value for a single-value measure); there is no terminal to ask item by item")
    }
    return try askItemByItem(scale, header: header)
}

/// Asks each item at the terminal. An answer that is not allowed is asked again; `<` goes back one
/// item; an empty line leaves an item unanswered only where the scale can still be scored without
/// it (otherwise it is asked again at once). Ends with the score and band and "save? [y/N]".
func askItemByItem(_ scale: any AssessmentScale, header: String? = nil) throws -> [Int?] {
    if let header { note(header) }
    note(
        "\(scale.name): \(counted(scale.items.count, "item")). Type '<' to go back one item; press Enter to leave an item unanswered where the scale allows it."
    )
    var answers = [Int?](repeating: nil, count: scale.items.count)
    while true {
        var index = 0
        while index < scale.items.count {
            let item = scale.items[index]
            let shown = answers[index].map { " (was \($0))" } ?? ""
            writeStandardError(
                "  \(index + 1)/\(scale.items.count). \(item.label) [\(item.response.promptDescription)]\(shown): ")
            guard let line = readLine() else {
                throw InputError(
                    field: "answers", got: "end of input",
                    allowed: "an answer for every item (input ended at item \(index + 1)); nothing was saved")
            }
            let text = line.trimmedWhitespace
            if text == "<" {
                if index == 0 { note("    this is the first item") } else { index -= 1 }
                continue
            }
            if text.isEmpty {
                // Blank: allowed only where the scale's own rule can still score it (RegistryCore).
                if let needed = scale.reasonItemIsNeeded(at: index, answers: answers) {
                    note("    item \(index + 1) is needed: \(needed)")
                } else {
                    answers[index] = nil
                    index += 1
                }
                continue
            }
            do {
                answers[index] = try scale.parseAnswer(text, item: index + 1)
                index += 1
            } catch {
                note("    \(error)")
            }
        }
        do {
            let result = try scale.score(answers)
            let band = scale.band(for: result.score).map { " (\($0.label))" } ?? ""
            note(
                "Score: \(formatScore(result.score))\(band). Answers: "
                    + answers.map { $0.map(String.init) ?? "-" }.joined(separator: ","))
        } catch {
            note("This form cannot be scored: \(error). Going back to the first item.")
            continue
        }
        writeStandardError("Save? [y/N, or < to go back]: ")
        let reply = (readLine() ?? "").trimmedWhitespace.lowercased()
        if reply == "y" || reply == "yes" { return answers }
        if reply == "<" { continue }
        throw InputError(field: "answers", got: reply.isEmpty ? "no" : reply, allowed: "y to save; nothing was saved")
    }
}

func printAssessment(_ assessment: AssessmentView, scored: ScoredAssessment, catalog: ConditionCatalog) {
    let scale = catalog.scale(assessment.scale)
    var line =
        "\(assessment.id)  \(assessment.patient)  \(assessment.scale) "
        + scoreText(assessment.score, band: assessment.band, scale: scale)
    line += subscoreText(assessment.subscores)
    print(line)
    for text in scored.result.notes { print("  note: \(text)") }
    let checks = catalog.condition(assessment.condition)?.safetyChecks ?? []
    for flag in assessment.flags {
        print("  \(flag): " + (checks.first { $0.flag == flag && $0.scale == assessment.scale }?.description ?? flag))
    }
}
