import Foundation
import GRDB
import RegistryCore

extension Registry {
    /// Records that a patient withdrew research consent: from now on no export includes them.
    /// Clinical care and recording go on.
    public func withdrawConsent(_ id: RecordID, on date: ClinicalDate, reason: String, actor: String) throws
        -> PatientSummary
    {
        let page = try patientSummary(id)
        if let withdrawn = page.consentWithdrawnOn {
            throw RegistryError.refused("\(id) already withdrew research consent on \(withdrawn); nothing changed")
        }
        guard page.researchConsent else {
            throw RegistryError.refused(
                "\(id) never gave research consent, so there is none to withdraw; nothing changed")
        }
        return try setConsent(id, research: false, on: date, reason: reason, actor: actor)
    }

    /// Records a research-consent decision from `date` on: given, given again after a withdrawal,
    /// or withdrawn. Exports follow the decision in force on their build day. Refuses a decision
    /// that changes nothing, one dated before birth, in the future, or before the patient's last
    /// decision. A decision may be dated before enrolment: a patient already in care when the
    /// clinic adopted the registry signed their consent before they were entered.
    public func setConsent(_ id: RecordID, research: Bool, on date: ClinicalDate, reason: String, actor: String) throws
        -> PatientSummary
    {
        let reason = try requireReason(reason, why: research ? "how consent was given" : "why consent was withdrawn")
        _ = try date.notInFuture(field: "on", today: today)
        try write { db in
            var patient = try requirePatient(db, id)
            if let birth = try String.fetchOne(
                db, sql: "SELECT birth_date FROM patient_identity WHERE patient_id = ?", arguments: [patient.id!]),
                date.description < birth
            {
                throw InputError(
                    field: "on", got: date.description, allowed: "a day from the patient's birth date to today")
            }
            let last = try Row.fetchOne(
                db,
                sql:
                    "SELECT research, on_date FROM consent_event WHERE patient_id = ? ORDER BY on_date DESC, id DESC LIMIT 1",
                arguments: [patient.id!])
            let current = (last?["research"] as Bool?) ?? false
            guard current != research else {
                throw RegistryError.refused(
                    "\(id) \(research ? "has research consent already" : "has no research consent to withdraw") (since \((last?["on_date"] as String?) ?? patient.enrolledOn)); nothing changed"
                )
            }
            if let lastDay = last?["on_date"] as String?, date.description < lastDay {
                throw InputError(
                    field: "on", got: date.description,
                    allowed: "\(lastDay) or later: the patient's last consent decision was on \(lastDay)")
            }
            let before = try auditedPatient(db, patient)
            try db.execute(
                sql:
                    "INSERT INTO consent_event (patient_id, research, on_date, reason, recorded_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [patient.id!, research, date.description, reason, timestamp()])
            patient.researchConsent = research
            patient.consentWithdrawnOn = research ? nil : date.description
            patient.consentWithdrawalReason = research ? nil : reason
            try patient.update(db)
            try audit(
                db, actor: actor, action: research ? "give-consent" : "withdraw-consent", record: id, patient: id,
                before: before, after: auditedPatient(db, patient), reason: reason)
        }
        return try patientSummary(id)
    }

    /// A patient's research-consent decisions, oldest first.
    public func consentHistory(_ id: RecordID) throws -> [ConsentDecision] {
        try read { db in try consentDecisions(db, patient: try requirePatient(db, id).id!) }
    }

    func consentDecisions(_ db: Database, patient: Int64) throws -> [ConsentDecision] {
        // By column position: GRDB's Row costs more the first time in a run than the query.
        let cursor = try DirectCursor(
            db, sql: "SELECT research, on_date, reason FROM consent_event WHERE patient_id = ? ORDER BY on_date, id",
            arguments: [patient])
        var decisions: [ConsentDecision] = []
        while let row = try cursor.next() {
            decisions.append(
                ConsentDecision(
                    research: try row.required(row.bool, 0), on: try row.required(row.string, 1), reason: row.string(2))
            )
        }
        return decisions
    }
}

/// One research-consent decision and the day it took effect.
public struct ConsentDecision: Sendable, Codable, Hashable {
    /// True when the decision gave research consent (at enrolment or again later), false when it
    /// withdrew it.
    public let research: Bool
    /// The day the decision took effect, `YYYY-MM-DD`.
    public let on: String
    /// How consent was given or why it was withdrawn, as recorded (`at enrolment` for consent given
    /// at enrolment); `nil` when none was kept.
    public let reason: String?
}
