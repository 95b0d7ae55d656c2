import Crypto
import Foundation
import HubCore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

extension HubDatabase {
    // MARK: Receiving

    /// What storing a payload did.
    public enum StoreOutcome: Sendable, Equatable {
        /// Stored now, with its id and the moment the database stored it.
        case stored(Int, receivedAt: Date)
        /// The same key and the same bytes were stored before (with that id, at that moment):
        /// nothing stored now.
        case replay(Int, receivedAt: Date)
        /// The same key came before with different bytes: nothing stored.
        case conflict
        /// The payload's period is more than a month after the database's date: nothing stored
        /// (a clinic whose clock runs years ahead would otherwise become "latest" for good). The
        /// latest period accepted now.
        case ahead(latest: String)
    }

    /// Stores a payload and its unpacked rows in one transaction, once per clinic and key. Two hub
    /// processes storing the same key at once: the unique index makes the second wait for the
    /// first, then find its row.
    public func store(_ payload: ReceivedPayload, body: Data, clinic: Int, key: String) async throws -> StoreOutcome {
        try await client.withTransaction(logger: logger) { connection in
            let latest = try await connection.query(
                "SELECT to_char((now() AT TIME ZONE 'UTC') + interval '1 month', 'YYYY-MM')", logger: logger)
            for try await (month) in latest.decode(String.self) where payload.period > month {
                return StoreOutcome.ahead(latest: month)
            }
            let inserted = try await connection.query(
                """
                INSERT INTO payloads (clinic_id, idempotency_key, digest, schema, kind, period, audit_chain_head,
                                      audit_chain_rows, size_bytes, body)
                VALUES (\(clinic), \(key), \(payload.digest), \(payload.schema), \(payload.kind.rawValue), \(payload.period),
                        \(payload.auditChainHead), \(payload.auditChainRows), \(body.count), \(ByteBuffer(bytes: body)))
                ON CONFLICT (clinic_id, idempotency_key) DO NOTHING
                RETURNING id, received_at
                """, logger: logger)
            var stored: (id: Int, at: Date)?
            for try await (id, at) in inserted.decode((Int, Date).self) { stored = (id, at) }
            guard let stored else {
                let earlier = try await connection.query(
                    "SELECT id, digest, received_at FROM payloads WHERE clinic_id = \(clinic) AND idempotency_key = \(key)",
                    logger: logger)
                for try await (earlierID, digest, at) in earlier.decode((Int, String, Date).self) {
                    return digest == payload.digest ? StoreOutcome.replay(earlierID, receivedAt: at) : .conflict
                }
                throw HubError(.database, "a payload's key was taken but its row cannot be read")
            }
            try await unpack(payload, id: stored.id, clinic: clinic, on: connection)
            return StoreOutcome.stored(stored.id, receivedAt: stored.at)
        }
    }

    private func unpack(_ payload: ReceivedPayload, id: Int, clinic: Int, on connection: PostgresConnection)
        async throws
    {
        let period = payload.period
        // Each table's rows go in one statement, as arrays unnested by PostgreSQL: a summary has
        // dozens of rows, a records payload thousands, and a round trip each would dominate.
        // Arrays carry no NULLs, so a sentinel marks "absent": -1 for a count, NaN for a number,
        // '' for a text.
        func count(_ value: Int?) -> Int { value ?? -1 }
        func number(_ value: Double?) -> Double { value ?? .nan }
        if !payload.conditions.isEmpty {
            let c = payload.conditions
            try await connection.query(
                """
                INSERT INTO summary_conditions (payload_id, clinic_id, period, condition, patients, suppressed, computed_in)
                SELECT \(id), \(clinic), \(period), u.condition, NULLIF(u.patients, -1), u.suppressed, u.computed_in
                FROM unnest(\(c.map(\.condition))::text[], \(c.map { count($0.patients) })::bigint[], \(c.map(\.suppressed))::boolean[],
                            \(c.map(\.computedIn))::text[]) AS u(condition, patients, suppressed, computed_in)
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
        if !payload.timepoints.isEmpty {
            let t = payload.timepoints
            try await connection.query(
                """
                INSERT INTO summary_timepoints (payload_id, clinic_id, period, condition, scale, timepoint, patients, mean, median, q1, q3,
                                                mean_change_from_baseline, suppressed, computed_in)
                SELECT \(id), \(clinic), \(period), u.condition, u.scale, u.timepoint, NULLIF(u.patients, -1), NULLIF(u.mean, 'NaN'),
                       NULLIF(u.median, 'NaN'), NULLIF(u.q1, 'NaN'), NULLIF(u.q3, 'NaN'), NULLIF(u.change, 'NaN'), u.suppressed, u.computed_in
                FROM unnest(\(t.map(\.condition))::text[], \(t.map(\.scale))::text[], \(t.map(\.timepoint))::text[],
                            \(t.map { count($0.patients) })::bigint[], \(t.map { number($0.mean) })::float8[], \(t.map { number($0.median) })::float8[],
                            \(t.map { number($0.q1) })::float8[], \(t.map { number($0.q3) })::float8[],
                            \(t.map { number($0.meanChangeFromBaseline) })::float8[], \(t.map(\.suppressed))::boolean[], \(t.map(\.computedIn))::text[])
                     AS u(condition, scale, timepoint, patients, mean, median, q1, q3, change, suppressed, computed_in)
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
        if !payload.outcomes.isEmpty {
            let o = payload.outcomes
            try await connection.query(
                """
                INSERT INTO summary_outcomes (payload_id, clinic_id, period, condition, protocol, outcome, scale, subscore, outcome_window, visit, rule,
                                              eligible, assessed, missing, met, rate, suppressed, computed_in)
                SELECT \(id), \(clinic), \(period), u.condition, u.protocol, u.outcome, u.scale, u.subscore, u.outcome_window, u.visit, u.rule,
                       NULLIF(u.eligible, -1), NULLIF(u.assessed, -1), NULLIF(u.missing, -1), NULLIF(u.met, -1), NULLIF(u.rate, 'NaN'),
                       u.suppressed, u.computed_in
                FROM unnest(\(o.map(\.condition))::text[], \(o.map { $0.protocol ?? "" })::text[], \(o.map(\.outcome))::text[], \(o.map(\.scale))::text[],
                            \(o.map { $0.subscore ?? "" })::text[], \(o.map(\.window.rawValue))::text[], \(o.map { $0.visit ?? "" })::text[],
                            \(o.map(\.rule))::text[], \(o.map { count($0.eligible) })::bigint[], \(o.map { count($0.assessed) })::bigint[],
                            \(o.map { count($0.missing) })::bigint[], \(o.map { count($0.met) })::bigint[], \(o.map { number($0.rate) })::float8[],
                            \(o.map(\.suppressed))::boolean[], \(o.map(\.computedIn))::text[])
                     AS u(condition, protocol, outcome, scale, subscore, outcome_window, visit, rule, eligible, assessed, missing, met, rate, suppressed, computed_in)
                """, logger: logger)
        }
        if !payload.patients.isEmpty {
            let p = payload.patients
            try await connection.query(
                """
                INSERT INTO records_patients (payload_id, clinic_id, period, pseudonym, age_band, sex, conditions, detail)
                SELECT \(id), \(clinic), \(period), u.pseudonym, u.age_band, u.sex, string_to_array(u.conditions, ','), u.detail
                FROM unnest(\(p.map(\.patient))::text[], \(p.map(\.ageBand))::text[], \(p.map(\.sex))::text[],
                            \(p.map { $0.conditions.joined(separator: ",") })::text[], \(p.map(\.detail))::text[])
                     AS u(pseudonym, age_band, sex, conditions, detail)
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
        let noWeek = Int(Int32.min)
        if !payload.assessments.isEmpty {
            let a = payload.assessments
            try await connection.query(
                """
                INSERT INTO records_assessments (payload_id, clinic_id, pseudonym, scale, timepoint, week, score, band)
                SELECT \(id), \(clinic), u.pseudonym, u.scale, u.timepoint, NULLIF(u.week, \(noWeek)), u.score, NULLIF(u.band, '')
                FROM unnest(\(a.map(\.patient))::text[], \(a.map(\.scale))::text[], \(a.map(\.timepoint))::text[],
                            \(a.map { $0.week ?? noWeek })::bigint[], \(a.map(\.score))::float8[], \(a.map { $0.band ?? "" })::text[])
                     AS u(pseudonym, scale, timepoint, week, score, band)
                """, logger: logger)
        }
        if let protocols = payload.protocols, !protocols.isEmpty {
            try await connection.query(
                """
                INSERT INTO records_protocols (payload_id, clinic_id, condition, protocol, course)
                SELECT \(id), \(clinic), u.condition, u.protocol, u.course
                FROM unnest(\(protocols.map(\.condition))::text[], \(protocols.map(\.protocol))::text[],
                            \(protocols.map(\.course))::text[]) AS u(condition, protocol, course)
                """, logger: logger)
        }
        if !payload.infusions.isEmpty {
            let i = payload.infusions
            try await connection.query(
                """
                INSERT INTO records_infusions (payload_id, clinic_id, pseudonym, condition, week, minutes, dose_mg_per_kg,
                                               rate_mg_per_kg_per_hour, route, drug, dose_mg)
                SELECT \(id), \(clinic), u.pseudonym, u.condition, NULLIF(u.week, \(noWeek)), u.minutes, NULLIF(u.dose, ''),
                       NULLIF(u.rate, ''), NULLIF(u.route, ''), u.drug, NULLIF(u.fixed, '')
                FROM unnest(\(i.map(\.patient))::text[], \(i.map(\.condition))::text[], \(i.map { $0.week ?? noWeek })::bigint[],
                            \(i.map(\.minutes))::text[], \(i.map { $0.doseMgPerKg ?? "" })::text[],
                            \(i.map { $0.rateMgPerKgPerHour ?? "" })::text[], \(i.map { $0.route ?? "" })::text[],
                            \(i.map { $0.drug ?? "ketamine" })::text[], \(i.map { $0.doseMg ?? "" })::text[])
                     AS u(pseudonym, condition, week, minutes, dose, rate, route, drug, fixed)
                """, logger: logger)
        }
    }
}
