import Foundation
import GRDB
import RegistryCore

/// What the migrations do that takes more than a statement: rebuilding a table to change a
/// CHECK, the append-only triggers, and deciding which condition each old infusion was for.
extension Schema {
    /// The route's CHECK as the infusion table was first made with it, and as it is now. The two
    /// allow the same values (a test writes every route, and others, behind the program's back).
    /// For an IN list of more than two values SQLite builds a temporary table on every insert: on
    /// a bare table here, 7.7 µs an insert against 2.3 µs with the comparisons.
    static let routeCheckAsList = "CHECK (route IN ('iv', 'im', 'intranasal', 'oral'))"
    static let routeCheckAsComparisons =
        "CHECK (route = 'iv' OR route = 'im' OR route = 'intranasal' OR route = 'oral')"

    /// SQLite changes a CHECK only by building the table again: the new table from the stored
    /// definition with the one CHECK replaced, the rows copied with their ids, AUTOINCREMENT's
    /// high-water mark kept, the old table dropped, the new one renamed and its indexes made again
    /// from their stored definitions. GRDB runs migrations with foreign keys off and checks them
    /// all before committing.
    static func rebuildInfusionWithRouteComparisons(_ db: Database) throws {
        guard
            let definition = try String.fetchOne(
                db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'infusion'"),
            definition.components(separatedBy: routeCheckAsList).count == 2,
            let prefix = ["CREATE TABLE \"infusion\" (", "CREATE TABLE infusion ("].first(where: definition.hasPrefix)
        else {
            throw DatabaseError(
                message:
                    "the infusion table is not as KetaReg's own migrations made it; its route check was not changed")
        }
        let rebuilt =
            "CREATE TABLE infusion_new ("
            + definition.dropFirst(prefix.count).replacingOccurrences(
                of: routeCheckAsList, with: routeCheckAsComparisons)
        let indexes = try String.fetchAll(
            db,
            sql:
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'infusion' AND sql IS NOT NULL ORDER BY name"
        )
        guard
            try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM sqlite_master WHERE type IN ('trigger', 'view') AND sql LIKE '%infusion%'")
                == 0
        else {
            throw DatabaseError(message: "a trigger or view uses the infusion table; its route check was not changed")
        }
        try db.execute(sql: rebuilt)
        try db.execute(sql: "INSERT INTO infusion_new SELECT * FROM infusion")
        try db.execute(
            sql: """
                DELETE FROM sqlite_sequence WHERE name = 'infusion_new';
                INSERT INTO sqlite_sequence (name, seq) SELECT 'infusion_new', seq FROM sqlite_sequence WHERE name = 'infusion';
                DROP TABLE infusion;
                ALTER TABLE infusion_new RENAME TO infusion;
                """)
        for index in indexes { try db.execute(sql: index) }
    }

    /// The triggers that make the audit table append-only; `ketareg verify` checks they are there,
    /// exactly so.
    static let appendOnlyTriggers = """
        CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: they cannot be changed'); END;
        CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: they cannot be deleted'); END;
        """

    /// Rebuilds the infusion table (SQLite cannot add CHECK constraints or drop NOT NULL in place)
    /// with a condition for every infusion, a rate beside the dose, and CHECK constraints that say
    /// what `InfusionEntry.validated` says. Rows outside today's ranges, recorded under the old
    /// ones, are kept as they were and marked `legacy_ranges`. Each infusion's new condition is
    /// written to the audit trail.
    static func infusionsBelongToConditions(_ db: Database, courseDays: [String: Int], at now: String) throws {
        // Which condition each infusion belongs to: the patient's only condition; else the first of
        // the patient's conditions (in enrolment order) whose first course, counted from the
        // patient's first infusion, contains it; else the first condition.
        try db.execute(
            sql:
                "CREATE TEMPORARY TABLE infusion_condition (infusion_id INTEGER PRIMARY KEY, condition_id TEXT NOT NULL, why TEXT NOT NULL)"
        )
        let conditions = Dictionary(
            grouping: try Row.fetchAll(
                db, sql: "SELECT patient_id, condition_id FROM patient_condition ORDER BY rowid"),
            by: { $0["patient_id"] as Int64 }
        ).mapValues { $0.map { $0["condition_id"] as String } }
        let rows = try Row.fetchAll(
            db, sql: "SELECT id, patient_id, given_on FROM infusion ORDER BY patient_id, given_on, id")
        var dayZero: [Int64: Int] = [:]
        for row in rows {
            let patient: Int64 = row["patient_id"]
            let given = try ClinicalDate.parse(row["given_on"], field: "given_on").dayNumber
            let own = conditions[patient] ?? []
            let first = dayZero[patient] ?? given
            dayZero[patient] = first
            let condition: String
            let why: String
            if own.count == 1 {
                (condition, why) = (own[0], "the patient's only condition")
            } else if let containing = own.first(where: { courseDays[$0].map { given - first < $0 } ?? false }) {
                (condition, why) = (
                    containing,
                    "the first of the patient's conditions whose first course (from day 0, \(courseDays[containing]!) days) contains it"
                )
            } else {
                (condition, why) = (
                    own.first ?? "unknown", "the patient's first condition: no condition's first course contains it"
                )
            }
            try db.execute(
                sql: "INSERT INTO infusion_condition VALUES (?, ?, ?)", arguments: [row["id"], condition, why])
        }

        try db.execute(
            sql: """
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
                    route TEXT NOT NULL CHECK (route IN ('iv', 'im', 'intranasal', 'oral')),
                    bp_before_systolic INTEGER, bp_before_diastolic INTEGER,
                    bp_after_systolic INTEGER, bp_after_diastolic INTEGER,
                    bp_discharge_systolic INTEGER, bp_discharge_diastolic INTEGER,
                    heart_rate INTEGER, oxygen_saturation INTEGER, monitoring_minutes INTEGER,
                    concomitant_medication TEXT NOT NULL,
                    sedation BOOLEAN NOT NULL, dissociation BOOLEAN NOT NULL, respiratory_depression BOOLEAN NOT NULL,
                    entered_in_error BOOLEAN NOT NULL DEFAULT 0,
                    legacy_ranges BOOLEAN NOT NULL DEFAULT 0,
                    FOREIGN KEY (patient_id, condition_id) REFERENCES patient_condition(patient_id, condition_id) ON DELETE RESTRICT,
                    -- A dose (bolus or timed infusion) or a rate (continuous infusion), never both.
                    CHECK ((dose_mg_per_kg IS NULL) <> (rate_mg_per_kg_per_hour IS NULL)),
                    -- Today's ranges (InfusionEntry.validated), which always stores the total when the weight is known.
                    CHECK (legacy_ranges OR (
                        (weight_kg IS NULL OR (weight_kg BETWEEN 2 AND 400 AND total_mg IS NOT NULL))
                        AND (total_mg IS NULL OR total_mg BETWEEN 0.1 AND 20000)
                        AND (dose_mg_per_kg IS NULL OR (minutes BETWEEN 1 AND 1440
                             AND dose_mg_per_kg BETWEEN 0.05 AND (CASE route WHEN 'iv' THEN 2 ELSE 5 END)))
                        AND (rate_mg_per_kg_per_hour IS NULL OR (route = 'iv' AND rate_mg_per_kg_per_hour BETWEEN 0.05 AND 2
                             AND minutes BETWEEN 1 AND 10080))
                        AND (weight_kg IS NULL OR total_mg IS NULL
                             OR abs(total_mg - coalesce(dose_mg_per_kg, rate_mg_per_kg_per_hour * minutes / 60.0) * weight_kg)
                                <= 0.1 * (coalesce(dose_mg_per_kg, rate_mg_per_kg_per_hour * minutes / 60.0) * weight_kg)))),
                    -- Rows recorded under the first schema's ranges.
                    CHECK (NOT legacy_ranges OR (dose_mg_per_kg BETWEEN 0.05 AND 5 AND minutes >= 1))
                )
                """)
        let columns = """
            patient_id, given_on, given_at, weight_kg, total_mg, minutes, route, bp_before_systolic, bp_before_diastolic,
            bp_after_systolic, bp_after_diastolic, bp_discharge_systolic, bp_discharge_diastolic, heart_rate, oxygen_saturation,
            monitoring_minutes, concomitant_medication, sedation, dissociation, respiratory_depression, entered_in_error
            """
        try db.execute(
            sql: """
                INSERT INTO infusion_new (id, condition_id, dose_mg_per_kg, legacy_ranges, \(columns))
                SELECT infusion.id, infusion_condition.condition_id, dose_mg_per_kg,
                       NOT ((weight_kg IS NULL OR (weight_kg BETWEEN 2 AND 400 AND total_mg IS NOT NULL))
                            AND (total_mg IS NULL OR total_mg BETWEEN 0.1 AND 20000)
                            AND minutes BETWEEN 1 AND 1440
                            AND dose_mg_per_kg BETWEEN 0.05 AND (CASE route WHEN 'iv' THEN 2 ELSE 5 END)
                            AND (weight_kg IS NULL OR total_mg IS NULL OR abs(total_mg - dose_mg_per_kg * weight_kg) <= 0.1 * (dose_mg_per_kg * weight_kg))),
                       \(columns.replacingOccurrences(of: "patient_id,", with: "infusion.patient_id,"))
                FROM infusion JOIN infusion_condition ON infusion_condition.infusion_id = infusion.id
                """)
        // Keep AUTOINCREMENT's high-water mark, so no id of a removed row is reused.
        try db.execute(
            sql: """
                UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'infusion') WHERE name = 'infusion_new'
                """)
        try db.execute(sql: "DROP TABLE infusion")
        try db.execute(sql: "ALTER TABLE infusion_new RENAME TO infusion")
        try db.execute(sql: "CREATE INDEX infusion_on_patient_id ON infusion(patient_id)")
        try db.execute(sql: "CREATE INDEX infusion_on_patient_condition ON infusion(patient_id, condition_id)")

        // The audit trail says what the migration decided for each infusion.
        try db.execute(
            sql: """
                INSERT INTO audit (at, actor, action, entity, entity_id, patient, before, after, reason)
                SELECT ?, 'ketareg migration', 'migrate', 'infusion',
                       'I-' || substr('000000' || infusion.id, -max(6, length(infusion.id))),
                       'P-' || substr('000000' || infusion.patient_id, -max(6, length(infusion.patient_id))),
                       '{"condition":null}',
                       json_object('condition', infusion.condition_id, 'legacyRanges', json(CASE WHEN legacy_ranges THEN 'true' ELSE 'false' END)),
                       'infusions now belong to one condition: ' || infusion_condition.why
                           || CASE WHEN legacy_ranges THEN '; recorded outside the ranges of 2026-11 and kept as it was' ELSE '' END
                FROM infusion JOIN infusion_condition ON infusion_condition.infusion_id = infusion.id
                ORDER BY infusion.id
                """, arguments: [now])
        try db.execute(sql: "DROP TABLE infusion_condition")

        try db.create(table: "infusion_observation") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("infusion_id", .integer).notNull().indexed().references("infusion", onDelete: .restrict)
            t.column("patient_id", .integer).notNull().indexed().references("patient", onDelete: .restrict)
            t.column("observed_on", .text).notNull()
            t.column("observed_at", .text).notNull()
            t.column("bp_systolic", .integer).check { $0 == nil || ($0 >= 50 && $0 <= 300) }
            t.column("bp_diastolic", .integer).check { $0 == nil || ($0 >= 20 && $0 <= 200) }
            t.column("heart_rate", .integer).check { $0 == nil || ($0 >= 20 && $0 <= 250) }
            t.column("oxygen_saturation", .integer).check { $0 == nil || ($0 >= 50 && $0 <= 100) }
            t.column("sedation", .boolean).notNull()
            t.column("dissociation", .boolean).notNull()
            t.column("respiratory_depression", .boolean).notNull()
            t.column("entered_in_error", .boolean).notNull().defaults(to: false)
        }
        try db.create(table: "course_event") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("patient_id", .integer).notNull().indexed()
            t.column("condition_id", .text).notNull()
            t.column("kind", .text).notNull().check { ["start", "end"].contains($0) }
            t.column("on_date", .text).notNull()
            t.column("course_kind", .text).check { $0 == nil || ["induction", "re-treatment"].contains($0) }
            t.column("reason", .text)
            t.column("entered_in_error", .boolean).notNull().defaults(to: false)
            t.foreignKey(
                ["patient_id", "condition_id"], references: "patient_condition",
                columns: ["patient_id", "condition_id"], onDelete: .restrict)
        }
    }
}
