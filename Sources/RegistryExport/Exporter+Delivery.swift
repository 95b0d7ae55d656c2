import Foundation
import PayloadFormat
import RegistryCore
import RegistryStore

/// Delivery: leases, attempts, and how each answer is judged.
extension Exporter {
    /// What one delivery attempt did.
    public struct Attempt: Sendable, Codable {
        /// The export's id: its outbox row, and the `Idempotency-Key` it is sent under.
        public let id: String
        /// The endpoint's name.
        public let endpoint: String
        /// Where the export stands after the attempt: delivered, pending (will be retried) or failed.
        public let state: DeliveryState
        /// The HTTP status the endpoint answered; nil when no HTTP answer came (a transport error,
        /// a refused URL or an unreadable token).
        public let status: Int?
        /// What happened, in words, with the token and anything like a credential redacted:
        /// `delivered (202)`, the reason and when it will be retried, or why it failed.
        public let detail: String
        /// When a pending export will be tried again (ISO 8601).
        public var nextAttemptAt: String? = nil
        /// True when the endpoint answered the delivery with a receipt that was kept.
        public var receipt = false
        /// Why a receipt the endpoint answered with was not kept (it was not for this payload, or
        /// its signature is not the hub's key).
        public var receiptProblem: String? = nil
    }

    /// The hub's receipt in a delivery's answer, to keep, or why it is not kept; (nil, nil) when
    /// the answer carries none. A receipt is kept only when it is for this export, this payload's
    /// digest and chain head, and, when the endpoint has the hub's key, signed by it.
    static func receipt(
        in body: Data, for entry: OutboxEntry, payload: Data, settings: EndpointSettings
    ) -> (StoredReceipt?, String?) {
        guard let answer = try? JSONDecoder().decode(HubAnswer.self, from: body), let receipt = answer.receipt else {
            return (nil, nil)
        }
        guard receipt.export == entry.id, receipt.digest == sha256Hex(payload) else {
            return (nil, "the hub's receipt is for another export or other bytes; it was not kept")
        }
        // Found in the bytes as `withoutChainHead` finds them: a large records payload is not parsed.
        guard payload.range(of: chainMembers(head: receipt.auditChainHead, rows: receipt.auditChainRows)) != nil else {
            return (nil, "the hub's receipt names another chain head than the payload; it was not kept")
        }
        if let text = settings.hubKey {
            guard let key = HubPublicKey(text) else { return (nil, "the endpoint's hub key does not read") }
            if let problem = receipt.problem(under: key) {
                return (nil, "the hub's receipt was not kept: \(problem)")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let json = try? encoder.encode(receipt) else { return (nil, nil) }
        return (
            StoredReceipt(
                export: entry.id, endpoint: entry.endpoint, anchor: receipt.anchor, receivedAt: receipt.receivedAt,
                body: String(decoding: json, as: UTF8.self)), nil
        )
    }

    /// Delivers every pending export that is due (or only one endpoint's), each under a lease so
    /// that concurrent runs never send one export twice. `holder` is the delivering process, as
    /// the program names it; time is the registry's clock, read as each answer arrives.
    public func deliverDue(endpoint: String? = nil, holder: LeaseHolder) throws -> [Attempt] {
        let owner = holder.name
        let endpoints = try registry.endpoints()
        let lease = (endpoints.map(\.timeoutSeconds).max() ?? 60) + 30
        var attempts: [Attempt] = []
        // Each endpoint's settings against their audit rows once per run, not once per export.
        var audited: [String: Result<Void, any Error>] = [:]
        for (entry, payload) in try registry.claimDueExports(holder: holder, leaseSeconds: lease, endpoint: endpoint) {
            guard let settings = endpoints.first(where: { $0.name == entry.endpoint }) else { continue }
            let outcome: DeliveryOutcome
            var receipt: StoredReceipt?
            var receiptProblem: String?
            do {
                // Settings changed behind the program's back (a URL, a minimum cell) send nothing.
                let check =
                    audited[settings.name] ?? Result { try registry.requireAuditedSettings(endpoint: settings.name) }
                audited[settings.name] = check
                try check.get()
                let token = try TokenSource.read(
                    file: settings.tokenFile, environment: settings.tokenEnvironment, lookup: environment,
                    owner: tokenOwner)
                let answer = transport.post(
                    url: settings.url, body: payload,
                    headers: [
                        ("Content-Type", "application/json"),
                        ("Authorization", "Bearer \(token)"),
                        ("Idempotency-Key", entry.id),
                    ], caFile: settings.caFile, timeoutSeconds: settings.timeoutSeconds)
                // Whatever the endpoint answered may quote the token back: it is cut out of the whole
                // answer before any of it is shortened, printed or stored.
                outcome = Self.redacting(
                    token,
                    in: judge(
                        Self.redacting(token, in: answer), attempt: entry.attempts + 1, now: registry.clock.now(),
                        jitter: registry.random.uniform(in: 0.8...1.2))
                )
                if case .delivered = outcome, case .reply(_, _, let body) = answer {
                    (receipt, receiptProblem) = Self.receipt(in: body, for: entry, payload: payload, settings: settings)
                }
            } catch {
                outcome = .failed(status: nil, reason: "\(error)")
            }
            try registry.recordDelivery(id: entry.id, owner: owner, outcome: outcome, receipt: receipt)
            var attempt = Self.describe(entry, outcome)
            if let receiptProblem { attempt.receiptProblem = receiptProblem }
            attempt.receipt = receipt != nil
            attempts.append(attempt)
        }
        return attempts
    }

    static func describe(_ entry: OutboxEntry, _ outcome: DeliveryOutcome) -> Attempt {
        switch outcome {
        case .delivered(let status, _):
            return Attempt(
                id: entry.id, endpoint: entry.endpoint, state: .delivered, status: status,
                detail: status == 409 ? "already delivered (409)" : "delivered (\(status))")
        case .retry(let status, let reason, let notBefore):
            let next = ISO8601DateFormatter().string(from: notBefore)
            return Attempt(
                id: entry.id, endpoint: entry.endpoint, state: .pending, status: status,
                detail: "\(reason); will retry after \(next)", nextAttemptAt: next)
        case .failed(let status, let reason):
            return Attempt(id: entry.id, endpoint: entry.endpoint, state: .failed, status: status, detail: reason)
        }
    }

    /// The endpoint's answer with the token, and anything that looks like a credential, cut out of its
    /// body (a body that is not text is dropped) and of the transport's message.
    public static func redacting(_ token: String, in result: TransportResult) -> TransportResult {
        switch result {
        case .reply(let status, let headers, let body):
            let text = String(bytes: body, encoding: .utf8).map { redact($0, token: token) } ?? ""
            return .reply(
                status: status, headers: headers.mapValues { redact($0, token: token) }, body: Data(text.utf8))
        case .failure(let kind, let message):
            return .failure(kind, message: redact(message, token: token))
        }
    }

    /// The outcome with the token, and anything that looks like a credential, cut out of its reason.
    public static func redacting(_ token: String, in outcome: DeliveryOutcome) -> DeliveryOutcome {
        switch outcome {
        case .delivered: outcome
        case .retry(let status, let reason, let notBefore):
            .retry(status: status, reason: redact(reason, token: token), notBefore: notBefore)
        case .failed(let status, let reason): .failed(status: status, reason: redact(reason, token: token))
        }
    }

    /// Text with the token, and anything that looks like a credential (`Bearer …`, an
    /// `Authorization` header's value), replaced by `[redacted]`.
    public static func redact(_ text: String, token: String) -> String {
        var text = text
        if !token.isEmpty { text = text.replacingOccurrences(of: token, with: "[redacted]") }
        for pattern in [
            #"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"#, #"(?i)(authorization"?\s*[:=]\s*"?)[^",}\s]+(\s+[^",}\s]+)?"#,
        ] {
            text = text.replacingOccurrences(of: pattern, with: "$1 [redacted]", options: .regularExpression)
        }
        return text
    }

    /// How one attempt ended, by EXPORT.md's rules.
    /// `jitter` (0.8 to 1.2, from the registry's random source when delivering) spreads the
    /// back-off so that clinics that failed together do not retry together.
    public func judge(_ result: TransportResult, attempt: Int, now: Date, jitter: Double) -> DeliveryOutcome {
        let backoff = min(retryCapSeconds, retryBaseSeconds * pow(2, Double(max(0, attempt - 1)))) * jitter
        switch result {
        case .reply(let status, let headers, let body):
            switch status {
            case 200..<300:
                return .delivered(status: status, responseDigest: sha256Hex(body))
            case 409:
                return .delivered(status: status, responseDigest: sha256Hex(body))
            case 408, 425, 429, 500..<600:
                var wait = backoff
                if let header = headers["retry-after"], let after = Self.retryAfter(header, now: now) {
                    wait = max(wait, after)
                }
                return .retry(
                    status: status, reason: "the endpoint answered \(status) \(Self.reason(status))",
                    notBefore: now.addingTimeInterval(wait))
            case 300..<400:
                return .failed(
                    status: status,
                    reason:
                        "the endpoint answered \(status) \(Self.reason(status)) and redirects are not followed: check the URL"
                )
            default:
                // What the endpoint said is shown and stored: no byte of it may reach a terminal as
                // a control sequence (an escape that rewrites the screen, say).
                let said = escapingControlCharacters(
                    String(decoding: body.prefix(200), as: UTF8.self).filter { !$0.isNewline && $0.isASCII })
                return .failed(
                    status: status,
                    reason: "the endpoint refused the export: \(status) \(Self.reason(status))"
                        + (Self.advice[status].map { ". \($0)" } ?? "") + (said.isEmpty ? "" : " (it said: \(said))"))
            }
        case .failure(let kind, let message):
            switch kind {
            case .connection, .timeout, .other:
                return .retry(status: nil, reason: message, notBefore: now.addingTimeInterval(backoff))
            case .tls:
                return .failed(
                    status: nil,
                    reason:
                        "the endpoint's TLS certificate is not trusted (\(message)); give the endpoint its CA bundle, or fix the server's certificate"
                )
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
        404: "Nothing answers at that URL: check the endpoint's URL",
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
