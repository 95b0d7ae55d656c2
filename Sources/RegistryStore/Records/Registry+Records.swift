import GRDB
import RegistryCore

extension Registry {
    /// Records an infusion with its monitoring observations and any adverse events that followed it.
    /// The condition is the entry's (`--for`), or the patient's only one.
    public func addInfusion(_ entry: InfusionEntry, patient id: RecordID, actor: String) throws -> InfusionView {
        let entry = try entry.validated(today: today)
        return try write { db in try insertInfusion(db, entry, patient: requirePatient(db, id).id!, actor: actor) }
    }

    /// Records vital signs or observations during an infusion, at a moment from its start to the end
    /// of the day it ends.
    public func addObservation(_ entry: InfusionObservationEntry, infusion id: RecordID, actor: String) throws
        -> ObservationView
    {
        let entry = try entry.validated(today: today)
        return try write { db in
            guard id.kind == .infusion, let infusion = try InfusionRow.fetchOne(db, key: id.row) else {
                throw RegistryError.refused(
                    "no infusion \(id) in this registry", about: .record(.infusion), remedies: [.showPatient(nil)])
            }
            guard !infusion.enteredInError else {
                throw RegistryError.refused(
                    "\(id) was marked entered in error; observations go with a real infusion", about: .record(.infusion)
                )
            }
            // The infusion's day, start and length, read as histories read them, are what count
            // here: recording vitals at the bedside does not depend on the rest of its row.
            let given = (
                date: try storedDate(infusion.givenOn, "the day of \(id)"),
                time: try infusion.givenAt.map { try storedTime($0, "the start time of \(id)") },
                minutes: infusion.minutes
            )
            let startMinute = given.date.dayNumber * 1440 + (given.time?.minuteOfDay ?? 0)
            let endDay = given.date.adding(days: ((given.time?.minuteOfDay ?? 0) + given.minutes) / 1440)
            let moment = entry.date.dayNumber * 1440 + entry.time.minuteOfDay
            guard moment >= startMinute, moment <= endDay.dayNumber * 1440 + 1439 else {
                throw InputError(
                    field: "at", got: "\(entry.date)T\(entry.time)",
                    allowed: "a moment during \(id), from \(given.date)" + (given.time.map { "T\($0)" } ?? "")
                        + " to the end of \(endDay)")
            }
            var row = InfusionObservationRow(infusionId: infusion.id!, patientId: infusion.patientId, entry: entry)
            try row.insert(db)
            let view = row.view
            try audit(
                db, actor: actor, action: "add", record: RecordID(kind: .observation, row: row.id!),
                patient: RecordID(kind: .patient, row: infusion.patientId), beforeImage: nil, afterImage: row.auditImage
            )
            try raiseFlags(
                db, patient: infusion.patientId, source: RecordID(kind: .observation, row: row.id!),
                on: entry.date.description,
                flags: vitalRules(db).raised(
                    bloodPressures: [entry.bloodPressure], oxygenSaturation: entry.oxygenSaturation,
                    respiratoryDepression: entry.respiratoryDepression),
                actor: actor)
            return view
        }
    }

    /// Starts a course by hand (a re-treatment after relapse, most often) or ends the course in
    /// progress (stopped early). An end needs a reason. A start without a kind opens the
    /// condition's induction when it has had no course yet, else a re-treatment course.
    public func addCourseMarker(
        _ kind: CourseMarker.Kind, patient id: RecordID, condition: String?, on date: ClinicalDate,
        courseKind: CourseKind? = nil, reason: String?, catalog: ConditionCatalog, actor: String
    ) throws -> CourseEventView {
        try write { db in
            try insertCourseMarker(
                db, kind, patient: requirePatient(db, id).id!, condition: condition, on: date, courseKind: courseKind,
                reason: reason, catalog: catalog, actor: actor)
        }
    }

    /// Records an adverse event, optionally tied to the infusion it followed.
    public func addAdverseEvent(_ entry: AdverseEventEntry, patient id: RecordID, infusion: RecordID?, actor: String)
        throws -> AdverseEventView
    {
        let entry = try entry.validated(today: today)
        return try write { db in
            let patient = try requirePatient(db, id)
            var infusionRow: Int64?
            if let infusion {
                guard infusion.kind == .infusion,
                    let found = try InfusionRow.fetchOne(db, key: infusion.row), found.patientId == patient.id
                else {
                    throw RegistryError.refused(
                        "no infusion \(infusion) for \(id); give one of this patient's infusion ids",
                        about: .field("infusion"),
                        remedies: [.showPatient(id.description)])
                }
                infusionRow = found.id
            }
            return try insertAdverseEvent(db, entry, patient: patient.id!, infusion: infusionRow, actor: actor)
        }
    }

    /// Stores a scored assessment. Refuses a scale that belongs to a condition the patient is not
    /// enrolled for.
    /// Refuses the same scale for the same patient, day and timepoint a second time, naming the
    /// assessment on record and how to correct it, unless `repeat` says this is a genuine second
    /// administration.
    public func addAssessment(
        _ scored: ScoredAssessment, patient id: RecordID, on date: ClinicalDate,
        timepoint: Timepoint, repeat: Bool = false, actor: String
    ) throws -> AssessmentView {
        _ = try date.notInFuture(field: "on", today: today)
        return try write { db in
            let patient = try requirePatient(db, id)
            if !`repeat`,
                let existing = try existingAssessment(
                    db, patient: patient.id!, scale: scored.scale, on: date, timepoint: timepoint)
            {
                throw Self.duplicate(
                    existing: existing, patient: id, scale: scored.scale, on: date, timepoint: timepoint)
            }
            return try insertAssessment(
                db, scored, patient: patient.id!, enrolledFor: conditions(db, patient: patient.id!),
                on: date, timepoint: timepoint, actor: actor)
        }
    }

    func existingAssessment(_ db: Database, patient: Int64, scale: String, on date: ClinicalDate, timepoint: Timepoint)
        throws -> String?
    {
        try Int64.fetchOne(
            db,
            sql: """
                SELECT id FROM assessment WHERE patient_id = ? AND scale_id = ? AND assessed_on = ? AND timepoint = ? AND NOT entered_in_error
                ORDER BY id LIMIT 1
                """, arguments: [patient, scale, date.description, timepoint.rawValue]
        ).map { RecordKind.assessment.displayID($0) }
    }

    /// Refuses, as `addAssessment` would, when this patient already has this scale on this day at
    /// this timepoint: for asking before any item is typed.
    public func refuseDuplicateAssessment(
        patient id: RecordID, scale: String, on date: ClinicalDate, timepoint: Timepoint
    ) throws {
        if let existing = try read({ db in
            try existingAssessment(
                db, patient: try requirePatient(db, id).id!, scale: scale, on: date, timepoint: timepoint)
        }) {
            throw Self.duplicate(existing: existing, patient: id, scale: scale, on: date, timepoint: timepoint)
        }
    }

    static func duplicate(
        existing: String, patient: RecordID, scale: String, on date: ClinicalDate, timepoint: Timepoint
    ) -> RegistryError {
        .refused(
            "\(existing) already records \(scale) for \(patient) on \(date) (\(timepoint.rawValue)); nothing was saved",
            remedies: [.correctRecord(existing), .recordSecondAdministration])
    }

    /// Records a treatment alongside ketamine.
    public func addCoIntervention(_ entry: CoInterventionEntry, patient id: RecordID, actor: String) throws
        -> CoInterventionView
    {
        let entry = try entry.validated(today: today)
        return try write { db in try insertCoIntervention(db, entry, patient: requirePatient(db, id).id!, actor: actor)
        }
    }

    // MARK: - Inserts shared by the single commands and the importer

    /// Inserts a validated infusion, its adverse events and their audit rows.
    ///
    /// An import passes the patient's `conditions` and the vital-sign rules (`rules`), read once,
    /// and refreshes the age
    /// at the first infusion once at its end (`refreshingAge: false`), for every patient it gave an
    /// infusion: nothing reads that age before the import's transaction ends.
    func insertInfusion(
        _ db: Database, _ entry: InfusionEntry, patient: Int64, actor: String, conditions: [String]? = nil,
        rules: VitalSafetyRules? = nil, refreshingAge: Bool = true
    ) throws -> InfusionView {
        let given = try condition(db, named: entry.condition, patient: patient, known: conditions)
        try refuseIfEnded(db, patient: patient, condition: given, before: entry.date)
        let others =
            entry.alsoFor.isEmpty
            ? []
            : try resolvedAlsoFor(db, entry.alsoFor, first: given, patient: patient, own: conditions, date: entry.date)
        var row = InfusionRow(patientId: patient, condition: given, entry: entry)
        try row.insertFast(db)
        if !others.isEmpty { try saveAlsoFor(db, infusion: row.id!, patient: patient, others, replacing: false) }
        if !entry.rateSteps.isEmpty { try saveRateSteps(db, infusion: row.id!, entry.rateSteps, replacing: false) }
        var adverseIDs: [String] = []
        for event in entry.adverseEvents {
            adverseIDs.append(try insertAdverseEvent(db, event, patient: patient, infusion: row.id, actor: actor).id)
        }
        let view = row.view(
            adverseEvents: adverseIDs, alsoFor: others, rateSteps: entry.rateSteps, route: entry.route,
            drug: entry.drug,
            medication: entry.concomitantMedication)
        try audit(
            db, actor: actor, action: "add", record: RecordID(kind: .infusion, row: row.id!),
            patient: RecordID(kind: .patient, row: patient), beforeImage: nil,
            afterImage: row.auditImage(
                adverseEvents: adverseIDs, alsoFor: others, rateSteps: entry.rateSteps,
                medication: entry.concomitantMedication))
        try raiseFlags(
            db, patient: patient, source: RecordID(kind: .infusion, row: row.id!), on: entry.date.description,
            flags: (rules ?? vitalRules(db)).raised(
                bloodPressures: [entry.bloodPressureBefore, entry.bloodPressureAfter, entry.bloodPressureAtDischarge],
                oxygenSaturation: entry.oxygenSaturation, respiratoryDepression: entry.respiratoryDepression)
                + [VitalSafetyRules.monitoringFlag(entry)]
                .compactMap { $0 },
            actor: actor)
        if refreshingAge { try refreshAgeAtDayZero(db, patient: patient) }
        return view
    }

    /// Inserts a course marker and its audit row. Refuses an end when no course of the condition is
    /// in progress that day, and an end without a reason.
    func insertCourseMarker(
        _ db: Database, _ kind: CourseMarker.Kind, patient: Int64, condition: String?, on date: ClinicalDate,
        courseKind: CourseKind?, reason: String?, catalog: ConditionCatalog, actor: String
    ) throws -> CourseEventView {
        _ = try date.notInFuture(field: "on", today: today)
        let reason =
            try kind == .end
            ? requireReason(reason ?? "", why: "why the course ended")
            : reason.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        let id = RecordID(kind: .patient, row: patient)
        let conditionID = try self.condition(db, named: condition, patient: patient)
        if kind == .end {
            // Only a course in progress on that day can be ended.
            guard let history = try histories(db, condition: nil, patient: id).first,
                let module = catalog.condition(conditionID)
            else {
                throw RegistryError.refused(
                    "the condition '\(conditionID)' is not in this program's catalog", about: .field("for"))
            }
            let course = CourseTimeline(condition: module, history: history.asOf(date)).courses.last
            guard let course, course.dayZero != nil, !course.isOver(on: date.adding(days: -1)) else {
                throw RegistryError.refused(
                    "\(id) has no \(conditionID) course in progress on \(date)"
                        + (course?.overOn.map { " (the last one was over on \($0))" } ?? "") + "; nothing to end",
                    about: .field("on"))
            }
        }
        var row = CourseEventRow(
            id: nil, patientId: patient, conditionId: conditionID, kind: kind.rawValue, onDate: date.description,
            courseKind: kind == .start ? courseKind?.rawValue : nil, reason: reason, enteredInError: false)
        try row.insert(db)
        let view = row.view(kind: kind, courseKind: kind == .start ? courseKind : nil)
        try audit(
            db, actor: actor, action: "add", record: RecordID(kind: .courseEvent, row: row.id!),
            patient: id, beforeImage: nil, afterImage: row.auditImage, reason: reason)
        return view
    }

    /// Keeps the patient's age at their first infusion, in whole years, beside their clinical data,
    /// so that exports can give an age band without reading the identity table.
    func refreshAgeAtDayZero(_ db: Database, patient: Int64) throws {
        try db.cachedStatement(sql: "UPDATE patient SET age_at_day_zero = \(Self.ageAtDayZero) WHERE id = ?").execute(
            arguments: [patient])
    }

    /// ``refreshAgeAtDayZero(_:patient:)`` for every patient with an infusion whose row id is
    /// above `infusion`: an import's, in one statement at its end.
    func refreshAgeAtDayZero(_ db: Database, patientsWithInfusionsAfter infusion: Int64) throws {
        try db.execute(
            sql: """
                UPDATE patient SET age_at_day_zero = \(Self.ageAtDayZero)
                WHERE id IN (SELECT DISTINCT patient_id FROM infusion WHERE id > ?)
                """, arguments: [infusion])
    }

    /// The patient's (`patient.id`) age in whole years on the day of their first infusion not
    /// entered in error, or NULL before any.
    private static let ageAtDayZero = """
        (SELECT CAST(strftime('%Y', first.day) AS INTEGER) - CAST(strftime('%Y', identity.birth_date) AS INTEGER)
              - (strftime('%m-%d', first.day) < strftime('%m-%d', identity.birth_date))
         FROM patient_identity identity,
              (SELECT MIN(given_on) AS day FROM infusion WHERE patient_id = patient.id AND NOT entered_in_error) first
         WHERE identity.patient_id = patient.id AND first.day IS NOT NULL)
        """

    /// Inserts a validated adverse event and its audit row.
    func insertAdverseEvent(_ db: Database, _ entry: AdverseEventEntry, patient: Int64, infusion: Int64?, actor: String)
        throws -> AdverseEventView
    {
        var row = AdverseEventRow(patientId: patient, infusionId: infusion, entry: entry)
        try row.insert(db)
        let view = row.view(term: entry.term, grade: entry.grade)
        try audit(
            db, actor: actor, action: "add", record: RecordID(kind: .adverseEvent, row: row.id!),
            patient: RecordID(kind: .patient, row: patient), beforeImage: nil, afterImage: row.auditImage)
        if entry.serious {
            try raiseFlags(
                db, patient: patient, source: RecordID(kind: .adverseEvent, row: row.id!), on: entry.onset.description,
                flags: [
                    ("serious-adverse-event", "\(entry.term.rawValue) (\(entry.grade.rawValue)) recorded as serious")
                ], actor: actor)
        }
        return view
    }

    /// Inserts a scored assessment and its audit row, refusing a scale of a condition the patient
    /// is not enrolled for. A shared module's scale (WHO-5) is taken for any patient.
    func insertAssessment(
        _ db: Database, _ scored: ScoredAssessment, patient: Int64, enrolledFor enrolled: [String],
        on date: ClinicalDate, timepoint: Timepoint, actor: String
    ) throws -> AssessmentView {
        guard scored.forEveryCondition || enrolled.contains(scored.condition) else {
            throw RegistryError.refused(
                "\(scored.scale) belongs to the condition '\(scored.condition)', but \(RecordKind.patient.displayID(patient)) is enrolled for \(enrolled.joined(separator: ", ")); choose a scale of those conditions",
                about: .field("scale"))
        }
        var row = AssessmentRow(patientId: patient, scored: scored, on: date, timepoint: timepoint)
        try row.insertFast(db)
        // Built from what was scored rather than read back from the row's JSON columns.
        let view = AssessmentView(
            id: RecordKind.assessment.displayID(row.id!), patient: RecordKind.patient.displayID(patient),
            condition: scored.condition, scale: scored.scale, scaleVersion: scored.scaleVersion, on: row.assessedOn,
            timepoint: timepoint, answers: scored.answers, score: scored.result.score,
            subscores: scored.result.subscores.isEmpty
                ? nil : Dictionary(uniqueKeysWithValues: scored.result.subscores.map { ($0.name, $0.value) }),
            band: row.band, flags: scored.flags, enteredInError: false)
        try audit(
            db, actor: actor, action: "add", record: RecordID(kind: .assessment, row: row.id!),
            patient: RecordID(kind: .patient, row: patient), beforeImage: nil,
            afterImage: row.auditImage(answers: scored.answers, subscores: view.subscores ?? [:], flags: scored.flags))
        try raiseFlags(
            db, patient: patient, source: RecordID(kind: .assessment, row: row.id!), on: row.assessedOn,
            flags: scored.flags.map { ($0, scored.flagRules[$0] ?? "raised by the \(scored.scale) safety check") },
            actor: actor)
        return view
    }

    /// Inserts a validated co-intervention and its audit row.
    func insertCoIntervention(_ db: Database, _ entry: CoInterventionEntry, patient: Int64, actor: String) throws
        -> CoInterventionView
    {
        var row = CoInterventionRow(patientId: patient, entry: entry)
        try row.insert(db)
        let view = row.view(kind: entry.kind)
        try audit(
            db, actor: actor, action: "add", record: RecordID(kind: .coIntervention, row: row.id!),
            patient: RecordID(kind: .patient, row: patient), beforeImage: nil, afterImage: row.auditImage)
        return view
    }
}
