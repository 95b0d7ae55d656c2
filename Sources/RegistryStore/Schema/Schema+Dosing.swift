import GRDB

/// The infusion table as drugs, routes, fixed doses and titration need it.
extension Schema {
    static let drugsAndRoutesMigration =
        "Record the drug, fixed doses, six routes, a continuous infusion's rate steps and when the patient was ready to leave"

    /// The route's CHECK since the drugs and routes migration: six routes, by comparisons (an IN
    /// list builds a temporary table on every insert).
    static let routeCheckSixRoutes = """
        CHECK (route = 'iv' OR route = 'im' OR route = 'intranasal' OR route = 'oral' OR route = 'sublingual' OR route = 'subcutaneous')
        """

    /// What `InfusionEntry.validated` says, as CHECK constraints (a test writes thousands of rows
    /// near every edge behind the program's back): one of a dose per kg, a fixed dose or a rate;
    /// each route's ranges (`Drug.dosing(route:)`); esketamine intranasal, in whole devices; the
    /// total within 10% of what a dose implies. A continuous infusion's total is the integral of
    /// its rate steps, kept in `infusion_rate_step`: the code checks it, the table its range.
    static let infusionDefinition = """
        CREATE TABLE infusion_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            patient_id INTEGER NOT NULL REFERENCES patient(id) ON DELETE RESTRICT,
            condition_id TEXT NOT NULL,
            given_on TEXT NOT NULL,
            given_at TEXT,
            dose_mg_per_kg DOUBLE,
            rate_mg_per_kg_per_hour DOUBLE,
            weight_kg DOUBLE,
            total_mg DOUBLE,
            minutes INTEGER NOT NULL,
            route TEXT NOT NULL \(routeCheckSixRoutes),
            bp_before_systolic INTEGER, bp_before_diastolic INTEGER,
            bp_after_systolic INTEGER, bp_after_diastolic INTEGER,
            bp_discharge_systolic INTEGER, bp_discharge_diastolic INTEGER,
            heart_rate INTEGER, oxygen_saturation INTEGER, monitoring_minutes INTEGER,
            concomitant_medication TEXT NOT NULL,
            sedation BOOLEAN NOT NULL, dissociation BOOLEAN NOT NULL, respiratory_depression BOOLEAN NOT NULL,
            entered_in_error BOOLEAN NOT NULL DEFAULT 0,
            legacy_ranges BOOLEAN NOT NULL DEFAULT 0,
            drug TEXT NOT NULL DEFAULT 'ketamine' CHECK (drug = 'ketamine' OR drug = 'esketamine'),
            dose_mg DOUBLE,
            ready_to_leave_at TEXT,
            FOREIGN KEY (patient_id, condition_id) REFERENCES patient_condition(patient_id, condition_id) ON DELETE RESTRICT,
            CHECK ((dose_mg_per_kg IS NOT NULL) + (rate_mg_per_kg_per_hour IS NOT NULL) + (dose_mg IS NOT NULL) = 1),
            CHECK (legacy_ranges OR (
                (weight_kg IS NULL OR (weight_kg BETWEEN 2 AND 400 AND total_mg IS NOT NULL))
                AND (dose_mg IS NULL OR total_mg IS NOT NULL)
                AND (total_mg IS NULL OR total_mg BETWEEN 0.1 AND 20000)
                AND (rate_mg_per_kg_per_hour IS NOT NULL OR minutes BETWEEN 1 AND 1440)
                AND (dose_mg_per_kg IS NULL OR (drug = 'ketamine'
                     AND dose_mg_per_kg BETWEEN 0.05 AND (CASE route WHEN 'iv' THEN 2 WHEN 'subcutaneous' THEN 1 ELSE 5 END)))
                AND (dose_mg IS NULL OR (CASE drug
                     WHEN 'esketamine' THEN route = 'intranasal' AND (dose_mg = 28 OR dose_mg = 56 OR dose_mg = 84)
                     ELSE dose_mg BETWEEN (CASE route WHEN 'iv' THEN 1 WHEN 'subcutaneous' THEN 1 WHEN 'intranasal' THEN 10 ELSE 5 END)
                          AND (CASE route WHEN 'iv' THEN 400 WHEN 'intranasal' THEN 250 WHEN 'sublingual' THEN 300
                                          WHEN 'subcutaneous' THEN 100 ELSE 500 END) END))
                AND (rate_mg_per_kg_per_hour IS NULL OR (drug = 'ketamine' AND route = 'iv'
                     AND rate_mg_per_kg_per_hour BETWEEN 0.05 AND 2 AND minutes BETWEEN 1 AND 10080))
                AND (total_mg IS NULL OR rate_mg_per_kg_per_hour IS NOT NULL OR (dose_mg IS NULL AND weight_kg IS NULL)
                     OR abs(total_mg - coalesce(dose_mg, dose_mg_per_kg * weight_kg))
                        <= 0.1 * coalesce(dose_mg, dose_mg_per_kg * weight_kg)))),
            CHECK (NOT legacy_ranges OR (dose_mg_per_kg BETWEEN 0.05 AND 5 AND minutes >= 1))
        )
        """

    /// The columns an infusion had before the drugs and routes migration, copied as they were.
    static let infusionColumnsBeforeDrugs = """
        id, patient_id, condition_id, given_on, given_at, dose_mg_per_kg, rate_mg_per_kg_per_hour, weight_kg, total_mg, minutes,
        route, bp_before_systolic, bp_before_diastolic, bp_after_systolic, bp_after_diastolic, bp_discharge_systolic,
        bp_discharge_diastolic, heart_rate, oxygen_saturation, monitoring_minutes, concomitant_medication, sedation,
        dissociation, respiratory_depression, entered_in_error, legacy_ranges
        """

    /// Rebuilds the infusion table with ``infusionDefinition``, every row kept with its id (each
    /// was ketamine), AUTOINCREMENT's high-water mark kept and the indexes made again from their
    /// stored definitions; then makes the table of rate steps. GRDB runs migrations with foreign
    /// keys off and checks them all before committing.
    static func rebuildInfusionForDrugsAndRoutes(_ db: Database) throws {
        guard
            try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM sqlite_master WHERE type IN ('trigger', 'view') AND sql LIKE '%infusion%'")
                == 0
        else {
            throw DatabaseError(message: "a trigger or view uses the infusion table; it was not rebuilt")
        }
        let indexes = try String.fetchAll(
            db,
            sql:
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'infusion' AND sql IS NOT NULL ORDER BY name"
        )
        try db.execute(sql: infusionDefinition)
        try db.execute(
            sql: """
                INSERT INTO infusion_new (\(infusionColumnsBeforeDrugs)) SELECT \(infusionColumnsBeforeDrugs) FROM infusion;
                DELETE FROM sqlite_sequence WHERE name = 'infusion_new';
                INSERT INTO sqlite_sequence (name, seq) SELECT 'infusion_new', seq FROM sqlite_sequence WHERE name = 'infusion';
                DROP TABLE infusion;
                ALTER TABLE infusion_new RENAME TO infusion;
                """)
        for index in indexes { try db.execute(sql: index) }
        try db.execute(
            sql: """
                CREATE TABLE infusion_rate_step (
                    infusion_id INTEGER NOT NULL REFERENCES infusion(id) ON DELETE RESTRICT,
                    minute INTEGER NOT NULL CHECK (minute BETWEEN 1 AND 10079),
                    rate_mg_per_kg_per_hour DOUBLE NOT NULL CHECK (rate_mg_per_kg_per_hour BETWEEN 0 AND 2),
                    PRIMARY KEY (infusion_id, minute)
                );
                """)
    }
}
