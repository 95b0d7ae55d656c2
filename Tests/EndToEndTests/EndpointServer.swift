import Foundation
import RegistryTestSupport
import Testing

/// The scripted research endpoint in Tests/Servers, a real HTTP(S) server on 127.0.0.1 run by
/// Python, which logs every request it gets.
final class EndpointServer {
    let process = Process()
    let port: Int
    let log: URL

    static let script = repositoryRoot.appendingPathComponent("Tests/Servers/endpoint_server.py").path

    /// Starts the server; `answers` is its script (JSON), `tls` a certificate and key.
    init(
        folder: URL, answers: String = "[]", tokenFile: String? = nil, tls: (cert: String, key: String)? = nil,
        lifetime: Int = 120
    ) throws {
        log = folder.appendingPathComponent("server-\(UUID().uuidString).log")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = [
            "python3", Self.script, "--log", log.path, "--script", answers, "--lifetime", String(lifetime),
        ]
        if let tokenFile { arguments += ["--token-file", tokenFile] }
        if let tls { arguments += ["--cert", tls.cert, "--key", tls.key] }
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile)
        }
        self.port = port
    }

    deinit { stop() }

    func stop() {
        if process.isRunning {
            // SIGKILL: the test runner may hand its children an ignored SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var url: String { "http://127.0.0.1:\(port)/exports" }

    /// Every request so far, in order.
    func requests() throws -> [[String: Any]] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// Idempotency keys the server accepted (answered 2xx), with how often: each must be once.
    func acceptedKeys() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for request in try requests() {
            if let status = request["status"] as? Int, (200..<300).contains(status), let key = request["key"] as? String
            {
                counts[key, default: 0] += 1
            }
        }
        return counts
    }
}

/// A clinic with consenting patients and a token file, ready for export tests.
func exportClinic(patients: Int = 14) throws -> (Clinic, token: String) {
    let clinic = try Clinic()
    for number in 1...patients {
        let id = try clinic.enroll(mrn: "E-\(number)")
        #expect(
            try clinic.run(
                "assess", id, "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline", "--answers",
                "2,2,2,2,2,2,2,2,0"
            ).status == 0)
        #expect(
            try clinic.run("infusion", "add", id, "--on", "2026-03-02", "--dose-mg-per-kg", "0.5", "--minutes", "40")
                .status == 0)
    }
    let token = clinic.folder.appendingPathComponent("endpoint.token").path
    _ = FileManager.default.createFile(
        atPath: token, contents: Data("t0ken-for-tests\n".utf8), attributes: [.posixPermissions: 0o600])
    return (clinic, token)
}
