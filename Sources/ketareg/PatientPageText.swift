import RegistryCore
import RegistryStore

/// The patient page as a clinician reads it at a terminal.
struct PatientPageText {
    let page: PatientPage
    let catalog: ConditionCatalog

    func render() -> String {
        var lines: [String] = []
        // Open safety flags come first: they are what a clinician must act on today.
        for flag in page.openFlags {
            lines.append(
                "OPEN SAFETY FLAG \(flag.id): \(flag.flag) from \(flag.source) on \(flag.raisedOn) (\(flag.rule)). "
                    + "After review: ketareg flag review \(flag.id) --action \"what was done\"")
        }
        if !page.openFlags.isEmpty { lines.append("") }
        lines.append(
            "\(page.id)  \(escapingControlCharacters(page.familyName)), \(escapingControlCharacters(page.givenName))  (MRN \(escapingControlCharacters(page.mrn)))"
        )
        let contact = [
            page.phone.map { "phone \($0)" }, page.email.map { "email \($0)" }, page.address.map { "address \($0)" },
        ].compactMap { $0 }
        if !contact.isEmpty { lines.append("Contact: " + escapingControlCharacters(contact.joined(separator: "; "))) }
        lines.append(
            "\(page.sex.rawValue), born \(page.birthDate), \(page.ageAtEnrolment) at enrolment on \(page.enrolledOn)")
        lines.append(
            "Conditions: "
                + page.conditions.map { id in
                    (catalog.condition(id)?.name ?? id) + (page.endedConditions[id].map { " (ended \($0))" } ?? "")
                }.joined(separator: "; "))
        if let withdrawn = page.consentWithdrawnOn {
            lines.append(
                "Research consent: withdrawn on \(withdrawn) (\(page.consentWithdrawalReason ?? "no reason recorded")); not exported"
            )
        } else {
            lines.append("Research consent: \(page.researchConsent ? "yes" : "no")")
        }
        if page.consentDecisions.count > 1 {
            lines.append(
                "Consent decisions: "
                    + escapingControlCharacters(
                        page.consentDecisions.map {
                            "\($0.research ? "given" : "withdrawn") \($0.on)\($0.reason.map { " (\($0))" } ?? "")"
                        }.joined(separator: "; ")))
        }
        lines.append(
            "Treatments tried before ketamine: "
                + (page.priorTreatments.isEmpty
                    ? "none recorded" : page.priorTreatments.map(\.description).joined(separator: ", ")))
        for progress in page.courses {
            lines.append("Course, \(progress.condition), \(progress.summary)")
        }

        lines.append("")
        lines.append("Timeline")
        var events: [(date: String, order: Int, row: [String])] = []
        for infusion in page.infusions {
            var detail =
                "\(([infusion.condition] + (infusion.alsoFor ?? [])).joined(separator: " + ")): \(infusion.dosingText) \(infusion.route) over \(infusion.minutes) min"
            if let total = infusion.totalMg { detail += " (\(formatScore(total)) mg)" }
            if let before = infusion.bpBefore {
                detail +=
                    ", BP \(before)" + (infusion.bpAfter.map { " -> \($0)" } ?? "")
                    + (infusion.bpDischarge.map { " -> \($0) at discharge" } ?? "")
            }
            let observed = [
                infusion.sedation ? "sedation" : nil, infusion.dissociation ? "dissociation" : nil,
                infusion.respiratoryDepression ? "respiratory depression" : nil,
            ].compactMap { $0 }
            if !observed.isEmpty { detail += "; observed: " + observed.joined(separator: ", ") }
            let adverse = page.adverseEvents.filter { $0.infusion == infusion.id && !$0.enteredInError }
            if !adverse.isEmpty {
                detail +=
                    "; adverse: "
                    + adverse.map { "\($0.term) (\($0.grade)\($0.serious ? ", serious" : ""))" }.joined(separator: ", ")
            }
            if infusion.legacyRanges { detail += " (recorded under the old ranges)" }
            events.append(
                (
                    infusion.on, 1,
                    [infusion.on, infusion.id, "infusion", "", detail + errorMark(infusion.enteredInError)]
                ))
        }
        for observation in page.observations {
            events.append(
                (
                    observation.on, 1,
                    [
                        observation.on, observation.id, "observed", "",
                        "\(observation.at) during \(observation.infusion): "
                            + observationText(observation) + errorMark(observation.enteredInError),
                    ]
                ))
        }
        for marker in page.courseEvents {
            let what =
                marker.kind == .start
                ? "new \(marker.courseKind.map { "\($0) " } ?? "")course started" : "course ended"
            events.append(
                (
                    marker.on, 0,
                    [
                        marker.on, marker.id, "course", "",
                        "\(marker.condition): \(what)" + (marker.reason.map { " (\($0))" } ?? "")
                            + errorMark(marker.enteredInError),
                    ]
                ))
        }
        for assessment in page.assessments {
            let scale = catalog.scale(assessment.scale)
            var detail = "\(assessment.scale) " + scoreText(assessment.score, band: assessment.band, scale: scale)
            detail += subscoreText(assessment.subscores)
            if !assessment.flags.isEmpty { detail += "  " + assessment.flags.map(flagText).joined(separator: " ") }
            events.append(
                (
                    assessment.on, assessment.timepoint == .baseline ? 0 : 2,
                    [
                        assessment.on, assessment.id, assessment.timepoint.rawValue, "",
                        detail + errorMark(assessment.enteredInError),
                    ]
                ))
        }
        events.sort { ($0.date, $0.order) < ($1.date, $1.order) }
        lines.append(
            events.isEmpty
                ? "  nothing recorded yet" : table(events.map { row in row.row.filter { !$0.isEmpty } }, indent: "  "))

        if !page.latestScores.isEmpty {
            lines.append("")
            lines.append("Latest scores")
            lines.append(
                table(
                    page.latestScores.map { assessment in
                        [
                            assessment.scale,
                            scoreText(assessment.score, band: assessment.band, scale: catalog.scale(assessment.scale)),
                            assessment.on, assessment.timepoint.rawValue,
                        ]
                    }, indent: "  "))
        }
        if !page.adverseEvents.isEmpty {
            lines.append("")
            lines.append("Adverse events")
            lines.append(
                table(
                    page.adverseEvents.map { event in
                        [
                            event.id, event.onset, event.term.rawValue, event.grade.rawValue,
                            event.serious ? "serious" : "not serious",
                            event.resolvedOn.map { "resolved \($0)" } ?? "unresolved",
                            (event.infusion.map { "after \($0)" } ?? "") + errorMark(event.enteredInError),
                        ]
                    }, indent: "  "))
        }
        if !page.coInterventions.isEmpty {
            lines.append("")
            lines.append("Co-interventions")
            lines.append(
                table(
                    page.coInterventions.map { item in
                        [
                            item.id,
                            item.kind.rawValue + (item.note.map { " (\(escapingControlCharacters($0)))" } ?? ""),
                            "from \(item.from)", item.to.map { "to \($0)" } ?? "ongoing",
                            errorMark(item.enteredInError),
                        ]
                    }, indent: "  "))
        }
        return lines.joined(separator: "\n")
    }

    private func flagText(_ flag: String) -> String { "[!\(flag)]" }

    private func errorMark(_ enteredInError: Bool) -> String { enteredInError ? "  (entered in error)" : "" }
}

/// An observation's readings in words: "BP 134/86, HR 78, SpO2 97%, dissociation".
func observationText(_ observation: ObservationView) -> String {
    [
        observation.bp.map { "BP \($0)" }, observation.heartRate.map { "HR \($0)" },
        observation.spo2.map { "SpO2 \($0)%" },
        observation.sedation ? "sedation" : nil, observation.dissociation ? "dissociation" : nil,
        observation.respiratoryDepression ? "respiratory depression" : nil,
    ].compactMap { $0 }.joined(separator: ", ")
}
