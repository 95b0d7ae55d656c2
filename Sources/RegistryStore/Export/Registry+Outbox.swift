import Foundation
import GRDB
import RegistryCore

extension Registry {
    // MARK: - Endpoints

    /// Adds a research endpoint, audited. Refuses a name in use, and settings outside the privacy
    /// limits (``EndpointSettings/validated()``), whoever the caller.
    public func addEndpoint(_ settings: EndpointSettings, actor: String) throws {
        let settings = try settings.validated()
        try write { db in
            if try EndpointRow.fetchOne(db, key: settings.name) != nil {
                throw RegistryError.refused(
                    "an endpoint named '\(settings.name)' exists already; choose another name or remove it first")
            }
            var row = EndpointRow(
                name: settings.name, url: settings.url, tokenFile: settings.tokenFile,
                tokenEnvironment: settings.tokenEnvironment, caFile: settings.caFile,
                profile: settings.profile.rawValue,
                minCell: settings.minCell, k: settings.k, timeoutSeconds: settings.timeoutSeconds,
                createdAt: timestamp(), removedAt: nil, hubKey: settings.hubKey, smallReason: settings.smallReason)
            try row.insert(db)
            try auditEndpoint(
                db, actor: actor, action: "add-endpoint", name: settings.name, before: EndpointSettings?.none,
                after: settings)
        }
    }

    /// The endpoints in use, by name.
    public func endpoints() throws -> [EndpointSettings] {
        try read {
            try EndpointRow.filter(Column("removed_at") == nil).order(Column("name")).fetchAll($0).map {
                try $0.settings()
            }
        }
    }

    /// One endpoint in use.
    public func endpoint(_ name: String) throws -> EndpointSettings {
        try read { db in
            guard let row = try EndpointRow.fetchOne(db, key: name), row.removedAt == nil else {
                let known = try String.fetchAll(
                    db, sql: "SELECT name FROM endpoint WHERE removed_at IS NULL ORDER BY name")
                throw RegistryError.refused(
                    "no endpoint named '\(name)'"
                        + (known.isEmpty ? "" : "; endpoints: \(known.joined(separator: ", "))"),
                    remedies: known.isEmpty ? [.addEndpoint] : [])
            }
            return try row.settings()
        }
    }

    /// Removes an endpoint: nothing more is built or sent for it; its outbox history stays.
    public func removeEndpoint(_ name: String, actor: String) throws {
        let settings = try endpoint(name)
        try write { db in
            try db.execute(sql: "UPDATE endpoint SET removed_at = ? WHERE name = ?", arguments: [timestamp(), name])
            try db.execute(sql: "DELETE FROM export_schedule WHERE endpoint = ?", arguments: [name])
            try auditEndpoint(
                db, actor: actor, action: "remove-endpoint", name: name, before: settings, after: EndpointSettings?.none
            )
        }
    }

    /// Sets how often an endpoint's export is built and sent.
    public func setSchedule(endpoint name: String, every: ExportInterval, actor: String) throws {
        _ = try endpoint(name)
        try write { db in
            let before = try String.fetchOne(
                db, sql: "SELECT every FROM export_schedule WHERE endpoint = ?", arguments: [name])
            try db.execute(
                sql:
                    "INSERT INTO export_schedule (endpoint, every, created_at) VALUES (?, ?, ?) ON CONFLICT(endpoint) DO UPDATE SET every = excluded.every",
                arguments: [name, every.rawValue, timestamp()])
            try auditEndpoint(
                db, actor: actor, action: "schedule-export", name: name,
                before: before.map { ScheduleAuditValue(endpoint: name, every: $0) },
                after: ScheduleAuditValue(endpoint: name, every: every.rawValue))
        }
    }

    /// Every export schedule, by endpoint name. Throws when a stored interval is not one this
    /// version reads.
    public func schedules() throws -> [ExportSchedule] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT endpoint, every FROM export_schedule ORDER BY endpoint").map {
                let endpoint: String = $0["endpoint"]
                let every: String = $0["every"]
                return ExportSchedule(
                    endpoint: endpoint,
                    every: try storedWord(
                        every, "the schedule of the endpoint '\(endpoint)'", remedy: [.setScheduleAgain(endpoint)]))
            }
        }
    }

    func auditEndpoint<Before: Encodable, After: Encodable>(
        _ db: Database, actor: String, action: String, name: String, before: Before?, after: After?
    ) throws {
        var row = AuditRow(
            id: nil, at: timestamp(), actor: actor, action: action, entity: "endpoint", entityId: name, patient: nil,
            before: before.map(encodeJSON), after: after.map(encodeJSON), reason: nil, account: account)
        try row.insertFast(db)
    }

    // MARK: - Building into the outbox

    /// The key pseudonyms are derived from. It never leaves the file and is never printed.
    public func pseudonymKey() throws -> Data {
        try read { db in
            guard let key = try Data.fetchOne(db, sql: "SELECT secret FROM pseudonym_secret WHERE id = 1") else {
                throw RegistryError.storage("the registry has no pseudonym key; it was not created by KetaReg")
            }
            return key
        }
    }

    /// Every patient who may appear in an export built today, one at a time in order of row id:
    /// research consent in force today (the patient's last decision dated today or earlier) and in
    /// the audited patient row (so that a consent history changed behind the program's back lets
    /// no one in; `verify` names it), and a course started. Reads no identifying field. The
    /// consenting patients' cursor is read in step with the histories'.
    func forEachExportPatient(_ db: Database, _ body: (ExportPatient) throws -> Void) throws {
        let consenting = try Row.fetchCursor(
            db,
            sql: """
                SELECT id, sex, age_at_day_zero FROM patient
                WHERE research_consent
                  AND (SELECT research FROM consent_event consent WHERE consent.patient_id = patient.id AND consent.on_date <= ?
                       ORDER BY consent.on_date DESC, consent.id DESC LIMIT 1) = 1
                  AND EXISTS (SELECT 1 FROM infusion WHERE infusion.patient_id = patient.id AND NOT entered_in_error)
                ORDER BY id
                """, arguments: [today.description])
        func next() throws -> (id: Int64, sex: Sex, age: Int?)? {
            try consenting.next().map { row in
                let id: Int64 = row["id"]
                return (
                    id,
                    try storedWord(
                        row["sex"] ?? "", "the sex of \(RecordKind.patient.displayID(id))",
                        remedy: StoredValue.restoreRemedy) as Sex, row["age_at_day_zero"]
                )
            }
        }
        var pending = try next()
        try forEachHistory(db, condition: nil, patient: nil) { id, history in
            while let candidate = pending, candidate.id < id { pending = try next() }
            guard let candidate = pending, candidate.id == id else { return }
            try body(ExportPatient(rowID: id, sex: candidate.sex, ageAtDayZero: candidate.age, history: history))
        }
    }

    /// What an export is built from, read in one transaction: the consenting patients and the
    /// audit-chain head, which every payload carries as a witness of the clinic's history.
    /// The patients are read from `db` as they are asked for, so the snapshot is good only
    /// inside the access to `db` that made it.
    func exportSnapshot(_ db: Database, profile: ExportProfile) throws -> ExportSnapshot {
        let last = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1")
        return ExportSnapshot(
            auditChainHead: last?["hash"], auditChainRows: (last?["id"] as Int64?).map(Int.init),
            summaryReleases: profile == .summary ? try summaryReleaseMemory(db) : SummaryReleaseMemory()
        ) { body in
            try self.forEachExportPatient(db, body)
        }
    }

    /// What an export for this profile would be built from now, handed to `body` inside one read.
    public func withExportSnapshot<T>(profile: ExportProfile = .summary, _ body: (ExportSnapshot) throws -> T) throws
        -> T
    {
        try read { try body(try exportSnapshot($0, profile: profile)) }
    }

    /// Builds a payload from the registry and stores it in the outbox in one transaction, so that
    /// what is decided to be sent is never lost. With a period key, at most one export per endpoint
    /// and period is ever stored: `nil` is returned when one exists already.
    public func createExport(
        endpoint name: String, periodKey: String?, actor: String = "ketareg",
        build: (ExportSnapshot) throws -> BuiltPayload
    ) throws -> OutboxEntry? {
        let settings = try endpoint(name)
        return try write { db in
            if let periodKey,
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM outbox WHERE endpoint = ? AND period_key = ?", arguments: [name, periodKey])
                    == true
            {
                return nil
            }
            return try insertExport(
                db, settings: settings, periodKey: periodKey,
                built: try build(try exportSnapshot(db, profile: settings.profile)), actor: actor)
        }
    }

    /// Stores a built payload in the outbox, pending, with its audit row.
    private func insertExport(
        _ db: Database, settings: EndpointSettings, periodKey: String?, built: BuiltPayload, actor: String
    ) throws -> OutboxEntry {
        let now = timestamp()
        var row = OutboxRow(
            id: random.identifier(), endpoint: settings.name, profile: settings.profile.rawValue,
            schema: built.schema,
            periodKey: periodKey, payload: built.payload, payloadSha256: built.sha256, patients: built.patients,
            createdAt: now, state: DeliveryState.pending.rawValue, attempts: 0, nextAttemptAt: now, lastStatus: nil,
            lastError: nil,
            deliveredAt: nil, responseDigest: nil, leaseOwner: nil, leaseUntil: nil, contentSha256: built.contentSHA256)
        try row.insert(db)
        try remember(built.summaryCells, db)
        var audit = AuditRow(
            id: nil, at: now, actor: actor, action: "build-export", entity: "export", entityId: row.id, patient: nil,
            before: nil,
            after:
                "{\"endpoint\":\(jsonString(settings.name)),\"patients\":\(built.patients),\"payloadSha256\":\"\(row.payloadSha256)\",\"releaseMemorySha256\":\"\(try Self.releaseMemoryDigest(db))\",\"schema\":\(jsonString(built.schema))}",
            reason: nil, account: account)
        try audit.insertFast(db)
        return try row.entry()
    }

    /// What `export run` did before delivering.
    public enum ManualExport: Sendable {
        /// A new export was built and stored.
        case built(OutboxEntry)
        /// The last export to this endpoint had not been delivered: it is sent again under its own
        /// key, whatever has changed since (what changed goes in the next run).
        case resumed(OutboxEntry)
        /// The payload is byte for byte what was last delivered: nothing is stored or sent.
        case unchanged(OutboxEntry)
    }

    /// `export run`: an export is built only when the last one made by hand for this endpoint was
    /// delivered, or failed, and the data has changed since. An export still pending is resumed
    /// with its original idempotency key; one that failed for good with the same bytes goes back in
    /// the queue under its key. So a run after a crash never sends the same data under a new key.
    public func runExport(
        endpoint name: String, actor: String = "ketareg",
        build: (ExportSnapshot) throws -> BuiltPayload
    ) throws -> ManualExport {
        let settings = try endpoint(name)
        return try write { db in
            let latest = try OutboxRow.filter(Column("endpoint") == name && Column("period_key") == nil)
                .order(Column("created_at").desc).fetchOne(db)
            if var latest, latest.state == DeliveryState.pending.rawValue {
                // Due now, so that this run delivers it.
                latest.nextAttemptAt = timestamp()
                try latest.update(db)
                return .resumed(try latest.entry())
            }
            let built = try build(try exportSnapshot(db, profile: settings.profile))
            if var latest,
                latest.payloadSha256 == built.sha256
                    || (latest.contentSha256 != nil && latest.contentSha256 == built.contentSHA256)
            {
                if latest.state == DeliveryState.delivered.rawValue { return .unchanged(try latest.entry()) }
                latest.state = DeliveryState.pending.rawValue
                latest.nextAttemptAt = timestamp()
                try latest.update(db)
                var audit = AuditRow(
                    id: nil, at: timestamp(), actor: actor, action: "retry-export", entity: "export",
                    entityId: latest.id,
                    patient: nil, before: nil, after: nil,
                    reason: "export run: the same bytes as this failed export, sent again under its key",
                    account: account)
                try audit.insertFast(db)
                return .resumed(try latest.entry())
            }
            return .built(try insertExport(db, settings: settings, periodKey: nil, built: built, actor: actor))
        }
    }

    // MARK: - Delivery

    /// Claims pending exports that are due for one delivery process. A claim is a lease: no other
    /// process takes the export until the lease runs out or its owner has died, so two processes
    /// never send one export at once.
    public func claimDueExports(holder: LeaseHolder, leaseSeconds: Int, endpoint: String? = nil) throws -> [(
        OutboxEntry, Data
    )] {
        let now = clock.now()
        let nowText = isoTimestamp(now)
        return try write { db in
            var sql = "SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?"
            var arguments: StatementArguments = [nowText]
            if let endpoint {
                sql += " AND endpoint = ?"
                arguments += [endpoint]
            }
            sql += " AND endpoint IN (SELECT name FROM endpoint WHERE removed_at IS NULL) ORDER BY created_at"
            var claimed: [(OutboxEntry, Data)] = []
            for var row in try OutboxRow.fetchAll(db, sql: sql, arguments: arguments) {
                if let owner = row.leaseOwner, let until = row.leaseUntil, until > nowText, holder.thinksAlive(owner) {
                    continue
                }
                row.leaseOwner = holder.name
                row.leaseUntil = isoTimestamp(now.addingTimeInterval(TimeInterval(leaseSeconds)))
                try row.update(db)
                claimed.append((try row.entry(), row.payload))
            }
            return claimed
        }
    }

    /// Records how a delivery attempt ended, if this process still holds the lease, with the
    /// hub's receipt for a delivered export when it gave one.
    public func recordDelivery(
        id: String, owner: String, outcome: DeliveryOutcome, receipt: StoredReceipt? = nil
    ) throws {
        let now = clock.now()
        return try write { db in
            guard var row = try OutboxRow.fetchOne(db, key: id), row.leaseOwner == owner else { return }
            row.attempts += 1
            row.leaseOwner = nil
            row.leaseUntil = nil
            switch outcome {
            case .delivered(let status, let digest):
                row.state = DeliveryState.delivered.rawValue
                row.lastStatus = status
                row.lastError = nil
                row.deliveredAt = isoTimestamp(now)
                row.responseDigest = digest
                if let receipt { try keep(receipt, db) }
            case .retry(let status, let reason, let notBefore):
                row.lastStatus = status
                row.lastError = reason
                row.nextAttemptAt = isoTimestamp(notBefore)
            case .failed(let status, let reason):
                row.state = DeliveryState.failed.rawValue
                row.lastStatus = status
                row.lastError = reason
            }
            try row.update(db)
        }
    }

    /// The outbox, newest first; an export whose stored state or profile does not read stops it.
    public func outbox(endpoint: String? = nil) throws -> [OutboxEntry] {
        try outboxListing(endpoint: endpoint).map { try $0.get() }
    }

    /// The outbox, newest first, each export read on its own: one whose stored state or profile
    /// does not read (the file changed behind the program's back) is that export's error, naming
    /// it and the field, and the others still read.
    public func outboxListing(endpoint: String? = nil) throws -> [Result<OutboxEntry, RegistryError>] {
        try read { db in
            var request = OutboxRow.order(Column("created_at").desc)
            if let endpoint { request = request.filter(Column("endpoint") == endpoint) }
            return try request.fetchAll(db).map { row in
                do { return .success(try row.entry()) } catch let error as RegistryError { return .failure(error) }
            }
        }
    }

    /// The stored payload of an export: exactly the bytes that are sent.
    public func exportPayload(_ id: String) throws -> Data {
        try read { db in
            guard let payload = try Data.fetchOne(db, sql: "SELECT payload FROM outbox WHERE id = ?", arguments: [id])
            else {
                throw RegistryError.refused("no export \(id) in the outbox", remedies: [.listExports])
            }
            return payload
        }
    }

    /// Puts a failed export back in the queue after someone has fixed the cause.
    public func retryExport(_ id: String, actor: String) throws -> OutboxEntry {
        try write { db in
            guard var row = try OutboxRow.fetchOne(db, key: id) else {
                throw RegistryError.refused("no export \(id) in the outbox", remedies: [.listExports])
            }
            guard row.state == DeliveryState.failed.rawValue else {
                throw RegistryError.refused(
                    "export \(id) is \(row.state), not failed; only a failed export is put back in the queue")
            }
            row.state = DeliveryState.pending.rawValue
            row.nextAttemptAt = timestamp()
            try row.update(db)
            var audit = AuditRow(
                id: nil, at: timestamp(), actor: actor, action: "retry-export", entity: "export", entityId: id,
                patient: nil, before: nil, after: nil, reason: row.lastError, account: account)
            try audit.insertFast(db)
            return try row.entry()
        }
    }
}

/// A schedule as its audit rows record it: the stored word as it was, even one this version does not read.
private struct ScheduleAuditValue: Encodable {
    let endpoint: String
    let every: String
}
