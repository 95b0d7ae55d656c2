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

    /// Every infusion's other conditions, by infusion row id, for one patient or (`patient` nil)
    /// all of them.
    func alsoForByInfusion(_ db: Database, patient: Int64?) throws -> [Int64: [String]] {
        var byInfusion: [Int64: [String]] = [:]
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT infusion_id, condition_id FROM infusion_also_for"
                + (patient == nil ? "" : " WHERE infusion_id IN (SELECT id FROM infusion WHERE patient_id = ?)")
                + " ORDER BY infusion_id, condition_id",
            arguments: patient.map { [$0] } ?? [])
        for row in rows { byInfusion[row[0] as Int64, default: []].append(row[1]) }
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
            if let ended = try String.fetchOne(
                db, sql: "SELECT ended_on FROM patient_condition WHERE patient_id = ? AND condition_id = ?",
                arguments: [patient, condition]), ended < date.description
            {
                throw RegistryError.refused(
                    "\(RecordKind.patient.displayID(patient))'s \(condition) ended on \(ended); an infusion on \(date) for it is refused",
                    remedies: [.resumeCondition])
            }
            resolved.append(condition)
        }
        return resolved.sorted()
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
