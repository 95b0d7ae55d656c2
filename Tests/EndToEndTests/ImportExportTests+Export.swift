import Foundation
import GRDB
import RegistryTestSupport
import Testing

/// export-csv, fhir export and report: what they write, and when writing fails.
extension ImportExportTests {
    @Test(
        "A byte-order mark is read as the start of the header; a 10 MB refused value is quoted in at most 80 characters"
    )
    func bomAndHugeValues() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let file = clinic.folder.appendingPathComponent("bom.csv")
        try (Data([0xEF, 0xBB, 0xBF]) + Data((Self.header + "\n" + Self.good.joined(separator: "\n") + "\n").utf8))
            .write(to: file)
        let imported = try clinic.run("import", file.path)
        #expect(imported.status == 0, "\(imported.standardError)")
        let huge = String(repeating: "9", count: 10_000_000)
        let big = clinic.folder.appendingPathComponent("big.csv")
        try (Self.header + "\n" + "infusion,K-1,2026-01-08,,,,,,,\(huge),40,,,,,,,,depression\n").write(
            to: big, atomically: true, encoding: .utf8)
        let refused = try clinic.run("import", big.path)
        #expect(refused.status == 1)
        #expect(refused.standardError.count < 400, "\(refused.standardError.count) characters of error")
        #expect(refused.standardError.contains("(10000000 characters)"))
        // Control characters in a refused value are shown as escapes, never sent to the terminal.
        let escape = try clinic.run(
            "infusion", "add", "P-000001", "--on", "2026-01-08", "--dose-mg-per-kg", "0.5", "--minutes", "40",
            "--route", "iv\u{1B}[31m")
        #expect(escape.status == 1)
        #expect(!escape.standardError.contains("\u{1B}"))
        #expect(escape.standardError.contains("\\u{1B}[31m"))
    }

    @Test(
        "export-csv writes a formula-looking value so that a spreadsheet shows it as text, and import reads it back as it was"
    )
    func formulaNeutralised() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        #expect(
            try clinic.run(
                "enroll", "--mrn", "=1+1", "--given", "=HYPERLINK(\"http://x\")", "--family", "@Lee", "--birth-date",
                "1970-01-01",
                "--sex", "female", "--condition", "depression"
            ).status == 0)
        #expect(
            try clinic.run(
                "enroll", "--mrn", "M-2", "--given", "Ann;=HYPERLINK(1)", "--family", "Tab\t=Lee", "--birth-date",
                "1970-01-01", "--sex", "female", "--condition", "depression"
            ).status == 0)
        let first = clinic.folder.appendingPathComponent("out.csv").path
        #expect(try clinic.run("export-csv", first).status == 0)
        let text = try String(contentsOfFile: first, encoding: .utf8)
        for cell in text.split(separator: "\n").dropFirst().flatMap({
            $0.split(separator: ",", omittingEmptySubsequences: true)
        }) {
            let value = cell.hasPrefix("\"") ? cell.dropFirst() : cell[...]
            #expect(!(value.first.map { "=+@".contains($0) } ?? false), "a cell starts a formula: \(cell)")
        }
        #expect(text.contains("'=1+1") && text.contains("'@Lee"))
        // A spreadsheet that splits on `;` or tabs, honouring quotes as every one does, starts no
        // formula either.
        for separator in [Character(";"), Character("\t")] {
            var checked = 0
            for line in text.split(separator: "\n").dropFirst() {
                var cell = ""
                var quoted = false
                for character in line + String(separator) {
                    if character == "\"" {
                        quoted.toggle()
                    } else if character == separator && !quoted {
                        let value = cell.drop { $0 == " " }
                        #expect(!(value.first.map { "=+@".contains($0) } ?? false), "a cell starts a formula: \(cell)")
                        checked += 1
                        cell = ""
                    } else {
                        cell.append(character)
                    }
                }
            }
            #expect(checked > 0)
        }
        #expect(text.contains("\"Ann;=HYPERLINK(1)\""), "\(text)")
        let copy = try Clinic()
        defer { copy.remove() }
        #expect(try copy.run("import", first).status == 0)
        let names = try #require(try copy.run("patients", "--json").json() as? [String: [[String: Any]]])
        #expect(names["patients"]?.first?["mrn"] as? String == "=1+1")
        #expect(names["patients"]?.first?["familyName"] as? String == "@Lee")
        #expect(names["patients"]?.last?["givenName"] as? String == "Ann;=HYPERLINK(1)")
    }

    @Test("export-csv writes what import reads: a round trip gives the same file")
    func roundTrip() throws {
        let clinic = try Clinic(initialise: false)
        defer { clinic.remove() }
        #expect(try clinic.run("demo", "--dir", clinic.folder.path).status == 0)
        let demo = clinic.folder.appendingPathComponent("demo-registry.sqlite").path
        let first = clinic.folder.appendingPathComponent("first.csv").path
        let exported = try clinic.run("export-csv", first, environment: ["KETAREG_REGISTRY": demo])
        #expect(exported.status == 0)
        #expect(exported.standardError.contains("identifies patients"))
        #expect((try FileManager.default.attributesOfItem(atPath: first)[.posixPermissions] as? Int) == 0o600)
        // never overwrites
        #expect(try clinic.run("export-csv", first, environment: ["KETAREG_REGISTRY": demo]).status == 1)

        #expect(try clinic.run("init").status == 0)
        let imported = try clinic.run("import", first)
        #expect(imported.status == 0, "\(imported.standardError)")
        let second = try clinic.run("export-csv", "-")
        #expect(second.standardOutput == (try String(contentsOfFile: first, encoding: .utf8)))
        // The file holds records, not the clinic's settings: the demo's depression protocol is set
        // again, as a clinic moving its registry would.
        #expect(
            try clinic.run(
                "protocol", "set", "depression", "--infusions", "6", "--within-days", "21", "--end-window-days", "14",
                "--reason", "the demo clinic's protocol"
            ).status == 0)
        let outcomesDemo = try clinic.run("outcomes", "--json", environment: ["KETAREG_REGISTRY": demo])
        let outcomesCopy = try clinic.run("outcomes", "--json")
        #expect(outcomesDemo.standardOutput == outcomesCopy.standardOutput)
    }

    @Test(
        "export-csv and fhir export stop at a value damaged behind the program's back, name the record, never the patient, and leave no file"
    )
    func damagedValueStopsExport() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        for mrn in ["E-1", "E-2"] {
            let id = try clinic.enroll(mrn: mrn)
            #expect(
                try clinic.run(
                    "assess", id, "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline", "--answers",
                    "2,2,2,2,2,2,2,2,0"
                ).status == 0)
        }
        let queue = try DatabaseQueue(path: clinic.registry)
        try queue.write { try $0.execute(sql: "UPDATE assessment SET answers = '[2,2,2' WHERE id = 2") }
        try queue.close()

        // The first patient's rows are written before the second's damaged answers are read.
        let file = clinic.folder.appendingPathComponent("out.csv").path
        let stopped = try clinic.run("export-csv", file)
        #expect(stopped.status == 3, "\(stopped.standardError)")
        #expect(
            stopped.standardError.contains("the answers of A-000002: not a list of answers"), "\(stopped.standardError)"
        )
        #expect(stopped.standardError.contains("--entered-in-error"))
        #expect(
            !stopped.standardError.contains("E-2") && !stopped.standardError.contains("Varga"),
            "no identity in the error")
        #expect(
            !FileManager.default.fileExists(atPath: file),
            "the part-written file, which identifies patients, is removed")
        let bundle = clinic.folder.appendingPathComponent("p2.fhir.json").path
        let fhir = try clinic.run("fhir", "export", "P-000002", "--output", bundle)
        #expect(fhir.status == 3, "\(fhir.standardError)")
        #expect(fhir.standardError.contains("the answers of A-000002"), "\(fhir.standardError)")
        #expect(!FileManager.default.fileExists(atPath: bundle))

        #expect(
            try clinic.run("correct", "A-000002", "--entered-in-error", "--reason", "damaged; answers re-entered")
                .status == 0)
        let exported = try clinic.run("export-csv", file)
        #expect(exported.status == 0, "\(exported.standardError)")
        let rows = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(rows.filter { $0.hasPrefix("assessment,") }.count == 1, "the marked assessment is left out")
        #expect(rows.filter { $0.hasPrefix("enrolment,") }.count == 2)
    }

    /// Runs a ketareg command in a shell that sends its standard output to `/dev/full`, or lets it
    /// write files of at most `fileBlocks` blocks (with SIGXFSZ ignored, so that a write past the
    /// limit fails with EFBIG instead of killing the process).
    func runConstrained(_ clinic: Clinic, _ arguments: [String], stdoutToFull: Bool = false, fileBlocks: Int? = nil)
        throws -> Outcome
    {
        let quoted = ([Clinic.binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            .joined(separator: " ")
        let limit = fileBlocks.map { "trap '' XFSZ; ulimit -f \($0); " } ?? ""
        return try runProcess(
            "/bin/sh", ["-c", limit + "exec " + quoted + (stdoutToFull ? " > /dev/full" : "")],
            environment: clinic.environment())
    }

    @Test(
        "A full disk or a file-size limit is reported with exit status 3, never a crash, and leaves no part-written file",
        arguments: [
            ["patients"], ["patients", "--json"], ["patient", "show", "P-000001"],
            ["patient", "show", "P-000001", "--json"],
            ["outcomes", "--json"], ["export-csv", "-"], ["fhir", "export", "P-000001"], ["--version"], ["--help"],
            ["audit"],
            [
                "enroll", "--mrn", "W-2", "--given", "Ida", "--family", "Quell", "--birth-date", "1970-01-01", "--sex",
                "female", "--condition", "depression",
            ],
        ])
    func fullOutput(arguments: [String]) throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try clinic.enroll(mrn: "W-1")
        #expect(
            try clinic.run(
                "assess", id, "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline", "--answers",
                "2,2,2,2,2,2,2,2,0"
            ).status == 0)
        let full = try runConstrained(clinic, arguments, stdoutToFull: true)
        #expect(full.status == 3, "\(arguments): \(full.status) \(full.standardError)")
        #expect(
            full.standardError.contains("could not write standard output: No space left on device"),
            "\(arguments): \(full.standardError)")
        #expect(!full.standardError.contains("Fatal error"))
        #expect(
            arguments.first == "--help" || arguments.first == "--version"
                || full.standardError.contains("any change the command made is saved"),
            "\(arguments): \(full.standardError)")
        if arguments.first == "enroll" {
            // The enrolment was made before its output failed, and the message says so.
            let list = try #require(try clinic.run("patients", "--json").json() as? [String: [[String: Any]]])
            #expect(list["patients"]?.contains { $0["mrn"] as? String == "W-2" } == true)
        }
    }

    @Test("export-csv, fhir export and report into a file past the size limit: exit status 3, the file removed")
    func fileTooLarge() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        for mrn in ["W-1", "W-2", "W-3", "W-4"] {
            let id = try clinic.enroll(mrn: mrn)
            #expect(
                try clinic.run(
                    "assess", id, "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline", "--answers",
                    "2,2,2,2,2,2,2,2,0"
                ).status == 0)
        }
        // The registry's shared-memory file, which SQLite sizes when the first connection opens
        // it, is kept open by this process: the limit is for the file the command writes.
        let holder = try DatabaseQueue(path: clinic.registry)
        defer { try? holder.close() }
        #expect(try holder.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM patient") } == 4)
        for (arguments, file) in [
            (["export-csv"], "out.csv"), (["fhir", "export", "P-000001", "--output"], "p1.fhir.json"),
            (["report", "--html"], "clinic.html"),
        ] {
            let path = clinic.folder.appendingPathComponent(file).path
            let stopped = try runConstrained(clinic, arguments + [path], fileBlocks: 1)
            #expect(stopped.status == 3, "\(arguments): \(stopped.standardError)")
            #expect(
                stopped.standardError.contains("could not write \(path): File too large"),
                "\(arguments): \(stopped.standardError)")
            #expect(!FileManager.default.fileExists(atPath: path), "\(arguments): no part-written file")
            // Without the limit the same command writes the whole file.
            #expect(try clinic.run(arguments: arguments + [path]).status == 0)
            #expect(
                ((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) > 1024, "\(arguments)")
        }
    }
}
