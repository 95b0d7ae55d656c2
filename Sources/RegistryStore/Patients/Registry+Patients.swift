import Foundation
import GRDB
import RegistryCore

extension Registry {
    /// Enrols a patient: identity, conditions and treatment history, audited. Refuses a duplicate
    /// MRN.
    public func enroll(_ enrollment: Enrollment, catalog: ConditionCatalog, actor: String) throws -> PatientSummary {
        let enrollment = try enrollment.validated(against: catalog, today: today)
        let id = try write { db in try insertEnrollment(db, enrollment, actor: actor) }
        return try patientSummary(RecordID(kind: .patient, row: id))
    }

    /// Inserts a validated enrolment with its audit row, refusing a duplicate MRN.
    /// Every statement is prepared once and kept, because imports enrol thousands of patients.
    func insertEnrollment(_ db: Database, _ enrollment: Enrollment, actor: String) throws -> Int64 {
        var existing: Int64?
        var lookup = try DirectStatement(db, sql: "SELECT patient_id FROM patient_identity WHERE mrn = ?")
        lookup.bind(enrollment.identity.mrn)
        try lookup.forEachRow { row in existing = row.int64(0) }
        if let existing {
            throw RegistryError.refused(
                "this MRN is already enrolled as \(RecordKind.patient.displayID(existing)) (each patient is enrolled once)",
                about: .field("mrn"))
        }
        let patient = PatientRow(
            id: nil, sex: enrollment.sex.rawValue, enrolledOn: enrollment.enrolledOn.description,
            researchConsent: enrollment.researchConsent, createdAt: timestamp())
        var insertPatient = try DirectStatement(
            db, sql: "INSERT INTO patient (sex, enrolled_on, research_consent, created_at) VALUES (?, ?, ?, ?)")
        insertPatient.bind(patient.sex)
        insertPatient.bind(patient.enrolledOn)
        insertPatient.bind(patient.researchConsent)
        insertPatient.bind(patient.createdAt)
        try insertPatient.execute()
        let id = db.lastInsertedRowID
        var insertIdentity = try DirectStatement(
            db,
            sql:
                "INSERT INTO patient_identity (patient_id, mrn, given_name, family_name, birth_date) VALUES (?, ?, ?, ?, ?)"
        )
        insertIdentity.bind(id)
        insertIdentity.bind(enrollment.identity.mrn)
        insertIdentity.bind(enrollment.identity.givenName)
        insertIdentity.bind(enrollment.identity.familyName)
        insertIdentity.bind(enrollment.identity.birthDate.description)
        try insertIdentity.execute()
        if enrollment.researchConsent {
            var consent = try DirectStatement(
                db,
                sql:
                    "INSERT INTO consent_event (patient_id, research, on_date, reason, recorded_at) VALUES (?, 1, ?, 'at enrolment', ?)"
            )
            consent.bind(id)
            consent.bind((enrollment.consentedOn ?? enrollment.enrolledOn).description)
            consent.bind(timestamp())
            try consent.execute()
        }
        for condition in enrollment.conditions {
            var add = try DirectStatement(
                db, sql: "INSERT INTO patient_condition (patient_id, condition_id) VALUES (?, ?)")
            add.bind(id)
            add.bind(condition)
            try add.execute()
        }
        for treatment in enrollment.priorTreatments {
            var add = try DirectStatement(
                db, sql: "INSERT INTO prior_treatment (patient_id, category, adequate_trials) VALUES (?, ?, ?)")
            add.bind(id)
            add.bind(treatment.category.rawValue)
            add.bind(treatment.adequateTrials)
            try add.execute()
        }
        let record = RecordID(kind: .patient, row: id)
        // What was just written, as auditedPatient(db, _) would read it back.
        let audited = AuditedPatient(
            sex: patient.sex, enrolledOn: patient.enrolledOn, conditions: enrollment.conditions,
            researchConsent: patient.researchConsent,
            consentWithdrawnOn: nil, consentWithdrawalReason: nil,
            priorTreatments: enrollment.priorTreatments.map {
                PriorTreatment(category: $0.category, adequateTrials: $0.adequateTrials)
            },
            endedConditions: nil,
            identity: try Self.identitySeal(
                db, patient: id, mrn: enrollment.identity.mrn, givenName: enrollment.identity.givenName,
                familyName: enrollment.identity.familyName, birthDate: enrollment.identity.birthDate.description,
                phone: nil, email: nil, address: nil))
        try audit(
            db, actor: actor, action: "enroll", record: record, patient: record, before: AuditedPatient?.none,
            after: audited,
            reason: enrollment.consentedOn.map { "research consent signed on \($0), before enrolment" })
        return id
    }

    func auditedPatient(_ db: Database, _ patient: PatientRow) throws -> AuditedPatient {
        let treatments = try PriorTreatmentRow.filter(Column("patient_id") == patient.id!).order(Column("id")).fetchAll(
            db)
        return AuditedPatient(
            sex: patient.sex, enrolledOn: patient.enrolledOn, conditions: try conditions(db, patient: patient.id!),
            researchConsent: patient.researchConsent, consentWithdrawnOn: patient.consentWithdrawnOn,
            consentWithdrawalReason: patient.consentWithdrawalReason,
            priorTreatments: treatments.map {
                PriorTreatment(
                    category: PriorTreatmentCategory(rawValue: $0.category) ?? .other, adequateTrials: $0.adequateTrials
                )
            },
            endedConditions: try endedConditions(db, patient: patient.id!).nilIfEmpty,
            identity: try Self.identitySeal(db, patient: patient.id!))
    }

    /// The patient's ended conditions and the day each ended.
    func endedConditions(_ db: Database, patient: Int64) throws -> [String: String] {
        var ended: [String: String] = [:]
        let cursor = try DirectCursor(
            db,
            sql: "SELECT condition_id, ended_on FROM patient_condition WHERE patient_id = ? AND ended_on IS NOT NULL",
            arguments: [patient])
        while let row = try cursor.next() {
            ended[try row.required(row.string, 0)] = try row.required(row.string, 1)
        }
        return ended
    }

    /// Adds a condition to a patient from a day on, or takes up again one that was ended.
    public func addCondition(
        _ id: RecordID, condition: String, on date: ClinicalDate, reason: String?, catalog: ConditionCatalog,
        actor: String
    ) throws -> PatientSummary {
        let condition = condition.lowercased()
        guard catalog.condition(condition) != nil else {
            throw CatalogError.noSuchCondition(id: condition, known: catalog.conditionIDs)
        }
        _ = try date.notInFuture(field: "on", today: today)
        try write { db in
            let patient = try requirePatient(db, id)
            let before = try auditedPatient(db, patient)
            if let row = try Row.fetchOne(
                db, sql: "SELECT ended_on FROM patient_condition WHERE patient_id = ? AND condition_id = ?",
                arguments: [patient.id!, condition])
            {
                guard let endedText = row["ended_on"] as String? else {
                    throw RegistryError.refused("\(id) already has \(condition); nothing changed")
                }
                // The end is read strictly, as histories read it: a damaged one cannot say whether
                // this day is after it.
                let ended = try HistoryRows.endedOn(endedText, patient: patient.id!, condition: condition).description
                if date.description < ended {
                    throw InputError(
                        field: "on", got: date.description, allowed: "\(ended) or later: \(condition) ended on \(ended)"
                    )
                }
                try db.execute(
                    sql:
                        "UPDATE patient_condition SET ended_on = NULL, end_reason = NULL WHERE patient_id = ? AND condition_id = ?",
                    arguments: [patient.id!, condition])
            } else {
                if date.description < patient.enrolledOn {
                    throw InputError(
                        field: "on", got: date.description,
                        allowed: "a day from the enrolment on \(patient.enrolledOn) to today")
                }
                try db.execute(
                    sql: "INSERT INTO patient_condition (patient_id, condition_id, started_on) VALUES (?, ?, ?)",
                    arguments: [patient.id!, condition, date.description])
            }
            try audit(
                db, actor: actor, action: "add-condition", record: id, patient: id, before: before,
                after: auditedPatient(db, patient),
                reason: reason.map { "\(condition) from \(date): \($0)" } ?? "\(condition) from \(date)")
        }
        return try patientSummary(id)
    }

    /// Ends one of a patient's conditions on a day: nothing is due for it from then on and no
    /// infusion can be given for it after; its courses still count in outcomes.
    public func endCondition(_ id: RecordID, condition: String, on date: ClinicalDate, reason: String?, actor: String)
        throws -> PatientSummary
    {
        let condition = condition.lowercased()
        _ = try date.notInFuture(field: "on", today: today)
        try write { db in
            let patient = try requirePatient(db, id)
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT started_on, ended_on FROM patient_condition WHERE patient_id = ? AND condition_id = ?",
                    arguments: [patient.id!, condition])
            else {
                throw RegistryError.refused(
                    "\(id) does not have \(condition) (they have \(try conditions(db, patient: patient.id!).joined(separator: ", "))); nothing changed"
                )
            }
            // An end that no longer reads as a day (changed outside KetaReg) is recorded again: the
            // way back from the damage, which histories refuse. Its audit row states the damaged
            // end as the one before, and `verify` goes on naming the change.
            if let ended = row["ended_on"] as String?, (try? ClinicalDate.parse(ended, field: "ended-on")) != nil {
                throw RegistryError.refused("\(id)'s \(condition) already ended on \(ended); nothing changed")
            }
            let start = (row["started_on"] as String?) ?? patient.enrolledOn
            if date.description < start {
                throw InputError(
                    field: "on", got: date.description,
                    allowed: "a day from \(start), when \(condition) started, to today")
            }
            if let later = try Row.fetchOne(
                db,
                sql: """
                    SELECT id, given_on FROM infusion WHERE patient_id = ? AND NOT entered_in_error AND given_on > ?
                      AND (condition_id = ? OR id IN (SELECT infusion_id FROM infusion_also_for WHERE condition_id = ?))
                    ORDER BY given_on LIMIT 1
                    """, arguments: [patient.id!, date.description, condition, condition])
            {
                throw RegistryError.refused(
                    "\(RecordKind.infusion.displayID(later["id"])) was given for \(condition) on \(later["given_on"] as String), after \(date); end it on that day or later"
                )
            }
            let before = try auditedPatient(db, patient)
            try db.execute(
                sql:
                    "UPDATE patient_condition SET ended_on = ?, end_reason = ? WHERE patient_id = ? AND condition_id = ?",
                arguments: [date.description, reason, patient.id!, condition])
            try audit(
                db, actor: actor, action: "end-condition", record: id, patient: id, before: before,
                after: auditedPatient(db, patient),
                reason: reason.map { "\(condition) on \(date): \($0)" } ?? "\(condition) on \(date)")
        }
        return try patientSummary(id)
    }

    /// The clinic's patient list, optionally only those enrolled for one condition.
    public func patients(condition: String? = nil) throws -> [PatientSummary] {
        // One statement for the whole list (rather than several per patient): the counts and lists
        // come from correlated subqueries on the per-patient indexes.
        let separator: Character = "\u{1F}"
        let filter =
            condition == nil ? "" : "WHERE p.id IN (SELECT patient_id FROM patient_condition WHERE condition_id = ?)"
        return try read { db in
            let rows = try DirectCursor(
                db,
                sql: """
                    SELECT p.id, p.sex, p.enrolled_on, p.research_consent, p.consent_withdrawn_on, i.mrn, i.given_name, i.family_name,
                           (SELECT group_concat(condition_id, char(31)) FROM (SELECT condition_id FROM patient_condition c WHERE c.patient_id = p.id ORDER BY c.rowid)) AS conditions,
                           (SELECT count(*) FROM infusion f WHERE f.patient_id = p.id AND NOT f.entered_in_error) AS infusions,
                           (SELECT max(assessed_on) FROM assessment a WHERE a.patient_id = p.id AND NOT a.entered_in_error) AS last_assessed,
                           (SELECT group_concat(flag, char(31)) FROM (SELECT flag FROM safety_flag s WHERE s.patient_id = p.id AND s.state = 'open'
                                                                      GROUP BY flag ORDER BY min(s.id))) AS flags
                    FROM patient p JOIN patient_identity i ON i.patient_id = p.id
                    \(filter)
                    ORDER BY p.id
                    """, arguments: StatementArguments(condition.map { [$0] } ?? []))
            var list: [PatientSummary] = []
            while let row = try rows.next() {
                func split(_ text: String?) -> [String] {
                    text.map { $0.split(separator: separator, omittingEmptySubsequences: false).map(String.init) } ?? []
                }
                let id = RecordKind.patient.displayID(try row.required(row.int64, 0))
                list.append(
                    PatientSummary(
                        id: id,
                        mrn: try row.required(row.string, 5),
                        givenName: try row.required(row.string, 6), familyName: try row.required(row.string, 7),
                        sex: try row.required(row.string, 1),
                        enrolledOn: try row.required(row.string, 2),
                        conditions: split(row.string(8)),
                        researchConsent: try row.required(row.bool, 3), consentWithdrawnOn: row.string(4),
                        infusions: row.int(9) ?? 0,
                        lastAssessedOn: row.string(10), flags: split(row.string(11))))
            }
            return list
        }
    }

    /// One patient's line in the patient list.
    public func patientSummary(_ id: RecordID) throws -> PatientSummary {
        try read { db in try summary(db, requirePatient(db, id).id!) }
    }

    func summary(_ db: Database, _ id: Int64) throws -> PatientSummary {
        let patient = try PatientRow.fetchOne(db, key: id)!
        let identity = try IdentityRow.fetchOne(db, key: id)!
        let infusions =
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM infusion WHERE patient_id = ? AND NOT entered_in_error", arguments: [id])
            ?? 0
        let lastAssessed = try String.fetchOne(
            db, sql: "SELECT MAX(assessed_on) FROM assessment WHERE patient_id = ? AND NOT entered_in_error",
            arguments: [id])
        return PatientSummary(
            id: RecordKind.patient.displayID(id), mrn: identity.mrn, givenName: identity.givenName,
            familyName: identity.familyName,
            sex: patient.sex,
            enrolledOn: patient.enrolledOn,
            conditions: try conditions(db, patient: id), researchConsent: patient.researchConsent,
            consentWithdrawnOn: patient.consentWithdrawnOn, infusions: infusions, lastAssessedOn: lastAssessed,
            flags: try openFlags(db, patient: id))
    }

    func openFlags(_ db: Database, patient: Int64) throws -> [String] {
        try String.fetchAll(
            db,
            sql: "SELECT flag FROM safety_flag WHERE patient_id = ? AND state = 'open' GROUP BY flag ORDER BY MIN(id)",
            arguments: [patient])
    }
}
