import Foundation
import RegistryTestSupport
import Testing

/// Psychotherapy, ketamine-assisted or not, and a named "other", as clinics record them; the note
/// stays at the clinic.
@Suite("Co-interventions as clinics give them")
struct CoInterventionTests {
    @Test(
        "Ketamine-assisted psychotherapy, psychotherapy and a named other are recorded, shown, corrected and round-tripped; the note never leaves the clinic"
    )
    func kindsAndNotes() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try clinic.enroll(mrn: "K-1")
        let note = "EMDR with Dr Østergaard, weekly"
        for (kind, extra) in [
            ("ketamine-assisted-psychotherapy", [String]()), ("psychotherapy", []), ("other", ["--note", note]),
        ] {
            let added = try clinic.run(
                arguments: ["cointervention", "add", id, "--kind", kind, "--from", "2026-03-01"] + extra)
            #expect(added.status == 0, "\(kind): \(added.standardError)")
        }
        let page = try clinic.run("patient", "show", id)
        #expect(page.standardOutput.contains("ketamine-assisted-psychotherapy"), "\(page.standardOutput)")
        #expect(page.standardOutput.contains("other (\(note))"), "\(page.standardOutput)")
        let corrected = try clinic.run("correct", "C-000003", "--note", "EMDR, fortnightly", "--reason", "frequency")
        #expect(corrected.status == 0, "\(corrected.standardError)")
        let json = try #require(try clinic.run("patient", "show", id, "--json").json() as? [String: Any])
        let items = try #require(json["coInterventions"] as? [[String: Any]])
        #expect(items.map { $0["kind"] as? String } == ["ketamine-assisted-psychotherapy", "psychotherapy", "other"])
        #expect(items.last?["note"] as? String == "EMDR, fortnightly")
        #expect(items.first?["note"] == nil)

        // The clinic's CSV keeps the note, and reads it back.
        let csv = try clinic.run("export-csv", "-")
        #expect(csv.standardOutput.contains("EMDR, fortnightly"))
        // No payload carries it: the endpoint profiles count kinds only.
        let token = ["NET_TOKEN": "token-0123456789abcdef0123"]
        for profile in ["summary", "records", "fhir"] {
            let added = try clinic.run(
                arguments: [
                    "endpoint", "add", "net-\(profile)", "--url", "https://research.example/in", "--token-env",
                    "NET_TOKEN", "--profile", profile, "--k", "2", "--allow-small", "--reason",
                    "a test of small groups",
                ], environment: token)
            #expect(added.status == 0, "\(profile): \(added.standardError)")
            let preview = try clinic.run(arguments: ["export", "preview", "net-\(profile)"], environment: token)
            #expect(preview.status == 0, "\(profile): \(preview.standardError)")
            #expect(!preview.standardOutput.contains("EMDR"), "\(profile) carries the note")
        }
        #expect(try clinic.run("verify").status == 0)
    }

    @Test(
        "A note of two lines or over 200 characters is refused, naming the field, and nothing is written",
        arguments: ["line one\nline two", String(repeating: "x", count: 201), "bell \u{7}"])
    func refusedNote(note: String) throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try clinic.enroll(mrn: "K-2")
        let before = try clinic.dump()
        let refused = try clinic.run(
            "cointervention", "add", id, "--kind", "other", "--from", "2026-03-01", "--note", note)
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("--note"), "\(refused.standardError)")
        #expect(try clinic.dump() == before)
    }
}
