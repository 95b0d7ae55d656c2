import Foundation
import RegistryTestSupport
import Testing

/// The browser the reports are checked in: headless Chromium from Debian's packages, which
/// `Scripts/test` installs. Outside CI the rendering test is skipped when it is missing.
let chromium: String? = ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}
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
        let patients = try #require(
            try clinic.run("patients", "--json", environment: environment).json() as? [String: [[String: Any]]])
        let flagged = try #require(
            patients["patients"]?.first { !(($0["flags"] as? [String]) ?? []).isEmpty }?["id"] as? String)
        let clinicReport = clinic.folder.appendingPathComponent("clinic.html").path
        let patientReport = clinic.folder.appendingPathComponent("patient.html").path
        #expect(try clinic.run("report", "--html", clinicReport, environment: environment).status == 0)
        #expect(
            try clinic.run("report", "--html", patientReport, "--patient", flagged, environment: environment).status
                == 0)
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
        #expect(patientHTML.contains("stroke-dasharray"))  // infusions marked
        #expect(patientHTML.contains("moderately severe 15-19"))  // bands shaded and named
        #expect(patientHTML.contains("<h2>Infusions</h2>") && patientHTML.contains("0.5 mg/kg"))
        #expect(patientHTML.contains("<h2>Courses</h2>") && patientHTML.contains("induction"))
        // The clinic report names no patient: demo MRNs and names stay out of it.
        for identifying in ["DEMO-10", "MRN"] {
            #expect(!clinicHTML.contains(identifying))
        }
        // Never overwrites.
        #expect(
            try reports.clinic.run(
                "report", "--html", reports.clinicReport,
                environment: [
                    "KETAREG_REGISTRY": reports.clinic.folder.appendingPathComponent("demo-registry.sqlite").path
                ]
            ).status == 1)
    }

    @Test("An outcome with fewer than 5 patients assessed is shown as too few to judge, never as a bar")
    func tooFewToJudge() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        let id = try clinic.enroll(mrn: "R-1")
        #expect(
            try clinic.run(
                "assess", id, "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline", "--answers",
                "3,3,3,3,3,3,3,3,0"
            ).status == 0)
        for day in ["02", "05", "09", "12", "16", "19"] {
            #expect(
                try clinic.run(
                    "infusion", "add", id, "--on", "2026-03-\(day)", "--dose-mg-per-kg", "0.5", "--minutes", "40"
                ).status == 0)
        }
        #expect(
            try clinic.run(
                "assess", id, "--scale", "phq9", "--on", "2026-03-21", "--timepoint", "post-infusion", "--answers",
                "0,0,0,0,0,0,0,0,0"
            ).status == 0)
        let file = clinic.folder.appendingPathComponent("clinic.html").path
        #expect(try clinic.run("report", "--html", file).status == 0)
        let html = try String(contentsOfFile: file, encoding: .utf8)
        #expect(html.contains("too few to judge") && html.contains("1 of 1 assessed"), "\(html)")
        #expect(!html.contains("<title>1 of 1 assessed</title>"))
        // The patient's report says in a sentence whether the rules were met, and shows a scale
        // assessed once as a line of table rather than a chart.
        #expect(
            try clinic.run(
                "assess", id, "--scale", "cadss6", "--on", "2026-03-02", "--timepoint", "post-infusion", "--answers",
                "1,1,1,1,1,1"
            ).status == 0)
        let patientFile = clinic.folder.appendingPathComponent("patient.html").path
        #expect(try clinic.run("report", "--html", patientFile, "--patient", id).status == 0)
        let page = try String(contentsOfFile: patientFile, encoding: .utf8)
        for expected in [
            "Did the patient respond?", "depression, induction: response, end of course: met.",
            "remission, end of course: met.",
            "response, still met at visit 1: cannot be judged, the assessment it needs is missing.",
            "<tr><td>2026-03-02</td><td>post-infusion</td><td>6</td>",
        ] {
            #expect(page.contains(expected), "the patient report lacks \(expected)")
        }
        #expect(page.components(separatedBy: "<svg").count == 2, "one chart (PHQ-9), not two")
    }

    @Test(
        "Headless Chromium renders both reports to pictures with far more in them than a blank page",
        .enabled(if: chromium != nil || requireBrowser, "headless Chromium is not installed (Scripts/test installs it)")
    )
    func rendersInBrowser() throws {
        let browser = try #require(
            chromium, "CI needs headless Chromium: Scripts/test installs chromium-headless-shell")
        let reports = try makeReports()
        defer { reports.clinic.remove() }
        let blank = reports.clinic.folder.appendingPathComponent("blank.html").path
        try "<!DOCTYPE html><html><body></body></html>".write(toFile: blank, atomically: true, encoding: .utf8)
        func render(_ html: String) throws -> (width: Int, height: Int, bytes: Int, path: String) {
            let png = html.replacingOccurrences(of: ".html", with: ".png")
            let outcome = try runProcess(
                browser,
                [
                    "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1100,1400",
                    "--screenshot=\(png)", "file://\(html)",
                ])
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
            #expect(
                picture.bytes > 5 * empty.bytes,
                "\(picture.path): \(picture.bytes) bytes against \(empty.bytes) for a blank page")
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

    /// Three patients whose charts are hard to draw: a crowded course followed by months of
    /// follow-up, a disability scale whose bands crowd the bottom of a tall range, and a scale
    /// assessed twice on one day.
    func hardCharts() throws -> (clinic: Clinic, reports: [String: String]) {
        let clinic = try Clinic()
        let crowded = try clinic.enroll(mrn: "C-1")
        // PHQ-9 18 at baseline; a score a day through a two-week course; 8 at the end (met: at
        // most 9, half of 18); then monthly to November.
        var days: [(String, String, String)] = [("2026-01-05", "baseline", "2,2,2,2,2,2,2,2,2")]
        for (day, answers) in [
            ("06", "2,2,2,2,2,2,2,1,2"), ("07", "2,2,2,2,2,2,2,1,1"), ("08", "2,2,2,2,2,2,1,1,1"),
            ("09", "2,2,2,2,2,1,1,1,1"),
            ("12", "2,2,2,2,1,1,1,1,1"), ("13", "2,2,2,1,1,1,1,1,1"), ("14", "2,2,1,1,1,1,1,1,1"),
            ("15", "2,1,1,1,1,1,1,1,1"),
            ("16", "2,1,1,1,1,1,1,1,0"), ("19", "1,1,1,1,1,1,1,1,1"),
        ] {
            days.append(("2026-01-\(day)", "post-infusion", answers))
        }
        days.append(("2026-01-21", "post-infusion", "1,1,1,1,1,1,1,1,0"))
        for month in ["02", "04", "06", "08", "10"] {
            days.append(("2026-\(month)-20", "follow-up", "1,1,1,1,1,1,1,0,0"))
        }
        for (day, timepoint, answers) in days {
            let outcome = try clinic.run(
                "assess", crowded, "--scale", "phq9", "--on", day, "--timepoint", timepoint, "--answers", answers)
            #expect(outcome.status == 0, "\(day): \(outcome.standardError)")
        }
        for day in ["06", "08", "12", "14", "16", "19"] {
            #expect(
                try clinic.run(
                    "infusion", "add", crowded, "--on", "2026-01-\(day)", "--dose-mg-per-kg", "0.5", "--minutes", "40"
                ).status == 0)
        }
        let migraine = try clinic.enroll(mrn: "C-2", condition: ["migraine"])
        for (day, answers) in [
            ("2026-09-01", "1,1,1,0,0,,"), ("2026-09-20", "2,2,2,1,1,,"), ("2026-10-10", "4,4,4,2,1,,"),
            ("2026-11-01", "40,30,30,20,10,,"),
        ] {
            #expect(
                try clinic.run(
                    "assess", migraine, "--scale", "midas", "--on", day, "--timepoint", "follow-up", "--answers",
                    answers
                ).status == 0)
        }
        #expect(
            try clinic.run(
                "infusion", "add", migraine, "--on", "2026-09-02", "--at", "09:00", "--rate-mg-per-kg-per-hour", "0.5",
                "--minutes", "7200", "--weight-kg", "70"
            ).status == 0)
        let oneDay = try clinic.enroll(mrn: "C-3")
        #expect(
            try clinic.run(
                "assess", oneDay, "--scale", "phq9", "--on", "2026-11-02", "--timepoint", "baseline", "--answers",
                "2,2,2,2,2,2,2,2,2"
            ).status == 0)
        #expect(
            try clinic.run(
                "assess", oneDay, "--scale", "phq9", "--on", "2026-11-02", "--timepoint", "baseline", "--answers",
                "2,2,2,2,2,2,2,2,1", "--repeat"
            ).status == 0)
        var reports: [String: String] = [:]
        for id in [crowded, migraine, oneDay] {
            let file = clinic.folder.appendingPathComponent("\(id).html").path
            let outcome = try clinic.run("report", "--html", file, "--patient", id)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            reports[id] = file
        }
        return (clinic, reports)
    }

    /// The texts of one class in a report's charts, chart by chart.
    func texts(_ html: String, class name: String) -> [[String]] {
        html.components(separatedBy: "<svg").dropFirst().map { chart in
            chart.components(separatedBy: "<text class=\"\(name)\"").dropFirst().map { element in
                let inner = element[element.index(after: element.firstIndex(of: ">")!)...]
                return String(inner[..<inner.range(of: "</text>")!.lowerBound])
                    .replacingOccurrences(of: #"<[^>]+>"#, with: " ", options: .regularExpression)
                    .replacingOccurrences(of: "&lt;", with: "<").trimmingCharacters(in: .whitespaces)
                    .replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
            }
        }
    }

    @Test(
        "Charts: date ticks at a step that fits, round score ticks, the rules' thresholds drawn, whether and when the patient responded"
    )
    func chartAxes() throws {
        let (clinic, reports) = try hardCharts()
        defer { clinic.remove() }
        let crowded = try String(contentsOfFile: reports["P-000001"]!, encoding: .utf8)
        let dates = try #require(texts(crowded, class: "date-tick").first)
        // January to November: month ticks, the year once; never only the first and last day.
        #expect(
            dates.count >= 5 && dates.first == "Jan 2026"
                && dates.dropFirst().allSatisfy {
                    $0.range(of: #"^[A-Z][a-z]{2}$"#, options: .regularExpression) != nil
                }, "\(dates)")
        #expect(try #require(texts(crowded, class: "score-tick").first) == ["0", "5", "10", "15", "20", "25"])
        let labels = try #require(texts(crowded, class: "side-label").first)
        // 50% of a baseline of 18: at most 9. Remission: below 5.
        #expect(labels.contains("response ≤ 9 (50% below 18)") && labels.contains("remission < 5"), "\(labels)")
        #expect(crowded.contains("class=\"threshold\""))
        #expect(
            crowded.contains(
                "depression, induction: response, end of course: met. phq9 8 on 2026-01-21, from 18 at baseline on 2026-01-05."
            ), "\(crowded)")
        let migraine = try String(contentsOfFile: reports["P-000002"]!, encoding: .utf8)
        let midas = try #require(texts(migraine, class: "score-tick").first)
        #expect(midas == ["0", "100", "200", "300", "400"], "\(midas)")
        let midasDates = try #require(texts(migraine, class: "date-tick").first)
        #expect(
            midasDates.count >= 4 && midasDates.first?.hasSuffix("2026") == true
                && midasDates.allSatisfy {
                    $0.range(of: #"^\d{1,2} [A-Z][a-z]{2}( \d{4})?$"#, options: .regularExpression) != nil
                }, "\(midasDates)")
        #expect(migraine.contains("continuous infusion I-000007"), "a five-day infusion is drawn as its span")
        let oneDay = try String(contentsOfFile: reports["P-000003"]!, encoding: .utf8)
        #expect(try #require(texts(oneDay, class: "date-tick").first).contains("2 Nov"))
    }

    @Test(
        "Charts: in headless Chromium no label of a chart covers another or runs off it",
        .enabled(if: chromium != nil || requireBrowser, "headless Chromium is not installed (Scripts/test installs it)")
    )
    func chartLabelsApart() throws {
        let browser = try #require(
            chromium, "CI needs headless Chromium: Scripts/test installs chromium-headless-shell")
        let (clinic, reports) = try hardCharts()
        defer { clinic.remove() }
        let demo = try makeReports()
        defer { demo.clinic.remove() }
        // The browser measures every label as it draws it: a copy of each report with a script that
        // writes the boxes into the page, read back with --dump-dom.
        let probe = """
            <script>
            window.addEventListener('load', () => {
              const out = [];
              document.querySelectorAll('svg').forEach((svg, chart) => {
                const frame = svg.getBoundingClientRect();
                svg.querySelectorAll('text').forEach(t => {
                  const r = t.getBoundingClientRect();
                  out.push({chart, text: t.textContent, left: r.left - frame.left, top: r.top - frame.top, right: r.right - frame.left,
                            bottom: r.bottom - frame.top, width: frame.width, height: frame.height});
                });
              });
              const pre = document.createElement('pre'); pre.id = 'boxes'; pre.textContent = JSON.stringify(out);
              document.body.appendChild(pre);
            });
            </script>
            """
        var checked = 0
        for path in Array(reports.values) + [demo.patientReport] {
            let copy = path.replacingOccurrences(of: ".html", with: "-probe.html")
            try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
                of: "</body>", with: probe + "</body>"
            ).write(toFile: copy, atomically: true, encoding: .utf8)
            let outcome = try runProcess(
                browser, ["--no-sandbox", "--disable-gpu", "--window-size=1100,1400", "--dump-dom", "file://\(copy)"])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let dom = outcome.standardOutput
            let start = try #require(dom.range(of: "<pre id=\"boxes\">"))
            let end = try #require(dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex))
            let json = String(dom[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
                .replacingOccurrences(of: "&amp;", with: "&")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            let boxes = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
            #expect(boxes.count > 20, "\(path): \(boxes.count) labels")
            for (chart, labels) in Dictionary(grouping: boxes, by: { $0["chart"] as! Int }) {
                for label in labels {
                    let (left, top, right, bottom) = (
                        label["left"] as! Double, label["top"] as! Double, label["right"] as! Double,
                        label["bottom"] as! Double
                    )
                    #expect(
                        left >= -0.5 && top >= -0.5 && right <= label["width"] as! Double + 0.5
                            && bottom <= label["height"] as! Double + 0.5,
                        "\(path) chart \(chart): '\(label["text"]!)' runs off the chart")
                }
                for (index, one) in labels.enumerated() {
                    for other in labels[(index + 1)...] {
                        let across =
                            min(one["right"] as! Double, other["right"] as! Double)
                            - max(one["left"] as! Double, other["left"] as! Double)
                        let down =
                            min(one["bottom"] as! Double, other["bottom"] as! Double)
                            - max(one["top"] as! Double, other["top"] as! Double)
                        checked += 1
                        #expect(
                            across <= 1 || down <= 1,
                            "\(path) chart \(chart): '\(one["text"]!)' and '\(other["text"]!)' overlap")
                    }
                }
            }
        }
        #expect(checked > 1000)
    }
}
