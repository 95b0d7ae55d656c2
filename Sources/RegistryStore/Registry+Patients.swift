import GRDB
import RegistryCore

/// What the audit trail keeps of a patient. Identifying fields stay in their own table and are
/// never copied into the audit trail.
struct AuditedPatient: Encodable {
    let sex: String
    let enrolledOn: String
    let conditions: [String]
    let researchConsent: Bool
    let consentWithdrawnOn: String?
    let consentWithdrawalReason: String?
    let priorTreatments: [PriorTreatment]
    let identity = "recorded in patient_identity; not copied to the audit trail"
}

extension Registry {
    /// Enrols a patient: identity, conditions and treatment history, audited. Refuses a duplicate
    /// MRN.
    public func enroll(_ enrollment: Enrollment, catalog: ConditionCatalog, actor: String) throws -> PatientSummary {
        let enrollment = try enrollment.validated(against: catalog, today: today)
        let id = try write { db in try insertEnrollment(db, enrollment, actor: actor) }
        return try patientSummary(RecordID(kind: .patient, row: id))
    }

    /// Inserts a validated enrolment with its audit row, refusing a duplicate MRN.
    func insertEnrollment(_ db: Database, _ enrollment: Enrollment, actor: String) throws -> Int64 {
        if let existing = try Int64.fetchOne(db, sql: "SELECT patient_id FROM patient_identity WHERE mrn = ?", arguments: [enrollment.identity.mrn]) {
            throw RegistryError.refused("--mrn: this MRN is already enrolled as \(RecordKind.patient.displayID(existing)) (each patient is enrolled once)")
        }
        var patient = PatientRow(id: nil, sex: enrollment.sex.rawValue, enrolledOn: enrollment.enrolledOn.description,
                                 researchConsent: enrollment.researchConsent, createdAt: timestamp())
        try patient.insert(db)
        let id = patient.id!
        var identity = IdentityRow(patientId: id, mrn: enrollment.identity.mrn, givenName: enrollment.identity.givenName,
                                   familyName: enrollment.identity.familyName, birthDate: enrollment.identity.birthDate.description)
        try identity.insert(db)
        for condition in enrollment.conditions {
            var row = PatientConditionRow(patientId: id, conditionId: condition)
            try row.insert(db)
        }
        for treatment in enrollment.priorTreatments {
            var row = PriorTreatmentRow(patientId: id, category: treatment.category.rawValue, adequateTrials: treatment.adequateTrials)
            try row.insert(db)
        }
        let record = RecordID(kind: .patient, row: id)
        try audit(db, actor: actor, action: "enroll", record: record, patient: record,
                  before: AuditedPatient?.none, after: auditedPatient(db, patient))
        return id
    }

    func auditedPatient(_ db: Database, _ patient: PatientRow) throws -> AuditedPatient {
        let treatments = try PriorTreatmentRow.filter(Column("patient_id") == patient.id!).order(Column("id")).fetchAll(db)
        return AuditedPatient(
            sex: patient.sex, enrolledOn: patient.enrolledOn, conditions: try conditions(db, patient: patient.id!),
            researchConsent: patient.researchConsent, consentWithdrawnOn: patient.consentWithdrawnOn,
            consentWithdrawalReason: patient.consentWithdrawalReason,
            priorTreatments: treatments.map { PriorTreatment(category: PriorTreatmentCategory(rawValue: $0.category) ?? .other, adequateTrials: $0.adequateTrials) })
    }

    /// The clinic's patient list, optionally only those enrolled for one condition.
    public func patients(condition: String? = nil) throws -> [PatientSummary] {
        let ids: [Int64] = try read { db in
            if let condition {
                return try Int64.fetchAll(db, sql: "SELECT patient_id FROM patient_condition WHERE condition_id = ? ORDER BY patient_id", arguments: [condition])
            }
            return try Int64.fetchAll(db, sql: "SELECT id FROM patient ORDER BY id")
        }
        return try read { db in try ids.map { try summary(db, $0) } }
    }

    /// One patient's line in the patient list.
    public func patientSummary(_ id: RecordID) throws -> PatientSummary {
        try read { db in try summary(db, requirePatient(db, id).id!) }
    }

    func summary(_ db: Database, _ id: Int64) throws -> PatientSummary {
        let patient = try PatientRow.fetchOne(db, key: id)!
        let identity = try IdentityRow.fetchOne(db, key: id)!
        let infusions = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM infusion WHERE patient_id = ? AND NOT entered_in_error", arguments: [id]) ?? 0
        let lastAssessed = try String.fetchOne(db, sql: "SELECT MAX(assessed_on) FROM assessment WHERE patient_id = ? AND NOT entered_in_error", arguments: [id])
        return PatientSummary(
            id: RecordKind.patient.displayID(id), mrn: identity.mrn, givenName: identity.givenName,
            familyName: identity.familyName, sex: patient.sex, enrolledOn: patient.enrolledOn,
            conditions: try conditions(db, patient: id), researchConsent: patient.researchConsent,
            consentWithdrawnOn: patient.consentWithdrawnOn, infusions: infusions, lastAssessedOn: lastAssessed,
            flags: try openFlags(db, patient: id))
    }

    func openFlags(_ db: Database, patient: Int64) throws -> [String] {
        let lists = try String.fetchAll(db, sql: "SELECT flags FROM assessment WHERE patient_id = ? AND NOT entered_in_error AND flags <> '[]'", arguments: [patient])
        var seen: [String] = []
        for list in lists { for flag in decodeJSON([String].self, list) ?? [] where !seen.contains(flag) { seen.append(flag) } }
        return seen
    }

    /// Everything recorded about one patient.
    public func patientPage(_ id: RecordID) throws -> PatientPage {
        try read { db in
            let patient = try requirePatient(db, id)
            let row = patient.id!
            let identity = try IdentityRow.fetchOne(db, key: row)!
            let byPatient = Column("patient_id") == row
            let adverse = try AdverseEventRow.filter(byPatient).order(Column("onset"), Column("id")).fetchAll(db)
            let infusions = try InfusionRow.filter(byPatient).order(Column("given_on"), Column("given_at"), Column("id")).fetchAll(db)
                .map { infusion in infusion.view(adverseEvents: adverse.filter { $0.infusionId == infusion.id }.map { RecordKind.adverseEvent.displayID($0.id!) }) }
            let assessments = try AssessmentRow.filter(byPatient).order(Column("assessed_on"), Column("id")).fetchAll(db).map(\.view)
            var latest: [String: AssessmentView] = [:]
            for assessment in assessments where !assessment.enteredInError { latest[assessment.scale] = assessment }
            let treatments = try PriorTreatmentRow.filter(byPatient).order(Column("id")).fetchAll(db)
            let birth = try ClinicalDate.parse(identity.birthDate, field: "birth-date")
            let enrolled = try ClinicalDate.parse(patient.enrolledOn, field: "enrolled-on")
            return PatientPage(
                id: id.description, mrn: identity.mrn, givenName: identity.givenName, familyName: identity.familyName,
                birthDate: identity.birthDate, ageAtEnrolment: birth.age(on: enrolled), sex: patient.sex,
                enrolledOn: patient.enrolledOn, conditions: try conditions(db, patient: row),
                researchConsent: patient.researchConsent, consentWithdrawnOn: patient.consentWithdrawnOn,
                consentWithdrawalReason: patient.consentWithdrawalReason,
                priorTreatments: treatments.map { PriorTreatment(category: PriorTreatmentCategory(rawValue: $0.category) ?? .other, adequateTrials: $0.adequateTrials) },
                infusions: infusions, assessments: assessments, adverseEvents: adverse.map(\.view),
                coInterventions: try CoInterventionRow.filter(byPatient).order(Column("from_date"), Column("id")).fetchAll(db).map(\.view),
                observations: try InfusionObservationRow.filter(byPatient).order(Column("observed_on"), Column("observed_at"), Column("id")).fetchAll(db).map(\.view),
                courseEvents: try CourseEventRow.filter(byPatient).order(Column("on_date"), Column("id")).fetchAll(db).map(\.view),
                latestScores: latest.values.sorted { ($0.on, $0.scale) < ($1.on, $1.scale) },
                flags: try openFlags(db, patient: row))
        }
    }

    /// Records that a patient withdrew research consent: from now on no export includes them.
    /// Clinical care and recording go on.
    public func withdrawConsent(_ id: RecordID, on date: ClinicalDate, reason: String, actor: String) throws -> PatientSummary {
        let reason = try requireReason(reason, why: "why consent was withdrawn")
        _ = try date.notInFuture(field: "on", today: today)
        try write { db in
            var patient = try requirePatient(db, id)
            if let withdrawn = patient.consentWithdrawnOn {
                throw RegistryError.refused("\(id) already withdrew research consent on \(withdrawn); nothing changed")
            }
            guard patient.researchConsent else {
                throw RegistryError.refused("\(id) never gave research consent, so there is none to withdraw; nothing changed")
            }
            let before = try auditedPatient(db, patient)
            patient.researchConsent = false
            patient.consentWithdrawnOn = date.description
            patient.consentWithdrawalReason = reason
            try patient.update(db)
            try audit(db, actor: actor, action: "withdraw-consent", record: id, patient: id,
                      before: before, after: auditedPatient(db, patient), reason: reason)
        }
        return try patientSummary(id)
    }
}
