import Foundation
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// Values that have broken parsers: huge and tiny numbers, signs, NUL, invalid UTF-8, quotes,
/// formula starts, control and bidi characters, very long runs. Every mutation must end in a clean
/// refusal or a success, never a crash (a crash would end the test process).
enum CSVNasty {
    static let nasty: [[UInt8]] = [
        Array("1e30".utf8), Array("-9223372036854775809".utf8), Array("9223372036854775807".utf8), Array("nan".utf8),
        Array("inf".utf8),
        Array("-0".utf8), Array("0x10".utf8), [0], [0xFF, 0xFE], [0xC3], [0xED, 0xA0, 0x80], Array("\"".utf8),
        Array("\"\"\"".utf8),
        Array(",,,,".utf8), Array("\n".utf8), Array("\r\n".utf8), Array("=HYPERLINK(\"x\")".utf8),
        [0x1B, 0x5B, 0x33, 0x31, 0x6D],
        Array("\u{202E}".utf8), Array(String(repeating: "9", count: 5_000).utf8), Array("2026-02-30".utf8),
        Array("99999-01-01".utf8),
        Array("&a [*a, *a]".utf8), Array("{{{{{{{{{{".utf8), Array("[[[[[[[[[[".utf8), Array("!!binary AAAA".utf8),
        Array(": :".utf8),
    ]
}

@Suite("Fuzzing the CSV importer")
struct CSVFuzzTests {
    static let valid = """
        record,mrn,on,given,family,birth-date,sex,condition,research-consent,for,dose-mg-per-kg,rate-mg-per-kg-per-hour,minutes,weight-kg,total-mg,heart-rate,spo2,scale,timepoint,answers,term,grade,kind,to,reason
        enrolment,F-1,2026-01-05,Ann,Lee,1970-01-01,female,depression;migraine,yes,,,,,,,,,,,,,,,,
        assessment,F-1,2026-01-06,,,,,,,,,,,,,,,phq9,baseline,"2,2,1,3,1,2,1,0,1",,,,,
        infusion,F-1,2026-01-07,,,,,,,depression,0.5,,40,70,35,72,97,,,,,,,,
        infusion,F-1,2026-01-08,,,,,,,migraine,,0.76,7200,85,,,,,,,,,,,
        adverse-event,F-1,2026-01-07,,,,,,,,,,,,,,,,,,nausea,mild,,,
        co-intervention,F-1,2026-01-01,,,,,,,,,,,,,,,,,,,,yoga,,
        course-end,F-1,2026-01-20,,,,,,,depression,,,,,,,,,,,,,,,stopped

        """

    @Test(
        "Seeded mutations of a valid file: each is imported or refused with its line, never a crash, and a dry run writes nothing"
    )
    func mutations() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let file = fixture.folder.appendingPathComponent("fuzz.csv").path
        var random = SeededGenerator(seed: Fuzz.seed)
        let original = Array(Self.valid.utf8)
        // The unmutated file imports, so the mutations start from something that works.
        try Data(original).write(to: URL(fileURLWithPath: file))
        #expect(
            try fixture.registry.importCSV(path: file, catalog: fixture.catalog, actor: "fuzz", dryRun: true).rows == 7)
        let before = try fixture.database().read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM audit") }
        var refused = 0
        var imported = 0
        for _ in 0..<Fuzz.iterations {
            try Data(Fuzz.mutate(original, nasty: CSVNasty.nasty, using: &random)).write(to: URL(fileURLWithPath: file))
            do {
                _ = try fixture.registry.importCSV(path: file, catalog: fixture.catalog, actor: "fuzz", dryRun: true)
                imported += 1
            } catch let error as ImportError {
                #expect(error.line >= 1)
                #expect(
                    error.description.count < 2_000,
                    "a refusal of \(error.description.count) characters: \(error.description.prefix(300))")
                refused += 1
            } catch let error as RegistryError {
                #expect(error.kind == .refused || error.kind == .storage, "\(error)")
                refused += 1
            }
        }
        #expect(refused > 0 && imported + refused == Fuzz.iterations)
        #expect(try fixture.database().read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM audit") } == before)
    }
}

@Suite("Flags raised by an import")
struct ImportFlagTests {
    @Test(
        "An import that raises many flags counts every one and lists only the first, oldest first, in a dry run and for real"
    )
    func boundedList() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let file = fixture.folder.appendingPathComponent("flags.csv").path
        // PHQ-9 item 9 (thoughts of self-harm) at 3 on every one of 12 days: 12 suicide-risk flags.
        var text =
            "record,mrn,on,given,family,birth-date,sex,condition,scale,timepoint,answers\n"
            + "enrolment,G-1,2026-01-01,Gil,Ray,1980-05-05,male,depression,,,\n"
        for day in 1...12 {
            text += "assessment,G-1,2026-02-\(String(format: "%02d", day)),,,,,,phq9,follow-up,0;0;0;0;0;0;0;0;3\n"
        }
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        for dryRun in [true, false] {
            let summary = try fixture.registry.importCSV(
                path: file, catalog: fixture.catalog, actor: "n", dryRun: dryRun, listingFlagsUpTo: 5)
            #expect(summary.flagsRaisedCount == 12)
            #expect(summary.flagsRaised.count == 5)
            #expect(summary.flagsRaised.map(\.raisedOn) == (1...5).map { "2026-02-0\($0)" })
            #expect(Set(summary.flagsRaised.map(\.flag)) == ["suicide-risk"])
        }
        #expect(try fixture.registry.flags(openOnly: true).count == 12, "every flag is raised, listed or not")
    }
}

@Suite("The audit chain across imports")
struct ImportChainTests {
    @Test(
        "Imports keep the chain's head in memory only for their own transaction: after a dry run, a refused import and a real one, with single writes between, the chain verifies and its ids run without a gap"
    )
    func chainAcrossImports() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let registry = fixture.registry
        let header = "record,mrn,on,given,family,birth-date,sex,condition,scale,timepoint,answers\n"
        func write(_ name: String, _ text: String) throws -> String {
            let file = fixture.folder.appendingPathComponent(name).path
            try (header + text).write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }
        let good = try write(
            "good.csv",
            "enrolment,C-1,2026-01-01,Cy,Ng,1980-05-05,female,depression,,,\n"
                + "assessment,C-1,2026-01-02,,,,,,phq9,baseline,1;1;1;1;1;1;1;1;0\n"
                + "assessment,C-1,2026-02-02,,,,,,phq9,follow-up,0;0;0;0;0;0;0;0;2\n")
        let refused = try write(
            "refused.csv",
            "enrolment,C-2,2026-01-01,Di,Ng,1981-05-05,male,depression,,,\n"
                + "assessment,C-2,2026-01-02,,,,,,phq9,baseline,1;1;1;1;1;1;1;1;9\n")
        func auditIDs() throws -> [Int64] {
            try fixture.database().read { try Int64.fetchAll($0, sql: "SELECT id FROM audit ORDER BY id") }
        }

        _ = try fixture.enroll(mrn: "A-1")
        let before = try auditIDs()
        _ = try registry.importCSV(path: good, catalog: fixture.catalog, actor: "n", dryRun: true)
        #expect(try auditIDs() == before, "a dry run writes no audit row")
        _ = try fixture.enroll(mrn: "A-2")
        #expect(throws: ImportError.self) {
            try registry.importCSV(path: refused, catalog: fixture.catalog, actor: "n", dryRun: false)
        }
        _ = try fixture.enroll(mrn: "A-3")
        let summary = try registry.importCSV(path: good, catalog: fixture.catalog, actor: "n", dryRun: false)
        #expect(summary.rows == 3)
        _ = try fixture.enroll(mrn: "A-4")
        let ids = try auditIDs()
        #expect(ids == Array(1...Int64(ids.count)), "ids run without a gap")
        #expect(ids.count > before.count + 5)
        let report = try registry.verify()
        #expect(report.intact, "\(report.problems)")
        #expect(report.auditRows == ids.count)
    }
}
