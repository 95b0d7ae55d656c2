import GRDB
import RegistryCore

// Corrections: one audited path per record kind, every one with a reason.
extension Registry {
    /// Corrects an infusion: `change` edits its fields, which are validated again. Marking it
    /// entered in error keeps it on record but out of timelines and outcomes; with no `change`
    /// that reads none of its stored values (see `markOnly`) but the returned view's, which
    /// ``markEnteredInError(_:reason:actor:)`` does not read. A reason is required.
    public func correctInfusion(
        _ id: RecordID, reason: String, actor: String, enteredInError: Bool? = nil,
        change: ((inout InfusionEntry) throws -> Void)?
    ) throws -> InfusionView {
        try correctInfusion(
            id, reason: reason, actor: actor, action: "correct", enteredInError: enteredInError, change: change)
    }

    /// ``correctInfusion(_:reason:actor:enteredInError:change:)``, audited as `action`.
    func correctInfusion(
        _ id: RecordID, reason: String, actor: String, action: String, enteredInError: Bool? = nil,
        change: ((inout InfusionEntry) throws -> Void)?
    ) throws -> InfusionView {
        let reason = try requireReason(reason)
        return try write { db in
            guard id.kind == .infusion, var row = try InfusionRow.fetchOne(db, key: id.row) else {
                throw RegistryError.refused("no infusion \(id) in this registry")
            }
            let (adverse, wasAlsoFor, wereSteps) = try infusionLinks(db, infusion: id.row)
            let before = row.auditImage(adverseEvents: adverse, alsoFor: wasAlsoFor, rateSteps: wereSteps)
            if change == nil, enteredInError == true {
                try markOnly(
                    db, row, id: id, patient: row.patientId,
                    image: { $0.auditImage(adverseEvents: adverse, alsoFor: wasAlsoFor, rateSteps: wereSteps) },
                    reason: reason, actor: actor)
                try refreshAgeAtDayZero(db, patient: row.patientId)
                row.enteredInError = true
                return try row.view(adverseEvents: adverse, alsoFor: wasAlsoFor, rateSteps: wereSteps)
            }
            var original = try row.entry(rateSteps: wereSteps)
            original.alsoFor = wasAlsoFor
            var entry = original
            try change?(&entry)
            var nowAlsoFor = wasAlsoFor
            if row.legacyRanges, entry == original {
                // Only marked (or unmarked) entered in error: a row kept from the old ranges stays as it was.
                row.enteredInError = enteredInError ?? row.enteredInError
            } else {
                entry = try entry.validated(today: today)
                let first = try condition(db, named: entry.condition, patient: row.patientId)
                // No condition it is for may have ended before it, the first included.
                try refuseIfEnded(db, patient: row.patientId, condition: first, before: entry.date)
                nowAlsoFor = try resolvedAlsoFor(
                    db, entry.alsoFor, first: first, patient: row.patientId, date: entry.date)
                var updated = InfusionRow(patientId: row.patientId, condition: first, entry: entry)
                updated.id = row.id
                updated.enteredInError = enteredInError ?? row.enteredInError
                row = updated
            }
            try saveCorrection(
                db, row, id: id, patient: row.patientId, before: before,
                after: row.auditImage(adverseEvents: adverse, alsoFor: nowAlsoFor, rateSteps: entry.rateSteps),
                reason: reason, action: action, actor: actor)
            if nowAlsoFor != wasAlsoFor {
                try saveAlsoFor(db, infusion: id.row, patient: row.patientId, nowAlsoFor)
            }
            if entry.rateSteps != wereSteps { try saveRateSteps(db, infusion: id.row, entry.rateSteps) }
            let corrected = row.view(
                adverseEvents: adverse, alsoFor: nowAlsoFor, rateSteps: entry.rateSteps, route: entry.route,
                drug: entry.drug)
            try syncFlags(
                db, patient: row.patientId, source: id, on: entry.date.description, reason: reason, actor: actor,
                raised: row.enteredInError
                    ? []
                    : vitalRules(db).raised(
                        bloodPressures: [
                            entry.bloodPressureBefore, entry.bloodPressureAfter, entry.bloodPressureAtDischarge,
                        ],
                        oxygenSaturation: entry.oxygenSaturation, respiratoryDepression: entry.respiratoryDepression)
                        + [VitalSafetyRules.monitoringFlag(entry)]
                        .compactMap { $0 })
            try refreshAgeAtDayZero(db, patient: row.patientId)
            return corrected
        }
    }

    /// Corrects an adverse event (its resolution date, most often); with no `change`, only marks it
    /// entered in error, reading none of its stored values (see `markOnly`) but the returned
    /// view's, which ``markEnteredInError(_:reason:actor:)`` does not read. A reason is required.
    public func correctAdverseEvent(
        _ id: RecordID, reason: String, actor: String, enteredInError: Bool? = nil,
        change: ((inout AdverseEventEntry) throws -> Void)?
    ) throws -> AdverseEventView {
        let reason = try requireReason(reason)
        return try write { db in
            guard id.kind == .adverseEvent, let row = try AdverseEventRow.fetchOne(db, key: id.row) else {
                throw RegistryError.refused("no adverse event \(id) in this registry")
            }
            if change == nil, enteredInError == true {
                try markOnly(db, row, id: id, patient: row.patientId, image: \.auditImage, reason: reason, actor: actor)
                var marked = row
                marked.enteredInError = true
                return try marked.view()
            }
            var entry = try row.entry()
            try change?(&entry)
            var updated = AdverseEventRow(
                patientId: row.patientId, infusionId: row.infusionId, entry: try entry.validated(today: today))
            updated.id = row.id
            updated.enteredInError = enteredInError ?? row.enteredInError
            try saveCorrection(
                db, updated, id: id, patient: row.patientId, before: row.auditImage, after: updated.auditImage,
                reason: reason, actor: actor)
            let corrected = updated.view(term: entry.term, grade: entry.grade)
            try syncFlags(
                db, patient: row.patientId, source: id, on: entry.onset.description, reason: reason, actor: actor,
                raised: updated.enteredInError || !entry.serious
                    ? []
                    : [
                        (
                            "serious-adverse-event",
                            "\(entry.term.rawValue) (\(entry.grade.rawValue)) recorded as serious"
                        )
                    ])
            return corrected
        }
    }

    /// Corrects a co-intervention (its end date, most often); with no `change`, only marks it
    /// entered in error, reading none of its stored values (see `markOnly`) but the returned
    /// view's, which ``markEnteredInError(_:reason:actor:)`` does not read. A reason is required.
    public func correctCoIntervention(
        _ id: RecordID, reason: String, actor: String, enteredInError: Bool? = nil,
        change: ((inout CoInterventionEntry) throws -> Void)?
    ) throws -> CoInterventionView {
        let reason = try requireReason(reason)
        return try write { db in
            guard id.kind == .coIntervention, let row = try CoInterventionRow.fetchOne(db, key: id.row) else {
                throw RegistryError.refused("no co-intervention \(id) in this registry")
            }
            if change == nil, enteredInError == true {
                try markOnly(db, row, id: id, patient: row.patientId, image: \.auditImage, reason: reason, actor: actor)
                var marked = row
                marked.enteredInError = true
                return try marked.view()
            }
            var entry = try row.entry()
            try change?(&entry)
            var updated = CoInterventionRow(patientId: row.patientId, entry: try entry.validated(today: today))
            updated.id = row.id
            updated.enteredInError = enteredInError ?? row.enteredInError
            try saveCorrection(
                db, updated, id: id, patient: row.patientId, before: row.auditImage, after: updated.auditImage,
                reason: reason, actor: actor)
            return updated.view(kind: entry.kind)
        }
    }

    /// Corrects an assessment: new answers are scored again by the catalog's current scale version,
    /// with flags recomputed. A reason is required.
    public func correctAssessment(
        _ id: RecordID, answers: [Int?]?, on date: ClinicalDate?, timepoint: Timepoint?,
        enteredInError: Bool?, catalog: ConditionCatalog, reason: String, actor: String
    ) throws -> AssessmentView {
        let reason = try requireReason(reason)
        if let date { _ = try date.notInFuture(field: "on", today: today) }
        return try write { db in
            guard id.kind == .assessment, var row = try AssessmentRow.fetchOne(db, key: id.row) else {
                throw RegistryError.refused("no assessment \(id) in this registry")
            }
            let before = row.auditImage
            var rules: [String: String] = [:]
            if let answers {
                let scored = try catalog.assess(scale: row.scaleId, answers: answers)
                rules = scored.flagRules
                // The stored day and timepoint, unless this correction replaces them, are read
                // strictly: a damaged timepoint must not be written back as follow-up.
                var rescored = AssessmentRow(
                    patientId: row.patientId, scored: scored,
                    on: try date ?? storedDate(row.assessedOn, "the day of \(id)"),
                    timepoint: try timepoint ?? storedWord(row.timepoint, "the timepoint of \(id)"))
                rescored.id = row.id
                rescored.enteredInError = row.enteredInError
                row = rescored
            }
            if let date { row.assessedOn = date.description }
            if let timepoint { row.timepoint = timepoint.rawValue }
            if let enteredInError { row.enteredInError = enteredInError }
            // Answers this correction does not give anew are written back as stored, and stated in
            // its audit row: read strictly, unless the record leaves use.
            if answers == nil, !row.enteredInError { _ = try storedAnswers(row.answers, "the answers of \(id)") }
            try saveCorrection(
                db, row, id: id, patient: row.patientId, before: before, after: row.auditImage,
                reason: reason, actor: actor)
            let corrected = try row.view()
            try syncFlags(
                db, patient: row.patientId, source: id, on: row.assessedOn, reason: reason, actor: actor,
                raised: row.enteredInError
                    ? []
                    : try storedStringList(row.flags, "the safety flags of \(id)").map {
                        ($0, rules[$0] ?? "raised by the \(row.scaleId) safety check")
                    })
            return corrected
        }
    }

    /// Marks any clinical record (infusion, assessment, adverse event, co-intervention, observation,
    /// course marker) entered in error, reading none of its stored values (see `markOnly`): kept on
    /// file and in the audit trail, out of timelines, outcomes, pages' readings and exports. The way
    /// to take out a record damaged behind the program's back, whose view no longer reads. A reason
    /// is required. Returns the record's id.
    public func markEnteredInError(_ id: RecordID, reason: String, actor: String) throws -> String {
        let reason = try requireReason(reason)
        return try write { db in
            func missing(_ noun: String) -> RegistryError { .refused("no \(noun) \(id) in this registry") }
            switch id.kind {
            case .infusion:
                guard let row = try InfusionRow.fetchOne(db, key: id.row) else { throw missing("infusion") }
                let (adverse, alsoFor, steps) = try infusionLinks(db, infusion: id.row)
                try markOnly(
                    db, row, id: id, patient: row.patientId,
                    image: { $0.auditImage(adverseEvents: adverse, alsoFor: alsoFor, rateSteps: steps) },
                    reason: reason, actor: actor)
                try refreshAgeAtDayZero(db, patient: row.patientId)
            case .assessment:
                guard let row = try AssessmentRow.fetchOne(db, key: id.row) else { throw missing("assessment") }
                try markOnly(db, row, id: id, patient: row.patientId, image: \.auditImage, reason: reason, actor: actor)
            case .adverseEvent:
                guard let row = try AdverseEventRow.fetchOne(db, key: id.row) else { throw missing("adverse event") }
                try markOnly(db, row, id: id, patient: row.patientId, image: \.auditImage, reason: reason, actor: actor)
            case .coIntervention:
                guard let row = try CoInterventionRow.fetchOne(db, key: id.row) else {
                    throw missing("co-intervention")
                }
                try markOnly(db, row, id: id, patient: row.patientId, image: \.auditImage, reason: reason, actor: actor)
            case .observation:
                guard let row = try InfusionObservationRow.fetchOne(db, key: id.row) else {
                    throw missing("observation")
                }
                try markOnly(db, row, id: id, patient: row.patientId, image: \.auditImage, reason: reason, actor: actor)
            case .courseEvent:
                guard let row = try CourseEventRow.fetchOne(db, key: id.row) else { throw missing("course marker") }
                try markOnly(db, row, id: id, patient: row.patientId, image: \.auditImage, reason: reason, actor: actor)
            case .patient, .flag:
                throw RegistryError.refused("\(id) is not a clinical record; only records can be entered in error")
            }
            return id.description
        }
    }

    /// Marks the record entered in error: the row is left with its stored values as they are, none
    /// of them read, so that a record damaged behind the program's back, which a correction of its
    /// fields refuses, can still be taken out of timelines, outcomes and exports (and recorded again
    /// as it should be). Its audit row keeps the record's image before (`before`) and after the
    /// mark. The record's open safety flags close. Already so marked, it is refused as changing
    /// nothing.
    ///
    /// Only the mark is written (`UPDATE … SET entered_in_error = 1`), not the whole row, so SQLite
    /// checks only the constraints that concern it: a value damaged past the table's own checks
    /// (with `PRAGMA ignore_check_constraints`) does not block the marking either.
    private func markOnly<Record: MarkableRecord>(
        _ db: Database, _ row: Record, id: RecordID, patient: Int64, image: (Record) -> String, reason: String,
        actor: String
    ) throws {
        var marked = row
        marked.enteredInError = true
        let (before, after) = (image(row), image(marked))
        guard after != before else {
            throw RegistryError.refused("\(id) is already marked entered in error; nothing changed")
        }
        try db.execute(
            sql: "UPDATE \(Record.databaseTableName) SET entered_in_error = 1 WHERE id = ?", arguments: [id.row])
        try audit(
            db, actor: actor, action: "correct", record: id, patient: RecordID(kind: .patient, row: patient),
            beforeImage: before, afterImage: after, reason: reason)
        try syncFlags(db, patient: patient, source: id, on: today.description, reason: reason, actor: actor, raised: [])
    }

    /// Writes a corrected row with its audit row (the record's images before and after), refusing a
    /// correction that changes nothing.
    private func saveCorrection<Record: MutablePersistableRecord>(
        _ db: Database, _ row: Record, id: RecordID, patient: Int64, before: String, after: String, reason: String,
        action: String = "correct", actor: String
    ) throws {
        guard after != before else {
            throw RegistryError.refused(
                "the correction changes nothing in \(id)", remedies: [.giveFieldsToChange])
        }
        try row.update(db)
        try audit(
            db, actor: actor, action: action, record: id, patient: RecordID(kind: .patient, row: patient),
            beforeImage: before, afterImage: after, reason: reason)
    }

    /// The scale of a stored assessment, so a correction can parse answers before it is made.
    public func scaleOfAssessment(_ id: RecordID) throws -> String {
        try read { db in
            guard id.kind == .assessment,
                let scale = try String.fetchOne(
                    db, sql: "SELECT scale_id FROM assessment WHERE id = ?", arguments: [id.row])
            else {
                throw RegistryError.refused("no assessment \(id) in this registry")
            }
            return scale
        }
    }

    /// The reason, trimmed, or a refusal saying what it is for.
    func requireReason(_ reason: String, why: String = "why the record is corrected (every correction needs a reason)")
        throws(InputError) -> String
    {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else {
            throw InputError(field: "reason", got: "", allowed: "a few words on \(why)")
        }
        return reason
    }
}

/// A record row that can be marked entered in error.
protocol MarkableRecord: MutablePersistableRecord {
    var enteredInError: Bool { get set }
}

extension InfusionRow: MarkableRecord {}
extension AssessmentRow: MarkableRecord {}
extension AdverseEventRow: MarkableRecord {}
extension CoInterventionRow: MarkableRecord {}
extension InfusionObservationRow: MarkableRecord {}
extension CourseEventRow: MarkableRecord {}
