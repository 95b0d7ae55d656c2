import ArgumentParser
import Foundation
import HTTPTypes
import HubCore
import HubStore
import Hummingbird
import Logging
import NIOCore
import PostgresNIO

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive clinics' exports: POST /v1/exports, the clinic exporter's protocol.",
        discussion: """
            A clinic POSTs its payload with `Authorization: Bearer TOKEN`, `Idempotency-Key: EXPORT-ID` and \
            `Content-Type: application/json`. Answers: 202 stored; 409 this key was stored before with the same bytes \
            (nothing stored now); 422 this key came before with different bytes, or PostgreSQL cannot store a value of it; \
            401 no or unknown (or revoked) token; 413 a body over --max-body-mib; 415 not JSON; 400 not JSON, an unknown \
            schema or version, or a body its schema refuses, with the reason; 503 the database is not answering (with \
            Retry-After). Only 202 stores anything. GET /v1/health answers 200 while the database answers.

            Serve plain HTTP on loopback behind a TLS-terminating proxy (see the README). Several `serve` processes may \
            share one database: each key is stored once whichever receives it. Standard error gets one line per request \
            (status, clinic, size, time): never a payload, a token or a refusal's reason. Stops on SIGTERM or SIGINT.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(
        help: ArgumentHelp(
            "Address and port to listen on; port 0 picks a free one (printed at start).", valueName: "HOST:PORT"))
    var listen = "127.0.0.1:8080"
    @Option(
        name: .customLong("max-body-mib"), help: "The largest body accepted, in MiB (1 to 4096); larger ones get 413.")
    var maxBodyMiB = 256

    func run() async throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port),
            !listen[..<colon].isEmpty
        else {
            fail(
                HubError(
                    .refused, "--listen must be HOST:PORT, like 127.0.0.1:8080 (port 0 picks a free one), not \(listen)"
                ))
        }
        guard (1...4096).contains(maxBodyMiB) else {
            fail(HubError(.refused, "--max-body-mib must be from 1 to 4096, not \(maxBodyMiB)"))
        }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let location: DatabaseLocation
        do { location = try database.location() } catch let error as HubError { fail(error) }

        let postgresLogger = quietLogger("ketareg-hub.postgres")
        // Refuse to start against a database that is not there or not initialised: a service
        // manager restarts it, and the error says what to do.
        do {
            _ = try await HubDatabase.with(location, logger: postgresLogger) { db in try await db.minimumCellSize() }
        } catch let error as HubError {
            fail(error)
        }
        let client = PostgresClient(configuration: location.configuration, backgroundLogger: postgresLogger)
        let store = HubDatabase(client: client, logger: postgresLogger)
        var requestLogger = Logger(label: "ketareg-hub") { StreamLogHandler.standardError(label: $0) }
        requestLogger.logLevel = .info
        let receiver = Receiver(store: store, maximumBytes: maxBodyMiB * 1024 * 1024, logger: requestLogger)

        let router = Router(context: BasicRequestContext.self)
        router.post("/v1/exports") { request, _ in await receiver.receive(request) }
        router.get("/v1/health") { _, _ in await receiver.health() }

        var frameworkLogger = Logger(label: "hummingbird") { StreamLogHandler.standardError(label: $0) }
        frameworkLogger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "ketareg-hub/\(Hub.version)"),
            services: [client],
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                // Scripts and tests read this line for the port.
                writeOrFail(Data("ketareg-hub: listening on http://\(host):\(bound)/v1/exports\n".utf8))
            },
            logger: frameworkLogger
        )
        do {
            try await app.runService()
        } catch {
            fail(HubError(.database, "serve stopped: \(error)"))
        }
    }
}

/// The endpoint's logic: authenticate, read, check, store once, answer.
struct Receiver: Sendable {
    let store: HubDatabase
    let maximumBytes: Int
    let logger: Logger

    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!

    func answer(_ status: HTTPResponse.Status, _ object: [String: Any], headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// One line per request, with nothing from the body or the headers but the clinic's name.
    func log(
        _ status: HTTPResponse.Status, clinic: String?, bytes: Int, started: ContinuousClock.Instant, outcome: String
    ) {
        let elapsed = ContinuousClock.now - started
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info(
            "POST /v1/exports \(status.code) \(outcome) clinic=\(clinic.map { "\"\($0)\"" } ?? "-") bytes=\(bytes) ms=\(String(format: "%.1f", ms))"
        )
    }

    func health() async -> Response {
        do {
            _ = try await store.minimumCellSize()
            return answer(.ok, ["status": "ok"])
        } catch {
            return answer(.serviceUnavailable, ["status": "database-unavailable"])
        }
    }

    func receive(_ incoming: Request) async -> Response {
        let started = ContinuousClock.now
        var request = incoming
        // Who is sending: nothing else is read until the token is known.
        guard let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer "),
            case let token = String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces),
            !token.isEmpty
        else {
            log(.unauthorized, clinic: nil, bytes: 0, started: started, outcome: "no-token")
            return answer(
                .unauthorized,
                [
                    "status": "unauthorized",
                    "reason": "send Authorization: Bearer TOKEN with the token the network gave your clinic",
                ],
                headers: [.wwwAuthenticate: "Bearer"])
        }
        let clinic: (id: Int, name: String)
        do {
            guard let found = try await store.clinic(forToken: token) else {
                log(.unauthorized, clinic: nil, bytes: 0, started: started, outcome: "unknown-token")
                return answer(
                    .unauthorized, ["status": "unauthorized", "reason": "this token belongs to no registered clinic"],
                    headers: [.wwwAuthenticate: "Bearer"])
            }
            clinic = found
        } catch {
            log(.serviceUnavailable, clinic: nil, bytes: 0, started: started, outcome: "database-unavailable")
            return answer(
                .serviceUnavailable,
                ["status": "unavailable", "reason": "the hub's database is not answering; try again later"],
                headers: [.retryAfter: "30"])
        }
        guard let key = request.headers[Self.idempotencyKey], (1...200).contains(key.utf8.count),
            key.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else {
            log(.badRequest, clinic: clinic.name, bytes: 0, started: started, outcome: "no-key")
            return answer(
                .badRequest,
                [
                    "status": "refused",
                    "reason": "send an Idempotency-Key header: 1 to 200 visible ASCII characters (the export's id)",
                ])
        }
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            log(.unsupportedMediaType, clinic: clinic.name, bytes: 0, started: started, outcome: "not-json-type")
            return answer(
                .unsupportedMediaType, ["status": "refused", "reason": "Content-Type must be application/json"])
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maximumBytes {
            log(.contentTooLarge, clinic: clinic.name, bytes: length, started: started, outcome: "too-large")
            return answer(
                .contentTooLarge,
                [
                    "status": "refused",
                    "reason": "the body is larger than this hub accepts (\(maximumBytes / 1024 / 1024) MiB)",
                ])
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBytes)
        } catch is NIOTooManyBytesError {
            log(.contentTooLarge, clinic: clinic.name, bytes: maximumBytes, started: started, outcome: "too-large")
            return answer(
                .contentTooLarge,
                [
                    "status": "refused",
                    "reason": "the body is larger than this hub accepts (\(maximumBytes / 1024 / 1024) MiB)",
                ])
        } catch {
            log(.badRequest, clinic: clinic.name, bytes: 0, started: started, outcome: "unreadable-body")
            return answer(.badRequest, ["status": "refused", "reason": "the body could not be read"])
        }
        let body = Data(buffer.readableBytesView)
        let payload: ReceivedPayload
        do {
            payload = try PayloadIntake.read(body)
        } catch {
            log(.badRequest, clinic: clinic.name, bytes: body.count, started: started, outcome: "invalid-payload")
            return answer(.badRequest, ["status": "refused", "reason": error.reason])
        }
        do {
            switch try await store.store(payload, body: body, clinic: clinic.id, key: key) {
            case .stored(let id):
                log(.accepted, clinic: clinic.name, bytes: body.count, started: started, outcome: "stored")
                return answer(
                    .accepted,
                    [
                        "status": "received", "payload": String(id), "digest": payload.digest, "schema": payload.schema,
                        "period": payload.period,
                    ])
            case .replay(let id):
                log(.conflict, clinic: clinic.name, bytes: body.count, started: started, outcome: "replay")
                return answer(
                    .conflict, ["status": "already-received", "payload": String(id), "digest": payload.digest])
            case .conflict:
                log(
                    .unprocessableContent, clinic: clinic.name, bytes: body.count, started: started,
                    outcome: "key-reused")
                return answer(
                    .unprocessableContent,
                    [
                        "status": "refused",
                        "reason":
                            "this Idempotency-Key came before with a different body; a new export needs a new key",
                    ])
            }
        } catch  where HubDatabase.isPermanent(error) {
            log(
                .unprocessableContent, clinic: clinic.name, bytes: body.count, started: started, outcome: "not-storable"
            )
            return answer(
                .unprocessableContent,
                [
                    "status": "refused",
                    "reason":
                        "PostgreSQL refused a value of this payload; tell the network's operators, quoting the export id",
                ])
        } catch {
            log(
                .serviceUnavailable, clinic: clinic.name, bytes: body.count, started: started,
                outcome: "database-unavailable")
            return answer(
                .serviceUnavailable,
                ["status": "unavailable", "reason": "the hub could not store the payload; try again later"],
                headers: [.retryAfter: "30"])
        }
    }
}
