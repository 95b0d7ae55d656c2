import Foundation
import Testing

/// The browser the reports are checked in: headless Chromium from Debian's packages, which
/// `Scripts/test` installs. Outside CI the rendering test is skipped when it is missing.
let chromium: String? = ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"].first { FileManager.default.isExecutableFile(atPath: $0) }
let requireBrowser = ProcessInfo.processInfo.environment["CI"] == "true"

@Suite("HTML reports")
struct ReportTests {
    /// A demo clinic with both reports written.
    struct Reports {
        let clinic: Clinic
        let clinicReport: String
        let patientReport: String
        let patient: String
    }

    func makeReports() throws -> Reports {
        let clinic = try Clinic(initialise: false)
        #expect(try clinic.run("demo", "--dir", clinic.folder.path).status == 0)
        let registry = clinic.folder.appendingPathComponent("demo-registry.sqlite").path
        let environment = ["KETAREG_REGISTRY": registry]
        let patients = try #require(try clinic.run("patients", "--json", environment: environment).json() as? [String: [[String: Any]]])
        let flagged = try #require(patients["patients"]?.first { !(($0["flags"] as? [String]) ?? []).isEmpty }?["id"] as? String)
        let clinicReport = clinic.folder.appendingPathComponent("clinic.html").path
        let patientReport = clinic.folder.appendingPathComponent("patient.html").path
        #expect(try clinic.run("report", "--html", clinicReport, environment: environment).status == 0)
        #expect(try clinic.run("report", "--html", patientReport, "--patient", flagged, environment: environment).status == 0)
        return Reports(clinic: clinic, clinicReport: clinicReport, patientReport: patientReport, patient: flagged)
    }

    @Test("Reports are single self-contained files: inline SVG charts, no scripts, nothing fetched")
    func selfContained() throws {
        let reports = try makeReports()
        defer { reports.clinic.remove() }
        for path in [reports.clinicReport, reports.patientReport] {
            let html = try String(contentsOfFile: path, encoding: .utf8)
            #expect(html.contains("<svg"))
            for forbidden in ["<script", "src=", "href=", "url(", "@import", "<link", "<iframe"] {
                #expect(!html.lowercased().contains(forbidden), "\(path) contains \(forbidden)")
            }
            #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        }
        let clinicHTML = try String(contentsOfFile: reports.clinicReport, encoding: .utf8)
        #expect(clinicHTML.contains("Treatment-resistant depression"))
        #expect(clinicHTML.contains("eligible"))
        let patientHTML = try String(contentsOfFile: reports.patientReport, encoding: .utf8)
        #expect(patientHTML.contains("Patient Health Questionnaire-9"))
        #expect(patientHTML.contains("stroke-dasharray")) // infusions marked
        #expect(patientHTML.contains("moderately severe 15-19")) // bands shaded and named
        #expect(patientHTML.contains("<h2>Infusions</h2>") && patientHTML.contains("0.5 mg/kg"))
        #expect(patientHTML.contains("<h2>Courses</h2>") && patientHTML.contains("induction"))
        // The clinic report names no patient: demo MRNs and names stay out of it.
        for identifying in ["DEMO-10", "MRN"] {
            #expect(!clinicHTML.contains(identifying))
        }
        // Never overwrites.
        #expect(try reports.clinic.run("report", "--html", reports.clinicReport,
                                       environment: ["KETAREG_REGISTRY": reports.clinic.folder.appendingPathComponent("demo-registry.sqlite").path]).status == 1)
    }

    @Test("An outcome with fewer than 5 patients assessed is shown as too few to judge, never as a bar")
    func tooFewToJudge() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try clinic.enroll(mrn: "R-1")
        #expect(try clinic.run("assess", id, "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline", "--answers", "3,3,3,3,3,3,3,3,0").status == 0)
        for day in ["02", "05", "09", "12", "16", "19"] {
            #expect(try clinic.run("infusion", "add", id, "--on", "2026-03-\(day)", "--dose-mg-per-kg", "0.5", "--minutes", "40").status == 0)
        }
        #expect(try clinic.run("assess", id, "--scale", "phq9", "--on", "2026-03-21", "--timepoint", "post-infusion", "--answers", "0,0,0,0,0,0,0,0,0").status == 0)
        let file = clinic.folder.appendingPathComponent("clinic.html").path
        #expect(try clinic.run("report", "--html", file).status == 0)
        let html = try String(contentsOfFile: file, encoding: .utf8)
        #expect(html.contains("too few to judge") && html.contains("1 of 1 assessed"), "\(html)")
        #expect(!html.contains("<title>1 of 1 assessed</title>"))
        // The patient's report says in a sentence whether the rules were met, and shows a scale
        // assessed once as a line of table rather than a chart.
        #expect(try clinic.run("assess", id, "--scale", "cadss6", "--on", "2026-03-02", "--timepoint", "post-infusion", "--answers", "1,1,1,1,1,1").status == 0)
        let patientFile = clinic.folder.appendingPathComponent("patient.html").path
        #expect(try clinic.run("report", "--html", patientFile, "--patient", id).status == 0)
        let page = try String(contentsOfFile: patientFile, encoding: .utf8)
        for expected in ["Did the patient respond?", "depression, induction: response, end of course: met.", "remission, end of course: met.",
                         "response, still met at visit 1: cannot be judged, the assessment it needs is missing.",
                         "<tr><td>2026-03-02</td><td>post-infusion</td><td>6</td>"] {
            #expect(page.contains(expected), "the patient report lacks \(expected)")
        }
        #expect(page.components(separatedBy: "<svg").count == 2, "one chart (PHQ-9), not two")
    }

    @Test("Headless Chromium renders both reports to pictures with far more in them than a blank page",
          .enabled(if: chromium != nil || requireBrowser, "headless Chromium is not installed (Scripts/test installs it)"))
    func rendersInBrowser() throws {
        let browser = try #require(chromium, "CI needs headless Chromium: Scripts/test installs chromium-headless-shell")
        let reports = try makeReports()
        defer { reports.clinic.remove() }
        let blank = reports.clinic.folder.appendingPathComponent("blank.html").path
        try "<!DOCTYPE html><html><body></body></html>".write(toFile: blank, atomically: true, encoding: .utf8)
        func render(_ html: String) throws -> (width: Int, height: Int, bytes: Int, path: String) {
            let png = html.replacingOccurrences(of: ".html", with: ".png")
            let outcome = try runProcess(browser, ["--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1100,1400",
                                                   "--screenshot=\(png)", "file://\(html)"])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let data = try Data(contentsOf: URL(fileURLWithPath: png))
            #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "not a PNG")
            func bigEndian(_ offset: Int) -> Int { data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
            return (bigEndian(16), bigEndian(20), data.count, png)
        }
        let empty = try render(blank)
        for html in [reports.clinicReport, reports.patientReport] {
            let picture = try render(html)
            #expect(picture.width == 1100 && picture.height == 1400)
            // A compressed PNG grows with what is drawn; charts, bands and tables are far from blank.
            #expect(picture.bytes > 5 * empty.bytes, "\(picture.path): \(picture.bytes) bytes against \(empty.bytes) for a blank page")
        }
        // Kept for a person to look at when KETAREG_KEEP_REPORTS names a folder.
        if let keep = ProcessInfo.processInfo.environment["KETAREG_KEEP_REPORTS"] {
            try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            for html in [reports.clinicReport, reports.patientReport] {
                let png = html.replacingOccurrences(of: ".html", with: ".png")
                let target = (keep as NSString).appendingPathComponent((png as NSString).lastPathComponent)
                try? FileManager.default.removeItem(atPath: target)
                try FileManager.default.copyItem(atPath: png, toPath: target)
            }
        }
    }
}
