import Foundation
import RegistryTestSupport
import Testing

/// The package's own folder.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A binary `swift build` put next to the test bundle (or named by an environment variable).
func builtBinary(_ name: String, environment variable: String) -> String {
    if let path = ProcessInfo.processInfo.environment[variable] { return path }
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path,
        Bundle.main.bundleURL.appendingPathComponent(name).path,
        Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name).path,
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
}

let hubBinary = builtBinary("ketareg-hub", environment: "KETAREG_HUB_BINARY")
let ketaregBinary = builtBinary("ketareg", environment: "KETAREG_BINARY")

/// The PostgreSQL the hub's tests use: a running cluster's URL, which Scripts/test starts with
/// Scripts/postgres. CI must have it; elsewhere the database tests say why they do not run.
let postgresURL = ProcessInfo.processInfo.environment["KETAREG_HUB_TEST_POSTGRES"]
let requirePostgres = ProcessInfo.processInfo.environment["CI"] == "true"
let postgresMissing =
    "no PostgreSQL for the hub's tests: Scripts/test starts one (Scripts/postgres) and sets KETAREG_HUB_TEST_POSTGRES"

/// Runs a Python script of the repository with JSON on standard input; returns its JSON output.
func python(_ script: String, input: Any) throws -> Any {
    let data = try JSONSerialization.data(withJSONObject: input)
    let outcome = try runProcess(
        "/usr/bin/env", ["python3", repositoryRoot.appendingPathComponent(script).path],
        input: String(decoding: data, as: UTF8.self))
    guard outcome.status == 0 else { throw HubTestError("\(script) failed: \(outcome.standardError)") }
    return try outcome.json()
}

struct HubTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A hub on a database of its own in the test cluster: created empty, dropped at the end.
final class TestHub: @unchecked Sendable {
    let folder: URL
    let database: String
    let url: String
    var servers: [Process] = []

    init() throws {
        guard let base = postgresURL, let components = URLComponents(string: base) else {
            throw HubTestError(postgresMissing)
        }
        folder = try makeTemporaryFolder("ketareg-hub-test")
        database = "hub_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        var mine = components
        mine.path = "/" + database
        url = mine.string!
        try admin("CREATE DATABASE \(database)")
    }

    /// The cluster's administrative database, for creating and dropping test databases.
    func admin(_ sql: String) throws {
        let outcome = try runProcess("/usr/bin/env", ["psql", postgresURL!, "-v", "ON_ERROR_STOP=1", "-Atqc", sql])
        guard outcome.status == 0 else { throw HubTestError("psql: \(outcome.standardError)") }
    }

    /// A query on this hub's database, its rows as lines of `|`-separated columns.
    func sql(_ query: String) throws -> [String] {
        let outcome = try runProcess("/usr/bin/env", ["psql", url, "-v", "ON_ERROR_STOP=1", "-Atqc", query])
        guard outcome.status == 0 else { throw HubTestError("psql: \(outcome.standardError)") }
        return outcome.standardOutput.split(separator: "\n").map(String.init)
    }

    func count(_ table: String) throws -> Int { Int(try sql("SELECT count(*) FROM \(table)").first ?? "") ?? -1 }

    /// Every stored row of every table the hub writes, for before-and-after comparisons.
    func dump() throws -> String {
        try [
            "clinics", "settings", "payloads", "summary_conditions", "summary_timepoints", "summary_outcomes",
            "records_patients",
            "records_assessments", "records_infusions", "records_protocols", "hub_migrations", "signing_key",
        ].map { table in
            "\(table):\n" + (try sql("SELECT * FROM \(table) ORDER BY 1")).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["KETAREG_HUB_DATABASE"] = url
        return environment
    }

    @discardableResult
    func run(_ arguments: String..., environment extra: [String: String] = [:]) throws -> Outcome {
        try run(arguments: arguments, environment: extra)
    }

    /// The same, with the arguments in an array.
    @discardableResult
    func run(arguments: [String], environment extra: [String: String] = [:]) throws -> Outcome {
        var environment = self.environment
        for (key, value) in extra { environment[key] = value }
        return try runProcess(hubBinary, arguments, environment: environment)
    }

    /// Writes a token file and registers a clinic with it; returns the token.
    @discardableResult
    func addClinic(_ name: String) throws -> String {
        let token = (0..<4).map { _ in UUID().uuidString.replacingOccurrences(of: "-", with: "") }.joined().lowercased()
        let file = folder.appendingPathComponent("\(UUID().uuidString).token").path
        try (token + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let outcome = try run("clinic", "add", name, "--token-file", file)
        guard outcome.status == 0 else { throw HubTestError("clinic add \(name): \(outcome.standardError)") }
        return token
    }

    /// Starts `ketareg-hub serve` on a free port; returns its URL. Its standard error (the request
    /// log) goes to `log`.
    func serve(_ extra: [String] = []) throws -> (url: String, log: URL) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: hubBinary)
        process.arguments = ["serve", "--listen", "127.0.0.1:0"] + extra
        process.environment = environment
        let log = folder.appendingPathComponent("serve-\(servers.count).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        servers.append(process)
        var text = ""
        while !text.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: "http://"), let end = text[range.lowerBound...].firstIndex(of: "\n") else {
            throw HubTestError("serve did not start: \(text) \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        return (String(text[range.lowerBound..<end]), log)
    }

    func stopServers() {
        for process in servers where process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        servers = []
    }

    func remove() {
        stopServers()
        try? admin("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
        try? FileManager.default.removeItem(at: folder)
    }
}

/// One request for Tests/Servers/hub_client.py.
func request(
    _ url: String, token: String?, key: String?, body: String, group: Int? = nil, headers: [String: String] = [:]
) -> [String: Any] {
    var request: [String: Any] = ["url": url, "body": body, "headers": headers]
    if let token { request["token"] = token }
    if let key { request["key"] = key }
    if let group { request["group"] = group }
    return request
}

/// Sends requests with Tests/Servers/hub_client.py; returns each answer's status and body.
func send(_ requests: [[String: Any]]) throws -> [(status: Int, body: [String: Any])] {
    let answers = try python("Tests/Servers/hub_client.py", input: ["requests": requests]) as? [[String: Any]] ?? []
    return answers.map { ($0["status"] as? Int ?? -2, $0["body"] as? [String: Any] ?? [:]) }
}

/// A summary payload with one condition and the given outcome rows: ketareg-summary/3, or /4 when
/// `protocols` names each row's protocol.
func summaryPayload(
    period: String, condition: String = "depression", generator: String = "ketareg 0.13.0",
    outcomes: [(outcome: String, window: String, met: Int?, assessed: Int?)], protocols: [String]? = nil,
    extra: String = ""
) -> String {
    let rows = outcomes.enumerated().map { index, row -> String in
        var fields = [
            "\"outcome\": \"\(row.outcome)\"", "\"scale\": \"madrs\"", "\"rule\": \"at least 50% lower than baseline\"",
            "\"window\": \"\(row.window)\"", "\"computedIn\": \"\(period)\"",
        ]
        if let protocols { fields.append("\"protocol\": \"\(protocols[index])\"") }
        if let met = row.met, let assessed = row.assessed {
            fields += [
                "\"met\": \(met)", "\"assessed\": \(assessed)", "\"eligible\": \(assessed)", "\"missing\": 0",
                "\"rate\": \(Double(met) / Double(max(assessed, 1)))", "\"suppressed\": false",
            ]
        } else {
            fields.append("\"suppressed\": true")
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }
    return """
        {"schema": "ketareg-summary/\(protocols == nil ? 3 : 4)", "generator": "\(generator)", "period": "\(period)", "minimumCellSize": 11, "roundingBase": 1,
         "auditChainHead": "\(String(repeating: "ab", count: 32))"\(extra),
         "conditions": [{"condition": "\(condition)", "patients": 120, "suppressed": false, "computedIn": "\(period)", "scales": [],
                         "outcomes": [\(rows.joined(separator: ", "))], "adverseEvents": [], "coInterventions": [], "suppressedCells": 0}]}
        """
}
