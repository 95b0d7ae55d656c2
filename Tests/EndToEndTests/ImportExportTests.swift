import Foundation
import GRDB
import RegistryTestSupport
import Testing

@Suite("CSV import and export, end to end")
struct ImportExportTests {
    static let header =
        "record,mrn,on,given,family,birth-date,sex,condition,research-consent,dose-mg-per-kg,minutes,bp-before,scale,timepoint,answers,term,grade,kind,for"
    static let good = [
        "enrolment,K-1,2026-01-05,Ann,Lee,1970-01-01,female,depression;neuropathic-pain,yes,,,,,,,,,,",
        "assessment,K-1,2026-01-06,,,,,,,,,,phq9,baseline,\"2,2,1,3,1,2,1,0,1\",,,,",
        "infusion,K-1,2026-01-07,,,,,,,0.5,40,128/82,,,,,,,depression",
        "adverse-event,K-1,2026-01-07,,,,,,,,,,,,,nausea,mild,,",
        "co-intervention,K-1,2026-01-01,,,,,,,,,,,,,,,yoga,",
        "assessment,K-1,2026-01-20,,,,,,,,,,bpi-sf,post-infusion,5;4;5;5;3;3;;3;3;;3,,,,",
    ]

    func write(_ lines: [String], in clinic: Clinic, name: String = "import.csv") throws -> String {
        let path = clinic.folder.appendingPathComponent(name).path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("A valid file imports every row with its audit trail; a dry run writes nothing")
    func importsAll() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let file = try write([Self.header] + Self.good, in: clinic)
        let before = try clinic.dump()
        let dry = try #require(try clinic.run("import", file, "--dry-run", "--json").json() as? [String: Any])
        #expect(dry["rows"] as? Int == 6)
        #expect(dry["dryRun"] as? Bool == true)
        #expect(try clinic.dump() == before)

        let done = try clinic.run("import", file)
        #expect(done.status == 0, "\(done.standardError)")
        #expect(
            done.standardOutput.contains(
                "Imported 6 rows: 1 enrolment, 1 infusion, 2 assessments, 1 adverse event, 1 co-intervention."))
        let page = try #require(try clinic.run("patient", "show", "P-000001", "--json").json() as? [String: Any])
        let assessments = try #require(page["assessments"] as? [[String: Any]])
        #expect(assessments.map { $0["score"] as? Double } == [13, 4.75])
        #expect(assessments[0]["flags"] as? [String] == ["suicide-risk"])
        let audit = try #require(try clinic.run("audit", "--json").json() as? [String: [[String: Any]]])
        #expect(audit["audit"]?.count == 7)  // six records and the suicide-risk flag the PHQ-9 raised
    }

    static let badFiles: [(name: String, lines: [String], message: String)] = [
        ("unknown column", ["record,mrn,colour", "enrolment,K-9,red"], "line 1, column colour: unknown column"),
        ("no mrn column", ["record,on", "enrolment,2026-01-01"], "line 1, column mrn: the header must include 'mrn'"),
        (
            "dose out of range on the last line",
            [header] + good + ["infusion,K-1,2026-01-08,,,,,,,7,40,,,,,,,,depression"],
            "line 8, column dose-mg-per-kg: '7.0' is not allowed; expected 0.05 to 2.0 mg/kg for ketamine by the iv route"
        ),
        (
            "answer out of range",
            [header] + good.prefix(1) + ["assessment,K-1,2026-01-06,,,,,,,,,,phq9,baseline,\"2,2,1,3,1,2,1,0,4\",,,,"],
            "line 3, column answers: phq9 item 9"
        ),
        (
            "impossible date", [header, "enrolment,K-2,2026-02-30,Ann,Lee,1970-01-01,female,depression,yes,,,,,,,,,,"],
            "line 2, column on: '2026-02-30' is not allowed"
        ),
        (
            "missing required value",
            [header, "enrolment,K-2,2026-01-05,Ann,,1970-01-01,female,depression,yes,,,,,,,,,,"],
            "line 2, column family: an enrolment row needs a value here"
        ),
        (
            "value in a column of another record type",
            [header, "enrolment,K-2,2026-01-05,Ann,Lee,1970-01-01,female,depression,yes,0.5,,,,,,,,,"],
            "line 2, column dose-mg-per-kg: does not apply to enrolment rows"
        ),
        (
            "unknown patient", [header, "infusion,NOBODY,2026-01-07,,,,,,,0.5,40,,,,,,,,depression"],
            "line 2, column mrn: no patient with this MRN is enrolled"
        ),
        (
            "MRN enrolled twice in the file", [header] + good.prefix(1) + good.prefix(1),
            "line 3, column mrn: this MRN is already enrolled as P-000002"
        ),
        (
            "MRN already in the registry",
            [header, "enrolment,EXISTING,2026-01-05,Ann,Lee,1970-01-01,female,depression,yes,,,,,,,,,,"],
            "line 2, column mrn: this MRN is already enrolled"
        ),
        (
            "scale of a condition not enrolled",
            [header] + good.prefix(1) + ["assessment,K-1,2026-01-06,,,,,,,,,,hit6,baseline,\"0,0,0,0,0,0\",,,,"],
            "line 3, column scale: hit6 belongs to the condition 'migraine'"
        ),
        (
            "unknown record type", [header, "visit,K-1,2026-01-06,,,,,,,,,,,,,,,,"],
            "line 2, column record: 'visit' is not a record type"
        ),
        ("wrong number of fields", [header, "enrolment,K-2,2026-01-05"], "line 2: 3 fields where the header has 19"),
        (
            "a quoted line break counts its lines",
            [header] + good.prefix(1) + [
                "co-intervention,K-1,2026-01-01,\"two\nlines\",,,,,,,,,,,,,,yoga,",
                "infusion,K-1,2026-01-08,,,,,,,9,40,,,,,,,,depression",
            ], "line 3, column given: does not apply to co-intervention rows"
        ),
        (
            "a name on two lines",
            [header, "enrolment,K-3,2026-01-05,\"Ann\nMarie\",Lee,1970-01-01,female,depression,yes,,,,,,,,,,"],
            "line 2, column given: 'Ann\\u{A}Marie' is not allowed; expected a name of 1 to 200 characters on one line"
        ),
        (
            "quoted commas stay in their field",
            [
                header, "enrolment,K-3,2026-01-05,Ann,\"Lee, Jr\",1970-01-01,female,depression,yes,,,,,,,,,,",
                "infusion,K-3,2026-01-08,,,,,,,9,40,,,,,,,,depression",
            ], "line 3, column dose-mg-per-kg"
        ),
        (
            "an infusion of a two-condition patient without for",
            [header] + good.prefix(1) + ["infusion,K-1,2026-01-07,,,,,,,0.5,40,128/82,,,,,,,"],
            "line 3, column for: P-000002 is enrolled for depression and neuropathic-pain; say which condition this is for"
        ),
        (
            "a dose and a rate",
            [header + ",rate-mg-per-kg-per-hour"] + good.prefix(1).map { $0 + "," }
                + ["infusion,K-1,2026-01-07,,,,,,,0.5,40,,,,,,,,depression,0.5"],
            "line 3, column rate-mg-per-kg-per-hour: an infusion row needs one of dose-mg-per-kg (a dose by weight), dose-mg (a fixed dose) or rate-mg-per-kg-per-hour"
        ),
        (
            "unclosed quote",
            [header, "enrolment,K-2,2026-01-05,\"Ann,Lee,1970-01-01,female,depression,yes,,,,,,,,,,"],
            "line 2: a quoted field opened here is never closed"
        ),
    ]

    @Test(
        "One bad row refuses the whole file with its line, column and reason; nothing is written",
        arguments: badFiles.indices)
    func refusesFile(index: Int) throws {
        let (name, lines, message) = Self.badFiles[index]
        let clinic = try Clinic()
        defer { clinic.remove() }
        _ = try clinic.enroll(mrn: "EXISTING")
        let file = try write(lines, in: clinic)
        let before = try clinic.dump()
        let outcome = try clinic.run("import", file)
        #expect(outcome.status == 1, "\(name): \(outcome.standardError)")
        #expect(outcome.standardError.contains("import.csv \(message)"), "\(name): \(outcome.standardError)")
        #expect(outcome.standardError.contains("nothing was imported"))
        #expect(try clinic.dump() == before, "\(name) changed the registry")
    }

    @Test(
        "Hostile bytes are refused with their line and nothing written; a byte-order mark is read; a huge value is quoted short",
        arguments: [
            (
                "a NUL byte in an MRN",
                Data(
                    "record,mrn,on,given,family,birth-date,sex,condition\nenrolment,F\u{0}2,2026-01-05,Ann,Lee,1970-01-01,female,depression\n"
                        .utf8),
                "line 2: field 2 holds a NUL byte"
            ),
            (
                "invalid UTF-8 in a name",
                Data("record,mrn,on,given,family,birth-date,sex,condition\nenrolment,F-2,2026-01-05,".utf8)
                    + Data([0x41, 0xFF, 0x42])
                    + Data(",Lee,1970-01-01,female,depression\n".utf8), "line 2: field 4 is not UTF-8 text"
            ),
            (
                "minutes of 1e30",
                Data((header + "\n" + good[0] + "\ninfusion,K-1,2026-01-07,,,,,,,0.5,1e30,,,,,,,,depression\n").utf8),
                "line 3, column minutes: '1e30' is not allowed; expected a whole number"
            ),
            (
                "heart rate of -9e18",
                Data(
                    "record,mrn,on,condition,given,family,birth-date,sex,dose-mg-per-kg,minutes,heart-rate,for\nenrolment,K-1,2026-01-05,depression,A,B,1970-01-01,female,,,,\ninfusion,K-1,2026-01-07,,,,,,0.5,40,-9e18,depression\n"
                        .utf8),
                "line 3, column heart-rate: '-9e18' is not allowed"
            ),
        ])
    func hostileBytes(name: String, bytes: Data, message: String) throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let file = clinic.folder.appendingPathComponent("hostile.csv")
        try bytes.write(to: file)
        let before = try clinic.dump()
        let outcome = try clinic.run("import", file.path)
        #expect(outcome.status == 1, "\(name): exit \(outcome.status) \(outcome.standardError)")
        #expect(outcome.standardError.contains("hostile.csv \(message)"), "\(name): \(outcome.standardError)")
        #expect(try clinic.dump() == before)
    }
}
