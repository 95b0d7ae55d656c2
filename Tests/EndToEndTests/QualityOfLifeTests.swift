import Foundation
import RegistryTestSupport
import Testing

@Suite("WHO-5 for every condition, end to end")
struct QualityOfLifeEndToEndTests {
    @Test(
        "A patient of each condition is assessed on WHO-5; each condition's outcomes, reports and exports judge it within its own course"
    )
    func everyCondition() throws {
        let clinic = try Clinic()
        defer { clinic.remove() }
        // Each condition's usual course, and a WHO-5 of 40 at baseline and 56 at the end (a
        // 16-point rise: met), except neuropathic pain, 40 -> 44 (not met).
        let courses: [(condition: String, infusions: [(String, [String])], end: String, after: String)] = [
            (
                "depression", (2...7).map { ("2026-03-0\($0)", ["--dose-mg-per-kg", "0.5", "--minutes", "40"]) },
                "2026-03-09", "3,3,3,3,2"
            ),
            (
                "migraine",
                [("2026-03-02", ["--rate-mg-per-kg-per-hour", "0.5", "--minutes", "7200", "--weight-kg", "70"])],
                "2026-03-08", "3,3,3,3,2"
            ),
            (
                "neuropathic-pain",
                [
                    ("2026-03-02", ["--dose-mg-per-kg", "0.5", "--minutes", "120"]),
                    ("2026-03-05", ["--dose-mg-per-kg", "0.5", "--minutes", "120"]),
                    ("2026-03-08", ["--dose-mg-per-kg", "0.5", "--minutes", "120"]),
                ], "2026-03-10", "2,2,2,3,2"
            ),
            (
                "ptsd", (2...7).map { ("2026-03-0\($0)", ["--dose-mg-per-kg", "0.5", "--minutes", "40"]) },
                "2026-03-09", "3,3,3,3,2"
            ),
        ]
        for (index, course) in courses.enumerated() {
            let id = try clinic.enroll(mrn: "Q-\(index)", condition: [course.condition])
            let baseline = try clinic.run(
                "assess", id, "--scale", "who5", "--on", "2026-03-01", "--timepoint", "baseline", "--answers",
                "2,2,2,2,2")
            #expect(
                baseline.status == 0 && baseline.standardOutput.contains("who5 40 (poor well-being)"),
                "\(course.condition): \(baseline.standardOutput) \(baseline.standardError)")
            for (day, dose) in course.infusions {
                let given = try clinic.run(arguments: ["infusion", "add", id, "--on", day] + dose)
                #expect(given.status == 0, "\(course.condition) \(day): \(given.standardError)")
            }
            #expect(
                try clinic.run(
                    "assess", id, "--scale", "who5", "--on", course.end, "--timepoint", "post-infusion", "--answers",
                    course.after
                ).status == 0)
        }
        let outcomes = try #require(try clinic.run("outcomes", "--json").json() as? [String: Any])
        let rows = try #require(outcomes["outcomes"] as? [[String: Any]])
        for (condition, met) in [("depression", 1), ("migraine", 1), ("neuropathic-pain", 0), ("ptsd", 1)] {
            let row = try #require(
                rows.first {
                    $0["condition"] as? String == condition && $0["outcome"] as? String == "wellbeing-improvement"
                        && $0["window"] as? String == "immediate" && $0["course"] as? String == "induction"
                }, "\(condition)")
            #expect(
                row["assessed"] as? Int == 1 && row["responders"] as? Int == met && row["scale"] as? String == "who5",
                "\(condition): \(row)")
        }
        // The clinic report carries the rows; the patient report draws the chart with its rule.
        let report = clinic.folder.appendingPathComponent("clinic.html").path
        #expect(try clinic.run("report", "--html", report).status == 0)
        #expect(
            try String(contentsOfFile: report, encoding: .utf8).components(separatedBy: "well-being improvement").count
                > 4)
        let patientReport = clinic.folder.appendingPathComponent("p.html").path
        #expect(try clinic.run("report", "--html", patientReport, "--patient", "P-000001").status == 0)
        let page = try String(contentsOfFile: patientReport, encoding: .utf8)
        #expect(
            page.contains("WHO-5 Well-Being Index") && page.contains("well-being improvement ≥ 50 (10 pt above 40)"),
            "\(page)")
        // The summary export has a WHO-5 table in every condition with patients enough to show:
        // the demo clinic's, where every patient is assessed on it.
        let demo = try Clinic(initialise: false)
        defer { demo.remove() }
        #expect(try demo.run("demo", "--dir", demo.folder.path).status == 0)
        let summary = try #require(
            try demo.run(
                "export", "preview", "demo-network",
                environment: ["KETAREG_REGISTRY": demo.folder.appendingPathComponent("demo-registry.sqlite").path]
            ).json() as? [String: Any])
        let shown = try #require(summary["conditions"] as? [[String: Any]]).filter { ($0["patients"] as? Int ?? 0) > 0 }
        #expect(shown.count == 3)
        for condition in shown {
            let scales = (condition["scales"] as? [[String: Any]])?.compactMap { $0["scale"] as? String } ?? []
            #expect(scales.contains("who5"), "\(condition["condition"] ?? ""): \(scales)")
        }
        // The codes travel with the summary, so the network can map it: SNOMED CT for the
        // condition, LOINC for the PHQ-9 score.
        let depression = try #require(shown.first { $0["condition"] as? String == "depression" })
        #expect(
            (depression["codes"] as? [[String: Any]])?.contains {
                $0["code"] as? String == "35489007" && $0["system"] as? String == "http://snomed.info/sct"
            } == true)
        let phq9 = try #require((depression["scales"] as? [[String: Any]])?.first { $0["scale"] as? String == "phq9" })
        #expect((phq9["codes"] as? [[String: Any]])?.first?["code"] as? String == "44261-6")
        // A patient may be assessed on WHO-5 whatever they are enrolled for, but never enrolled for it.
        let refused = try clinic.run(
            "enroll", "--mrn", "Q-9", "--given", "A", "--family", "B", "--birth-date", "1970-01-01", "--sex", "female",
            "--research-consent", "yes", "--enrolled-on", "2026-03-01", "--condition", "quality-of-life")
        #expect(refused.status != 0 && refused.standardError.contains("--condition"))
    }
}
