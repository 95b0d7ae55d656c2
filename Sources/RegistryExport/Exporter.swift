import Foundation
import PayloadFormat
import RegistryCore
import RegistryStore

/// Builds anonymised payloads into the outbox and delivers what is due, following EXPORT.md:
/// idempotency keys, exponential backoff with jitter, `Retry-After`, permanent failures kept with
/// their reason until someone acts.
public struct Exporter: Sendable {
    /// The registry the payloads are built from, whose outbox holds them.
    public let registry: Registry
    /// The condition modules the payloads are built with.
    public let catalog: ConditionCatalog
    /// What sends each POST: the command line gives one over libcurl.
    public let transport: any ExportTransport
    /// "ketareg 0.1.0", named in every payload.
    public let generator: String
    /// The first retry waits about this long; each further one twice as long, up to `retryCapSeconds`.
    public var retryBaseSeconds: Double = 30
    /// The longest back-off between attempts before jitter (0.8 to 1.2 times), in seconds: 6 hours.
    /// A `Retry-After` header can lengthen a wait beyond it.
    public var retryCapSeconds: Double = 6 * 3600
    /// The program's environment, for endpoints whose token is in a variable (`--token-env`):
    /// the exporter reads no environment of its own. None, unless the program gives one.
    public var environment: @Sendable (String) -> String? = { _ in nil }

    /// The account (user id) a token file must belong to: the program's own, as the program gives
    /// it (the exporter reads no process state).
    public let tokenOwner: UInt32

    /// An exporter with the default back-off and no environment; `generator` is named in every
    /// payload; token files must belong to `tokenOwner`.
    public init(
        registry: Registry, catalog: ConditionCatalog, transport: any ExportTransport, generator: String,
        tokenOwner: UInt32
    ) {
        self.registry = registry
        self.catalog = catalog
        self.transport = transport
        self.generator = generator
        self.tokenOwner = tokenOwner
    }

    // MARK: - Building

    /// The payload an endpoint would receive from these patients, validated against its schema.
    /// `asOf` is the build day: courses still running then are not judged.
    public func build(
        for endpoint: EndpointSettings, patients: [ExportPatient], clinic: String?, secret: Data,
        period: String, asOf: ClinicalDate, auditChainHead: String? = nil,
        published: SummaryReleaseMemory = SummaryReleaseMemory()
    ) throws -> BuiltPayload {
        try build(
            for: endpoint,
            snapshot: ExportSnapshot(patients: patients, auditChainHead: auditChainHead, summaryReleases: published),
            clinic: clinic, secret: secret, period: period, asOf: asOf)
    }

    /// The same from a snapshot: a summary reads its patients one at a time.
    public func build(
        for endpoint: EndpointSettings, snapshot: ExportSnapshot, clinic: String?, secret: Data,
        period: String, asOf: ClinicalDate
    ) throws -> BuiltPayload {
        let auditChainHead = snapshot.auditChainHead
        var consenting = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        let content: Data
        let schema: String
        var cells: [SummaryCellUpdate] = []
        var validated = false
        switch endpoint.profile {
        case .records:
            // Validated row by row as it is written.
            var bytes = Data()
            consenting = try writeRecords(
                for: endpoint, snapshot: snapshot, clinic: clinic, secret: secret, period: period
            ) { bytes.append($0) }
            data = bytes
            content = Self.withoutChainHead(data, head: auditChainHead, rows: snapshot.auditChainRows)
            schema = RecordsPayload.schemaID
            validated = true
        case .fhir:
            // Built from the k-anonymous records.
            let patients = try snapshot.patients()
            consenting = patients.count
            let records = try RecordsBuilder.build(
                patients: patients, catalog: catalog,
                pseudonyms: Pseudonymizer(secret: secret, endpoint: endpoint.name),
                clinic: clinic, period: period, k: endpoint.k, generator: generator)
            content = try encoder.encode(FHIRExport.bundle(records, catalog: catalog, auditChainHead: nil))
            data = try encoder.encode(FHIRExport.bundle(records, catalog: catalog, auditChainHead: auditChainHead))
            schema = FHIRExport.schemaID
        case .summary:
            let release = try SummaryBuilder.release(
                forEachPatient: { body in
                    try snapshot.forEachPatient { patient in
                        consenting += 1
                        body(patient)
                    }
                }, conditions: catalog.conditions, clinic: clinic, period: period, minimumCellSize: endpoint.minCell,
                generator: generator,
                asOf: asOf, published: snapshot.summaryReleases)
            var payload = release.payload
            cells = release.cells
            payload.auditChainHead = auditChainHead
            payload.auditChainRows = snapshot.auditChainRows
            data = try encoder.encode(payload)
            content = Self.withoutChainHead(data, head: auditChainHead, rows: snapshot.auditChainRows)
            schema = SummaryPayload.schemaID
        }
        let problems =
            validated ? [] : try SchemaValidator(schema: PayloadSchemas.text(for: schema)!).problems(in: data)
        guard problems.isEmpty else {
            throw ExportError(
                "the \(endpoint.profile.rawValue) payload does not match its schema \(schema), so it was not stored: "
                    + problems.prefix(3).map(\.description).joined(separator: "; "))
        }
        var built = BuiltPayload(
            payload: data, schema: schema, patients: consenting, sha256: sha256Hex(data),
            contentSHA256: sha256Hex(content))
        built.summaryCells = cells
        return built
    }

    /// The top-level `"auditChainHead"` member, and the `"auditChainRows"` after it when given,
    /// as the encoder writes them (keys sorted, no spaces).
    static func chainMembers(head: String, rows: Int?) -> Data {
        Data(("\"auditChainHead\":\"\(head)\"" + (rows.map { ",\"auditChainRows\":\($0)" } ?? "")).utf8)
    }

    /// A payload's bytes without its top-level `"auditChainHead"` member and the
    /// `"auditChainRows"` that follows it (keys are sorted): byte for byte what the encoder writes
    /// for the payload without them (no spaces), found without encoding a large payload twice. The
    /// members' keys cannot occur elsewhere unescaped: inside a string value their quotes would be
    /// written `\"`.
    static func withoutChainHead(_ data: Data, head: String?, rows: Int? = nil) -> Data {
        guard let head else { return data }
        guard let range = data.range(of: chainMembers(head: head, rows: rows)) else { return data }
        var result = data
        if range.upperBound < data.endIndex, data[range.upperBound] == UInt8(ascii: ",") {
            result.removeSubrange(range.lowerBound..<(range.upperBound + 1))
        } else if range.lowerBound > data.startIndex, data[range.lowerBound - 1] == UInt8(ascii: ",") {
            result.removeSubrange((range.lowerBound - 1)..<range.upperBound)
        } else {
            result.removeSubrange(range)
        }
        return result
    }

    /// The records payload, validated as it is written, to `sink` in pieces; the number of
    /// consenting patients read.
    func writeRecords(
        for endpoint: EndpointSettings, snapshot: ExportSnapshot, clinic: String?, secret: Data, period: String,
        to sink: (Data) throws -> Void
    ) throws -> Int {
        try RecordsBuilder.write(
            forEachPatient: snapshot.forEachPatient, catalog: catalog,
            pseudonyms: Pseudonymizer(secret: secret, endpoint: endpoint.name), clinic: clinic, period: period,
            k: endpoint.k, generator: generator, auditChainHead: snapshot.auditChainHead,
            auditChainRows: snapshot.auditChainRows,
            validator: try SchemaValidator(schema: PayloadSchemas.text(for: RecordsPayload.schemaID)!), to: sink)
    }

    /// Exactly the bytes `run` would store and send now, without storing anything.
    public func preview(endpoint name: String, today: ClinicalDate? = nil) throws -> Data {
        var data = Data()
        try preview(endpoint: name, today: today) { data.append($0) }
        return data
    }

    /// The same bytes, given to `sink` in pieces: a records payload is never whole in memory.
    public func preview(endpoint name: String, today: ClinicalDate? = nil, to sink: (Data) throws -> Void) throws {
        let today = today ?? registry.today
        let endpoint = try registry.endpoint(name)
        let clinic = try registry.clinicName()
        let secret = try registry.pseudonymKey()
        try registry.withExportSnapshot(profile: endpoint.profile) { snapshot in
            if endpoint.profile == .records {
                _ = try writeRecords(
                    for: endpoint, snapshot: snapshot, clinic: clinic, secret: secret, period: Self.period(today),
                    to: sink)
            } else {
                try sink(
                    try build(
                        for: endpoint, snapshot: snapshot, clinic: clinic, secret: secret, period: Self.period(today),
                        asOf: today
                    ).payload)
            }
        }
    }

    /// Builds a payload and stores it in the outbox in one transaction. With a period key, nothing
    /// is stored (and `nil` returned) when that period's export exists already.
    public func store(
        endpoint name: String, periodKey: String? = nil, today: ClinicalDate? = nil, actor: String = "ketareg"
    ) throws -> OutboxEntry? {
        let today = today ?? registry.today
        let endpoint = try registry.endpoint(name)
        try registry.requireAuditedSettings(endpoint: name)
        let clinic = try registry.clinicName()
        let secret = try registry.pseudonymKey()
        return try registry.createExport(endpoint: name, periodKey: periodKey, actor: actor) { snapshot in
            try build(
                for: endpoint, snapshot: snapshot, clinic: clinic, secret: secret, period: Self.period(today),
                asOf: today)
        }
    }

    /// `export run`: builds an export only when the last one to this endpoint was delivered (or
    /// failed) and the data changed; resumes one still pending under its own key. See
    /// ``Registry/runExport(endpoint:actor:build:)``.
    public func run(endpoint name: String, today: ClinicalDate? = nil, actor: String = "ketareg") throws
        -> Registry.ManualExport
    {
        let today = today ?? registry.today
        let endpoint = try registry.endpoint(name)
        try registry.requireAuditedSettings(endpoint: name)
        let clinic = try registry.clinicName()
        let secret = try registry.pseudonymKey()
        return try registry.runExport(endpoint: name, actor: actor) { snapshot in
            try build(
                for: endpoint, snapshot: snapshot, clinic: clinic, secret: secret, period: Self.period(today),
                asOf: today)
        }
    }

    /// The payload's own period: year and month.
    public static func period(_ date: ClinicalDate) -> String {
        String(date.description.prefix(7))
    }

    /// The key of the period a schedule is in on a day: `2026-11-25`, `2026-W48`, `2026-11`.
    public static func periodKey(every: ExportInterval, on date: ClinicalDate) -> String {
        switch every {
        case .daily: return "daily:\(date)"
        case .weekly:
            let weekday = ((date.dayNumber + 3) % 7 + 7) % 7 + 1  // Monday 1 ... Sunday 7
            let thursday = date.adding(days: 4 - weekday)
            let januaryFirst = ClinicalDate(year: thursday.year, month: 1, day: 1)!
            let week = januaryFirst.days(until: thursday) / 7 + 1
            return "weekly:\(thursday.year)-W\(week < 10 ? "0" : "")\(week)"
        case .monthly: return "monthly:\(period(date))"
        }
    }

    /// Builds what the schedules call for in the current period (once per period, however many
    /// periods were missed) and returns what was built.
    public func buildScheduled(today: ClinicalDate? = nil) throws -> [OutboxEntry] {
        let today = today ?? registry.today
        var built: [OutboxEntry] = []
        for schedule in try registry.schedules() {
            if let entry = try store(
                endpoint: schedule.endpoint, periodKey: Self.periodKey(every: schedule.every, on: today), today: today)
            {
                built.append(entry)
            }
        }
        return built
    }
}
