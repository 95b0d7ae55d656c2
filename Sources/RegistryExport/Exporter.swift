import Foundation
import PayloadFormat
import RegistryCore
import RegistryStore

/// Builds anonymised payloads into the outbox and delivers what is due, following EXPORT.md:
/// idempotency keys, exponential backoff with jitter, `Retry-After`, permanent failures kept with
/// their reason until someone acts.
public struct Exporter: Sendable {
    public let registry: Registry
    public let catalog: ConditionCatalog
    public let transport: any ExportTransport
    /// "ketareg 0.1.0", named in every payload.
    public let generator: String
    /// The first retry waits about this long; each further one twice as long, up to `retryCapSeconds`.
    public var retryBaseSeconds: Double = 30
    public var retryCapSeconds: Double = 6 * 3600
    /// The program's environment, for endpoints whose token is in a variable (`--token-env`):
    /// the exporter reads no environment of its own. None, unless the program gives one.
    public var environment: @Sendable (String) -> String? = { _ in nil }

    public init(registry: Registry, catalog: ConditionCatalog, transport: any ExportTransport, generator: String) {
        self.registry = registry
        self.catalog = catalog
        self.transport = transport
        self.generator = generator
    }

    // MARK: - Building

    /// The payload an endpoint would receive from these patients, validated against its schema.
    /// `asOf` is the build day: courses still running then are not judged.
    public func build(for endpoint: EndpointSettings, patients: [ExportPatient], clinic: String?, secret: Data,
                      period: String, asOf: ClinicalDate, auditChainHead: String? = nil,
                      published: SummaryReleaseMemory = SummaryReleaseMemory()) throws -> BuiltPayload {
        try build(for: endpoint, snapshot: ExportSnapshot(patients: patients, auditChainHead: auditChainHead, summaryReleases: published),
                  clinic: clinic, secret: secret, period: period, asOf: asOf)
    }

    /// The same from a snapshot: a summary reads its patients one at a time.
    public func build(for endpoint: EndpointSettings, snapshot: ExportSnapshot, clinic: String?, secret: Data,
                      period: String, asOf: ClinicalDate) throws -> BuiltPayload {
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
            consenting = try writeRecords(for: endpoint, snapshot: snapshot, clinic: clinic, secret: secret, period: period) { bytes.append($0) }
            data = bytes
            content = Self.withoutChainHead(data, head: auditChainHead)
            schema = RecordsPayload.schemaID
            validated = true
        case .fhir:
            // Built from the k-anonymous records.
            let patients = try snapshot.patients()
            consenting = patients.count
            let records = try RecordsBuilder.build(patients: patients, catalog: catalog,
                                                   pseudonyms: Pseudonymizer(secret: secret, endpoint: endpoint.name),
                                                   clinic: clinic, period: period, k: endpoint.k, generator: generator)
            content = try encoder.encode(FHIRExport.bundle(records, catalog: catalog, auditChainHead: nil))
            data = try encoder.encode(FHIRExport.bundle(records, catalog: catalog, auditChainHead: auditChainHead))
            schema = FHIRExport.schemaID
        case .summary:
            let release = try SummaryBuilder.release(forEachPatient: { body in
                try snapshot.forEachPatient { patient in
                    consenting += 1
                    body(patient)
                }
            }, conditions: catalog.conditions, clinic: clinic, period: period, minimumCellSize: endpoint.minCell, generator: generator,
               asOf: asOf, published: snapshot.summaryReleases)
            var payload = release.payload
            cells = release.cells
            payload.auditChainHead = auditChainHead
            data = try encoder.encode(payload)
            content = Self.withoutChainHead(data, head: auditChainHead)
            schema = SummaryPayload.schemaID
        }
        let problems = validated ? [] : try SchemaValidator(schema: PayloadSchemas.text(for: schema)!).problems(in: data)
        guard problems.isEmpty else {
            throw ExportError("the \(endpoint.profile.rawValue) payload does not match its schema \(schema), so it was not stored: "
                              + problems.prefix(3).map(\.description).joined(separator: "; "))
        }
        var built = BuiltPayload(payload: data, schema: schema, patients: consenting, sha256: sha256Hex(data), contentSHA256: sha256Hex(content))
        built.summaryCells = cells
        return built
    }

    /// A payload's bytes without its top-level `"auditChainHead"` member: byte for byte what the
    /// encoder writes for the payload without a head (keys sorted, no spaces), found without
    /// encoding a large payload twice. The member's key cannot occur elsewhere unescaped: inside
    /// a string value its quotes would be written `\"`.
    static func withoutChainHead(_ data: Data, head: String?) -> Data {
        guard let head else { return data }
        let member = Data("\"auditChainHead\":\"\(head)\"".utf8)
        guard let range = data.range(of: member) else { return data }
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
    func writeRecords(for endpoint: EndpointSettings, snapshot: ExportSnapshot, clinic: String?, secret: Data, period: String,
                      to sink: (Data) throws -> Void) throws -> Int {
        try RecordsBuilder.write(forEachPatient: snapshot.forEachPatient, catalog: catalog,
                                 pseudonyms: Pseudonymizer(secret: secret, endpoint: endpoint.name), clinic: clinic, period: period,
                                 k: endpoint.k, generator: generator, auditChainHead: snapshot.auditChainHead,
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
                _ = try writeRecords(for: endpoint, snapshot: snapshot, clinic: clinic, secret: secret, period: Self.period(today), to: sink)
            } else {
                try sink(try build(for: endpoint, snapshot: snapshot, clinic: clinic, secret: secret, period: Self.period(today), asOf: today).payload)
            }
        }
    }

    /// Builds a payload and stores it in the outbox in one transaction. With a period key, nothing
    /// is stored (and `nil` returned) when that period's export exists already.
    public func store(endpoint name: String, periodKey: String? = nil, today: ClinicalDate? = nil, actor: String = "ketareg") throws -> OutboxEntry? {
        let today = today ?? registry.today
        let endpoint = try registry.endpoint(name)
        let clinic = try registry.clinicName()
        let secret = try registry.pseudonymKey()
        return try registry.createExport(endpoint: name, periodKey: periodKey, actor: actor) { snapshot in
            try build(for: endpoint, snapshot: snapshot, clinic: clinic, secret: secret, period: Self.period(today), asOf: today)
        }
    }

    /// `export run`: builds an export only when the last one to this endpoint was delivered (or
    /// failed) and the data changed; resumes one still pending under its own key. See
    /// ``Registry/runExport(endpoint:actor:build:)``.
    public func run(endpoint name: String, today: ClinicalDate? = nil, actor: String = "ketareg") throws -> Registry.ManualExport {
        let today = today ?? registry.today
        let endpoint = try registry.endpoint(name)
        let clinic = try registry.clinicName()
        let secret = try registry.pseudonymKey()
        return try registry.runExport(endpoint: name, actor: actor) { snapshot in
            try build(for: endpoint, snapshot: snapshot, clinic: clinic, secret: secret, period: Self.period(today), asOf: today)
        }
    }

    /// The payload's own period: year and month.
    public static func period(_ date: ClinicalDate) -> String {
        String(date.description.prefix(7))
    }

    /// The key of the period a schedule is in on a day: `2026-11-25`, `2026-W48`, `2026-11`.
    public static func periodKey(every: String, on date: ClinicalDate) -> String {
        switch every {
        case "daily": return "daily:\(date)"
        case "weekly":
            let weekday = ((date.dayNumber + 3) % 7 + 7) % 7 + 1 // Monday 1 ... Sunday 7
            let thursday = date.adding(days: 4 - weekday)
            let januaryFirst = ClinicalDate(year: thursday.year, month: 1, day: 1)!
            let week = januaryFirst.days(until: thursday) / 7 + 1
            return "weekly:\(thursday.year)-W\(week < 10 ? "0" : "")\(week)"
        default: return "monthly:\(period(date))"
        }
    }

    /// Builds what the schedules call for in the current period (once per period, however many
    /// periods were missed) and returns what was built.
    public func buildScheduled(today: ClinicalDate? = nil) throws -> [OutboxEntry] {
        let today = today ?? registry.today
        var built: [OutboxEntry] = []
        for schedule in try registry.schedules() {
            if let entry = try store(endpoint: schedule.endpoint, periodKey: Self.periodKey(every: schedule.every, on: today), today: today) {
                built.append(entry)
            }
        }
        return built
    }

    // MARK: - Delivery

    /// What one delivery attempt did.
    public struct Attempt: Sendable, Codable {
        public let id: String
        public let endpoint: String
        /// `delivered`, `pending` (will retry) or `failed`.
        public let state: String
        public let status: Int?
        public let detail: String
        /// When a pending export will be tried again (ISO 8601).
        public var nextAttemptAt: String? = nil
    }

    /// Delivers every pending export that is due (or only one endpoint's), each under a lease so
    /// that concurrent runs never send one export twice. `holder` is the delivering process, as
    /// the program names it; time is the registry's clock, read as each answer arrives.
    public func deliverDue(endpoint: String? = nil, holder: LeaseHolder) throws -> [Attempt] {
        let owner = holder.name
        let endpoints = try registry.endpoints()
        let lease = (endpoints.map(\.timeoutSeconds).max() ?? 60) + 30
        var attempts: [Attempt] = []
        for (entry, payload) in try registry.claimDueExports(holder: holder, leaseSeconds: lease, endpoint: endpoint) {
            guard let settings = endpoints.first(where: { $0.name == entry.endpoint }) else { continue }
            let outcome: DeliveryOutcome
            do {
                let token = try TokenSource.read(file: settings.tokenFile, environment: settings.tokenEnvironment, lookup: environment)
                let answer = transport.post(url: settings.url, body: payload, headers: [
                    ("Content-Type", "application/json"),
                    ("Authorization", "Bearer \(token)"),
                    ("Idempotency-Key", entry.id),
                ], caFile: settings.caFile, timeoutSeconds: settings.timeoutSeconds)
                // Whatever the endpoint answered may quote the token back: it is cut out of the whole
                // answer before any of it is shortened, printed or stored.
                outcome = Self.redacting(token, in: judge(Self.redacting(token, in: answer), attempt: entry.attempts + 1, now: registry.clock.now()))
            } catch {
                outcome = .failed(status: nil, reason: "\(error)")
            }
            try registry.recordDelivery(id: entry.id, owner: owner, outcome: outcome)
            attempts.append(Self.describe(entry, outcome))
        }
        return attempts
    }

    static func describe(_ entry: OutboxEntry, _ outcome: DeliveryOutcome) -> Attempt {
        switch outcome {
        case let .delivered(status, _):
            return Attempt(id: entry.id, endpoint: entry.endpoint, state: "delivered", status: status, detail: status == 409 ? "already delivered (409)" : "delivered (\(status))")
        case let .retry(status, reason, notBefore):
            let next = ISO8601DateFormatter().string(from: notBefore)
            return Attempt(id: entry.id, endpoint: entry.endpoint, state: "pending", status: status,
                           detail: "\(reason); will retry after \(next)", nextAttemptAt: next)
        case let .failed(status, reason):
            return Attempt(id: entry.id, endpoint: entry.endpoint, state: "failed", status: status, detail: reason)
        }
    }

    /// The endpoint's answer with the token, and anything that looks like a credential, cut out of its
    /// body (a body that is not text is dropped) and of the transport's message.
    public static func redacting(_ token: String, in result: TransportResult) -> TransportResult {
        switch result {
        case let .reply(status, headers, body):
            let text = String(bytes: body, encoding: .utf8).map { redact($0, token: token) } ?? ""
            return .reply(status: status, headers: headers.mapValues { redact($0, token: token) }, body: Data(text.utf8))
        case let .failure(kind, message):
            return .failure(kind, message: redact(message, token: token))
        }
    }

    /// The outcome with the token, and anything that looks like a credential, cut out of its reason.
    public static func redacting(_ token: String, in outcome: DeliveryOutcome) -> DeliveryOutcome {
        switch outcome {
        case .delivered: outcome
        case let .retry(status, reason, notBefore): .retry(status: status, reason: redact(reason, token: token), notBefore: notBefore)
        case let .failed(status, reason): .failed(status: status, reason: redact(reason, token: token))
        }
    }

    /// Text with the token, and anything that looks like a credential (`Bearer …`, an
    /// `Authorization` header's value), replaced by `[redacted]`.
    public static func redact(_ text: String, token: String) -> String {
        var text = text
        if !token.isEmpty { text = text.replacingOccurrences(of: token, with: "[redacted]") }
        for pattern in [#"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"#, #"(?i)(authorization"?\s*[:=]\s*"?)[^",}\s]+(\s+[^",}\s]+)?"#] {
            text = text.replacingOccurrences(of: pattern, with: "$1 [redacted]", options: .regularExpression)
        }
        return text
    }

    /// How one attempt ended, by EXPORT.md's rules.
    public func judge(_ result: TransportResult, attempt: Int, now: Date, jitter: Double = Double.random(in: 0.8...1.2)) -> DeliveryOutcome {
        let backoff = min(retryCapSeconds, retryBaseSeconds * pow(2, Double(max(0, attempt - 1)))) * jitter
        switch result {
        case let .reply(status, headers, body):
            switch status {
            case 200..<300:
                return .delivered(status: status, responseDigest: sha256Hex(body))
            case 409:
                return .delivered(status: status, responseDigest: sha256Hex(body))
            case 408, 425, 429, 500..<600:
                var wait = backoff
                if let header = headers["retry-after"], let after = Self.retryAfter(header, now: now) { wait = max(wait, after) }
                return .retry(status: status, reason: "the endpoint answered \(status) \(Self.reason(status))", notBefore: now.addingTimeInterval(wait))
            case 300..<400:
                return .failed(status: status, reason: "the endpoint answered \(status) \(Self.reason(status)) and redirects are not followed: check the URL")
            default:
                let said = String(decoding: body.prefix(200), as: UTF8.self).filter { !$0.isNewline && $0.isASCII }
                return .failed(status: status, reason: "the endpoint refused the export: \(status) \(Self.reason(status))"
                               + (Self.advice[status].map { ". \($0)" } ?? "") + (said.isEmpty ? "" : " (it said: \(said))"))
            }
        case let .failure(kind, message):
            switch kind {
            case .connection, .timeout, .other:
                return .retry(status: nil, reason: message, notBefore: now.addingTimeInterval(backoff))
            case .tls:
                return .failed(status: nil, reason: "the endpoint's TLS certificate is not trusted (\(message)); give the endpoint's CA bundle with --ca-file, or fix the server's certificate")
            case .refused:
                return .failed(status: nil, reason: message)
            }
        }
    }

    /// Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date.
    static func retryAfter(_ header: String, now: Date) -> Double? {
        let text = header.trimmedWhitespace
        if let seconds = Double(text), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text).map { max(0, $0.timeIntervalSince(now)) }
    }

    static let advice: [Int: String] = [
        400: "The endpoint found the payload malformed; tell its operators, quoting the export id",
        401: "The token was not accepted: check the endpoint's token file or variable",
        403: "The token may not send to this endpoint: ask its operators",
        404: "Nothing answers at that URL: check it with 'ketareg endpoint list'",
        413: "The payload is too large for the endpoint",
        422: "The endpoint could not accept the payload's content; tell its operators, quoting the export id",
    ]

    static func reason(_ status: Int) -> String {
        switch status {
        case 301: "Moved Permanently"
        case 302: "Found"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 408: "Request Timeout"
        case 413: "Payload Too Large"
        case 422: "Unprocessable Content"
        case 425: "Too Early"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}
