import Foundation
import GRDB
import RegistryCore

/// The registry's schema, one named migration per change. A shipped migration is never edited:
/// a change to the schema is a new migration with a name that says what it does.
enum Schema {
    /// The migrator. `courseDays` gives each condition's course length in days (``Course/withinDays``),
    /// which the migration that gives every infusion a condition needs for patients with several;
    /// `clock` dates the audit rows migrations write.
    static func migrator(courseDays: [String: Int], clock: any WallClock) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("Create the registry: patients, identity, clinical records, audit") { db in
            try db.create(table: "registry_info") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
            // The key behind export pseudonyms: generated at init, never exported, never printed.
            try db.create(table: "pseudonym_secret") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("secret", .blob).notNull()
            }
            try db.create(table: "patient") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("sex", .text).notNull()
                t.column("enrolled_on", .text).notNull()
                t.column("research_consent", .boolean).notNull()
                t.column("consent_withdrawn_on", .text)
                t.column("consent_withdrawal_reason", .text)
                t.column("created_at", .text).notNull()
            }
            // Everything that identifies a patient, and nothing else. No export query reads it.
            try db.create(table: "patient_identity") { t in
                t.primaryKey("patient_id", .integer).references("patient", onDelete: .restrict)
                t.column("mrn", .text).notNull().unique()
                t.column("given_name", .text).notNull()
                t.column("family_name", .text).notNull()
                t.column("birth_date", .text).notNull()
            }
            try db.create(table: "patient_condition") { t in
                t.column("patient_id", .integer).notNull().references("patient", onDelete: .restrict)
                t.column("condition_id", .text).notNull()
                t.primaryKey(["patient_id", "condition_id"])
            }
            try db.create(table: "prior_treatment") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("patient_id", .integer).notNull().indexed().references("patient", onDelete: .restrict)
                t.column("category", .text).notNull()
                t.column("adequate_trials", .integer)
            }
            try db.create(table: "infusion") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("patient_id", .integer).notNull().indexed().references("patient", onDelete: .restrict)
                t.column("given_on", .text).notNull()
                t.column("given_at", .text)
                t.column("dose_mg_per_kg", .double).notNull().check { $0 >= 0.05 && $0 <= 5 }
                t.column("weight_kg", .double)
                t.column("total_mg", .double)
                t.column("minutes", .integer).notNull().check { $0 >= 1 }
                t.column("route", .text).notNull()
                t.column("bp_before_systolic", .integer)
                t.column("bp_before_diastolic", .integer)
                t.column("bp_after_systolic", .integer)
                t.column("bp_after_diastolic", .integer)
                t.column("bp_discharge_systolic", .integer)
                t.column("bp_discharge_diastolic", .integer)
                t.column("heart_rate", .integer)
                t.column("oxygen_saturation", .integer)
                t.column("monitoring_minutes", .integer)
                t.column("concomitant_medication", .text).notNull()  // JSON array of names
                t.column("sedation", .boolean).notNull()
                t.column("dissociation", .boolean).notNull()
                t.column("respiratory_depression", .boolean).notNull()
                t.column("entered_in_error", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "adverse_event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("patient_id", .integer).notNull().indexed().references("patient", onDelete: .restrict)
                t.column("infusion_id", .integer).indexed().references("infusion", onDelete: .restrict)
                t.column("term", .text).notNull()
                t.column("grade", .text).notNull()
                t.column("serious", .boolean).notNull()
                t.column("onset", .text).notNull()
                t.column("resolved_on", .text)
                t.column("entered_in_error", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "assessment") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("patient_id", .integer).notNull().indexed().references("patient", onDelete: .restrict)
                t.column("condition_id", .text).notNull()
                t.column("scale_id", .text).notNull()
                t.column("scale_version", .text).notNull()
                t.column("assessed_on", .text).notNull()
                t.column("timepoint", .text).notNull()
                t.column("answers", .text).notNull()  // JSON array of raw answers, null for unanswered
                t.column("score", .double).notNull()
                t.column("subscores", .text).notNull()  // JSON object name -> value
                t.column("band", .text)
                t.column("flags", .text).notNull()  // JSON array of flag ids
                t.column("entered_in_error", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "co_intervention") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("patient_id", .integer).notNull().indexed().references("patient", onDelete: .restrict)
                t.column("kind", .text).notNull()
                t.column("from_date", .text).notNull()
                t.column("to_date", .text)
                t.column("entered_in_error", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "audit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .text).notNull()
                t.column("actor", .text).notNull()
                t.column("action", .text).notNull()
                t.column("entity", .text).notNull()
                t.column("entity_id", .text).notNull()
                t.column("patient", .text).indexed()
                t.column("before", .text)
                t.column("after", .text)
                t.column("reason", .text)
            }
            // The audit trail is append-only: the database itself refuses to change or remove a row.
            try db.execute(
                sql: """
                    CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
                    BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: they cannot be changed'); END;
                    CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
                    BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: they cannot be deleted'); END;
                    """)
        }
        migrator.registerMigration("Add research endpoints, export schedules, the outbox and patient.age_at_day_zero") {
            db in
            try db.create(table: "endpoint") { t in
                t.primaryKey("name", .text)
                t.column("url", .text).notNull()
                t.column("token_file", .text)
                t.column("token_environment", .text)
                t.column("ca_file", .text)
                t.column("profile", .text).notNull()
                t.column("min_cell", .integer).notNull()
                t.column("k", .integer).notNull()
                t.column("timeout_seconds", .integer).notNull()
                t.column("created_at", .text).notNull()
                t.column("removed_at", .text)
            }
            try db.create(table: "export_schedule") { t in
                t.primaryKey("endpoint", .text).references("endpoint", onDelete: .restrict)
                t.column("every", .text).notNull()
                t.column("created_at", .text).notNull()
            }
            // What leaves the clinic, stored before it is sent: the id is the idempotency key.
            try db.create(table: "outbox") { t in
                t.primaryKey("id", .text)
                t.column("endpoint", .text).notNull().indexed().references("endpoint", onDelete: .restrict)
                t.column("profile", .text).notNull()
                t.column("schema", .text).notNull()
                t.column("period_key", .text)
                t.column("payload", .blob).notNull()
                t.column("payload_sha256", .text).notNull()
                t.column("patients", .integer).notNull()
                t.column("created_at", .text).notNull()
                t.column("state", .text).notNull().check { ["pending", "delivered", "failed"].contains($0) }
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("next_attempt_at", .text).notNull()
                t.column("last_status", .integer)
                t.column("last_error", .text)
                t.column("delivered_at", .text)
                t.column("response_digest", .text)
                t.column("lease_owner", .text)
                t.column("lease_until", .text)
            }
            // One scheduled export per endpoint and period, however many run-due processes race.
            try db.create(
                index: "outbox_one_per_period", on: "outbox", columns: ["endpoint", "period_key"], unique: true,
                condition: Column("period_key") != nil)
            // Age at the first infusion, kept by the clinical writes so that exports never read
            // the identity table.
            try db.alter(table: "patient") { t in t.add(column: "age_at_day_zero", .integer) }
            // The same rule as Registry.refreshAgeAtDayZero, written out here on purpose: a shipped
            // migration must not change when later code does.
            try db.execute(
                sql: """
                    UPDATE patient SET age_at_day_zero = (
                        SELECT CAST(strftime('%Y', first.day) AS INTEGER) - CAST(strftime('%Y', identity.birth_date) AS INTEGER)
                             - (strftime('%m-%d', first.day) < strftime('%m-%d', identity.birth_date))
                        FROM patient_identity identity,
                             (SELECT MIN(given_on) AS day FROM infusion WHERE infusion.patient_id = patient.id AND NOT entered_in_error) first
                        WHERE identity.patient_id = patient.id AND first.day IS NOT NULL)
                    """)
        }
        migrator.registerMigration(
            "Give every infusion a condition and a dose or a rate; add observations during infusions and course markers"
        ) { db in
            try infusionsBelongToConditions(db, courseDays: courseDays, at: isoTimestamp(clock.now()))
        }
        migrator.registerMigration(
            "Chain every audit row to the one before it with SHA-256, and record the operating-system account"
        ) { db in
            try db.alter(table: "audit") { t in
                t.add(column: "account", .text)
                t.add(column: "hash", .text)
            }
            // The rows written before the chain are chained now, in order; the append-only triggers
            // step aside for this one migration and come back as they were.
            try db.execute(sql: "DROP TRIGGER audit_is_append_only_update; DROP TRIGGER audit_is_append_only_delete")
            var previous = AuditChain.genesis
            let rows = try Row.fetchCursor(
                db,
                sql:
                    "SELECT id, at, actor, action, entity, entity_id, patient, before, after, reason FROM audit ORDER BY id"
            )
            let update = try db.makeStatement(sql: "UPDATE audit SET hash = ? WHERE id = ?")
            while let row = try rows.next() {
                let id: Int64 = row["id"]
                previous = AuditChain.hash(
                    previous: previous,
                    fields: [
                        String(id), row["at"], row["actor"], nil, row["action"], row["entity"],
                        row["entity_id"], row["patient"], row["before"], row["after"], row["reason"],
                    ])
                try update.execute(arguments: [previous, id])
            }
            try db.execute(sql: Self.appendOnlyTriggers)
        }
        migrator.registerMigration("Add outbox.content_sha256: each payload's digest without its audit-chain head") {
            db in
            try db.alter(table: "outbox") { t in t.add(column: "content_sha256", .text) }
        }
        migrator.registerMigration("Add contact details to patient_identity: phone, email, address") { db in
            try db.alter(table: "patient_identity") { t in
                t.add(column: "phone", .text)
                t.add(column: "email", .text)
                t.add(column: "address", .text)
            }
        }
        migrator.registerMigration(
            "Let a patient's conditions start and end: patient_condition.started_on, ended_on, end_reason"
        ) { db in
            try db.alter(table: "patient_condition") { t in
                t.add(column: "started_on", .text)
                t.add(column: "ended_on", .text)
                t.add(column: "end_reason", .text)
            }
        }
        migrator.registerMigration("Keep research consent as a history of decisions, each with its day: consent_event")
        { db in
            try db.execute(
                sql: """
                    CREATE TABLE consent_event (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        patient_id INTEGER NOT NULL REFERENCES patient(id),
                        research BOOLEAN NOT NULL,
                        on_date TEXT NOT NULL,
                        reason TEXT,
                        recorded_at TEXT NOT NULL
                    );
                    CREATE INDEX consent_event_patient ON consent_event(patient_id, on_date);
                    INSERT INTO consent_event (patient_id, research, on_date, reason, recorded_at)
                        SELECT id, 1, enrolled_on, 'at enrolment', created_at FROM patient
                        WHERE research_consent OR consent_withdrawn_on IS NOT NULL;
                    INSERT INTO consent_event (patient_id, research, on_date, reason, recorded_at)
                        SELECT id, 0, consent_withdrawn_on, consent_withdrawal_reason, created_at FROM patient
                        WHERE consent_withdrawn_on IS NOT NULL;
                    """)
        }
        migrator.registerMigration(
            "Make every safety flag a record with its rule, its source and its review: safety_flag"
        ) { db in
            try db.execute(
                sql: """
                    CREATE TABLE safety_flag (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        patient_id INTEGER NOT NULL REFERENCES patient(id),
                        flag TEXT NOT NULL,
                        rule TEXT NOT NULL,
                        source TEXT NOT NULL,
                        raised_on TEXT NOT NULL,
                        raised_at TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('open', 'reviewed')),
                        reviewed_by TEXT,
                        reviewed_at TEXT,
                        action TEXT,
                        CHECK ((state = 'open') = (reviewed_at IS NULL))
                    );
                    CREATE INDEX safety_flag_patient ON safety_flag(patient_id, state);
                    """)
            // Flags stored on assessments before they were records become open flags.
            let rows = try Row.fetchAll(
                db,
                sql:
                    "SELECT id, patient_id, scale_id, assessed_on, flags FROM assessment WHERE NOT entered_in_error AND flags <> '[]' ORDER BY id"
            )
            for row in rows {
                for flag in try storedStringList(
                    row["flags"], "the safety flags of \(RecordKind.assessment.displayID(row["id"]))")
                {
                    try db.execute(
                        sql: """
                            INSERT INTO safety_flag (patient_id, flag, rule, source, raised_on, raised_at, state)
                            VALUES (?, ?, ?, ?, ?, ?, 'open')
                            """,
                        arguments: [
                            row["patient_id"], flag,
                            "raised by the \(row["scale_id"] as String) safety check when entered",
                            RecordKind.assessment.displayID(row["id"]), row["assessed_on"], isoTimestamp(clock.now()),
                        ])
                }
            }
        }
        migrator.registerMigration("Remember what each summary cell was published with, and for which patients") { db in
            // Export bookkeeping, never sent: a summary cell is republished unchanged until enough
            // patients have joined or left it (see SummaryReleaseMemory).
            try db.execute(
                sql: """
                    CREATE TABLE summary_cell (
                        key TEXT PRIMARY KEY NOT NULL,
                        cell_values TEXT NOT NULL,
                        computed_in TEXT NOT NULL,
                        releases TEXT NOT NULL
                    );
                    CREATE TABLE summary_cell_member (
                        key TEXT NOT NULL REFERENCES summary_cell(key),
                        patient INTEGER NOT NULL,
                        since INTEGER NOT NULL,
                        until INTEGER,
                        PRIMARY KEY (key, patient, since)
                    );
                    """)
        }
        migrator.registerMigration("Check an infusion's route with comparisons, not an IN list") { db in
            try rebuildInfusionWithRouteComparisons(db)
        }
        let noteMigration = "Add co_intervention.note: what an 'other' co-intervention was, in the clinic's words"
        migrator.registerMigration(noteMigration) { db in
            try db.execute(sql: "ALTER TABLE co_intervention ADD COLUMN note TEXT")
        }
        migrator.registerMigration("Let one infusion count for several of the patient's conditions: infusion_also_for")
        {
            db in
            try db.execute(
                sql: """
                    CREATE TABLE infusion_also_for (
                        infusion_id INTEGER NOT NULL REFERENCES infusion(id) ON DELETE RESTRICT,
                        patient_id INTEGER NOT NULL,
                        condition_id TEXT NOT NULL,
                        PRIMARY KEY (infusion_id, condition_id),
                        FOREIGN KEY (patient_id, condition_id) REFERENCES patient_condition(patient_id, condition_id)
                            ON DELETE RESTRICT
                    );
                    CREATE INDEX infusion_also_for_by_condition ON infusion_also_for (patient_id, condition_id);
                    """)
        }
        migrator.registerMigration(drugsAndRoutesMigration) { db in try rebuildInfusionForDrugsAndRoutes(db) }
        migrator.registerMigration(receiptsMigration) { db in try keepReceipts(db) }
        migrator.registerMigration(floorsMigration) { db in try holdEndpointFloors(db) }
        return migrator
    }
}
