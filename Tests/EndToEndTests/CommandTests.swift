import Foundation
import RegistryTestSupport
import Testing

@Suite("ketareg commands, end to end")
struct CommandTests {
    @Test("init creates a registry and refuses to overwrite it")
    func initCommand() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        #expect(FileManager.default.fileExists(atPath: clinic.registry))
        let before = try clinic.dump()
        let again = try clinic.run("init")
        #expect(again.status == 1)
        #expect(again.standardError.contains("already exists"))
        #expect(try clinic.dump() == before)
    }

    @Test(
        "conditions --json lists the three compiled modules, the declarative PTSD module and the shared WHO-5 with all their scales"
    )
    func conditions() throws {
        let clinic = try Clinic(initialise: false)
        defer { clinic.remove() }
        let outcome = try clinic.run("conditions", "--json")
        #expect(outcome.status == 0)
        let modules = try #require(try outcome.json() as? [[String: Any]])
        var scales: [String: [String]] = [:]
        for module in modules {
            scales[module["id"] as! String] = (module["scales"] as! [[String: Any]]).map { $0["id"] as! String }
        }
        #expect(
            scales == [
                "migraine": ["headache-nrs", "mhd", "midas", "hit6"],
                "depression": ["phq9", "madrs", "qids-sr16", "cadss6"],
                "neuropathic-pain": ["pain-nrs", "bpi-sf", "dn4", "paindetect"],
                "ptsd": ["pcl5"],
                "quality-of-life": ["who5"],
            ])
        // WHO-5 is every condition's: listed once, under its own module, and named by each condition.
        #expect(modules.first { $0["id"] as? String == "quality-of-life" }?["scope"] as? String == "every-condition")
        #expect(
            modules.filter { $0["scope"] as? String == "condition" }.allSatisfy {
                ($0["sharedScales"] as? [String]) == ["who5"]
            })
        let text = try clinic.run("conditions")
        #expect(text.standardOutput.contains("phq9 at least 50% lower than baseline"))
    }

    @Test("scale show describes items, answers, bands, the chosen convention and the licence")
    func scaleShow() throws {
        let clinic = try Clinic(initialise: false)
        defer { clinic.remove() }
        let phq9 = try #require(try clinic.run("scale", "show", "phq9", "--json").json() as? [String: Any])
        #expect((phq9["items"] as? [Any])?.count == 9)
        #expect(
            (phq9["bands"] as? [[String: Any]])?.map { $0["id"] as! String } == [
                "minimal", "mild", "moderate", "moderately-severe", "severe",
            ])
        let madrs = try clinic.run("scale", "show", "madrs")
        #expect(madrs.standardOutput.contains("10 or below (some studies use 12)"))
        let hit6 = try clinic.run("scale", "show", "hit6")
        #expect(hit6.standardOutput.contains("3=very-often (11)"))
        #expect(hit6.standardOutput.contains("Licence: copyrighted"))
        let unknown = try clinic.run("scale", "show", "phq-9")
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("known scales: headache-nrs, mhd"))
    }

    @Test("A clinic's day: enrol, infuse, assess, co-intervention, adverse event, correct, audit, show")
    func clinicDay() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try clinic.enroll(mrn: "H-100", condition: ["depression", "neuropathic-pain"])
        #expect(id == "P-000001")
        let second = try #require(
            try clinic.run(
                "enroll", "--json", "--mrn", "H-101", "--given", "Ben", "--family", "Ode", "--birth-date", "1990-01-01",
                "--sex", "male", "--condition", "migraine"
            ).json() as? [String: Any])
        #expect(second["id"] as? String == "P-000002")

        let infusion = try #require(
            try clinic.run(
                "infusion", "add", id, "--for", "depression", "--on", "2026-03-02", "--at", "09:30", "--dose-mg-per-kg",
                "0.5",
                "--weight-kg", "64", "--minutes", "40", "--bp-before", "128/82", "--bp-after", "141/90",
                "--bp-discharge", "130/84", "--heart-rate", "72", "--spo2", "98", "--dissociation",
                "--adverse", "nausea:mild", "--adverse", "dizziness:moderate", "--json"
            ).json() as? [String: Any])
        #expect(infusion["id"] as? String == "I-000001")
        #expect(infusion["totalMg"] as? Double == 32)
        #expect((infusion["adverseEvents"] as? [String])?.count == 2)

        let phq9 = try #require(
            try clinic.run(
                "assess", id, "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline",
                "--answers", "2,2,1,3,1,2,1,0,1", "--json"
            ).json() as? [String: Any])
        #expect(phq9["id"] as? String == "A-000001")
        #expect(phq9["patient"] as? String == id)
        #expect(phq9["scale"] as? String == "phq9")
        #expect(phq9["score"] as? Int == 13)
        #expect(phq9["band"] as? String == "moderate")
        #expect(phq9["flags"] as? [String] == ["suicide-risk"])
        #expect(phq9["scaleVersion"] as? String == "1.0")

        let bpi = try #require(
            try clinic.run(
                "assess", id, "--scale", "bpi-sf", "--on", "2026-03-01", "--timepoint", "baseline",
                "--answers", "8,3,5,5,5,6,4,5,5,5,5", "--json"
            ).json() as? [String: Any])
        #expect(bpi["score"] as? Double == 5.25)
        #expect(bpi["subscores"] as? [String: Double] == ["severity": 5.25, "interference": 5])

        let pain = try clinic.run(
            "assess", id, "--scale", "pain-nrs", "--on", "2026-03-01", "--timepoint", "baseline", "--value", "7")
        #expect(pain.status == 0)
        #expect(pain.standardOutput.contains("pain-nrs 7 (severe)"))

        let flagged = try clinic.run(
            "assess", id, "--scale", "phq9", "--on", "2026-03-20", "--timepoint", "post-infusion", "--answers",
            "1,1,0,1,0,1,0,0,2")
        #expect(
            flagged.standardOutput.contains("FOR CLINICIAN REVIEW: F-")
                && flagged.standardOutput.contains(" suicide-risk (phq9 item 9"), "\(flagged.standardOutput)")

        #expect(try clinic.run("cointervention", "add", id, "--kind", "yoga", "--from", "2026-02-15").status == 0)
        #expect(
            try clinic.run(
                "adverse", "add", id, "--term", "headache", "--grade", "mild", "--onset", "2026-03-02",
                "--resolved", "2026-03-03", "--infusion", "I-000001"
            ).status == 0)

        let corrected = try #require(
            try clinic.run(
                "correct", "A-000001", "--answers", "2,2,1,3,1,2,1,0,0", "--reason", "item 9 keyed wrongly",
                "--actor", "dr.lind", "--json"
            ).json() as? [String: Any])
        #expect(corrected["score"] as? Int == 12)
        #expect(corrected["flags"] as? [String] == [])
        let infusionFix = try clinic.run("correct", "I-000001", "--minutes", "45", "--reason", "pump log")
        #expect(infusionFix.status == 0)
        #expect(infusionFix.standardOutput.contains("over 45 min"))

        let resolved = try clinic.run(
            "correct", "AE-000001", "--resolved", "2026-03-03", "--reason", "settled by the next morning")
        #expect(resolved.standardOutput.contains("nausea (mild) from 2026-03-02, resolved 2026-03-03"))
        let ended = try clinic.run("correct", "C-000001", "--to", "2026-03-10", "--reason", "stopped yoga")
        #expect(ended.standardOutput.contains("yoga from 2026-02-15 to 2026-03-10"))

        let audit = try #require(try clinic.run("audit", "A-000001", "--json").json() as? [String: [[String: Any]]])
        let rows = try #require(audit["audit"])
        #expect(rows.map { $0["action"] as! String } == ["add", "correct"])
        #expect(rows[1]["actor"] as? String == "dr.lind")
        #expect(rows[1]["reason"] as? String == "item 9 keyed wrongly")

        let page = try clinic.run("patient", "show", id)
        for expected in [
            "P-000001  Varga-Brandt, Ottilie  (MRN H-100)", "antidepressants", "Timeline", "I-000001", "nausea (mild)",
            "phq9 12 (moderate)", "Latest scores", "Adverse events", "Co-interventions", "yoga", "OPEN SAFETY FLAG F-",
            ": suicide-risk from A-000004",
        ] {
            #expect(page.standardOutput.contains(expected), "patient show lacks \(expected)")
        }
        let pageJSON = try #require(try clinic.run("patient", "show", id, "--json").json() as? [String: Any])
        #expect((pageJSON["assessments"] as? [Any])?.count == 4)
        #expect(pageJSON["conditions"] as? [String] == ["depression", "neuropathic-pain"])

        let list = try #require(
            try clinic.run("patients", "--condition", "migraine", "--json").json() as? [String: [[String: Any]]])
        #expect(list["patients"]?.map { $0["id"] as! String } == ["P-000002"])

        // Over when its 28 days passed: one infusion of six, the course stopped early.
        #expect(
            page.standardOutput.contains(
                "Course, depression, induction: course complete under module/1.0 (1 infusion, ended 2026-03-30)"))
        let due = try #require(try clinic.run("due", "--on", "2026-03-05", "--json").json() as? [String: Any])
        let items = try #require(due["due"] as? [[String: Any]])
        // P-000002 (migraine, no infusion yet) needs a baseline headache rating; P-000001 is mid-course.
        #expect(
            items.map { "\($0["patient"]!) \($0["point"]!) \($0["scale"]!) \($0["status"]!)" } == [
                "P-000002 baseline headache-nrs due"
            ])
        // The end-of-course window runs from the day the last infusion ended until two weeks after
        // the course was over (2026-04-13): the PHQ-9 of 2026-03-20 falls in it, so nothing is due.
        let course = try #require(
            (pageJSON["courses"] as? [[String: Any]])?.first { $0["condition"] as? String == "depression" })
        let end = try #require(
            (course["assessments"] as? [[String: Any]])?.first { $0["point"] as? String == "end-of-course" })
        #expect(end["status"] as? String == "done")
        #expect(end["doneOn"] as? String == "2026-03-20")
        #expect(end["dueFrom"] as? String == "2026-03-02")
        #expect(end["dueBy"] as? String == "2026-04-13")
        let later = try #require(try clinic.run("due", "--as-of", "2026-04-20", "--json").json() as? [String: Any])
        #expect(
            (later["due"] as? [[String: Any]])?.contains {
                $0["patient"] as? String == id && $0["point"] as? String == "end-of-course"
            } == false)

        let withdrawn = try clinic.run("patient", "withdraw-consent", id, "--reason", "asked to leave the study")
        #expect(withdrawn.status == 0)
        let after = try #require(try clinic.run("patients", "--json").json() as? [String: [[String: Any]]])
        #expect(after["patients"]?.first?["researchConsent"] as? Bool == false)
    }

    @Test("assess asks item by item at a terminal, asking again after a refused answer")
    func interactiveAssess() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try clinic.enroll(mrn: "T-1", condition: ["migraine"])
        let command = [Clinic.binary, "assess", id, "--scale", "hit6", "--on", "2026-03-01", "--timepoint", "baseline"]
            .map { "'\($0)'" }.joined(separator: " ")
        // script(1) gives the command a terminal; the answers are typed into it.
        let outcome = try runProcess(
            "/usr/bin/script", ["-qec", command, "/dev/null"],
            input: "never\nsometimes\n7\nalways\nrarely\nvery often\nnever\ny\n",
            environment: clinic.environment())
        #expect(outcome.status == 0, "\(outcome.standardOutput)")
        // 6 + 10 + (7 refused) 13 + 8 + 11 + 6 = 54
        #expect(outcome.standardOutput.contains("hit6 54 (some impact)"))
        #expect(outcome.standardOutput.contains("'7' is not allowed"))
    }

    @Test("demo runs a synthetic clinic end to end")
    func demo() throws {
        let clinic = try Clinic(initialise: false)
        defer { clinic.remove() }
        let outcome = try clinic.run("demo", "--dir", clinic.folder.path)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        for expected in [
            "Patients (36)", "depression response:", "ketareg due", "Adverse events by term and grade",
            "OPEN SAFETY FLAG",
            "Anonymised summary for a research network", "\"clinic\" : \"KetaReg demo clinic\"",
            ": delivered (200); it saw idempotency key",
            "delivered, 29 consenting patients, 1 attempt", "Audit trail:",
        ] {
            #expect(outcome.standardOutput.contains(expected), "demo output lacks \(expected)")
        }
        // the demo never touches the clinic's registry
        #expect(!FileManager.default.fileExists(atPath: clinic.registry))
    }

    @Test("--help explains, and exit codes mean what CLI.md says")
    func helpAndExitCodes() throws {
        let clinic = try Clinic(initialise: false)
        defer { clinic.remove() }
        let help = try clinic.run("assess", "--help")
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("--answers"))
        #expect(help.standardOutput.contains("leave an unanswered item empty"))
        #expect(try clinic.run("enroll", "--mrn", "1").status == 2)
        #expect(try clinic.run("no-such-command").status == 2)
        let missing = try clinic.run("patients")
        #expect(missing.status == 3)
        #expect(missing.standardError.contains("ketareg init"))
    }

    /// `main` skips ArgumentParser's completion-script check unless an argument asks for a script,
    /// by setting a super-command name for the length of the parse (Ketareg.configuration). Help,
    /// usage errors and scripts must still read exactly as ArgumentParser writes them.
    @Test("Help, usage errors and completion scripts name the command 'ketareg', once")
    func helpAndCompletionScripts() throws {
        let clinic = try Clinic(initialise: false)
        defer { clinic.remove() }
        let top = try clinic.run("--help")
        #expect(top.status == 0)
        #expect(top.standardOutput.contains("USAGE: ketareg <subcommand>"))
        #expect(top.standardOutput.contains("See 'ketareg help <subcommand>' for detailed help."))
        for arguments in [["patient", "show", "--help"], ["help", "patient", "show"], ["patient", "show", "-h"]] {
            let help = try clinic.run(arguments: arguments)
            #expect(help.status == 0, "\(arguments)")
            #expect(
                help.standardOutput.contains("USAGE: ketareg patient show "), "\(arguments): \(help.standardOutput)")
        }
        let usage = try clinic.run("patient", "show")
        #expect(usage.status == 2)
        #expect(usage.standardError.contains("Error: Missing expected argument '<id>'"))
        #expect(usage.standardError.contains("Usage: ketareg patient show "))
        #expect(usage.standardError.contains("See 'ketareg patient show --help' for more information."))
        let unknown = try clinic.run("patient", "show", "P-000001", "--no-such-option")
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("Usage: ketareg patient show "))
        let version = try clinic.run("--version")
        #expect(version.status == 0 && version.standardOutput == "0.1.0\n")
        for shell in ["bash", "zsh", "fish"] {
            for arguments in [["--generate-completion-script", shell], ["--generate-completion-script=\(shell)"]] {
                let script = try clinic.run(arguments: arguments)
                #expect(script.status == 0, "\(arguments): \(script.standardError)")
                #expect(script.standardOutput.contains("patient"), "\(arguments)")
                #expect(script.standardOutput.contains("registry"), "\(arguments)")
            }
        }
        let bash = try clinic.run("--generate-completion-script", environment: ["SHELL": "/bin/bash"])
        #expect(bash.status == 0)
        #expect(bash.standardOutput.hasPrefix("#!/bin/bash"))
        #expect(bash.standardOutput.hasSuffix("complete -o filenames -F _ketareg ketareg\n"))
        for outcome in [top, usage, unknown] {
            #expect(!(outcome.standardOutput + outcome.standardError).contains("ketareg ketareg"))
        }
    }

    /// The release binary as the README builds it (Scripts/build-release; Scripts/test runs this
    /// suite against it a second time, with $KETAREG_BINARY): the Swift and C++ runtimes linked in,
    /// no symbols exported, no run path, so that the loader never looks for libraries in the
    /// binary's own folder, and concrete type metadata got through accessors.
    @Test(
        "The release binary loads no C++ or Swift runtime, exports no symbols, has no run path, and gets no type by its mangled name",
        .enabled(
            if: ProcessInfo.processInfo.environment["KETAREG_BINARY"] != nil,
            "checks the release build Scripts/test points $KETAREG_BINARY at"))
    func releaseLinking() throws {
        let dynamic = try runProcess("/usr/bin/readelf", ["--dynamic", "--wide", Clinic.binary])
        #expect(dynamic.status == 0, "\(dynamic.standardError)")
        let needed = dynamic.standardOutput.split(separator: "\n").filter { $0.contains("(NEEDED)") }
        #expect(needed.contains { $0.contains("[libsqlite3.so.0]") }, "\(needed)")
        for library in ["libstdc++", "libswiftCore", "libFoundation", "libdispatch", "libcurl"] {
            #expect(!needed.contains { $0.contains("[\(library)") }, "\(library) is loaded at start-up: \(needed)")
        }
        #expect(
            !dynamic.standardOutput.contains("(RPATH)") && !dynamic.standardOutput.contains("(RUNPATH)"),
            "\(dynamic.standardOutput)")
        // With the program's symbols exported the table held about 16,400; without, about 600.
        let symbols = try runProcess("/usr/bin/readelf", ["--dyn-syms", "--wide", Clinic.binary])
        #expect(symbols.status == 0)
        let count = symbols.standardOutput.split(separator: "\n").filter { $0.firstMatch(of: /^\s*\d+:/) != nil }.count
        #expect(count > 0 && count < 2_000, "\(count) dynamic symbols")
        // Code that asks the runtime for a concrete generic type by its mangled name caches the
        // answer in a symbol ending in `MD`. The standard library and Foundation, built by the
        // toolchain, have them; ketareg's modules, ArgumentParser and GRDB, built with
        // -disable-concrete-type-metadata-mangled-name-accessors, have none (a plain
        // `swift build -c release` gives them about 870).
        let table = try runProcess("/usr/bin/nm", [Clinic.binary])
        #expect(table.status == 0, "\(table.standardError)")
        let cached = table.standardOutput.split(separator: "\n").filter { $0.hasSuffix("MD") }
        #expect(cached.count > 100, "\(cached.count) demangling caches in all")
        let ours = cached.filter {
            $0.firstMatch(of: /(7ketareg|13RegistryStore|12RegistryCore|14RegistryExport|14ArgumentParser|4GRDB)/)
                != nil
        }
        #expect(ours.isEmpty, "\(ours.count) types got by mangled name, such as \(ours.prefix(3))")
        let version = try runProcess(Clinic.binary, ["--version"])
        #expect(version.status == 0 && version.standardOutput == "0.1.0\n")
    }
}
