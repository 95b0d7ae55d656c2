import GRDB
import RegistryCore

extension Registry {
    /// Every patient's clinical history (no identity), for outcome reports and course tracking.
    /// Records entered in error are left out.
    public func histories(condition: String? = nil, patient: RecordID? = nil) throws -> [PatientHistory] {
        try read { db in try histories(db, condition: condition, patient: patient) }
    }

    /// Each patient's clinical history in turn, in the order of their ids, without holding more
    /// than one in memory: for reports over the whole registry (`outcomes`, `due`, exports).
    public func forEachHistory(condition: String? = nil, _ body: (PatientHistory) throws -> Void) throws {
        try read { db in try forEachHistory(db, condition: condition, patient: nil) { try body($1) } }
    }

    /// The histories of every patient who could have an assessment due or overdue on `day` (a
    /// superset, so that the due list is the same as from every history; a test compares the two
    /// day by day): patients with a condition not ended and no infusion for it by `day`, with a
    /// course opened by hand, or with an infusion recent enough for a window of some condition's
    /// course still to be open, overdue grace included. Everyone else is not read at all.
    public func forEachHistory(
        couldBeDueOn day: ClinicalDate, catalog: ConditionCatalog, _ body: (PatientHistory) throws -> Void
    ) throws {
        // The longest a course's assessments can stay due or overdue after an infusion: its days
        // (or an infusion running up to 8 calendar days), its end-of-course window, or its last
        // follow-up visit from day 0, then the overdue grace.
        // Every protocol of the condition counts: a clinic's may run longer than the module's.
        let horizon =
            catalog.conditions.flatMap { condition in
                condition.protocols.treatments.map { treatment in
                    let course = treatment.course
                    return max(
                        max(course.withinDays, 8) + course.endOfCourseWindowDays,
                        course.followUps.map(\.latestDay).max() ?? 0)
                }
            }.max() ?? 0
        let since = day.adding(days: -(horizon + CourseProgress.overdueGraceDays + 1))
        let candidates = """
            SELECT patient_id FROM patient_condition c
            WHERE (c.ended_on IS NULL OR c.ended_on > ?) AND NOT EXISTS (SELECT 1 FROM infusion i WHERE i.patient_id = c.patient_id AND i.condition_id = c.condition_id
                                                     AND NOT i.entered_in_error AND i.given_on <= ?)
            UNION SELECT patient_id FROM course_event
            UNION SELECT patient_id FROM infusion WHERE given_on >= ?
            """
        try read { db in
            try forEachHistory(
                db, condition: nil, only: (candidates, [day.description, day.description, since.description])
            ) { try body($1) }
        }
    }

    func histories(_ db: Database, condition: String?, patient: RecordID?) throws -> [PatientHistory] {
        var result: [PatientHistory] = []
        try forEachHistory(db, condition: condition, patient: patient) { result.append($1) }
        return result
    }

    /// Every query below is ordered by patient first and read by one cursor each, in step with the
    /// patients: a merge, so that memory holds one patient's history whatever the registry's size.
    /// `body` gets each patient's row id beside their history.
    func forEachHistory(
        _ db: Database, condition: String?, patient: RecordID?, _ body: (Int64, PatientHistory) throws -> Void
    ) throws {
        try forEachHistory(db, condition: condition, only: patient.map { ("?", [$0.row]) }, body)
    }

    /// `only`: an SQL expression of the patient row ids to read (`?` for one, or a subquery) with
    /// its arguments; nil for every patient.
    func forEachHistory(
        _ db: Database, condition: String?, only: (sql: String, arguments: StatementArguments)?,
        _ body: (Int64, PatientHistory) throws -> Void
    ) throws {
        var patientFilter = ""
        var arguments: StatementArguments = []
        /// `column` restricted to the patients asked for, as a condition.
        func restricted(_ column: String) -> String {
            guard let only else { return "" }
            return only.sql == "?" ? "\(column) = ?" : "\(column) IN (\(only.sql))"
        }
        if let only {
            patientFilter = " WHERE " + restricted("patient_id")
            arguments = only.arguments
        }
        func grouped<T>(_ sql: String, _ make: @escaping (DirectStatement.Row) throws -> T?) throws -> PatientGroups<T>
        {
            PatientGroups(cursor: try DirectCursor(db, sql: sql, arguments: arguments), make: make)
        }
        // Each row's columns are read by position (the patient's id first); `required` names a
        // column the schema says is never NULL.
        let conditions: PatientGroups<String> = try grouped(
            "SELECT patient_id, condition_id FROM patient_condition\(patientFilter) ORDER BY patient_id, rowid"
        ) {
            try $0.required($0.string, 1)
        }
        // The other conditions of the infusions given for several, read once (few rows, most
        // often none) rather than looked up for every infusion.
        let alsoFor = try alsoForByInfusion(
            db, patients: only == nil ? nil : restricted("patient_id"), arguments: arguments)
        let infusions = try grouped(
            "SELECT patient_id, condition_id, given_on, given_at, minutes, dose_mg_per_kg, max(rate_mg_per_kg_per_hour, coalesce((SELECT max(s.rate_mg_per_kg_per_hour) FROM infusion_rate_step s WHERE s.infusion_id = infusion.id), 0)), route, id, drug, dose_mg FROM infusion\(patientFilter.isEmpty ? " WHERE" : patientFilter + " AND") NOT entered_in_error ORDER BY patient_id, given_on, given_at, id"
        ) { row in
            try HistoryRows.infusion(
                id: try row.required(row.int64, 8), condition: try row.required(row.string, 1),
                givenOn: try row.required(row.string, 2),
                givenAt: row.string(3), minutes: try row.required(row.int, 4), dose: row.double(5), rate: row.double(6),
                route: row.string(7), alsoFor: alsoFor.isEmpty ? [] : alsoFor[try row.required(row.int64, 8)] ?? [],
                drug: try row.required(row.string, 9), doseMg: row.double(10))
        }
        let observations = try grouped(
            """
            SELECT o.patient_id, o.observed_on, o.observed_at, i.given_on, i.given_at, o.bp_systolic, o.bp_diastolic, o.heart_rate,
                   o.oxygen_saturation, o.sedation, o.dissociation, o.respiratory_depression, o.id, i.id
            FROM infusion_observation o JOIN infusion i ON i.id = o.infusion_id
            WHERE NOT o.entered_in_error AND NOT i.entered_in_error\(only == nil ? "" : " AND " + restricted("o.patient_id"))
            ORDER BY o.patient_id, o.observed_on, o.observed_at, o.id
            """
        ) { row in
            try HistoryRows.observation(
                id: try row.required(row.int64, 12), infusion: try row.required(row.int64, 13),
                observedOn: try row.required(row.string, 1), observedAt: try row.required(row.string, 2),
                givenOn: try row.required(row.string, 3), givenAt: row.string(4), systolic: row.int(5),
                diastolic: row.int(6),
                heartRate: row.int(7), oxygenSaturation: row.int(8), sedation: try row.required(row.bool, 9),
                dissociation: try row.required(row.bool, 10), respiratoryDepression: try row.required(row.bool, 11))
        }
        let markers = try grouped(
            "SELECT patient_id, id, condition_id, kind, on_date, course_kind FROM course_event\(patientFilter.isEmpty ? " WHERE" : patientFilter + " AND") NOT entered_in_error ORDER BY patient_id, on_date, id"
        ) { row in
            try HistoryRows.marker(
                id: try row.required(row.int64, 1), condition: try row.required(row.string, 2), kind: row.string(3),
                onDate: try row.required(row.string, 4), courseKind: row.string(5))
        }
        // In the order of entry: `PatientHistory` sorts them by day, and its sort is stable, so
        // that is by day and then by entry, without SQLite sorting the whole table (the index on
        // patient_id already gives each patient's rows by id).
        let assessments = try grouped(
            "SELECT patient_id, scale_id, assessed_on, timepoint, score, subscores, flags, id FROM assessment\(patientFilter.isEmpty ? " WHERE" : patientFilter + " AND") NOT entered_in_error ORDER BY patient_id, id"
        ) { row in
            try HistoryRows.assessment(
                id: try row.required(row.int64, 7), scale: try row.required(row.string, 1),
                assessedOn: try row.required(row.string, 2),
                timepoint: row.string(3), score: try row.required(row.double, 4), subscores: row.string(5),
                flags: row.string(6))
        }
        let adverse = try grouped(
            "SELECT patient_id, term, grade, serious, id FROM adverse_event\(patientFilter.isEmpty ? " WHERE" : patientFilter + " AND") NOT entered_in_error ORDER BY patient_id, id"
        ) { row in
            try HistoryRows.adverseEvent(
                id: try row.required(row.int64, 4), term: row.string(1), grade: row.string(2),
                serious: try row.required(row.bool, 3))
        }
        let coInterventions = try grouped(
            "SELECT patient_id, kind, id FROM co_intervention\(patientFilter.isEmpty ? " WHERE" : patientFilter + " AND") NOT entered_in_error ORDER BY patient_id, id"
        ) { row in
            try HistoryRows.coIntervention(id: try row.required(row.int64, 2), kind: row.string(1))
        }
        let ended: PatientGroups<(String, ClinicalDate)> = try grouped(
            "SELECT patient_id, condition_id, ended_on FROM patient_condition\(patientFilter.isEmpty ? " WHERE" : patientFilter + " AND") ended_on IS NOT NULL ORDER BY patient_id"
        ) { row in
            let condition = try row.required(row.string, 1)
            return (
                condition,
                try HistoryRows.endedOn(
                    try row.required(row.string, 2), patient: try row.required(row.int64, 0), condition: condition)
            )
        }
        let patients = try DirectCursor(
            db,
            sql: "SELECT id, enrolled_on FROM patient\(only == nil ? "" : " WHERE " + restricted("id")) ORDER BY id",
            arguments: arguments)
        while let row = try patients.next() {
            let id = try row.required(row.int64, 0)
            let enrolledOn = try ClinicalDate.parse(try row.required(row.string, 1), field: "enrolled-on")
            let enrolled = try conditions.take(id)
            let history = PatientHistory(
                patient: RecordKind.patient.displayID(id), conditions: enrolled, enrolledOn: enrolledOn,
                infusions: try infusions.take(id), assessments: try assessments.take(id),
                adverseEvents: try adverse.take(id), coInterventions: try coInterventions.take(id),
                courseMarkers: try markers.take(id),
                observations: try observations.take(id),
                endedConditions: Dictionary(try ended.take(id).map { ($0.0, $0.1) }, uniquingKeysWith: { $1 }))
            if let condition, !enrolled.contains(condition) { continue }
            try body(id, history)
        }
    }
}

/// A history's records from their stored columns: one definition for the histories read in bulk
/// and for the one the patient page builds from its own rows.
///
/// Histories feed outcomes, `due`, the course on the patient's page and every export, so each
/// stored value is read strictly (``stored(_:as:_:)``): one that does not read as KetaReg stores
/// it (the file changed behind the program's back, a bad restore) stops the command with an error
/// naming the record and the field, never a default in its place (an adverse event's grade as
/// mild, a timepoint as follow-up, a course end as a start) or an empty list (an assessment's
/// safety flags). `ketareg verify` names such records, and `correct ID --entered-in-error` takes
/// one out of every history without reading it.
enum HistoryRows {
    static func infusion(
        id: Int64, condition: String, givenOn: String, givenAt: String?, minutes: Int, dose: Double?, rate: Double?,
        route: String?, alsoFor: [String] = [], drug: String, doseMg: Double?
    ) throws -> PatientHistory.Infusion {
        let what = { RecordKind.infusion.displayID(id) }
        return PatientHistory.Infusion(
            condition: condition, date: try storedDate(givenOn, "the day of \(what())"),
            time: try givenAt.map { try storedTime($0, "the start time of \(what())") }, minutes: minutes,
            doseMgPerKg: dose, rateMgPerKgPerHour: rate,
            route: try storedWord(route ?? "", "the route of \(what())") as InfusionRoute, alsoFor: alsoFor,
            drug: try storedWord(drug, "the drug of \(what())"), doseMg: doseMg)
    }

    /// An observation, its hours counted from the start of the infusion it was made during.
    static func observation(
        id: Int64, infusion: Int64, observedOn: String, observedAt: String, givenOn: String, givenAt: String?,
        systolic: Int?, diastolic: Int?, heartRate: Int?, oxygenSaturation: Int?, sedation: Bool, dissociation: Bool,
        respiratoryDepression: Bool
    ) throws -> PatientHistory.Observation {
        let observed = try storedDate(observedOn, "the day of \(RecordKind.observation.displayID(id))")
        let at = try storedTime(observedAt, "the time of \(RecordKind.observation.displayID(id))")
        let given = try storedDate(givenOn, "the day of \(RecordKind.infusion.displayID(infusion))")
        let start = try givenAt.map {
            try storedTime($0, "the start time of \(RecordKind.infusion.displayID(infusion))")
        }
        let minutes = given.days(until: observed) * 1440 + at.minuteOfDay - (start?.minuteOfDay ?? 0)
        return PatientHistory.Observation(
            date: observed, hoursFromStart: max(0, minutes) / 60,
            bloodPressure: systolic.flatMap { s in diastolic.map { BloodPressure(systolic: s, diastolic: $0) } },
            heartRate: heartRate, oxygenSaturation: oxygenSaturation, sedation: sedation,
            dissociation: dissociation, respiratoryDepression: respiratoryDepression)
    }

    static func marker(id: Int64, condition: String, kind: String?, onDate: String, courseKind: String?) throws
        -> CourseMarker
    {
        let display = RecordKind.courseEvent.displayID(id)
        return CourseMarker(
            id: display, condition: condition,
            kind: try storedWord(kind ?? "", "the kind of \(display)"),
            date: try storedDate(onDate, "the day of \(display)"),
            courseKind: try courseKind.map { try storedWord($0, "the course kind of \(display)") })
    }

    static func assessment(
        id: Int64, scale: String, assessedOn: String, timepoint: String?, score: Double, subscores: String?,
        flags: String?
    ) throws -> PatientHistory.Assessment {
        let what = { RecordKind.assessment.displayID(id) }
        return PatientHistory.Assessment(
            scale: scale, date: try storedDate(assessedOn, "the day of \(what())"),
            timepoint: try storedWord(timepoint ?? "", "the timepoint of \(what())"), score: score,
            subscores: try stored("the subscores of \(what())", as: "an object of numbers") { () -> [String: Double]? in
                guard let subscores else { return nil }
                return subscores == "{}" ? [:] : decodeJSON([String: Double].self, subscores)
            },
            flags: try stored("the safety flags of \(what())", as: "a list of text") { flags.flatMap(parseStringList) })
    }

    static func adverseEvent(id: Int64, term: String?, grade: String?, serious: Bool) throws
        -> PatientHistory.AdverseEvent
    {
        let what = { RecordKind.adverseEvent.displayID(id) }
        return PatientHistory.AdverseEvent(
            term: try storedWord(term ?? "", "the term of \(what())"),
            grade: try storedWord(grade ?? "", "the grade of \(what())"), serious: serious)
    }

    static func coIntervention(id: Int64, kind: String?) throws -> CoInterventionKind {
        try storedWord(kind ?? "", "the kind of \(RecordKind.coIntervention.displayID(id))")
    }

    /// When the patient's condition ended (`patient`: the patient's row id).
    static func endedOn(_ text: String, patient: Int64, condition: String) throws -> ClinicalDate {
        try storedDate(
            text, "the end of \(RecordKind.patient.displayID(patient))'s \(condition) condition",
            remedy: StoredValue.conditionEndRemedy(RecordKind.patient.displayID(patient), condition))
    }
}

/// The rows of one query ordered by patient (its first column, `patient_id`; the other columns are
/// read by position), taken one patient at a time as the patients' cursor moves on. Rows of a patient not asked for (none should exist) are passed over.
final class PatientGroups<T> {
    private let cursor: DirectCursor
    private let make: (DirectStatement.Row) throws -> T?
    /// The row read ahead (its patient came after the one last taken), if any: kept in two
    /// stored properties rather than an optional tuple, which the generic code copied per row.
    private var pendingPatient: Int64 = 0
    private var pendingValue: T?
    private var hasPending = false

    init(cursor: DirectCursor, make: @escaping (DirectStatement.Row) throws -> T?) {
        self.cursor = cursor
        self.make = make
    }

    /// The rows of `patient`, whose id is at least that of every patient taken before.
    func take(_ patient: Int64) throws -> [T] {
        var values: [T] = []
        while true {
            if !hasPending {
                guard let row = try cursor.next() else { return values }
                pendingPatient = try row.required(row.int64, 0)
                pendingValue = try make(row)
                hasPending = true
            }
            guard pendingPatient <= patient else { return values }
            if pendingPatient == patient, let value = pendingValue { values.append(value) }
            pendingValue = nil
            hasPending = false
        }
    }
}
