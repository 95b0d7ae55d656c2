import Foundation
import GRDB
import RegistryCore

/// What `ketareg verify` found.
public struct VerifyReport: Sendable, Codable {
    /// True only when nothing below is wrong.
    public let intact: Bool
    /// How many audit rows the chain has.
    public let auditRows: Int
    /// The last audit row's hash: a witness of the whole history up to it.
    public let chainHead: String?
    /// Clinical records compared with their audit history.
    public let recordsChecked: Int
    /// The last chain head each endpoint received, and whether it is still in the chain.
    public let witnesses: [Witness]
    /// The anchors checked (hubs' receipts, anchor files), each with whether the chain still holds
    /// it.
    public var anchors: [Anchor] = []
    /// What could not be checked, and why (a hub that did not answer for its receipts): never a
    /// break, but a reason to check again.
    public var notes: [String] = []
    /// Every break found, in the order checked (chain, records, triggers, witnesses, exports,
    /// anchors, migrations); empty when intact.
    public let problems: [Problem]

    /// A point of the chain kept outside the registry (``ChainAnchor``), and where it was kept.
    public struct Anchor: Sendable, Codable, Hashable {
        /// Where the anchor comes from, in words: `the hub network's receipt for export X`.
        public let source: String
        /// The head it holds.
        public let head: String
        /// The row it holds the head at.
        public let rows: Int
        /// Whether the chain still has that head at that row (set by `verify`).
        public var held: Bool?

        /// An anchor to check, from `source`.
        public init(source: String, anchor: ChainAnchor) {
            self.source = source
            head = anchor.head
            rows = anchor.rows
        }
    }

    /// The audit-chain head an endpoint holds: the one its last delivered export carried.
    public struct Witness: Sendable, Codable, Hashable {
        /// The endpoint's name.
        public let endpoint: String
        /// The id of that export in the outbox (its Idempotency-Key).
        public let export: String
        /// When the endpoint accepted it, as the outbox recorded it (ISO 8601 UTC).
        public let deliveredAt: String?
        /// The audit-chain head the delivered payload carried (its `auditChainHead`).
        public let chainHead: String
        /// False when no audit row has this hash any more: the history was rewritten since.
        public let inChain: Bool
    }

    /// One break: what kind, which record or audit row, and what differs.
    public struct Problem: Sendable, Codable, Hashable {
        /// What kind of check found it.
        public enum Kind: String, Vocabulary {
            /// The audit chain: a row's hash, or a gap in the row ids.
            case chain
            /// A record differs from the last state its audit rows describe.
            case record
            /// An append-only trigger was dropped or changed.
            case trigger
            /// A delivered payload's chain head is not in the chain.
            case witness
            /// A schema migration is missing, or unknown to this version.
            case migration
            /// An export differs from its audit row, or one of them is missing.
            case export
            /// An endpoint's settings or schedule, or the release memory, differ from their audit rows.
            case setting
            /// A point of the chain kept outside the registry (a hub's receipt, an anchor file) is
            /// no longer in it, or a receipt is not what its hub signed.
            case anchor
        }

        /// What kind of check found it.
        public let kind: Kind
        /// The record it concerns, by its id (`P-000042`, or the key of the vital-sign thresholds);
        /// `nil` when it concerns no one record.
        public let record: String?
        /// The audit row where the break shows, when there is one.
        public let auditRow: Int64?
        /// What differs, in a sentence for the person checking the file.
        public let detail: String

        /// A break of `kind`, about `record`, showing at `auditRow`.
        public init(kind: Kind, record: String?, auditRow: Int64?, detail: String) {
            self.kind = kind
            self.record = record
            self.auditRow = auditRow
            self.detail = detail
        }
    }
}

extension Registry {
    /// Checks that the registry is what its history says: the audit chain (every row's hash over
    /// the one before, ids without gaps), every clinical record against the last state its audit
    /// rows describe, the append-only triggers, and the schema's migrations. Identity fields are
    /// not in the audit trail (by design) and so are not covered.
    ///
    /// `anchors` are points of the chain kept elsewhere (a hub's receipts, a line written down
    /// from `audit anchor`): each must still be the chain's row, and the chain no shorter.
    /// `alsoFound` are problems the caller found in what it gathered (a receipt whose signature
    /// fails), reported with the rest.
    public func verify(
        anchors: [VerifyReport.Anchor] = [], alsoFound: [VerifyReport.Problem] = [], realToday: ClinicalDate? = nil,
        acceptRestores: Bool = false
    ) throws -> VerifyReport {
        try read { db in
            var problems: [VerifyReport.Problem] = []
            func problem(_ kind: VerifyReport.Problem.Kind, record: String? = nil, row: Int64? = nil, _ detail: String)
            {
                problems.append(.init(kind: kind, record: record, auditRow: row, detail: detail))
            }

            // The chain, and each record's history as the audit rows tell it.
            var previous = AuditChain.genesis
            var expectedID: Int64 = 1
            var count = 0
            var history: [String: (state: [String: JSONValue], lastRow: Int64, entity: String)] = [:]
            var builtExports: [(id: String, row: Int64, after: String?)] = []
            var restores: [(row: Int64, record: RestoreRecord)] = []
            var settings = AuditedSettings()
            var notes: [String] = []
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT id, at, actor, account, action, entity, entity_id, patient, before, after, reason, hash FROM audit ORDER BY id
                    """)
            while let row = try rows.next() {
                count += 1
                let id: Int64 = row["id"]
                // Each row is checked against the stored hash of the row before it, so every break is
                // named, not just the first.
                if id != expectedID {
                    problem(
                        .chain, row: id,
                        id > expectedID
                            ? "audit row \(id) follows row \(expectedID - 1): "
                                + (id - expectedID == 1 ? "row \(expectedID) is" : "rows \(expectedID)-\(id - 1) are")
                                + " missing or were renumbered"
                            : "audit row \(id) is out of order after row \(expectedID - 1)")
                }
                let fields: [String?] = [
                    String(id), row["at"], row["actor"], row["account"], row["action"], row["entity"],
                    row["entity_id"], row["patient"], row["before"], row["after"], row["reason"],
                ]
                let stored: String? = row["hash"]
                if stored != AuditChain.hash(previous: previous, fields: fields) {
                    problem(
                        .chain, row: id,
                        stored == nil
                            ? "audit row \(id) has no hash: it was written behind the program's back"
                            : "audit row \(id) does not match its hash: it, or the row before it, was changed after it was written"
                    )
                }
                previous = stored ?? ""
                expectedID = id + 1
                let entity: String = row["entity"]
                if entity == "export", row["action"] == "build-export" {
                    builtExports.append((row["entity_id"], id, row["after"]))
                }
                if entity == "endpoint" || entity == "export" || entity == "registry" { settings.note(row) }
                if entity == "registry", let restore = Self.restoreRecord(row) {
                    restores.append((id, restore))
                    Self.carried(by: restore, at: id, into: &builtExports)
                }
                // An identity edit seals the patient's identity row anew.
                if entity == "identity",
                    case .string(let seal)? = (row["after"] as String?).flatMap(Self.jsonObject)?["identity"]
                {
                    history[row["entity_id"]]?.state["identity"] = .string(seal)
                }
                guard Self.clinicalEntities.contains(entity) else { continue }
                let entityID: String = row["entity_id"]
                let action: String = row["action"]
                let after = (row["after"] as String?).flatMap(Self.jsonObject) ?? [:]
                var state = history[entityID]?.state ?? [:]
                // A change's `before` (a correction's, a patient's condition or consent change, a
                // setting's) is the record as the program read it then: it must be the state the
                // trail last gave it, or the record was changed behind the program's back in
                // between, and the change carried the tampering into the trail, where the
                // comparison of today's records below no longer sees it. Fields are compared where
                // both have them (a view can gain fields from one version to the next). A
                // migration's row states only what it changed, and is not checked.
                if action != "migrate", let last = history[entityID]?.lastRow,
                    let before = (row["before"] as String?).flatMap(Self.jsonObject)
                {
                    let derived: Set<String> = entity == "infusion" ? ["adverseEvents"] : []
                    // An infusion's other conditions are compared even where one side has none
                    // (the member is left out when empty).
                    let alwaysCompared: Set<String> = entity == "infusion" ? ["alsoFor"] : []
                    let differing = Set(state.keys).union(alwaysCompared).filter {
                        (before[$0] != nil || alwaysCompared.contains($0)) && !derived.contains($0)
                            && !Self.same($0, state[$0], before[$0])
                    }.sorted()
                    if !differing.isEmpty {
                        let change = action == "correct" ? "the correction" : "the change (\(action))"
                        problem(
                            .record, record: entityID, row: id,
                            "\(entityID) was changed behind the program's back before \(change) at audit row \(id): what it changed differs from its audited state (audit row \(last)) in \(differing.joined(separator: ", "))"
                        )
                    }
                }
                // A migration states only what it changed; every other row states the whole record.
                state = action == "migrate" ? state.merging(after) { $1 } : after
                history[entityID] = (state, id, entity)
            }

            // Every clinical record against its history.
            var checked = 0
            // `alsoCompared`: members compared even when the audited state has none (a member added
            // by a later version, absent from older audit rows, only when present now).
            // `absentMeans`: what a member absent from an older audited state stood for (every
            // infusion was ketamine before the drug was recorded).
            func compare(
                _ record: String, entity: String, current: String, derived: Set<String> = [],
                alsoCompared: Set<String> = [], absentMeans: [String: JSONValue] = [:]
            ) {
                checked += 1
                guard let told = history.removeValue(forKey: record) else {
                    return problem(
                        .record, record: record,
                        "\(record) has no audit history: it was written behind the program's back")
                }
                let now = Self.jsonObject(current) ?? [:]
                let differing = Set(told.state.keys).union(alsoCompared).filter {
                    !derived.contains($0) && !Self.same($0, told.state[$0] ?? absentMeans[$0], now[$0])
                }
                .sorted()
                if !differing.isEmpty {
                    problem(
                        .record, record: record, row: told.lastRow,
                        "\(record) differs from its last audited state (audit row \(told.lastRow)) in \(differing.joined(separator: ", "))"
                    )
                }
            }
            for patient in try PatientRow.fetchAll(db) {
                compare(
                    RecordKind.patient.displayID(patient.id!), entity: "patient",
                    current: encodeJSON(try auditedPatient(db, patient)))
                // The consent history exports follow must end in the audited consent.
                let last =
                    try Bool.fetchOne(
                        db,
                        sql:
                            "SELECT research FROM consent_event WHERE patient_id = ? ORDER BY on_date DESC, id DESC LIMIT 1",
                        arguments: [patient.id!]) ?? false
                if last != patient.researchConsent {
                    problem(
                        .record, record: RecordKind.patient.displayID(patient.id!),
                        "its consent history ends in \(last ? "consent" : "no consent"), but its audited consent is \(patient.researchConsent ? "yes" : "no"): consent_event was changed behind the program's back"
                    )
                }
            }
            let adverseByInfusion = Dictionary(grouping: try AdverseEventRow.fetchAll(db), by: \.infusionId)
            let alsoFor = try alsoForByInfusion(db, patients: nil)
            let steps = try rateStepsByInfusion(db, patients: nil)
            for infusion in try InfusionRow.fetchAll(db) {
                let adverse = (adverseByInfusion[infusion.id] ?? []).map { RecordKind.adverseEvent.displayID($0.id!) }
                compare(
                    RecordKind.infusion.displayID(infusion.id!), entity: "infusion",
                    current: infusion.auditImage(
                        adverseEvents: adverse, alsoFor: alsoFor[infusion.id!] ?? [],
                        rateSteps: steps[infusion.id!] ?? []),
                    derived: ["adverseEvents"],
                    alsoCompared: ["alsoFor", "drug", "doseMg", "rateSteps", "readyToLeave"],
                    absentMeans: ["drug": .string("ketamine")])
            }
            for row in try AssessmentRow.fetchAll(db) {
                compare(RecordKind.assessment.displayID(row.id!), entity: "assessment", current: row.auditImage)
            }
            for row in try AdverseEventRow.fetchAll(db) {
                compare(
                    RecordKind.adverseEvent.displayID(row.id!), entity: "adverse-event", current: row.auditImage)
            }
            for row in try CoInterventionRow.fetchAll(db) {
                compare(
                    RecordKind.coIntervention.displayID(row.id!), entity: "co-intervention",
                    current: row.auditImage)
            }
            for row in try InfusionObservationRow.fetchAll(db) {
                compare(RecordKind.observation.displayID(row.id!), entity: "observation", current: row.auditImage)
            }
            for row in try CourseEventRow.fetchAll(db) {
                compare(
                    RecordKind.courseEvent.displayID(row.id!), entity: "course-event", current: row.auditImage)
            }
            // The clinic's flag thresholds decide which readings raise a flag: a change behind the
            // program's back would silence flags.
            if let stored = try String.fetchOne(
                db, sql: "SELECT value FROM registry_info WHERE key = ?", arguments: [Self.vitalRulesKey])
            {
                compare(Self.vitalRulesKey, entity: "setting", current: stored)
            }
            // The clinic's protocols decide how courses are divided and judged: a change behind the
            // program's back would rewrite results.
            for row in try Row.fetchAll(
                db, sql: "SELECT key, value FROM registry_info WHERE key LIKE 'protocols:%' ORDER BY key")
            {
                compare(row["key"], entity: "setting", current: row["value"])
            }
            // The endpoints, their schedules and the release memory decide what leaves.
            for found in try settings.problems(db) {
                problem(.setting, record: found.record, row: found.row, found.detail)
            }
            if let realToday {
                try checkDates(
                    db, realToday: realToday, audited: settings, problem: { problem(.record, $0) },
                    note: { notes.append($0) })
            }
            // History left over belongs to records that are gone.
            for (record, told) in history.sorted(by: { $0.value.lastRow < $1.value.lastRow }) {
                problem(
                    .record, record: record, row: told.lastRow,
                    "\(record) is in the audit trail (last at row \(told.lastRow)) but no longer in the registry: it was deleted behind the program's back"
                )
            }

            // The triggers that keep the audit trail append-only, and the endpoints above their floors.
            try checkTriggers(db) { problem(.trigger, $0) }

            // What the endpoints hold: the head carried by each one's last delivered export.
            let witnesses = try witnesses(
                db, restores: restores, accept: acceptRestores, note: { notes.append($0) },
                problem: { problem(.witness, $0) })

            // Every export against the audit row that built it.
            checkExports(db, built: builtExports, problem: { problem(.export, record: $0, row: $1, $2) })
            // The points of the chain kept elsewhere.
            var checkedAnchors = anchors
            let length = expectedID - 1
            for index in checkedAnchors.indices {
                let anchor = checkedAnchors[index]
                let held = try anchorHeld(db, anchor, chainLength: length)
                if held != nil, let restore = Self.restore(restores, discarded: anchor) {
                    // Held to the restore's own record: a restore row written behind the program's
                    // back could name any anchor, so it counts only when the operator accepts it.
                    let words =
                        "\(anchor.source) holds row \(anchor.rows) of the history the restore at audit row \(restore) discarded"
                    if acceptRestores {
                        notes.append(words + " (restores accepted)")
                        continue
                    }
                    problem(.anchor, row: Int64(anchor.rows), words + Self.unlessAccepted)
                    continue
                }
                checkedAnchors[index].held = held == nil
                if let held { problem(.anchor, row: Int64(anchor.rows), held) }
            }
            problems += alsoFound

            // The schema's migrations: all of them, and no other.
            let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            let known = Schema.migrator(courseDays: [:], clock: clock).migrations
            for missing in known where !applied.contains(missing) {
                problem(.migration, "the migration '\(missing)' is not applied")
            }
            for unknown in applied where !known.contains(unknown) {
                problem(.migration, "an unknown migration '\(unknown)' is recorded")
            }

            notes += restores.map { Self.described($0.record, at: $0.row) }
            var report = VerifyReport(
                intact: problems.isEmpty, auditRows: count, chainHead: count == 0 ? nil : previous,
                recordsChecked: checked, witnesses: witnesses, anchors: checkedAnchors, problems: problems)
            report.notes = notes
            return report
        }
    }

    /// The entities whose records live in the clinical tables.
    static let clinicalEntities: Set<String> = [
        "patient", "infusion", "assessment", "adverse-event", "co-intervention", "observation", "course-event",
        "setting",
    ]

    /// An audit row's JSON object, parsed into values compared by value (`JSONSerialization`'s
    /// objects compared through `NSObject` told no two lists equal in a release build).
    static func jsonObject(_ text: String) -> [String: JSONValue]? {
        guard case .object(let members)? = try? JSONValue.parse(Data(text.utf8)) else { return nil }
        return members
    }

    static func squeezed(_ text: String) -> String {
        text.components(separatedBy: .whitespacesAndNewlines).filter { !$0.isEmpty }.joined(separator: " ")
    }
}
