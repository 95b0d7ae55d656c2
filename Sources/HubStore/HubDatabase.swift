import Crypto
import Foundation
import HubCore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// A problem with the hub's database, its settings or what someone asked of them. Messages never
/// quote a payload, a token or a database password.
public struct HubError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case refused, database }
    public let kind: Kind
    public let description: String
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}

/// Where the hub's PostgreSQL is: a `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` URL, with
/// `?sslmode=disable|prefer|require` (default prefer) and `?host=/run/postgresql` for a Unix socket
/// (as libpq reads them). The password may also come from `$PGPASSWORD`.
public struct DatabaseLocation: Sendable, CustomStringConvertible {
    public let configuration: PostgresClient.Configuration
    /// The URL without its password, for messages.
    public let description: String

    /// Reads `text`; `environment` is the program's (for `$PGPASSWORD`): the library reads none.
    public init(url text: String, environment: [String: String]) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              scheme == "postgres" || scheme == "postgresql" else {
            throw HubError(.refused, "the database must be a postgres:// URL, like postgres://ketareg@127.0.0.1:5432/hub")
        }
        guard let user = components.user, !user.isEmpty else {
            throw HubError(.refused, "the database URL names no user (postgres://USER@HOST/DATABASE)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw HubError(.refused, "the database URL names no database (postgres://USER@HOST/DATABASE)") }
        let password = components.password?.removingPercentEncoding ?? environment["PGPASSWORD"]
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { $1 }
        var configuration: PostgresClient.Configuration
        if let socketFolder = query["host"], socketFolder.hasPrefix("/") {
            let port = components.port ?? 5432
            configuration = .init(unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            guard let host = components.host, !host.isEmpty else {
                throw HubError(.refused, "the database URL names no host (postgres://USER@HOST/DATABASE, or ?host=/socket/folder)")
            }
            let tls: PostgresClient.Configuration.TLS
            switch query["sslmode"] ?? "prefer" {
            case "disable": tls = .disable
            case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
            case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
            case let other:
                throw HubError(.refused, "sslmode \(other) is not one this hub knows: disable, prefer or require")
            }
            configuration = .init(host: host, port: components.port ?? 5432, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(10)
        self.configuration = configuration
        var shown = components
        shown.password = nil
        description = shown.string ?? "the database"
    }

    /// True when the URL text itself carries a password (which must not be a command-line argument).
    public static func carriesPassword(_ text: String) -> Bool { URLComponents(string: text)?.password != nil }
}

/// The hub's store: one PostgreSQL database shared by every `ketareg-hub` process.
public struct HubDatabase: Sendable {
    public let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Runs `body` with a connected client, then closes it.
    public static func with<T: Sendable>(_ location: DatabaseLocation, logger: Logger,
                                         _ body: @Sendable (HubDatabase) async throws -> T) async throws -> T {
        try await probe(location)
        let client = PostgresClient(configuration: location.configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            do {
                let database = HubDatabase(client: client, logger: logger)
                let result = try await body(database)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw HubDatabase.explain(error, location: location)
            }
        }
    }

    /// Fails at once, naming the address, when nothing listens there: a connection pool would
    /// otherwise keep retrying for a minute before a command could say so.
    public static func probe(_ location: DatabaseLocation) async throws {
        let configuration = location.configuration
        do {
            if let path = configuration.unixSocketPath {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(5)).connect(unixDomainSocketPath: path).get()
                try await channel.close()
            } else if let host = configuration.host, let port = configuration.port {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(5)).connect(host: host, port: port).get()
                try await channel.close()
            }
        } catch {
            throw HubError(.database, "\(location): nothing answers there (\(error)); is PostgreSQL running, and is the URL right?")
        }
    }

    /// A PostgreSQL error in words, without the query's bound values.
    public static func explain(_ error: any Error, location: DatabaseLocation) -> any Error {
        if error is HubError { return error }
        if let transaction = error as? PostgresTransactionError, let inner = transaction.closureError { return explain(inner, location: location) }
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                let code = psql.serverInfo?[.sqlState] ?? ""
                if code == "42P01" {
                    return HubError(.database, "\(location): the hub's tables are missing (\(message)); run `ketareg-hub init` first")
                }
                return HubError(.database, "\(location): PostgreSQL said: \(message)")
            }
            return HubError(.database, "\(location): cannot reach PostgreSQL (\(psql.code.description))")
        }
        return HubError(.database, "\(location): \(error)")
    }

    // MARK: Migrations

    /// The named migrations, in order. A migration is never edited once released: a change is a new one.
    static let migrations: [(name: String, sql: [String])] = [
        ("001-clinics-payloads-and-unpacked-tables", [
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
        ]),
    ]

    /// Applies the migrations not yet applied, each in its own transaction, under an advisory lock
    /// so that two `init`s at once do not race. Returns the names applied now.
    public func migrate() async throws -> [String] {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(4242020301)", logger: logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS hub_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", logger: logger)
            var applied = Set<String>()
            for try await name in try await connection.query("SELECT name FROM hub_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            var now: [String] = []
            for migration in Self.migrations where !applied.contains(migration.name) {
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO hub_migrations (name) VALUES (\(migration.name))", logger: logger)
                now.append(migration.name)
            }
            return now
        }
    }

    public func migrationNames() async throws -> [String] {
        var names: [String] = []
        for try await name in try await client.query("SELECT name FROM hub_migrations ORDER BY name", logger: logger).decode(String.self) {
            names.append(name)
        }
        return names
    }

    // MARK: Settings

    public func minimumCellSize() async throws -> Int {
        for try await value in try await client.query("SELECT value FROM settings WHERE name = 'minimum-cell-size'", logger: logger).decode(String.self) {
            if let size = Int(value), size >= 1 { return size }
        }
        return Pooling.defaultMinimumCellSize
    }

    public func setMinimumCellSize(_ size: Int) async throws {
        try await client.query("""
            INSERT INTO settings (name, value) VALUES ('minimum-cell-size', \(String(size)))
            ON CONFLICT (name) DO UPDATE SET value = excluded.value
            """, logger: logger)
    }

    // MARK: Clinics

    public static func tokenHash(_ token: String) -> [UInt8] { Array(SHA256.hash(data: Data(token.utf8))) }

    /// Registers a clinic by name, storing only the SHA-256 of its token.
    public func addClinic(name: String, token: String) async throws {
        let hash = ByteBuffer(bytes: Self.tokenHash(token))
        do {
            try await client.query("INSERT INTO clinics (name, token_sha256) VALUES (\(name), \(hash))", logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            let constraint = error.serverInfo?[.constraintName] ?? ""
            if constraint.contains("token") {
                throw HubError(.refused, "another clinic already has this token: give each clinic its own (for example `openssl rand -hex 32`)")
            }
            throw HubError(.refused, "a clinic named \(name) is already registered (`ketareg-hub clinic list`)")
        }
    }

    /// Refuses the clinic's token from now on (a lost or leaked token); what it sent stays.
    public func revokeClinic(name: String) async throws {
        let rows = try await client.query("UPDATE clinics SET revoked_at = now() WHERE name = \(name) AND revoked_at IS NULL RETURNING id", logger: logger)
        var changed = 0
        for try await _ in rows.decode(Int.self) { changed += 1 }
        if changed == 0 { try await requireClinic(name) }
    }

    /// Gives the clinic a new token (only its hash stored); the old one is refused from now on. A
    /// revoked clinic sends again with the new token.
    public func replaceToken(name: String, token: String) async throws {
        let hash = ByteBuffer(bytes: Self.tokenHash(token))
        do {
            let rows = try await client.query("UPDATE clinics SET token_sha256 = \(hash), revoked_at = NULL WHERE name = \(name) RETURNING id", logger: logger)
            var changed = 0
            for try await _ in rows.decode(Int.self) { changed += 1 }
            if changed == 0 { try await requireClinic(name) }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw HubError(.refused, "another clinic already has this token: give each clinic its own (for example `openssl rand -hex 32`)")
        }
    }

    private func requireClinic(_ name: String) async throws {
        for try await _ in try await client.query("SELECT id FROM clinics WHERE name = \(name)", logger: logger).decode(Int.self) { return }
        throw HubError(.refused, "no clinic is named \(name) (`ketareg-hub clinic list`)")
    }

    public struct ClinicSummary: Sendable {
        public let name: String
        public let addedAt: Date
        public let revokedAt: Date?
        public let payloads: Int
        public let latestPeriod: String?
        public let lastReceivedAt: Date?
    }

    public func clinics() async throws -> [ClinicSummary] {
        let rows = try await client.query("""
            SELECT c.name, c.added_at, c.revoked_at, count(p.id)::bigint, max(p.period), max(p.received_at)
            FROM clinics c LEFT JOIN payloads p ON p.clinic_id = c.id
            GROUP BY c.id ORDER BY c.name
            """, logger: logger)
        var clinics: [ClinicSummary] = []
        for try await (name, added, revoked, payloads, period, received) in rows.decode((String, Date, Date?, Int, String?, Date?).self) {
            clinics.append(ClinicSummary(name: name, addedAt: added, revokedAt: revoked, payloads: payloads, latestPeriod: period, lastReceivedAt: received))
        }
        return clinics
    }

    /// The clinic whose token this is, or nil. The lookup is by the token's SHA-256 (so the time it
    /// takes depends only on a hash the caller cannot steer); the stored hash is then compared with
    /// the presented one in constant time.
    public func clinic(forToken token: String) async throws -> (id: Int, name: String)? {
        let presented = Self.tokenHash(token)
        let rows = try await client.query("""
            SELECT id, name, token_sha256 FROM clinics WHERE token_sha256 = \(ByteBuffer(bytes: presented)) AND revoked_at IS NULL
            """, logger: logger)
        for try await (id, name, stored) in rows.decode((Int, String, ByteBuffer).self) {
            if Self.constantTimeEqual(Array(stored.readableBytesView), presented) { return (id, name) }
        }
        return nil
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    // MARK: Receiving

    public enum Receipt: Sendable, Equatable {
        /// Stored now, with its id.
        case stored(Int)
        /// The same key and the same bytes were stored before: nothing stored now.
        case replay(Int)
        /// The same key came before with different bytes: nothing stored.
        case conflict
    }

    /// Stores a payload and its unpacked rows in one transaction, once per clinic and key. Two hub
    /// processes storing the same key at once: the unique index makes the second wait for the
    /// first, then find its row.
    public func store(_ payload: ReceivedPayload, body: Data, clinic: Int, key: String) async throws -> Receipt {
        try await client.withTransaction(logger: logger) { connection in
            let inserted = try await connection.query("""
                INSERT INTO payloads (clinic_id, idempotency_key, digest, schema, kind, period, audit_chain_head, size_bytes, body)
                VALUES (\(clinic), \(key), \(payload.digest), \(payload.schema), \(payload.kind.rawValue), \(payload.period),
                        \(payload.auditChainHead), \(body.count), \(ByteBuffer(bytes: body)))
                ON CONFLICT (clinic_id, idempotency_key) DO NOTHING
                RETURNING id
                """, logger: logger)
            var id: Int?
            for try await value in inserted.decode(Int.self) { id = value }
            guard let id else {
                let earlier = try await connection.query(
                    "SELECT id, digest FROM payloads WHERE clinic_id = \(clinic) AND idempotency_key = \(key)", logger: logger)
                for try await (earlierID, digest) in earlier.decode((Int, String).self) {
                    return digest == payload.digest ? Receipt.replay(earlierID) : Receipt.conflict
                }
                throw HubError(.database, "a payload's key was taken but its row cannot be read")
            }
            try await unpack(payload, id: id, clinic: clinic, on: connection)
            return Receipt.stored(id)
        }
    }

    private func unpack(_ payload: ReceivedPayload, id: Int, clinic: Int, on connection: PostgresConnection) async throws {
        let period = payload.period
        // Each table's rows go in one statement, as arrays unnested by PostgreSQL: a summary has
        // dozens of rows, a records payload thousands, and a round trip each would dominate.
        // Arrays carry no NULLs, so a sentinel marks "absent": -1 for a count, NaN for a number,
        // '' for a text.
        func count(_ value: Int?) -> Int { value ?? -1 }
        func number(_ value: Double?) -> Double { value ?? .nan }
        if !payload.conditions.isEmpty {
            let c = payload.conditions
            try await connection.query("""
                INSERT INTO summary_conditions (payload_id, clinic_id, period, condition, patients, suppressed, computed_in)
                SELECT \(id), \(clinic), \(period), u.condition, NULLIF(u.patients, -1), u.suppressed, u.computed_in
                FROM unnest(\(c.map(\.condition))::text[], \(c.map { count($0.patients) })::bigint[], \(c.map(\.suppressed))::boolean[],
                            \(c.map(\.computedIn))::text[]) AS u(condition, patients, suppressed, computed_in)
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
        if !payload.timepoints.isEmpty {
            let t = payload.timepoints
            try await connection.query("""
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
            try await connection.query("""
                INSERT INTO summary_outcomes (payload_id, clinic_id, period, condition, outcome, scale, subscore, outcome_window, visit, rule,
                                              eligible, assessed, missing, met, rate, suppressed, computed_in)
                SELECT \(id), \(clinic), \(period), u.condition, u.outcome, u.scale, u.subscore, u.outcome_window, u.visit, u.rule,
                       NULLIF(u.eligible, -1), NULLIF(u.assessed, -1), NULLIF(u.missing, -1), NULLIF(u.met, -1), NULLIF(u.rate, 'NaN'),
                       u.suppressed, u.computed_in
                FROM unnest(\(o.map(\.condition))::text[], \(o.map(\.outcome))::text[], \(o.map(\.scale))::text[],
                            \(o.map { $0.subscore ?? "" })::text[], \(o.map(\.window))::text[], \(o.map { $0.visit ?? "" })::text[],
                            \(o.map(\.rule))::text[], \(o.map { count($0.eligible) })::bigint[], \(o.map { count($0.assessed) })::bigint[],
                            \(o.map { count($0.missing) })::bigint[], \(o.map { count($0.met) })::bigint[], \(o.map { number($0.rate) })::float8[],
                            \(o.map(\.suppressed))::boolean[], \(o.map(\.computedIn))::text[])
                     AS u(condition, outcome, scale, subscore, outcome_window, visit, rule, eligible, assessed, missing, met, rate, suppressed, computed_in)
                """, logger: logger)
        }
        if !payload.patients.isEmpty {
            let p = payload.patients
            try await connection.query("""
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
            try await connection.query("""
                INSERT INTO records_assessments (payload_id, clinic_id, pseudonym, scale, timepoint, week, score, band)
                SELECT \(id), \(clinic), u.pseudonym, u.scale, u.timepoint, NULLIF(u.week, \(noWeek)), u.score, NULLIF(u.band, '')
                FROM unnest(\(a.map(\.patient))::text[], \(a.map(\.scale))::text[], \(a.map(\.timepoint))::text[],
                            \(a.map { $0.week ?? noWeek })::bigint[], \(a.map(\.score))::float8[], \(a.map { $0.band ?? "" })::text[])
                     AS u(pseudonym, scale, timepoint, week, score, band)
                """, logger: logger)
        }
        if !payload.infusions.isEmpty {
            let i = payload.infusions
            try await connection.query("""
                INSERT INTO records_infusions (payload_id, clinic_id, pseudonym, condition, week, minutes, dose_mg_per_kg,
                                               rate_mg_per_kg_per_hour, route)
                SELECT \(id), \(clinic), u.pseudonym, u.condition, NULLIF(u.week, \(noWeek)), u.minutes, NULLIF(u.dose, ''),
                       NULLIF(u.rate, ''), NULLIF(u.route, '')
                FROM unnest(\(i.map(\.patient))::text[], \(i.map(\.condition))::text[], \(i.map { $0.week ?? noWeek })::bigint[],
                            \(i.map(\.minutes))::text[], \(i.map { $0.doseMgPerKg ?? "" })::text[],
                            \(i.map { $0.rateMgPerKgPerHour ?? "" })::text[], \(i.map { $0.route ?? "" })::text[])
                     AS u(pseudonym, condition, week, minutes, dose, rate, route)
                """, logger: logger)
        }
    }

    // MARK: Results

    /// Each clinic's rows from its latest summary (its latest period; the newest payload for it),
    /// optionally for one condition.
    public func latestOutcomes(condition: String? = nil) async throws -> [ClinicOutcome] {
        let rows = try await client.query("""
            SELECT clinic, period, condition, outcome, scale, subscore, outcome_window, visit, assessed, met, suppressed
            FROM latest_summary_outcomes
            WHERE \(condition ?? "") = '' OR condition = \(condition ?? "")
            ORDER BY condition, outcome, scale, outcome_window, visit, clinic
            """, logger: logger)
        var outcomes: [ClinicOutcome] = []
        for try await (clinic, period, condition, outcome, scale, subscore, window, visit, assessed, met, suppressed)
            in rows.decode((String, String, String, String, String, String, String, String, Int?, Int?, Bool).self) {
            outcomes.append(ClinicOutcome(clinic: clinic, period: period, condition: condition, outcome: outcome, scale: scale,
                                          subscore: subscore.isEmpty ? nil : subscore, window: window, visit: visit.isEmpty ? nil : visit, assessed: assessed, met: met,
                                          suppressed: suppressed))
        }
        return outcomes
    }

    /// True when PostgreSQL refused the statement for its data (SQLSTATE classes 22, data
    /// exception, and 23, integrity constraint): sending the same payload again cannot succeed.
    public static func isPermanent(_ error: any Error) -> Bool {
        if let transaction = error as? PostgresTransactionError, let inner = transaction.closureError { return isPermanent(inner) }
        guard let code = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return code.hasPrefix("22") || code.hasPrefix("23")
    }
}
