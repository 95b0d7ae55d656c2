import ArgumentParser
import ClinicWork
import Foundation
import RegistryCore
import RegistryStore

struct Correct: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "correct",
        abstract:
            "Correct a recorded assessment (A-), infusion (I-), adverse event (AE-) or co-intervention (C-), or mark an observation (O-) or course marker (CE-) entered in error; every correction needs a reason.",
        discussion: """
            Give only the fields to change. An assessment takes --answers or --value (scored again), \
            --on and --timepoint; an infusion takes the fields of 'infusion add'; an adverse event \
            takes --term, --grade, --serious, --onset and --resolved; a co-intervention takes \
            --kind, --from and --to. --entered-in-error keeps the record on file but out of \
            timelines and outcomes; given alone it reads none of the record's fields, so it also \
            takes out a record that 'ketareg verify' names as changed or damaged. The audit trail \
            keeps what it was, what it became, who changed it and why.

            Examples:
              ketareg correct A-000012 --answers 2,2,1,3,1,2,1,0,0 --reason "item 9 keyed wrongly"
              ketareg correct AE-000003 --resolved 2026-03-04 --reason "resolved by next visit"
            """
    )

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
    @Argument(help: ArgumentHelp("The record's id: A-..., I-..., AE-... or C-....", valueName: "id")) var id: String
    @Option(help: ArgumentHelp("Why the record is corrected (required).", valueName: "text")) var reason: String
    @Flag(
        name: .customLong("entered-in-error"),
        help: "The record should not have been entered: keep it on file, out of timelines and outcomes.")
    var enteredInError = false
    @Option(help: ArgumentHelp("Assessment: new answers, one per item.", valueName: "a,b,c")) var answers: String?
    @Option(help: ArgumentHelp("Assessment: new value of a single-value measure.", valueName: "x")) var value: String?
    @Option(help: ArgumentHelp("Assessment: baseline, post-infusion or follow-up.", valueName: "timepoint"))
    var timepoint: String?
    @OptionGroup(title: "Infusion fields (--on also dates an assessment)") var fields: InfusionFields
    @OptionGroup(title: "Adverse event fields") var adverse: AdverseEventFields
    @OptionGroup(title: "Co-intervention fields") var coIntervention: CoInterventionFields

    func run() throws {
        guard let record = RecordID(id), record.kind != .patient, record.kind != .flag else {
            throw InputError(
                field: "<id>", got: id,
                allowed:
                    "an assessment (A-000012), infusion (I-000007), adverse event (AE-000003), co-intervention (C-000002), observation (O-000004) or course marker (CE-000001) id"
            )
        }
        try refuseFieldsOfOtherKinds(record.kind)
        let catalog = try global.moduleCatalog()
        let correction = Correction(registry: try global.openRegistry(), catalog: catalog)
        let change: Correction.Change?
        switch record.kind {
        case .assessment:
            var raw: [Int?]?
            if answers != nil || value != nil {
                raw = try readAnswers(answers: answers, value: value, scale: correction.scale(ofAssessment: record))
            }
            let on = try fields.on.map { try ClinicDay.parse($0, field: "on") }
            let when = try timepoint.map { try Timepoint.parse($0, field: "timepoint") }
            change = raw == nil && on == nil && when == nil ? nil : .assessment(answers: raw, on: on, timepoint: when)
        case .infusion:
            // Only --entered-in-error: no change, so the stored fields need not read (a damaged
            // record can still be taken out of timelines and outcomes).
            change = fields.firstGiven() == nil ? nil : .infusion { try fields.apply(to: &$0) }
        case .adverseEvent:
            change = adverse.firstGiven == nil ? nil : .adverseEvent { try adverse.apply(to: &$0) }
        case .coIntervention:
            change = coIntervention.firstGiven == nil ? nil : .coIntervention { try coIntervention.apply(to: &$0) }
        case .observation, .courseEvent, .patient, .flag:
            change = nil
        }
        let corrected: Correction.Corrected
        do {
            corrected = try correction.correct(
                record, change: change, enteredInError: enteredInError, reason: reason, actor: global.actorName)
        } catch let refusal as Correction.Refusal {
            throw RegistryError(.refused, Self.words(for: refusal, record: record))
        }
        switch corrected {
        case .assessment(let corrected):
            if json { return try printJSON(corrected) }
            print(
                "Corrected \(corrected.id): \(corrected.scale) "
                    + scoreText(corrected.score, band: corrected.band, scale: catalog.scale(corrected.scale))
                    + (corrected.enteredInError ? " (entered in error)" : "")
                    + (corrected.flags.isEmpty ? "" : " [\(corrected.flags.joined(separator: ", "))]"))
        case .infusion(let corrected):
            if json { return try printJSON(corrected) }
            print(
                "Corrected \(corrected.id): \(corrected.dosingText) \(corrected.route) over \(corrected.minutes) min on \(corrected.on) for \(([corrected.condition] + (corrected.alsoFor ?? [])).joined(separator: " and "))"
                    + (corrected.enteredInError ? " (entered in error)" : ""))
        case .adverseEvent(let corrected):
            if json { return try printJSON(corrected) }
            print(
                "Corrected \(corrected.id): \(corrected.term) (\(corrected.grade)\(corrected.serious ? ", serious" : "")) from \(corrected.onset)"
                    + (corrected.resolvedOn.map { ", resolved \($0)" } ?? ", unresolved")
                    + (corrected.enteredInError ? " (entered in error)" : ""))
        case .coIntervention(let corrected):
            if json { return try printJSON(corrected) }
            print(
                "Corrected \(corrected.id): \(corrected.kind) from \(corrected.from)"
                    + (corrected.to.map { " to \($0)" } ?? ", ongoing")
                    + (corrected.enteredInError ? " (entered in error)" : ""))
        case .marked(let marked):
            if json { return try printJSON(MarkedRecord(id: marked, enteredInError: true)) }
            print("Corrected \(marked): entered in error")
        }
    }

    /// A refusal of the correction use case, in this command's words.
    static func words(for refusal: Correction.Refusal, record: RecordID) -> String {
        switch refusal {
        case .onlyMarkable:
            "\(record) can only be marked --entered-in-error (then record it again as it should be)"
        case .notCorrectable(let kind): "a \(kind.noun) is not corrected with 'ketareg correct'"
        case .changeForAnotherKind(let kind, let change):
            "\(record) is \(kind.article) \(kind.noun); the fields given are for \(change.article) \(change.noun)"
        }
    }

    /// Refuses fields that belong to another kind of record, naming the first one given.
    private func refuseFieldsOfOtherKinds(_ kind: RecordKind) throws {
        let given: [(RecordKind, String?)] = [
            (.assessment, answers != nil ? "answers" : value != nil ? "value" : timepoint != nil ? "timepoint" : nil),
            (.infusion, fields.firstGiven(exceptDate: true)),
            (.adverseEvent, adverse.firstGiven),
            (.coIntervention, coIntervention.firstGiven),
        ]
        var wrong = given.first { $0.0 != kind && $0.1 != nil }?.1
        if wrong == nil, fields.on != nil, ![.assessment, .infusion].contains(kind) { wrong = "on" }
        guard let wrong else { return }
        let takes =
            switch kind {
            case .assessment: "--answers, --value, --on, --timepoint"
            case .infusion: "the fields of 'infusion add'"
            case .adverseEvent: "--term, --grade, --serious, --onset, --resolved"
            case .coIntervention: "--kind, --from, --to, --note"
            case .observation, .courseEvent: "--entered-in-error only"
            case .patient, .flag: ""
            }
        throw RegistryError(
            .refused,
            "--\(wrong) does not apply to \(id): \(kind.article) \(kind.noun.replacingOccurrences(of: "adverse-event", with: "adverse event")) takes \(takes)"
        )
    }
}

extension RecordKind {
    var article: String {
        self == .assessment || self == .infusion || self == .adverseEvent || self == .observation ? "an" : "a"
    }
}

/// The fields of an adverse event, for `correct`.
struct AdverseEventFields: ParsableArguments {
    @Option(help: ArgumentHelp("One of \(AdverseEventTerm.allowedWords).", valueName: "term")) var term: String?
    @Option(help: ArgumentHelp("One of \(AdverseEventGrade.allowedWords).", valueName: "grade")) var grade: String?
    @Option(help: ArgumentHelp("yes or no.", valueName: "yes|no")) var serious: String?
    @Option(help: ArgumentHelp("Date of onset, YYYY-MM-DD.", valueName: "date")) var onset: String?
    @Option(help: ArgumentHelp("Date it resolved, YYYY-MM-DD.", valueName: "date")) var resolved: String?

    var firstGiven: String? {
        [("term", term), ("grade", grade), ("serious", serious), ("onset", onset), ("resolved", resolved)].first {
            $0.1 != nil
        }?.0
    }

    func apply(to entry: inout AdverseEventEntry) throws {
        if let term { entry.term = try AdverseEventTerm.parse(term, field: "term") }
        if let grade { entry.grade = try AdverseEventGrade.parse(grade, field: "grade") }
        if let serious {
            switch serious.lowercased() {
            case "yes", "y": entry.serious = true
            case "no", "n": entry.serious = false
            default: throw InputError(field: "serious", got: serious, allowed: "yes or no")
            }
        }
        if let onset { entry.onset = try ClinicDay.parse(onset, field: "onset") }
        if let resolved { entry.resolvedOn = try ClinicDay.parse(resolved, field: "resolved") }
    }
}

/// The fields of a co-intervention, for `correct`.
struct CoInterventionFields: ParsableArguments {
    @Option(help: ArgumentHelp("One of \(CoInterventionKind.allowedWords).", valueName: "kind")) var kind: String?
    @Option(help: ArgumentHelp("Start date, YYYY-MM-DD.", valueName: "date")) var from: String?
    @Option(help: ArgumentHelp("End date, YYYY-MM-DD.", valueName: "date")) var to: String?
    @Option(help: ArgumentHelp("What it was, in a few words (empty to clear it).", valueName: "text")) var note: String?

    var firstGiven: String? {
        [("kind", kind), ("from", from), ("to", to), ("note", note)].first { $0.1 != nil }?.0
    }

    func apply(to entry: inout CoInterventionEntry) throws {
        if let kind { entry.kind = try CoInterventionKind.parse(kind, field: "kind") }
        if let from { entry.from = try ClinicDay.parse(from, field: "from") }
        if let to { entry.to = try ClinicDay.parse(to, field: "to") }
        if let note { entry.note = note }
    }
}

struct Audit: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit trail: who changed what, when, and why.",
        discussion: """
            With a patient id, every change to that patient's records; with a record id, that record's changes. \
            `ketareg audit anchor` prints the chain's head and row count as one line to keep off this machine \
            (on paper, in an email): `ketareg verify --anchor FILE` later shows whether the history up to it \
            was rewritten, cut short or rolled back.
            """
    )

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
    @Argument(help: ArgumentHelp("A patient or record id (P-, I-, A-, AE-, C-), or anchor.", valueName: "id"))
    var id: String?

    func run() throws {
        if id == "anchor" {
            guard let anchor = try global.openRegistry().chainAnchor() else {
                return print("The audit trail is empty: there is nothing to anchor yet.")
            }
            let at = try ClinicDay.clock().now().ISO8601Format()
            struct Printed: Encodable {
                let head: String
                let rows: Int
                let at: String
                let line: String
            }
            let line = ChainCheck.anchorLine(anchor, at: at)
            if json { return try printJSON(Printed(head: anchor.head, rows: anchor.rows, at: at, line: line)) }
            return print(line)
        }
        var record: RecordID?
        if let id {
            guard let parsed = RecordID(id) else {
                throw InputError(
                    field: "<id>", got: id, allowed: "a patient or record id such as P-000042, A-000012, I-000007")
            }
            record = parsed
        }
        let entries = try global.openRegistry().auditTrail(for: record)
        if json { return try printJSON(["audit": entries]) }
        if entries.isEmpty { return print("No audit rows\(id.map { " for \($0)" } ?? "").") }
        for entry in entries {
            print(
                "#\(entry.id)  \(entry.at)  \(entry.actor)  \(entry.action) \(entry.entityId)"
                    + (entry.reason.map { "  reason: \($0)" } ?? ""))
            for line in auditChangeLines(before: entry.before, after: entry.after) {
                print("    " + escapingControlCharacters(line))
            }
        }
    }
}

/// An audit row's change as a reader wants it: one "field: before -> after" line per field that
/// changed; a new record's fields as "field: value"; the raw text when it is not a JSON object.
func auditChangeLines(before: String?, after: String?) -> [String] {
    func object(_ text: String?) -> [String: AuditValue]? {
        text.flatMap { try? JSONDecoder().decode([String: AuditValue].self, from: Data($0.utf8)) }
    }
    func show(_ value: AuditValue?) -> String { value?.text ?? "(none)" }
    switch (object(before), object(after)) {
    case (let old?, let new?):
        let keys = Set(old.keys).union(new.keys).sorted()
        let changed = keys.filter { show(old[$0]) != show(new[$0]) }
        return changed.isEmpty ? ["no field changed"] : changed.map { "\($0): \(show(old[$0])) -> \(show(new[$0]))" }
    case (nil, let new?) where before == nil:
        return new.keys.sorted().map { "\($0): \(show(new[$0]))" }
    default:
        return [before.map { "before: \($0)" }, after.map { "after: \($0)" }].compactMap { $0 }
    }
}

/// A value in an audit row's JSON, shown as a reader reads it.
indirect enum AuditValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case text(String)
    case list([AuditValue])
    case object([String: AuditValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .text(value)
        } else if let value = try? container.decode([AuditValue].self) {
            self = .list(value)
        } else {
            self = .object(try container.decode([String: AuditValue].self))
        }
    }

    var text: String {
        switch self {
        case .null: "(none)"
        case .bool(let value): value ? "yes" : "no"
        case .number(let value): formatScore(value)
        case .text(let value): value
        case .list(let values): "[" + values.map(\.text).joined(separator: ", ") + "]"
        case .object(let values):
            "{" + values.keys.sorted().map { "\($0): \(values[$0]!.text)" }.joined(separator: ", ") + "}"
        }
    }
}

/// What `correct --entered-in-error --json` prints for a record only marked.
private struct MarkedRecord: Encodable {
    let id: String
    let enteredInError: Bool
}
