import ArgumentParser
import ClinicWork
import CurlTransport
import Foundation
import Logging
import PayloadFormat
import RegistryCore
import RegistryExport
import RegistryStore

/// The exporter's transport: libcurl, through CurlTransport.
struct CurlExportTransport: ExportTransport {
    let client = CurlHTTPClient(userAgent: "ketareg/\(Ketareg.version)")

    func post(url: String, body: Data, headers: [(String, String)], caFile: String?, timeoutSeconds: Int)
        -> TransportResult
    {
        send(
            HTTPPost(
                url: url, body: body, headers: headers, caFile: caFile,
                connectTimeoutSeconds: min(10, timeoutSeconds), totalTimeoutSeconds: timeoutSeconds))
    }

    func get(url: String, headers: [(String, String)], caFile: String?, timeoutSeconds: Int) -> TransportResult {
        var request = HTTPPost(
            url: url, body: Data(), headers: headers, caFile: caFile,
            connectTimeoutSeconds: min(10, timeoutSeconds), totalTimeoutSeconds: timeoutSeconds)
        request.isGet = true
        return send(request)
    }

    private func send(_ request: HTTPPost) -> TransportResult {
        switch client.post(request) {
        case .success(let reply): return .reply(status: reply.status, headers: reply.headers, body: reply.body)
        case .failure(let failure):
            switch failure {
            case .refused(let text): return .failure(.refused, message: text)
            case .connection(let text): return .failure(.connection, message: text)
            case .timeout(let text): return .failure(.timeout, message: text)
            case .tls(let text): return .failure(.tls, message: text)
            case .other(let text): return .failure(.other, message: text)
            }
        }
    }
}

func makeExporter(_ registry: Registry, catalog: ConditionCatalog) -> Exporter {
    var exporter = Exporter(
        registry: registry, catalog: catalog, transport: CurlExportTransport(), generator: "ketareg \(Ketareg.version)",
        tokenOwner: ClinicDay.userID)
    exporter.environment = { environmentVariable($0) }
    return exporter
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Anonymised exports to research endpoints: preview, run, schedule, deliver, status.",
        discussion:
            "What leaves the clinic and how is described in the README ('Anonymised exports'). Exit code 4 means a delivery did not go through.",
        subcommands: [
            Preview.self, Run.self, Schedule.self, RunDue.self, Status.self, Retry.self, Show.self, Schemas.self,
        ]
    )

    struct Preview: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "preview",
            abstract:
                "Print the exact bytes an export to this endpoint would send now, without storing or sending anything."
        )
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Argument(help: ArgumentHelp("The endpoint's name.", valueName: "endpoint")) var endpoint: String

        func run() throws {
            // Written as it is made: nothing reaches the terminal when the payload is refused.
            try makeExporter(try global.openRegistry(), catalog: try global.catalog()).preview(endpoint: endpoint) {
                piece in
                try writeStandardOutput(piece)
            }
            if isatty(STDOUT_FILENO) == 1 { print("") }
        }
    }

    struct Run: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Build an export now, store it in the outbox, and deliver it.",
            discussion: """
                An export is built only when the last one made with 'export run' for this endpoint \
                was delivered, or the data changed since. One still waiting (after a crash, say) is \
                sent again under its own idempotency key instead, so the endpoint never receives the \
                same data twice; when nothing changed since the last delivery, nothing is sent.
                """
        )
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("The endpoint's name.", valueName: "endpoint")) var endpoint: String

        func run() throws {
            let runs = ExportRuns(
                exporter: makeExporter(try global.openRegistry(), catalog: try global.catalog()),
                holder: ClinicDay.leaseHolder)
            let run = try runs.runNow(endpoint: endpoint, actor: global.actorName)
            let entry = run.entry
            switch run.action {
            case .built: break
            case .resumed:
                note(
                    "Export \(entry.id), built \(entry.createdAt), was not delivered yet: sending it again under its own key."
                )
            case .unchanged:
                if json {
                    return try printJSON([
                        "export": entry.id, "state": "delivered", "action": "unchanged",
                        "detail": "nothing changed since it was delivered; nothing sent",
                    ])
                }
                return print(
                    "Nothing changed since export \(entry.id) was delivered to \(endpoint) (\(entry.deliveredAt ?? entry.createdAt)); nothing sent."
                )
            }
            if json {
                try printJSON([
                    "export": entry.id, "state": run.state.rawValue, "action": run.action.rawValue,
                    "detail": run.attempt?.detail ?? "waiting for its next attempt",
                ])
            } else {
                print(
                    "Export \(entry.id) to \(endpoint) (\(entry.patients) consenting patients): \(run.attempt?.detail ?? "stored; waiting for its next attempt")"
                )
            }
            if run.state != .delivered { throw ExitCode(ExitStatus.delivery) }
        }
    }

    struct Schedule: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "schedule",
            abstract:
                "Build and send an endpoint's export daily, weekly or monthly (with 'export run-due' from cron or a systemd timer)."
        )
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Argument(help: ArgumentHelp("The endpoint's name.", valueName: "endpoint")) var endpoint: String
        @Option(help: ArgumentHelp("daily, weekly or monthly.", valueName: "period")) var every: String

        func run() throws {
            let interval = try ExportInterval.parse(every, field: "every")
            try endpointSetup(global).schedule(endpoint: endpoint, every: interval, actor: global.actorName)
            print(
                "\(endpoint) is exported \(interval.rawValue). Run 'ketareg export run-due' every few minutes from cron or the systemd timer in Registry/deploy/."
            )
        }
    }

    struct RunDue: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "run-due",
            abstract: "Build what the schedules call for and deliver whatever is waiting: for cron and systemd timers.",
            discussion:
                "Safe to start every few minutes, and two at once send nothing twice. A period missed while the machine was off is caught up once. Exit 4 when a delivery failed for good in this run."
        )
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false

        func run() throws {
            // Under cron or systemd nobody reads standard output: one log line on standard error
            // per export built and per delivery attempt, with ids, states and times only, never
            // payload content, patient data or a token.
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
            let log = Logger(label: "ketareg.export")
            let runs = ExportRuns(
                exporter: makeExporter(try global.openRegistry(), catalog: try global.catalog()),
                holder: ClinicDay.leaseHolder)
            let due = try runs.runDue()
            let (built, attempts) = (due.built, due.attempts)
            for entry in built {
                log.info(
                    "built",
                    metadata: [
                        "endpoint": "\(entry.endpoint)", "export": "\(entry.id)", "patients": "\(entry.patients)",
                        "period": "\(entry.periodKey ?? "-")",
                    ])
            }
            for attempt in attempts {
                let metadata: Logger.Metadata = [
                    "endpoint": "\(attempt.endpoint)", "export": "\(attempt.id)", "state": "\(attempt.state.rawValue)",
                    "status": "\(attempt.status.map(String.init) ?? "none")",
                    "nextAttempt": "\(attempt.nextAttemptAt ?? "none")",
                ]
                if attempt.state == .failed {
                    log.error("delivery", metadata: metadata)
                } else {
                    log.info("delivery", metadata: metadata)
                }
            }
            if json {
                try printJSON(RunDueReport(built: built.map(\.id), attempts: attempts))
            } else {
                for entry in built {
                    print("Built \(entry.id) for \(entry.endpoint) (\(entry.patients) consenting patients).")
                }
                for attempt in attempts { print("\(attempt.id) to \(attempt.endpoint): \(attempt.detail)") }
                if built.isEmpty && attempts.isEmpty { print("Nothing due.") }
            }
            if let failure = due.buildFailure {
                log.error("schedules", metadata: ["problem": "the schedules could not be read; nothing was built"])
                throw failure
            }
            if due.anyFailed { throw ExitCode(ExitStatus.delivery) }
        }
    }

    struct Status: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "status", abstract: "The outbox: what is pending, delivered or failed, and why.")
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false

        func run() throws {
            let listing = try global.openRegistry().outboxListing()
            let exports = listing.compactMap { try? $0.get() }
            let damaged = listing.compactMap { result -> RegistryError? in
                if case .failure(let error) = result { error } else { nil }
            }
            if json {
                try printJSON(StatusJSON(exports: exports, damaged: damaged.isEmpty ? nil : damaged.map(\.message)))
            } else if exports.isEmpty && damaged.isEmpty {
                print("The outbox is empty.")
            } else {
                for problem in damaged { print("DAMAGED  \(problem.message)") }
                for entry in exports { print(Self.line(entry)) }
            }
            // Every export that reads is listed; the first that does not then ends the command
            // with its message and remedies (exit 3).
            if let first = damaged.first { throw first }
        }

        /// `export status --json`: the exports that read, and a sentence for each that does not
        /// (absent when every export reads).
        private struct StatusJSON: Encodable {
            let exports: [OutboxEntry]
            let damaged: [String]?
        }

        static func line(_ entry: OutboxEntry) -> String {
            var line =
                "\(entry.id)  \(entry.endpoint)  \(entry.state.rawValue.uppercased())  built \(entry.createdAt), \(entry.patients) patients, \(entry.attempts) attempt\(entry.attempts == 1 ? "" : "s")"
            switch entry.state {
            case .delivered:
                line += "; delivered \(entry.deliveredAt ?? "")" + (entry.lastStatus.map { " (\($0))" } ?? "")
            case .failed:
                line +=
                    "\n    FAILED: \(entry.lastError ?? "unknown reason")\n    When fixed: ketareg export retry \(entry.id)"
            case .pending:
                line +=
                    entry.lastError.map { "; last attempt: \($0); next after \(entry.nextAttemptAt)" }
                    ?? "; next attempt after \(entry.nextAttemptAt)"
            }
            return line
        }
    }

    struct Retry: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry", abstract: "Put a failed export back in the queue once its cause is fixed.")
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Argument(help: ArgumentHelp("The export id.", valueName: "id")) var id: String

        func run() throws {
            let entry = try global.openRegistry().retryExport(id, actor: global.actorName)
            print("Export \(entry.id) is pending again; 'ketareg export run-due' delivers it.")
        }
    }

    struct Show: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print the stored bytes of an export in the outbox: exactly what was (or will be) sent.")
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Argument(help: ArgumentHelp("The export id.", valueName: "id")) var id: String

        func run() throws {
            try writeStandardOutput(try global.openRegistry().exportPayload(id))
            if isatty(STDOUT_FILENO) == 1 { print("") }
        }
    }
}

extension ExportCommand {
    struct Schemas: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schemas",
            abstract: "List the JSON Schemas every payload is validated against, or write them to a folder.")
        @Option(help: ArgumentHelp("Write each schema into this folder.", valueName: "dir")) var write: String?

        func run() throws {
            for schema in PayloadSchemas.all {
                if let write {
                    let path = (write as NSString).appendingPathComponent(schema.file)
                    try (schema.text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
                    print("Wrote \(path)")
                } else {
                    print("\(schema.id)  \(schema.file)")
                }
            }
        }
    }
}

struct RunDueReport: Codable {
    let built: [String]
    let attempts: [Exporter.Attempt]
}
