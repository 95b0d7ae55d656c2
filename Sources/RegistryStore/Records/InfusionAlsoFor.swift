import GRDB
import RegistryCore

// The other conditions an infusion was given for (`infusion_also_for`): the same infusion counts
// in each condition's course. Its first condition stays in `infusion.condition_id`.
extension Registry {
    /// The other conditions of infusion `infusion`, sorted.
    func alsoFor(_ db: Database, infusion: Int64) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT condition_id FROM infusion_also_for WHERE infusion_id = ? ORDER BY condition_id",
            arguments: [infusion])
    }

    /// What an infusion's view and audit image take besides its row: the ids of the adverse events
    /// that followed it, its other conditions and its rate steps.
    func infusionLinks(_ db: Database, infusion: Int64) throws -> (
        adverseEvents: [String], alsoFor: [String], rateSteps: [RateStep]
    ) {
        let adverse = try Int64.fetchAll(
            db, sql: "SELECT id FROM adverse_event WHERE infusion_id = ? ORDER BY id", arguments: [infusion]
        )
        .map(RecordKind.adverseEvent.displayID)
        return (adverse, try alsoFor(db, infusion: infusion), try rateSteps(db, infusion: infusion))
    }

    /// Every infusion's other conditions, by infusion row id, each list sorted: of the infusions
    /// whose patient meets `patients` (an SQL condition on `patient_id`, with its `arguments`), or
    /// of all when it is nil. Most often there are none, and one query reads them all.
    func alsoForByInfusion(_ db: Database, patients: String?, arguments: StatementArguments = [])
        throws -> [Int64: [String]]
    {
        var byInfusion: [Int64: [String]] = [:]
        let rows = try DirectCursor(
            db,
            sql: "SELECT infusion_id, condition_id FROM infusion_also_for"
                + (patients.map { " WHERE infusion_id IN (SELECT id FROM infusion WHERE \($0))" } ?? "")
                + " ORDER BY infusion_id, condition_id",
            arguments: arguments)
        while let row = try rows.next() {
            byInfusion[try row.required(row.int64, 0), default: []].append(try row.required(row.string, 1))
        }
        return byInfusion
    }

    /// The other conditions asked for, checked: each one of the patient's conditions (`own`), not
    /// the first condition again, not ended before `date`; repeats dropped, sorted.
    func resolvedAlsoFor(
        _ db: Database, _ asked: [String], first: String, patient: Int64, own: [String]? = nil, date: ClinicalDate
    ) throws -> [String] {
        var resolved: [String] = []
        for name in asked {
            let condition = try self.condition(db, named: name, patient: patient, known: own)
            guard condition != first, !resolved.contains(condition) else { continue }
            try refuseIfEnded(db, patient: patient, condition: condition, before: date)
            resolved.append(condition)
        }
        return resolved.sorted()
    }

    /// Refuses an infusion on `date` for a condition of the patient's that ended before it.
    func refuseIfEnded(_ db: Database, patient: Int64, condition: String, before date: ClinicalDate) throws {
        // Asked for every infusion an import writes: bound and read directly.
        var statement = try DirectStatement(
            db, sql: "SELECT ended_on FROM patient_condition WHERE patient_id = ? AND condition_id = ?")
        statement.bind(patient)
        statement.bind(condition)
        var endedOn: String?
        try statement.forEachRow { row in endedOn = row.string(0) }
        if let ended = endedOn, ended < date.description {
            throw RegistryError.refused(
                "\(RecordKind.patient.displayID(patient))'s \(condition) ended on \(ended); an infusion on \(date) for it is refused",
                remedies: [.resumeCondition])
        }
    }

    /// Writes infusion `infusion`'s other conditions as `conditions`, replacing any it had (none,
    /// for a new infusion: `replacing` false).
    func saveAlsoFor(_ db: Database, infusion: Int64, patient: Int64, _ conditions: [String], replacing: Bool = true)
        throws
    {
        if replacing {
            try db.cachedStatement(sql: "DELETE FROM infusion_also_for WHERE infusion_id = ?").execute(
                arguments: [infusion])
        }
        let insert = try db.cachedStatement(
            sql: "INSERT INTO infusion_also_for (infusion_id, patient_id, condition_id) VALUES (?, ?, ?)")
        for condition in conditions { try insert.execute(arguments: [infusion, patient, condition]) }
    }
}
