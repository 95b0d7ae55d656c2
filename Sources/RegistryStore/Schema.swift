import GRDB

/// The registry's schema, one named migration per change. A shipped migration is never edited:
/// a change to the schema is a new migration with a name that says what it does.
enum Schema {
    static var migrator: DatabaseMigrator {
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
                t.column("concomitant_medication", .text).notNull() // JSON array of names
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
                t.column("answers", .text).notNull()   // JSON array of raw answers, null for unanswered
                t.column("score", .double).notNull()
                t.column("subscores", .text).notNull() // JSON object name -> value
                t.column("band", .text)
                t.column("flags", .text).notNull()     // JSON array of flag ids
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
            try db.execute(sql: """
                CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
                BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: they cannot be changed'); END;
                CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
                BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: they cannot be deleted'); END;
                """)
        }
        migrator.registerMigration("Add research endpoints, export schedules, the outbox and patient.age_at_day_zero") { db in
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
            try db.create(index: "outbox_one_per_period", on: "outbox", columns: ["endpoint", "period_key"], unique: true,
                          condition: Column("period_key") != nil)
            // Age at the first infusion, kept by the clinical writes so that exports never read
            // the identity table.
            try db.alter(table: "patient") { t in t.add(column: "age_at_day_zero", .integer) }
            // The same rule as Registry.refreshAgeAtDayZero, written out here on purpose: a shipped
            // migration must not change when later code does.
            try db.execute(sql: """
                UPDATE patient SET age_at_day_zero = (
                    SELECT CAST(strftime('%Y', first.day) AS INTEGER) - CAST(strftime('%Y', identity.birth_date) AS INTEGER)
                         - (strftime('%m-%d', first.day) < strftime('%m-%d', identity.birth_date))
                    FROM patient_identity identity,
                         (SELECT MIN(given_on) AS day FROM infusion WHERE infusion.patient_id = patient.id AND NOT entered_in_error) first
                    WHERE identity.patient_id = patient.id AND first.day IS NOT NULL)
                """)
        }
        return migrator
    }
}
