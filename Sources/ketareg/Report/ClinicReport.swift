import RegistryCore
import RegistryStore

/// The clinic's page: response and remission per condition with their denominators, safety flags,
/// adverse events and co-interventions. No patient is named.
struct ClinicReport {
    let clinic: String?
    let catalog: ConditionCatalog
    let report: OutcomeReport
    let patients: Int
    let today: ClinicalDate

    func html() -> String {
        var body = "<h1>\(escapeHTML(clinic ?? "KetaReg clinic report"))</h1>\n"
        body +=
            "<p class=\"meta\">Outcomes under each condition's own rules, \(patients) patient\(patients == 1 ? "" : "s") in the registry, made \(today) by ketareg.</p>\n"
        body +=
            "<p class=\"note\">Bars show the rate among patients assessed; a red mark shows the rate with missing patients counted as not meeting the rule; a row with fewer than 5 patients assessed or eligible is marked too few to judge, without a bar. 'Sustained' means met at the end of the course and still met at the visit. Courses are counted once they are over; induction rows count patients, re-treatment rows count courses.</p>\n"
        for condition in catalog.conditions {
            let rows = report.outcomes.filter { $0.condition == condition.id && $0.eligible > 0 }
            body +=
                "<h2>\(escapeHTML(condition.name))</h2>\n<p class=\"meta\">Protocol in force: \(escapeHTML(condition.protocols.inForce(on: today).description)). Primary scale: \(escapeHTML(condition.primaryScale)).</p>\n"
            if rows.isEmpty {
                body += "<p class=\"note\">No patient with a course and a baseline yet.</p>\n"
                continue
            }
            body += RateBars(rows: rows).svg() + "\n"
            body +=
                "<table><tr><th>Course</th><th>Outcome</th><th>Rule</th><th>Still in course</th><th>Eligible</th><th>Assessed</th><th>Met</th><th>Rate</th><th>Missing as not met</th></tr>\n"
            for row in rows {
                body +=
                    "<tr><td>\(row.course.rawValue)</td><td>\(escapeHTML(row.name))</td><td>\(escapeHTML(row.rule))</td><td class=\"number\">\(row.inCourse)</td><td class=\"number\">\(row.eligible)</td><td class=\"number\">\(row.assessed)</td>"
                    + "<td class=\"number\">\(row.responders)</td><td class=\"number\">\(percentText(row.rate))</td><td class=\"number\">\(percentText(row.rateMissingAsNonResponse))</td></tr>\n"
            }
            body += "</table>\n"
            for flag in report.safetyFlags where flag.condition == condition.id && flag.patients > 0 {
                body +=
                    "<p><span class=\"flag\">\(escapeHTML(flag.flag))</span> raised for \(flag.patients) of \(flag.patientsInCondition) patients: \(escapeHTML(flag.patientIDs.joined(separator: ", "))).</p>\n"
            }
            let events = report.adverseEvents.filter { $0.condition == condition.id }
            body += "<h3>Adverse events</h3>\n"
            if events.isEmpty {
                body += "<p class=\"note\">None recorded.</p>\n"
            } else {
                body += "<table><tr><th>Term</th><th>Grade</th><th>Events</th><th>Patients</th><th>Serious</th></tr>\n"
                for event in events {
                    body +=
                        "<tr><td>\(escapeHTML(event.term))</td><td>\(escapeHTML(event.grade))</td><td class=\"number\">\(event.events)</td>"
                        + "<td class=\"number\">\(event.patients) of \(event.patientsInCondition)</td><td class=\"number\">\(event.serious)</td></tr>\n"
                }
                body += "</table>\n"
            }
            let others = report.coInterventions.filter { $0.condition == condition.id }
            if !others.isEmpty {
                body += "<h3>Co-interventions</h3>\n<table><tr><th>Kind</th><th>Patients</th></tr>\n"
                for item in others {
                    body +=
                        "<tr><td>\(escapeHTML(item.kind))</td><td class=\"number\">\(item.patients) of \(item.patientsInCondition)</td></tr>\n"
                }
                body += "</table>\n"
            }
        }
        return htmlPage(title: clinic ?? "KetaReg clinic report", body: body)
    }
}

/// One patient's page: each scale's scores over time with bands shaded and infusions marked.
struct PatientReport {
    let page: PatientPage
    let catalog: ConditionCatalog
    let today: ClinicalDate
    /// This patient's outcome rows (one patient: each count is 0 or 1).
    var outcomes: [OutcomeRow] = []
    /// This patient's courses under each of their conditions, as the outcome rows judged them.
    var timelines: [CourseTimeline] = []

    /// The scores behind a judged row: "PHQ-9 7 on 2026-03-21, from 18 at baseline on 2026-03-01".
    func evidence(_ row: OutcomeRow) -> String? {
        guard let timeline = timelines.first(where: { $0.condition == row.condition }),
            let course = timeline.courses.first(where: {
                $0.kind == row.course && $0.dayZero != nil && $0.treatment.reference == row.protocol
            }),
            let baseline = course.baseline(scale: row.scale),
            let baselineValue = baseline.value(subscore: row.subscore),
            let end = course.endOfCourse(scale: row.scale), let endValue = end.value(subscore: row.subscore)
        else { return nil }
        let what = row.subscore.map { "\(row.scale) \($0)" } ?? row.scale
        var text = "\(what) \(formatScore(endValue)) on \(end.date)"
        if let visitID = row.visit,
            let visit = course.plan.followUps.first(where: { $0.id == visitID }),
            let later = course.followUp(scale: row.scale, visit: visit),
            let laterValue = later.value(subscore: row.subscore)
        {
            text += " and \(formatScore(laterValue)) at \(visit.name) on \(later.date)"
        }
        return text + ", from \(formatScore(baselineValue)) at baseline on \(baseline.date)"
    }

    /// The lines a score must cross on this scale's chart: each rule on the headline score, per
    /// course for a rule relative to that course's baseline, once for a fixed threshold.
    func thresholds(scale: any AssessmentScale) -> [ChartThreshold] {
        var lines: [ChartThreshold] = []
        for timeline in timelines {
            guard let condition = catalog.condition(timeline.condition) else { continue }
            let started = timeline.courses.filter { $0.dayZero != nil }
            for rule in condition.outcomeRules where rule.scale == scale.id && rule.subscore == nil {
                let better = scale.direction == .higherIsWorse ? "below" : "above"
                switch rule.criterion {
                case .scoreBelow, .scoreAtMost:
                    guard let (value, inclusive) = rule.threshold(baseline: nil, direction: scale.direction),
                        !lines.contains(where: { $0.value == value && $0.label.hasPrefix(rule.name) })
                    else { continue }
                    lines.append(
                        ChartThreshold(
                            label: "\(rule.name) \(Self.comparison(scale.direction, inclusive)) \(formatScore(value))",
                            value: value, from: nil, until: nil))
                case .percentImprovement(let percent), .pointImprovement(let percent):
                    for (index, course) in started.enumerated() {
                        guard let baseline = course.baseline(scale: scale.id)?.score,
                            let (value, inclusive) = rule.threshold(baseline: baseline, direction: scale.direction)
                        else { continue }
                        let amount: String
                        if case .percentImprovement = rule.criterion {
                            amount = "\(formatScore(percent))%"
                        } else {
                            amount = "\(formatScore(percent)) pt"
                        }
                        let which = started.count > 1 ? ", course \(course.number)" : ""
                        let until = index + 1 < started.count ? started[index + 1].dayZero : nil
                        lines.append(
                            ChartThreshold(
                                label:
                                    "\(rule.name) \(Self.comparison(scale.direction, inclusive)) \(formatScore((value * 10).rounded() / 10)) (\(amount) \(better) \(formatScore(baseline))\(which))",
                                value: value, from: course.dayZero, until: until))
                    }
                }
            }
        }
        return lines
    }

    static func comparison(_ direction: ScoreDirection, _ inclusive: Bool) -> String {
        direction == .higherIsWorse ? (inclusive ? "≤" : "<") : (inclusive ? "≥" : ">")
    }

    /// Whether the patient met a rule, in a sentence a clinician reads at a glance.
    static func sentence(_ row: OutcomeRow) -> String {
        let what =
            "\(row.name), "
            + (row.window == .immediate ? "end of course" : "still met at " + hyphensAsSpaces(row.visit ?? "the visit"))
        if row.responders > 0 { return "\(what): met." }
        if row.assessed > 0 { return "\(what): not met." }
        if row.missing > 0 { return "\(what): cannot be judged, the assessment it needs is missing." }
        if row.awaiting > 0 { return "\(what): not judged yet, its assessment window is still open." }
        if row.inCourse > 0 { return "\(what): not judged yet, the course is still running." }
        if row.noBaseline > 0 { return "\(what): cannot be judged without a baseline." }
        if row.notEvaluable > 0 { return "\(what): does not apply, the baseline already meets it or is 0." }
        return "\(what): no course yet."
    }

    func html() -> String {
        var body = "<h1>\(escapeHTML(page.id)) \(escapeHTML(page.familyName)), \(escapeHTML(page.givenName))</h1>\n"
        body +=
            "<p class=\"meta\">MRN \(escapeHTML(page.mrn)); \(escapeHTML(page.sex.rawValue)), \(page.ageAtEnrolment) at enrolment on \(page.enrolledOn). "
            + "Conditions: \(escapeHTML(page.conditions.map { catalog.condition($0)?.name ?? $0 }.joined(separator: "; "))). Made \(today) by ketareg; it identifies the patient: keep it at the clinic.</p>\n"
        if !page.courses.isEmpty {
            body +=
                "<h2>Courses</h2>\n<table><tr><th>Condition</th><th>Course</th><th>Day 0</th><th>Infusions</th><th>Maintenance</th><th>Over</th><th>Where it stands</th></tr>\n"
            for progress in page.courses {
                body +=
                    "<tr><td>\(escapeHTML(progress.condition))</td><td>\(escapeHTML(progress.courseName))</td><td>\(progress.dayZero.map(\.description) ?? "-")</td>"
                    + "<td>\(progress.infusionsGiven) of \(progress.infusionsPlanned)</td><td>\(progress.maintenanceInfusions)</td>"
                    + "<td>\(progress.courseEnd.map(\.description) ?? "not yet")\(progress.endedByHandOn != nil ? " (ended by hand)" : "")</td>"
                    + "<td>\(escapeHTML(progress.summary))</td></tr>\n"
            }
            body += "</table>\n"
        }
        if !page.openFlags.isEmpty {
            body +=
                "<h2>Open safety flags</h2>\n<ul>\n"
                + page.openFlags.map {
                    "<li><span class=\"flag\">\(escapeHTML($0.flag))</span> \($0.id) from \($0.source) on \($0.raisedOn): \(escapeHTML($0.rule))</li>"
                }.joined(separator: "\n") + "\n</ul>\n"
        }
        // The induction's rules on the scales this patient has a baseline on (and the primary scale's).
        let induction = outcomes.filter { row in
            row.course == .induction
                && (row.noBaseline == 0 || catalog.condition(row.condition)?.primaryScale == row.scale)
        }
        if !induction.isEmpty {
            body +=
                "<h2>Did the patient respond?</h2>\n<ul>\n"
                + induction.map { row in
                    let judged = row.assessed > 0 ? evidence(row).map { " " + $0 + "." } ?? "" : ""
                    return "<li title=\"\(escapeHTML(row.rule))\">"
                        + escapeHTML("\(row.condition), induction: " + Self.sentence(row) + judged) + "</li>"
                }.joined(separator: "\n") + "\n</ul>\n"
        }
        let infusions = page.infusions.filter { !$0.enteredInError }
        let dates = (page.assessments.filter { !$0.enteredInError }.map(\.on) + infusions.map(\.on)).compactMap {
            try? ClinicalDate.parse($0, field: "on")
        }
        let scales = page.assessments.filter { !$0.enteredInError }.map(\.scale).reduce(into: [String]()) {
            if !$0.contains($1) { $0.append($1) }
        }
        for scaleID in scales {
            guard let scale = catalog.scale(scaleID) else { continue }
            let assessments = page.assessments.filter { $0.scale == scaleID && !$0.enteredInError }
            body += "<h2>\(escapeHTML(scale.name))</h2>\n"
            if assessments.count == 1, let only = assessments.first {
                // One point makes no chart: a line of table says it.
                body +=
                    "<table><tr><th>Assessed</th><th>Timepoint</th><th>Score</th><th>Band</th></tr>\n<tr><td>\(only.on)</td><td>\(escapeHTML(only.timepoint.rawValue))</td>"
                    + "<td>\(formatScore(only.score))</td><td>\(escapeHTML(only.band.flatMap { band in scale.bands.first { $0.id == band }?.label } ?? "-"))</td></tr>\n</table>\n"
                continue
            }
            let lines = thresholds(scale: scale)
            body +=
                "<p class=\"note\">\(assessments.count) assessments; grey dashed lines and triangles mark the \(infusions.count) infusion\(infusions.count == 1 ? "" : "s")"
                + (lines.isEmpty ? "" : "; coloured dashed lines are the scores that meet the outcome rules")
                + "; red points carry a safety flag.</p>\n"
            body +=
                ScoreChart(
                    scale: scale, assessments: assessments, infusions: infusions, days: dates.min()!...dates.max()!,
                    thresholds: lines
                ).svg() + "\n"
        }
        if scales.isEmpty { body += "<p class=\"note\">No assessments yet.</p>\n" }
        if !infusions.isEmpty {
            body +=
                "<h2>Infusions</h2>\n<table><tr><th>Infusion</th><th>Given</th><th>For</th><th>Dose or rate</th><th>Route</th><th>Minutes</th><th>Total</th><th>Blood pressure</th><th>Observed</th><th>Adverse events</th></tr>\n"
            for infusion in infusions {
                let pressure = [infusion.bpBefore, infusion.bpAfter, infusion.bpDischarge].map { $0 ?? "-" }.joined(
                    separator: " / ")
                let flags = [
                    infusion.sedation ? "sedation" : nil, infusion.dissociation ? "dissociation" : nil,
                    infusion.respiratoryDepression ? "respiratory depression" : nil,
                ].compactMap { $0 }.joined(separator: ", ")
                let adverse = page.adverseEvents.filter { $0.infusion == infusion.id && !$0.enteredInError }
                    .map { "\($0.term) (\($0.grade)\($0.serious ? ", serious" : ""))" }.joined(separator: ", ")
                body +=
                    "<tr><td>\(infusion.id)</td><td>\(infusion.on)\(infusion.at.map { " \($0)" } ?? "")</td><td>\(escapeHTML(([infusion.condition] + (infusion.alsoFor ?? [])).joined(separator: ", ")))</td>"
                    + "<td>\(escapeHTML(infusion.dosingText))</td><td>\(escapeHTML(infusion.route.rawValue))</td><td>\(infusion.minutes)</td>"
                    + "<td>\(infusion.totalMg.map { "\(formatScore($0)) mg" } ?? "-")</td><td>\(pressure)</td><td>\(escapeHTML(flags))</td><td>\(escapeHTML(adverse))</td></tr>\n"
                for observation in page.observations
                where observation.infusion == infusion.id && !observation.enteredInError {
                    body +=
                        "<tr class=\"observation\"><td>\(observation.id)</td><td>\(observation.on) \(observation.at)</td><td colspan=\"8\">during \(infusion.id): \(escapeHTML(observationText(observation)))</td></tr>\n"
                }
            }
            body += "</table>\n"
        }
        if !page.adverseEvents.isEmpty {
            body +=
                "<h2>Adverse events</h2>\n<table><tr><th>Onset</th><th>Term</th><th>Grade</th><th>Serious</th><th>Resolved</th></tr>\n"
            for event in page.adverseEvents where !event.enteredInError {
                body +=
                    "<tr><td>\(event.onset)</td><td>\(escapeHTML(event.term.rawValue))</td><td>\(escapeHTML(event.grade.rawValue))</td><td>\(event.serious ? "yes" : "no")</td><td>\(event.resolvedOn ?? "not yet")</td></tr>\n"
            }
            body += "</table>\n"
        }
        return htmlPage(title: "\(page.id) report", body: body)
    }
}
