import ArgumentParser
import Foundation
import HTTPTypes
import HubCore
import HubStore
import Hummingbird
import Logging
import NIOCore
import PayloadFormat
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
            Retry-After). Only 202 stores anything. A 202 or 409 for a payload that names its audit-chain head and row \
            count carries `receipt`: the hub's Ed25519 signature over the clinic, the export id, the payload's \
            SHA-256, the head, the row count and the time it was stored (`ketareg-hub key` prints the public key \
            clinics check it with). GET /v1/receipts (with the clinic's token) answers every receipt the hub holds \
            for that clinic. GET /v1/health answers 200 while the database answers.

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
        let signingKey: HubSigningKey
        do {
            signingKey = try await HubDatabase.with(location, logger: postgresLogger) { db in
                _ = try await db.minimumCellSize()
                return try await db.signingKey()
            }
        } catch let error as HubError {
            fail(error)
        }
        let client = PostgresClient(configuration: location.configuration, backgroundLogger: postgresLogger)
        let store = HubDatabase(client: client, logger: postgresLogger)
        var requestLogger = Logger(label: "ketareg-hub") { StreamLogHandler.standardError(label: $0) }
        requestLogger.logLevel = .info
        let receiver = Receiver(
            store: store, maximumBytes: maxBodyMiB * 1024 * 1024, signingKey: signingKey, logger: requestLogger)

        let router = Router(context: BasicRequestContext.self)
        router.post("/v1/exports") { request, _ in await receiver.receive(request) }
        router.get("/v1/health") { _, _ in await receiver.health() }
        router.get("/v1/receipts") { request, _ in await receiver.receipts(request) }

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

/// The endpoint over HTTP: headers and body handed to the hub's receiving rules (HubStore's
/// `Receiving`), their answers written as JSON, one log line per request.
struct Receiver: Sendable {
    let receiving: Receiving
    let logger: Logger

    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!

    init(store: HubDatabase, maximumBytes: Int, signingKey: HubSigningKey, logger: Logger) {
        receiving = Receiving(store: store, maximumBytes: maximumBytes, signingKey: signingKey)
        self.logger = logger
    }

    /// The answer as an HTTP response: its JSON body (sorted keys), `Retry-After` and
    /// `WWW-Authenticate` when it asks for them.
    func response(_ answer: Receiving.Answer) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let seconds = answer.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
        if answer.asksForToken { headers[.wwwAuthenticate] = "Bearer" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(answer.body)) ?? Data("{}".utf8)
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// One line per request, with nothing from the body or the headers but the clinic's name.
    func log(
        _ answer: Receiving.Answer, clinic: String?, bytes: Int, started: ContinuousClock.Instant,
        request: String = "POST /v1/exports"
    ) {
        let elapsed = ContinuousClock.now - started
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info(
            "\(request) \(answer.status) \(answer.outcome) clinic=\(clinic.map { "\"\($0)\"" } ?? "-") bytes=\(bytes) ms=\(String(format: "%.1f", ms))"
        )
    }

    func health() async -> Response { response(await receiving.health()) }

    /// `GET /v1/receipts`: the asking clinic's receipts, once its token is known.
    func receipts(_ request: Request) async -> Response {
        let started = ContinuousClock.now
        switch await receiving.sender(authorization: request.headers[.authorization]) {
        case .refused(let answer):
            log(answer, clinic: nil, bytes: 0, started: started, request: "GET /v1/receipts")
            return response(answer)
        case .clinic(let id, let name):
            let answer = await receiving.receipts(clinic: id)
            log(answer, clinic: name, bytes: 0, started: started, request: "GET /v1/receipts")
            return response(answer)
        }
    }

    func receive(_ incoming: Request) async -> Response {
        let started = ContinuousClock.now
        var request = incoming
        // Who is sending: nothing else is read until the token is known.
        let clinic: (id: Int, name: String)
        switch await receiving.sender(authorization: request.headers[.authorization]) {
        case .refused(let answer):
            log(answer, clinic: nil, bytes: 0, started: started)
            return response(answer)
        case .clinic(let id, let name):
            clinic = (id, name)
        }
        let length = request.headers[.contentLength].flatMap(Int.init)
        if let refusal = receiving.refusal(
            idempotencyKey: request.headers[Self.idempotencyKey], contentType: request.headers[.contentType],
            contentLength: length)
        {
            log(refusal, clinic: clinic.name, bytes: refusal.status == 413 ? length ?? 0 : 0, started: started)
            return response(refusal)
        }
        let key = request.headers[Self.idempotencyKey] ?? ""
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: receiving.maximumBytes)
        } catch is NIOTooManyBytesError {
            log(receiving.tooLarge, clinic: clinic.name, bytes: receiving.maximumBytes, started: started)
            return response(receiving.tooLarge)
        } catch {
            log(Receiving.unreadableBody, clinic: clinic.name, bytes: 0, started: started)
            return response(Receiving.unreadableBody)
        }
        let body = Data(buffer.readableBytesView)
        let answer = await receiving.receive(body, clinic: clinic.id, name: clinic.name, key: key)
        log(answer, clinic: clinic.name, bytes: body.count, started: started)
        return response(answer)
    }
}
