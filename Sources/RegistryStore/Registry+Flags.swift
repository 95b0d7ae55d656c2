import Foundation
import GRDB
import RegistryCore

/// A safety flag as the clinic reads it: what raised it, from which record, and what was done.
public struct SafetyFlagView: Sendable, Codable, Hashable {
    /// The flag's id (`F-`), as ``Registry/reviewFlag(_:action:actor:)`` takes it.
    public let id: String
    /// The id (`P-`) of the patient whose record raised it.
    public let patient: String
    /// The kind of flag, by name: `serious-adverse-event`, `high-blood-pressure`,
    /// `low-oxygen-saturation`, `respiratory-depression`, or one that a scale's safety check names.
    public let flag: String
    /// The rule that raised it, in words.
    public let rule: String
    /// The record it came from (A-, I-, O- or AE-).
    public let source: String
    /// The day of that record.
    public let raisedOn: String
    /// Whether a clinician has reviewed it yet.
    public let state: FlagState
    /// The actor who reviewed it, or who corrected its record so that it no longer applied; `nil`
    /// while it is open.
    public let reviewedBy: String?
    /// When it was reviewed or closed, an ISO 8601 UTC timestamp by the registry's clock; `nil`
    /// while it is open.
    public let reviewedAt: String?
    /// What was done, in the reviewer's words; for a flag closed by a correction, that its record
    /// was corrected and why.
    public let action: String?
}

extension SafetyFlagView: HandEncodedJSON {
    var json: String {
        var object = JSONObjectWriter()
        object.string("action", action)
        object.string("flag", flag)
        object.string("id", id)
        object.string("patient", patient)
        object.string("raisedOn", raisedOn)
        object.string("reviewedAt", reviewedAt)
        object.string("reviewedBy", reviewedBy)
        object.string("rule", rule)
        object.string("source", source)
        object.string("state", state.rawValue)
        return object.text
    }
}

extension Registry {
    /// Raises flags from one record: one open flag per rule, audited.
    func raiseFlags(
        _ db: Database, patient: Int64, source: RecordID, on date: String, flags: [(flag: String, rule: String)],
        actor: String
    ) throws {
        for raised in flags {
            var insert = try DirectStatement(
                db,
                sql: """
                    INSERT INTO safety_flag (patient_id, flag, rule, source, raised_on, raised_at, state) VALUES (?, ?, ?, ?, ?, ?, 'open')
                    """)
            insert.bind(patient)
            insert.bind(raised.flag)
            insert.bind(raised.rule)
            insert.bind(source.description)
            insert.bind(date)
            insert.bind(timestamp())
            try insert.execute()
            let id = RecordID(kind: .flag, row: db.lastInsertedRowID)
            // What was just written, as flag(db, _) would read it back.
            let view = SafetyFlagView(
                id: id.description, patient: RecordKind.patient.displayID(patient), flag: raised.flag,
                rule: raised.rule,
                source: source.description, raisedOn: date, state: .open, reviewedBy: nil, reviewedAt: nil, action: nil
            )
            try audit(
                db, actor: actor, action: "raise", record: id, patient: RecordID(kind: .patient, row: patient),
                before: SafetyFlagView?.none, after: view)
        }
    }

    /// After a correction: closes the open flags of `source` that the record no longer raises
    /// (saying so, with the correction's reason) and raises those it now raises and never raised.
    func syncFlags(
        _ db: Database, patient: Int64, source: RecordID, on date: String, reason: String, actor: String,
        raised: [(flag: String, rule: String)]
    ) throws {
        let open = try Row.fetchAll(
            db, sql: "SELECT id, flag FROM safety_flag WHERE source = ? AND state = 'open'",
            arguments: [source.description])
        let wanted = Set(raised.map(\.flag))
        for row in open where !wanted.contains(row["flag"] as String) {
            let id = RecordID(kind: .flag, row: row["id"])
            let before = try flag(db, id.row)
            try db.execute(
                sql:
                    "UPDATE safety_flag SET state = 'reviewed', reviewed_by = ?, reviewed_at = ?, action = ? WHERE id = ?",
                arguments: [
                    actor, timestamp(), "closed: \(source) was corrected and no longer raises it (\(reason))", id.row,
                ])
            try audit(
                db, actor: actor, action: "close", record: id, patient: RecordID(kind: .patient, row: patient),
                before: before, after: try flag(db, id.row), reason: reason)
        }
        // A flag of the same kind from the same record, open or already reviewed, is not raised again.
        let closedNow = Set(open.map { $0["id"] as Int64 })
        let already = Set(
            try Row.fetchAll(
                db, sql: "SELECT id, flag FROM safety_flag WHERE source = ?", arguments: [source.description]
            )
            .filter { !closedNow.contains($0["id"]) || wanted.contains($0["flag"] as String) }.map {
                $0["flag"] as String
            })
        try raiseFlags(
            db, patient: patient, source: source, on: date, flags: raised.filter { !already.contains($0.flag) },
            actor: actor)
    }

    func flag(_ db: Database, _ row: Int64) throws -> SafetyFlagView? {
        try Self.flagViews(db, "WHERE id = ?", arguments: [row]).first
    }

    /// Flags read by column position: `filter` is the SQL after the table's name.
    static func flagViews(_ db: Database, _ filter: String, arguments: StatementArguments) throws -> [SafetyFlagView] {
        let cursor = try DirectCursor(
            db,
            sql:
                "SELECT id, patient_id, flag, rule, source, raised_on, state, reviewed_by, reviewed_at, action FROM safety_flag \(filter)",
            arguments: arguments)
        var views: [SafetyFlagView] = []
        while let row = try cursor.next() {
            let id = RecordKind.flag.displayID(try row.required(row.int64, 0))
            views.append(
                SafetyFlagView(
                    id: id,
                    patient: RecordKind.patient.displayID(try row.required(row.int64, 1)),
                    flag: try row.required(row.string, 2), rule: try row.required(row.string, 3),
                    source: try row.required(row.string, 4),
                    raisedOn: try row.required(row.string, 5),
                    state: try storedWord(
                        try row.required(row.string, 6), "the state of flag \(id)",
                        remedy: StoredValue.restoreRemedy),
                    reviewedBy: row.string(7), reviewedAt: row.string(8), action: row.string(9)))
        }
        return views
    }

    /// The open flags `patient`'s record `source` raised, oldest first: only those rows are read, so
    /// that a damaged flag elsewhere cannot make a record just saved look refused.
    public func openFlags(raisedBy source: String, patient: RecordID) throws -> [SafetyFlagView] {
        try read { db in
            try Self.flagViews(
                db, " WHERE patient_id = ? AND state = 'open' AND source = ? ORDER BY id",
                arguments: [try requirePatient(db, patient).id!, source])
        }
    }

    /// Flags, oldest first: all, or only those still open, for one patient or the clinic.
    public func flags(patient: RecordID? = nil, openOnly: Bool = false, limit: Int? = nil) throws -> [SafetyFlagView] {
        try read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let patient {
                conditions.append("patient_id = ?")
                arguments.append(try requirePatient(db, patient).id!)
            }
            if openOnly { conditions.append("state = 'open'") }
            let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            let bound = limit.map { " LIMIT \(max(0, $0))" } ?? ""
            return try Self.flagViews(db, "\(filter) ORDER BY id\(bound)", arguments: StatementArguments(arguments))
        }
    }

    /// How many flags are open, clinic-wide.
    public func openFlagCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM safety_flag WHERE state = 'open'") ?? 0 }
    }

    /// Records that a clinician reviewed a flag and what they did: who (the actor), when (now), the
    /// action in their words. Audited. Refuses a flag already reviewed.
    public func reviewFlag(_ id: RecordID, action: String, actor: String) throws -> SafetyFlagView {
        let action = action.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !action.isEmpty else {
            throw InputError(
                field: "action", got: "",
                allowed: "what was done, in a few words (for example: 'seen by Dr Okafor, safety plan agreed')")
        }
        return try write { db in
            guard id.kind == .flag, let before = try flag(db, id.row) else {
                throw RegistryError.refused(
                    "no flag \(id) in this registry", about: .record(.flag), remedies: [.listFlags])
            }
            guard before.state == .open else {
                throw RegistryError.refused(
                    "\(id) was reviewed already by \(before.reviewedBy ?? "?") at \(before.reviewedAt ?? "?"): \(before.action ?? ""); nothing changed"
                )
            }
            try db.execute(
                sql:
                    "UPDATE safety_flag SET state = 'reviewed', reviewed_by = ?, reviewed_at = ?, action = ? WHERE id = ?",
                arguments: [actor, timestamp(), action, id.row])
            let after = try flag(db, id.row)!
            let patient = try Int64.fetchOne(
                db, sql: "SELECT patient_id FROM safety_flag WHERE id = ?", arguments: [id.row])!
            try audit(
                db, actor: actor, action: "review", record: id, patient: RecordID(kind: .patient, row: patient),
                before: before, after: after, reason: action)
            return after
        }
    }
}

extension Registry {
    /// The key of the clinic's vital-sign flag thresholds in `registry_info`, and its audit entity id.
    static let vitalRulesKey = "vital-flag-rules"

    /// The vital-sign thresholds in force: the clinic's own, else the defaults.
    func vitalRules(_ db: Database) throws -> VitalSafetyRules {
        guard
            let text = try String.fetchOne(
                db.cachedStatement(sql: "SELECT value FROM registry_info WHERE key = 'vital-flag-rules'"))
        else {
            return .standard
        }
        guard let rules = try? JSONDecoder().decode(VitalSafetyRules.self, from: Data(text.utf8)) else {
            throw RegistryError.storage(
                "the clinic's vital-sign flag thresholds in \(path) cannot be read", remedies: [.verifyRegistry])
        }
        return rules
    }

    /// The vital-sign thresholds in force.
    public func vitalRules() throws -> VitalSafetyRules {
        try read { try vitalRules($0) }
    }

    /// Sets the clinic's vital-sign thresholds, audited with the reason (entity `setting`). They
    /// apply to readings recorded from then on; flags already raised stay as they are. Returns the
    /// thresholds before the change.
    @discardableResult
    public func setVitalRules(_ rules: VitalSafetyRules, reason: String, actor: String) throws -> VitalSafetyRules {
        let reason = try requireReason(
            reason, why: "why the clinic changes its thresholds (a protocol, a decision and its date)")
        let rules = try rules.validated()
        return try write { db in
            let before = try vitalRules(db)
            guard before != rules else { return before }
            try db.execute(
                sql:
                    "INSERT INTO registry_info (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                arguments: [Self.vitalRulesKey, encodeJSON(rules)])
            var row = AuditRow(
                id: nil, at: timestamp(), actor: actor, action: "set", entity: "setting", entityId: Self.vitalRulesKey,
                patient: nil, before: encodeJSON(before), after: encodeJSON(rules), reason: reason, account: account)
            try row.insertFast(db)
            return before
        }
    }
}

/// Whether a safety flag still waits for a clinician.
public enum FlagState: String, Vocabulary {
    /// Raised, not yet reviewed.
    case open
    /// A clinician reviewed it and recorded what was done.
    case reviewed
}
