import Foundation
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// `patient show` and the patient report build the history for course progress from the page's own
/// rows instead of reading it again. It must be the history every other command reads.
@Suite("The patient page's history")
struct PatientPageHistoryTests {
    @Test(
        "For every patient of a generated clinic, with records entered in error, observations, ended conditions and course markers, the page's history is the one histories(patient:) reads"
    )
    func sameHistory() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let registry = fixture.registry
        var random = SeededGenerator(seed: 2026_11_27)
        let first = ClinicalDate(year: 2025, month: 1, day: 1)!
        let all = ["depression", "migraine", "neuropathic-pain"]
        var patients: [RecordID] = []
        for number in 0..<24 {
            let conditions = Array(all.shuffled(using: &random).prefix(Int.random(in: 1...3, using: &random)))
            let enrolled = first.adding(days: Int.random(in: 0...200, using: &random))
            let patient = RecordID(
                try registry.enroll(
                    Enrollment(
                        identity: PatientIdentity(
                            mrn: "H-\(number)", givenName: "A", familyName: "B",
                            birthDate: ClinicalDate(year: 1970, month: 1, day: 1)!),
                        sex: .female, conditions: conditions, enrolledOn: enrolled, researchConsent: true),
                    catalog: fixture.catalog, actor: "t"
                ).id)!
            patients.append(patient)
            for condition in conditions {
                var day = enrolled.adding(days: Int.random(in: 1...10, using: &random))
                let module = try #require(fixture.catalog.condition(condition))
                let scale = try #require(fixture.catalog.scale(module.primaryScale))
                func assess(_ timepoint: Timepoint) throws -> AssessmentView {
                    let answers: [Int?] = scale.items.map { item in
                        switch item.response {
                        case .number(let range): Int.random(in: range, using: &random)
                        case .options(let options): Int.random(in: 0..<options.count, using: &random)
                        }
                    }
                    return try registry.addAssessment(
                        try fixture.catalog.assess(scale: scale.id, answers: answers), patient: patient, on: day,
                        timepoint: timepoint, repeat: true, actor: "t")
                }
                let baseline = try assess(.baseline)
                if Int.random(in: 0..<4, using: &random) == 0 {
                    _ = try registry.correctAssessment(
                        RecordID(baseline.id)!, answers: nil, on: nil, timepoint: nil, enteredInError: true,
                        catalog: fixture.catalog, reason: "wrong patient", actor: "t")
                }
                // Infusions, some on the same day at different times or with no time, some
                // continuous; observations during them; adverse events and co-interventions whose
                // onsets are not in the order they were entered.
                for _ in 0..<Int.random(in: 1...5, using: &random) {
                    day = day.adding(days: Int.random(in: 0...4, using: &random))
                    let continuous = Int.random(in: 0..<4, using: &random) == 0
                    let time =
                        Bool.random(using: &random)
                        ? ClockTime(hour: Int.random(in: 7...17, using: &random), minute: 0) : nil
                    let infusion = try registry.addInfusion(
                        InfusionEntry(
                            condition: condition, date: day, time: time,
                            dosing: continuous ? .rate(mgPerKgPerHour: 0.25) : .dose(mgPerKg: 0.5),
                            minutes: continuous ? 1440 * 2 : 40), patient: patient, actor: "t")
                    let infusionID = RecordID(infusion.id)!
                    for hour in 0..<Int.random(in: 0...3, using: &random) {
                        let observation = try registry.addObservation(
                            InfusionObservationEntry(
                                date: day, time: ClockTime(hour: 18 + hour, minute: 15)!,
                                bloodPressure: BloodPressure(systolic: 120 + hour, diastolic: 80),
                                heartRate: 70, oxygenSaturation: 97, sedation: Bool.random(using: &random)),
                            infusion: infusionID, actor: "t")
                        if Int.random(in: 0..<5, using: &random) == 0 {
                            _ = try registry.markEnteredInError(
                                RecordID(observation.id)!, reason: "wrong chart", actor: "t")
                        }
                    }
                    if Int.random(in: 0..<3, using: &random) == 0 {
                        let event = try registry.addAdverseEvent(
                            AdverseEventEntry(
                                term: AdverseEventTerm.allCases.randomElement(using: &random)!,
                                grade: AdverseEventGrade.allCases.randomElement(using: &random)!,
                                onset: day.adding(days: -Int.random(in: 0...3, using: &random))),
                            patient: patient, infusion: Bool.random(using: &random) ? infusionID : nil, actor: "t")
                        if Int.random(in: 0..<4, using: &random) == 0 {
                            _ = try registry.correctAdverseEvent(
                                RecordID(event.id)!, reason: "not this patient", actor: "t", enteredInError: true
                            ) { _ in }
                        }
                    }
                    if Int.random(in: 0..<4, using: &random) == 0 {
                        let kind: CoInterventionKind = Bool.random(using: &random) ? .yoga : .massage
                        let co = try registry.addCoIntervention(
                            CoInterventionEntry(
                                kind: kind, from: day.adding(days: -Int.random(in: 0...30, using: &random))),
                            patient: patient, actor: "t")
                        if Int.random(in: 0..<4, using: &random) == 0 {
                            _ = try registry.correctCoIntervention(
                                RecordID(co.id)!, reason: "not started", actor: "t", enteredInError: true
                            ) { _ in }
                        }
                    }
                    // An infusion entered in error, with its observations still on file.
                    if Int.random(in: 0..<6, using: &random) == 0 {
                        _ = try registry.correctInfusion(
                            infusionID, reason: "charted twice", actor: "t", enteredInError: true
                        ) { _ in }
                    }
                }
                day = day.adding(days: 14)
                _ = try assess(.postInfusion)
                if Int.random(in: 0..<3, using: &random) == 0 {
                    let marker = try registry.addCourseMarker(
                        .start, patient: patient, condition: condition, on: day.adding(days: 60), reason: "relapse",
                        catalog: fixture.catalog, actor: "t")
                    if Bool.random(using: &random) {
                        _ = try registry.markEnteredInError(RecordID(marker.id)!, reason: "no relapse", actor: "t")
                    }
                }
                if Int.random(in: 0..<5, using: &random) == 0 {
                    _ = try registry.endCondition(
                        patient, condition: condition, on: day.adding(days: 1), reason: "discharged", actor: "t")
                }
            }
        }
        var checked = Set<String>()
        for patient in patients {
            let (page, history) = try registry.patientPageAndHistory(patient)
            let read = try registry.histories(patient: patient)
            #expect(read == [history], "\(patient)")
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            #expect(try encoder.encode(registry.patientPage(patient)) == encoder.encode(page), "\(patient)")
            if !history.observations.isEmpty { checked.insert("observations") }
            if page.observations.contains(where: \.enteredInError) { checked.insert("observation in error") }
            if page.infusions.contains(where: \.enteredInError) { checked.insert("infusion in error") }
            if page.adverseEvents.contains(where: \.enteredInError) { checked.insert("adverse event in error") }
            if page.adverseEvents.map(\.id) != page.adverseEvents.map(\.id).sorted() {
                checked.insert("adverse events by onset, not by entry")
            }
            if page.coInterventions.map(\.id) != page.coInterventions.map(\.id).sorted() {
                checked.insert("co-interventions by start, not by entry")
            }
            if !history.endedConditions.isEmpty { checked.insert("ended condition") }
            if !history.courseMarkers.isEmpty { checked.insert("course marker") }
        }
        // The clinic has every case the history leaves out or orders differently from the page.
        #expect(
            checked == [
                "observations", "observation in error", "infusion in error", "adverse event in error",
                "adverse events by onset, not by entry",
                "co-interventions by start, not by entry", "ended condition", "course marker",
            ])
    }
}
