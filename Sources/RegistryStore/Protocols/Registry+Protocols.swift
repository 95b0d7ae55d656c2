import Foundation
import GRDB
import RegistryCore

/// One change of a condition's protocol, as the clinic made it: kept in order, audited, never
/// rewritten, so that every course can be judged under the protocol it started under.
public struct ProtocolChange: Sendable, Codable, Hashable {
    /// The protocol set: the clinic's, or the module's again (`protocol reset`).
    public let treatment: TreatmentProtocol
    /// The first start day it applies to, `YYYY-MM-DD`; `nil` for every course, past and future.
    public let from: String?
    /// When it was set, ISO 8601 UTC by the registry's clock.
    public let setAt: String
    /// Who set it.
    public let setBy: String
    /// Why, in the clinic's words.
    public let reason: String
}

/// A condition's protocol changes as stored: one JSON object, so that `verify` compares it with
/// its last audited state as it compares the other settings.
struct ProtocolHistory: Codable, Hashable {
    var changes: [ProtocolChange]

    /// The schedule these changes make, on top of `condition`'s own course.
    func schedule(of condition: any Condition) throws -> ProtocolSchedule {
        var schedule = ProtocolSchedule(module: TreatmentProtocol(moduleOf: condition))
        for change in changes {
            schedule = schedule.setting(
                change.treatment,
                from: try change.from.map {
                    try storedDate($0, "the start day of a \(condition.id) protocol", remedy: StoredValue.restoreRemedy)
                })
        }
        return schedule
    }
}

// The clinic's own protocols, per condition: settings in `registry_info` under
// `protocols:<condition>`, every change audited with the history before and after it.
extension Registry {
    static func protocolsKey(_ condition: String) -> String { "protocols:\(condition)" }

    /// The changes of `condition`'s protocol, oldest first; empty while the module's is in force.
    public func protocolChanges(condition: String) throws -> [ProtocolChange] {
        try read { db in try protocolHistory(db, condition: condition).changes }
    }

    /// Each condition's schedule of protocols: the module's course, then the clinic's changes in
    /// order. Only conditions the clinic changed are named.
    public func protocolSchedules(_ catalog: ConditionCatalog) throws -> [String: ProtocolSchedule] {
        try read { db in
            var schedules: [String: ProtocolSchedule] = [:]
            let rows = try Row.fetchAll(
                db, sql: "SELECT key, value FROM registry_info WHERE key LIKE 'protocols:%' ORDER BY key")
            for row in rows {
                let key: String = row["key"]
                let id = String(key.dropFirst("protocols:".count))
                guard let condition = catalog.condition(id) else { continue }
                schedules[id] = try Self.decodeProtocols(row["value"], condition: id).schedule(of: condition)
            }
            return schedules
        }
    }

    /// `catalog` with the clinic's protocols in force: what outcomes, the due list, the day sheet,
    /// pages and exports judge courses by.
    public func clinicCatalog(_ catalog: ConditionCatalog) throws -> ConditionCatalog {
        catalog.withProtocols(try protocolSchedules(catalog))
    }

    /// Sets the clinic's own protocol for `condition` (checked: see
    /// ``TreatmentProtocol/clinicCourse(infusions:withinDays:endOfCourseWindowDays:followUps:continuous:base:)``):
    /// for every course when `from` is `nil`, or for courses that start on or after `from`. The
    /// audit trail keeps the condition's protocol history before and after. A reason is required.
    @discardableResult
    public func setProtocol(
        condition: any Condition, infusions: Int, withinDays: Int, endOfCourseWindowDays: Int,
        followUps: [FollowUpVisit]?, continuous: Bool, from: ClinicalDate?, reason: String, actor: String
    ) throws -> ProtocolChange {
        let reason = try requireReason(reason, why: "why the clinic runs this protocol (its decision and date)")
        let course = try TreatmentProtocol.clinicCourse(
            infusions: infusions, withinDays: withinDays, endOfCourseWindowDays: endOfCourseWindowDays,
            followUps: followUps, continuous: continuous, base: condition.course)
        return try write { db in
            let before = try protocolHistory(db, condition: condition.id)
            let version = before.changes.filter { $0.treatment.source == .clinic }.count + 1
            let treatment = TreatmentProtocol(
                source: .clinic, version: String(version), course: course, continuous: continuous)
            return try saveProtocol(
                db, treatment, condition: condition, from: from, before: before, reason: reason, actor: actor)
        }
    }

    /// Puts the module's own protocol back in force for `condition`: for every course when `from`
    /// is `nil`, or for courses that start on or after `from`. A reason is required.
    @discardableResult
    public func resetProtocol(condition: any Condition, from: ClinicalDate?, reason: String, actor: String) throws
        -> ProtocolChange
    {
        let reason = try requireReason(reason, why: "why the clinic goes back to the module's protocol")
        return try write { db in
            let before = try protocolHistory(db, condition: condition.id)
            return try saveProtocol(
                db, TreatmentProtocol(moduleOf: condition), condition: condition, from: from, before: before,
                reason: reason, actor: actor)
        }
    }

    private func saveProtocol(
        _ db: Database, _ treatment: TreatmentProtocol, condition: any Condition, from: ClinicalDate?,
        before: ProtocolHistory, reason: String, actor: String
    ) throws -> ProtocolChange {
        let schedule = try before.schedule(of: condition)
        let after = schedule.setting(treatment, from: from)
        guard Self.inForce(after) != Self.inForce(schedule) else {
            throw RegistryError.refused(
                "\(condition.id) already runs this protocol\(from.map { " from \($0)" } ?? ""); nothing changed")
        }
        // The history about to be extended must be the one the audit trail last recorded: one
        // written behind the program's back must not become the audited state.
        let key = Self.protocolsKey(condition.id)
        let audited = try String.fetchOne(
            db, sql: "SELECT after FROM audit WHERE entity = 'setting' AND entity_id = ? ORDER BY id DESC LIMIT 1",
            arguments: [key])
        let stored = try String.fetchOne(db, sql: "SELECT value FROM registry_info WHERE key = ?", arguments: [key])
        guard audited == stored else {
            throw RegistryError.storage(
                "the \(condition.id) protocols are not what the audit trail last recorded; nothing changed. The registry was changed outside KetaReg or is damaged",
                remedies: [.verifyRegistry, .restoreBackup])
        }
        let change = ProtocolChange(
            treatment: treatment, from: from?.description, setAt: isoTimestamp(clock.now()), setBy: actor,
            reason: reason)
        let history = ProtocolHistory(changes: before.changes + [change])
        try db.execute(
            sql:
                "INSERT INTO registry_info (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            arguments: [key, encodeWithJSONEncoder(history)])
        var row = AuditRow(
            id: nil, at: timestamp(), actor: actor, action: "set", entity: "setting", entityId: key, patient: nil,
            before: before.changes.isEmpty ? nil : encodeWithJSONEncoder(before), after: encodeWithJSONEncoder(history),
            reason: reason, account: account)
        try row.insertFast(db)
        return change
    }

    /// What a schedule puts in force, period by period, with a period that changes nothing (the
    /// same course as the one before it) merged into it: two schedules that judge every course
    /// alike are equal.
    private static func inForce(_ schedule: ProtocolSchedule) -> [String] {
        var periods: [(from: ClinicalDate?, course: Course, continuous: Bool)] = []
        for period in schedule.periods {
            if let last = periods.last, last.course == period.treatment.course,
                last.continuous == period.treatment.continuous
            {
                continue
            }
            periods.append((period.from, period.treatment.course, period.treatment.continuous))
        }
        return periods.map {
            "\($0.from?.description ?? "always") \($0.continuous) \(encodeWithJSONEncoder($0.course))"
        }
    }

    private func protocolHistory(_ db: Database, condition: String) throws -> ProtocolHistory {
        guard
            let text = try String.fetchOne(
                db, sql: "SELECT value FROM registry_info WHERE key = ?", arguments: [Self.protocolsKey(condition)])
        else { return ProtocolHistory(changes: []) }
        return try Self.decodeProtocols(text, condition: condition)
    }

    private static func decodeProtocols(_ text: String, condition: String) throws -> ProtocolHistory {
        try stored("the \(condition) protocols", as: "a protocol history", remedy: StoredValue.restoreRemedy) {
            decodeJSON(ProtocolHistory.self, text)
        }
    }
}
