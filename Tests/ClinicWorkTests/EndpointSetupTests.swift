import ClinicWork
import Depression
import Foundation
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// An endpoint's rules hold for any caller: through the library, an endpoint the transport would
/// not send to, an unreadable token or CA bundle, or settings outside the privacy limits are
/// refused naming the field, with nothing written.
@Suite("Setting up an endpoint, without the command line")
struct EndpointSetupTests {
    func clinic() throws -> (EndpointSetup, String, URL) {
        let (registry, path, folder) = try useCaseRegistry(seed: 13)
        let environment = ["NET_TOKEN": "t0ken"]
        return (
            EndpointSetup(registry: registry, environment: { environment[$0] }, tokenOwner: geteuid()), path, folder
        )
    }

    func settings(
        url: String = "https://research.invalid/v1/exports", tokenFile: String? = nil, tokenEnvironment: String? = nil,
        caFile: String? = nil, k: Int = 5
    ) -> EndpointSettings {
        EndpointSettings(
            name: "net", url: url, tokenFile: tokenFile, tokenEnvironment: tokenEnvironment, caFile: caFile,
            profile: .summary, minCell: 11, k: k, timeoutSeconds: 60)
    }

    @Test(
        "Refused naming the field, nothing written: plain http to another machine, ftp, k = 1, a token file others can read, a token file that is not there, a missing CA bundle"
    )
    func refusals() throws {
        let (setup, path, folder) = try clinic()
        defer { try? FileManager.default.removeItem(at: folder) }
        let open = folder.appendingPathComponent("open-token").path
        #expect(FileManager.default.createFile(atPath: open, contents: Data("t0ken\n".utf8)))
        chmod(open, 0o644)
        let before = try dumpDatabase(path)
        let cases: [(EndpointSettings, String)] = [
            (settings(url: "http://research.invalid/v1/exports", tokenEnvironment: "NET_TOKEN"), "url"),
            (settings(url: "ftp://research.invalid/", tokenEnvironment: "NET_TOKEN"), "url"),
            (settings(tokenEnvironment: "NET_TOKEN", k: 1), "k"),
            (settings(tokenFile: open), "token-file"),
            (settings(tokenFile: folder.appendingPathComponent("none").path), "token-file"),
            (settings(tokenEnvironment: "NET_TOKEN", caFile: folder.appendingPathComponent("ca.pem").path), "ca-file"),
        ]
        for (settings, field) in cases {
            let error = #expect(throws: InputError.self) { try setup.add(settings, actor: "nurse") }
            #expect(error?.field == field, "\(settings.url) \(String(describing: error))")
        }
        #expect(try setup.list().isEmpty)
        #expect(try dumpDatabase(path) == before, "nothing written")
    }

    @Test(
        "Kept: https, http to this machine, a private token file; a token variable not set yet is only noted; a schedule is listed with its endpoint"
    )
    func kept() throws {
        let (setup, _, folder) = try clinic()
        defer { try? FileManager.default.removeItem(at: folder) }
        let token = folder.appendingPathComponent("token").path
        #expect(FileManager.default.createFile(atPath: token, contents: Data("t0ken\n".utf8)))
        chmod(token, 0o600)
        #expect(try setup.add(settings(tokenFile: token), actor: "nurse") == nil)
        var local = settings(url: "http://127.0.0.1:9/v1/exports", tokenEnvironment: "LATER_TOKEN")
        local.name = "local"
        let note = try setup.add(local, actor: "nurse")
        #expect(note?.contains("LATER_TOKEN") == true, "\(String(describing: note))")
        try setup.schedule(endpoint: "net", every: .weekly, actor: "nurse")
        let listed = try setup.list()
        #expect(listed.map(\.endpoint.name) == ["local", "net"])
        #expect(listed.map(\.schedule?.every) == [nil, .weekly])
        try setup.remove("local", actor: "nurse")
        #expect(try setup.list().map(\.endpoint.name) == ["net"])
    }
}
