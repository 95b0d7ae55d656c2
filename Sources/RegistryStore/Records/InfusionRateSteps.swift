import GRDB
import RegistryCore

// A continuous infusion's rate changes (`infusion_rate_step`), part of the infusion as given: its
// view and audit image carry them, a correction replaces them, and `verify` compares them.
extension Registry {
    /// Infusion `infusion`'s rate steps, in order.
    func rateSteps(_ db: Database, infusion: Int64) throws -> [RateStep] {
        try Row.fetchAll(
            db,
            sql: "SELECT minute, rate_mg_per_kg_per_hour FROM infusion_rate_step WHERE infusion_id = ? ORDER BY minute",
            arguments: [infusion]
        ).map { RateStep(minute: $0[0], mgPerKgPerHour: $0[1]) }
    }

    /// Every infusion's rate steps, by infusion row id, in order: of the infusions whose patient
    /// meets `patients` (an SQL condition on `patient_id`, with its `arguments`), or of all.
    func rateStepsByInfusion(_ db: Database, patients: String?, arguments: StatementArguments = [])
        throws -> [Int64: [RateStep]]
    {
        var byInfusion: [Int64: [RateStep]] = [:]
        let rows = try DirectCursor(
            db,
            sql: "SELECT infusion_id, minute, rate_mg_per_kg_per_hour FROM infusion_rate_step"
                + (patients.map { " WHERE infusion_id IN (SELECT id FROM infusion WHERE \($0))" } ?? "")
                + " ORDER BY infusion_id, minute",
            arguments: arguments)
        while let row = try rows.next() {
            byInfusion[try row.required(row.int64, 0), default: []].append(
                RateStep(minute: try row.required(row.int, 1), mgPerKgPerHour: try row.required(row.double, 2)))
        }
        return byInfusion
    }

    /// Writes infusion `infusion`'s rate steps as `steps`, replacing any it had (none, for a new
    /// infusion: `replacing` false).
    func saveRateSteps(_ db: Database, infusion: Int64, _ steps: [RateStep], replacing: Bool = true) throws {
        if replacing {
            try db.cachedStatement(sql: "DELETE FROM infusion_rate_step WHERE infusion_id = ?").execute(
                arguments: [infusion])
        }
        let insert = try db.cachedStatement(
            sql: "INSERT INTO infusion_rate_step (infusion_id, minute, rate_mg_per_kg_per_hour) VALUES (?, ?, ?)")
        for step in steps { try insert.execute(arguments: [infusion, step.minute, step.mgPerKgPerHour]) }
    }

    /// One infusion as its page shows it, with the patient it belongs to.
    public func infusion(_ id: RecordID) throws -> InfusionView {
        try read { db in
            guard id.kind == .infusion, let row = try InfusionRow.fetchOne(db, key: id.row) else {
                throw RegistryError.refused(
                    "no infusion \(id) in this registry", about: .record(.infusion), remedies: [.showPatient(nil)])
            }
            let (adverse, alsoFor, steps) = try infusionLinks(db, infusion: id.row)
            return try row.view(adverseEvents: adverse, alsoFor: alsoFor, rateSteps: steps)
        }
    }

    /// Records a change of a continuous infusion's rate at `date` and `time`, and with it the
    /// pump's total when given; without one, the total is worked out again from the steps. With no
    /// rate, records only the pump's total. Audited as a change of the infusion.
    public func setInfusionRate(
        _ id: RecordID, on date: ClinicalDate?, at time: ClockTime?, rate: Double?, pumpTotalMg: Double?,
        actor: String
    ) throws -> InfusionView {
        let words = [
            rate.map { "rate set to \(formatScore($0)) mg/kg/h" + (time.map { " at \($0)" } ?? "") },
            pumpTotalMg.map { "the pump's total, \(formatScore($0)) mg" },
        ].compactMap { $0 }.joined(separator: "; ")
        let marked = try read { db in
            try Bool.fetchOne(db, sql: "SELECT entered_in_error FROM infusion WHERE id = ?", arguments: [id.row])
        }
        if marked == true {
            throw RegistryError.refused(
                "\(id) was marked entered in error; rate changes go with a real infusion", about: .record(.infusion))
        }
        return try correctInfusion(id, reason: words, actor: actor, action: "rate") { entry throws in
            guard entry.rateMgPerKgPerHour != nil else {
                throw InputError(
                    field: "infusion", got: id.description,
                    allowed: "a continuous infusion (recorded with a rate in mg/kg/h); \(id) was given as a dose")
            }
            if let rate {
                guard let time, let start = entry.time else {
                    throw InputError(
                        field: "at", got: time?.description ?? "no time",
                        allowed: "the time of the change, HH:MM or YYYY-MM-DDTHH:MM, on an infusion with a start time")
                }
                let day = date ?? entry.date
                let minute = (day.dayNumber - entry.date.dayNumber) * 1440 + time.minuteOfDay - start.minuteOfDay
                guard !entry.rateSteps.contains(where: { $0.minute == minute }) else {
                    throw InputError(
                        field: "at", got: "\(day)T\(time)",
                        allowed: "a moment with no rate change yet; correct \(id) to change a recorded step")
                }
                entry.rateSteps.append(RateStep(minute: minute, mgPerKgPerHour: rate))
            }
            entry.totalMg = pumpTotalMg
        }
    }
}
