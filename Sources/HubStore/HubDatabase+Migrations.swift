import Crypto
import Foundation
import HubCore
import Logging
import NIOCore
import NIOPosix
import PayloadFormat
import PostgresNIO

extension HubDatabase {
    /// The named migrations, in order. A migration is never edited once released: a change is a new one.
    static let migrations: [(name: String, sql: [String])] = [
        (
            "001-clinics-payloads-and-unpacked-tables",
            [
                """
                CREATE TABLE clinics (
                    id serial PRIMARY KEY,
                    name text NOT NULL UNIQUE,
                    token_sha256 bytea NOT NULL UNIQUE,
                    added_at timestamptz NOT NULL DEFAULT now(),
                    -- Set by `clinic revoke`: the token is refused from then on; what was received stays.
                    revoked_at timestamptz
                )
                """,
                "CREATE TABLE settings (name text PRIMARY KEY, value text NOT NULL)",
                "INSERT INTO settings (name, value) VALUES ('minimum-cell-size', '\(Pooling.defaultMinimumCellSize)')",
                """
                CREATE TABLE payloads (
                    id bigserial PRIMARY KEY,
                    clinic_id integer NOT NULL REFERENCES clinics (id),
                    idempotency_key text NOT NULL,
                    digest text NOT NULL,
                    schema text NOT NULL,
                    kind text NOT NULL,
                    period text NOT NULL,
                    audit_chain_head text,
                    size_bytes integer NOT NULL,
                    body bytea NOT NULL,
                    received_at timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (clinic_id, idempotency_key)
                )
                """,
                "CREATE INDEX payloads_by_clinic_kind_period ON payloads (clinic_id, kind, period, id)",
                """
                CREATE TABLE summary_conditions (
                    payload_id bigint NOT NULL REFERENCES payloads (id),
                    clinic_id integer NOT NULL REFERENCES clinics (id),
                    period text NOT NULL,
                    condition text NOT NULL,
                    patients bigint,
                    suppressed boolean NOT NULL,
                    computed_in text NOT NULL,
                    PRIMARY KEY (payload_id, condition)
                )
                """,
                """
                CREATE TABLE summary_timepoints (
                    payload_id bigint NOT NULL REFERENCES payloads (id),
                    clinic_id integer NOT NULL REFERENCES clinics (id),
                    period text NOT NULL,
                    condition text NOT NULL,
                    scale text NOT NULL,
                    timepoint text NOT NULL,
                    patients bigint,
                    mean double precision,
                    median double precision,
                    q1 double precision,
                    q3 double precision,
                    mean_change_from_baseline double precision,
                    suppressed boolean NOT NULL,
                    computed_in text NOT NULL,
                    PRIMARY KEY (payload_id, condition, scale, timepoint)
                )
                """,
                """
                CREATE TABLE summary_outcomes (
                    payload_id bigint NOT NULL REFERENCES payloads (id),
                    clinic_id integer NOT NULL REFERENCES clinics (id),
                    period text NOT NULL,
                    condition text NOT NULL,
                    outcome text NOT NULL,
                    scale text NOT NULL,
                    subscore text NOT NULL DEFAULT '',
                    outcome_window text NOT NULL,
                    visit text NOT NULL DEFAULT '',
                    rule text NOT NULL,
                    eligible bigint,
                    assessed bigint,
                    missing bigint,
                    met bigint,
                    rate double precision,
                    suppressed boolean NOT NULL,
                    computed_in text NOT NULL,
                    PRIMARY KEY (payload_id, condition, outcome, scale, subscore, outcome_window, visit)
                )
                """,
                "CREATE INDEX summary_outcomes_by_outcome ON summary_outcomes (condition, outcome, scale, outcome_window, visit)",
                """
                CREATE TABLE records_patients (
                    payload_id bigint NOT NULL REFERENCES payloads (id),
                    clinic_id integer NOT NULL REFERENCES clinics (id),
                    period text NOT NULL,
                    pseudonym text NOT NULL,
                    age_band text NOT NULL,
                    sex text NOT NULL,
                    conditions text[] NOT NULL,
                    detail text NOT NULL,
                    PRIMARY KEY (payload_id, pseudonym)
                )
                """,
                "CREATE INDEX records_patients_by_pseudonym ON records_patients (clinic_id, pseudonym)",
                """
                CREATE TABLE records_assessments (
                    payload_id bigint NOT NULL REFERENCES payloads (id),
                    clinic_id integer NOT NULL REFERENCES clinics (id),
                    pseudonym text NOT NULL,
                    scale text NOT NULL,
                    timepoint text NOT NULL,
                    week integer,
                    score double precision NOT NULL,
                    band text
                )
                """,
                "CREATE INDEX records_assessments_by_pseudonym ON records_assessments (clinic_id, pseudonym)",
                "CREATE INDEX records_assessments_by_payload ON records_assessments (payload_id)",
                """
                CREATE TABLE records_infusions (
                    payload_id bigint NOT NULL REFERENCES payloads (id),
                    clinic_id integer NOT NULL REFERENCES clinics (id),
                    pseudonym text NOT NULL,
                    condition text NOT NULL,
                    week integer,
                    minutes text NOT NULL,
                    dose_mg_per_kg text,
                    rate_mg_per_kg_per_hour text,
                    route text
                )
                """,
                "CREATE INDEX records_infusions_by_pseudonym ON records_infusions (clinic_id, pseudonym)",
                // The payload that counts for each clinic, kind and period: the newest received. Older
                // ones stay stored.
                """
                CREATE VIEW current_payloads AS
                SELECT DISTINCT ON (clinic_id, kind, period) id, clinic_id, kind, schema, period, digest, audit_chain_head, received_at
                FROM payloads ORDER BY clinic_id, kind, period, id DESC
                """,
                // Each clinic's latest summary: its latest period, and the newest payload for it.
                """
                CREATE VIEW latest_summaries AS
                SELECT DISTINCT ON (clinic_id) id, clinic_id, period, received_at
                FROM payloads WHERE kind = 'summary' ORDER BY clinic_id, period DESC, id DESC
                """,
                """
                CREATE VIEW latest_summary_outcomes AS
                SELECT c.name AS clinic, o.*
                FROM summary_outcomes o JOIN latest_summaries l ON l.id = o.payload_id JOIN clinics c ON c.id = o.clinic_id
                """,
            ]
        ),
        (
            // ketareg-summary/4: each outcome row names the protocol its courses ran under, and a
            // payload may carry rows of several protocols; rows from a /3 summary have none ('').
            "002-outcome-protocols",
            [
                "ALTER TABLE summary_outcomes ADD COLUMN protocol text NOT NULL DEFAULT ''",
                "ALTER TABLE summary_outcomes DROP CONSTRAINT summary_outcomes_pkey",
                "ALTER TABLE summary_outcomes ADD PRIMARY KEY (payload_id, condition, protocol, outcome, scale, subscore, outcome_window, visit)",
                """
                CREATE OR REPLACE VIEW latest_summary_outcomes AS
                SELECT c.name AS clinic, o.*
                FROM summary_outcomes o JOIN latest_summaries l ON l.id = o.payload_id JOIN clinics c ON c.id = o.clinic_id
                """,
            ]
        ),
        (
            // ketareg-records/4: each infusion names its drug and, when fixed, its dose in mg (rows
            // from a /3 payload were ketamine) ...
            "003-infusion-drugs",
            [
                "ALTER TABLE records_infusions ADD COLUMN drug text NOT NULL DEFAULT 'ketamine'",
                "ALTER TABLE records_infusions ADD COLUMN dose_mg text",
                // ... and names the protocols its released courses ran under, by condition.
                """
                CREATE TABLE records_protocols (
                    payload_id bigint NOT NULL REFERENCES payloads (id),
                    clinic_id integer NOT NULL REFERENCES clinics (id),
                    condition text NOT NULL,
                    protocol text NOT NULL,
                    course text NOT NULL,
                    PRIMARY KEY (payload_id, condition, protocol)
                )
                """,
            ]
        ),
        (
            // Receipts: ketareg-summary/6 and ketareg-records/5 say how many audit rows their chain
            // head closes, and the hub answers each stored payload with a receipt signed by its own
            // Ed25519 key (made by `init`, in this table, never sent anywhere).
            "004-receipts",
            [
                "ALTER TABLE payloads ADD COLUMN audit_chain_rows bigint CHECK (audit_chain_rows >= 1)",
                """
                CREATE TABLE signing_key (
                    only_one boolean PRIMARY KEY DEFAULT true CHECK (only_one),
                    private_key bytea NOT NULL CHECK (length(private_key) = 32),
                    public_key text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now()
                )
                """,
            ]
        ),
        (
            // An operator can retract a payload (a clinic's clock years ahead, a payload sent in
            // error): it stays stored, with when and why, and no longer counts.
            "005-retractions",
            [
                "ALTER TABLE payloads ADD COLUMN retracted_at timestamptz",
                "ALTER TABLE payloads ADD COLUMN retract_reason text",
                """
                CREATE OR REPLACE VIEW current_payloads AS
                SELECT DISTINCT ON (clinic_id, kind, period) id, clinic_id, kind, schema, period, digest, audit_chain_head, received_at
                FROM payloads WHERE retracted_at IS NULL ORDER BY clinic_id, kind, period, id DESC
                """,
                """
                CREATE OR REPLACE VIEW latest_summaries AS
                SELECT DISTINCT ON (clinic_id) id, clinic_id, period, received_at
                FROM payloads WHERE kind = 'summary' AND retracted_at IS NULL ORDER BY clinic_id, period DESC, id DESC
                """,
            ]
        ),
    ]

    /// Applies the migrations not yet applied, each in its own transaction, under an advisory lock
    /// so that two `init`s at once do not race. Returns the names applied now.
    public func migrate() async throws -> [String] {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(4242020301)", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS hub_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                logger: logger)
            var applied = Set<String>()
            for try await name in try await connection.query("SELECT name FROM hub_migrations", logger: logger).decode(
                String.self)
            {
                applied.insert(name)
            }
            var now: [String] = []
            for migration in Self.migrations where !applied.contains(migration.name) {
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO hub_migrations (name) VALUES (\(migration.name))", logger: logger)
                now.append(migration.name)
            }
            // The hub's signing key, made once: receipts signed by it are what clinics check.
            let key = HubSigningKey()
            try await connection.query(
                """
                INSERT INTO signing_key (private_key, public_key)
                SELECT \(ByteBuffer(bytes: key.rawRepresentation)), \(key.publicKey.description)
                WHERE NOT EXISTS (SELECT 1 FROM signing_key)
                """, logger: logger)
            return now
        }
    }

    /// The names of the migrations applied to the database, in name order.
    public func migrationNames() async throws -> [String] {
        var names: [String] = []
        for try await name in try await client.query("SELECT name FROM hub_migrations ORDER BY name", logger: logger)
            .decode(String.self)
        {
            names.append(name)
        }
        return names
    }
}
