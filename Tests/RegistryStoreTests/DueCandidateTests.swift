import Depression
import Foundation
import GRDB
import Migraine
import NeuropathicPain
import RegistryCore
import RegistryTestSupport
import Testing

@testable import RegistryStore

/// `due` reads only the patients who could have something due (``Registry/forEachHistory(couldBeDueOn:catalog:_:)``).
/// A patient left out by mistake would be an assessment no one is told about, so the fast path is
/// compared with every history, day by day, on a clinic of irregular treatment.
@Suite("The due list reads only patients who could have something due, and misses no one")
struct DueCandidateTests {
    @Test("Day by day over three years, the due list from the candidates is the due list from every patient")
    func sameDueList() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        var random = SeededGenerator(seed: 2026_11_26)
        let first = ClinicalDate(year: 2024, month: 1, day: 1)!
        func day(_ offset: Int) -> ClinicalDate? {
            let date = first.adding(days: offset)
            return date <= testToday ? date : nil
        }
        func assess(_ patient: RecordID, _ condition: String, on date: ClinicalDate?, _ timepoint: Timepoint) throws {
            guard let date else { return }
            let module = try #require(fixture.catalog.condition(condition))
            let scale = try #require(fixture.catalog.scale(module.primaryScale))
            let answers: [Int?] = scale.items.map { item in
                switch item.response {
                case .number(let range): Int.random(in: range, using: &random)
                case .options(let options): Int.random(in: 0..<options.count, using: &random)
                }
            }
            _ = try fixture.registry.addAssessment(
                try fixture.catalog.assess(scale: scale.id, answers: answers), patient: patient, on: date,
                timepoint: timepoint, repeat: true, actor: "t")
        }
        let all = ["depression", "migraine", "neuropathic-pain"]
        for number in 0..<70 {
            let conditions = Array(all.shuffled(using: &random).prefix(Int.random(in: 1...2, using: &random)))
            let enrolled = Int.random(in: 0...700, using: &random)
            guard let enrolledOn = day(enrolled) else { continue }
            let patient = RecordID(
                try fixture.registry.enroll(
                    Enrollment(
                        identity: PatientIdentity(
                            mrn: "D-\(number)", givenName: "A", familyName: "B",
                            birthDate: ClinicalDate(year: 1970, month: 1, day: 1)!),
                        sex: .female, conditions: conditions, enrolledOn: enrolledOn, researchConsent: true),
                    catalog: fixture.catalog, actor: "t"
                ).id)!
            for condition in conditions {
                if Int.random(in: 0..<6, using: &random) == 0 { continue }  // never treated: its baseline stays due
                if Bool.random(using: &random) { try assess(patient, condition, on: day(enrolled + 1), .baseline) }
                // An induction of 1 to 8 infusions, some continuous over days; then maintenance and
                // perhaps a re-treatment after a long gap.
                var offset = enrolled + Int.random(in: 2...30, using: &random)
                var dates: [Int] = []
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    dates.append(offset)
                    offset += Int.random(in: 1...6, using: &random)
                }
                for _ in 0..<Int.random(in: 0...3, using: &random) {
                    offset += Int.random(in: 14...60, using: &random)
                    dates.append(offset)
                }
                if Bool.random(using: &random) {
                    offset += Int.random(in: 95...250, using: &random)
                    dates.append(offset)
                    dates.append(offset + 3)
                }
                for (index, offset) in dates.enumerated() {
                    guard let date = day(offset) else { break }
                    let continuous = Int.random(in: 0..<5, using: &random) == 0
                    _ = try fixture.registry.addInfusion(
                        InfusionEntry(
                            condition: condition, date: date,
                            dosing: continuous ? .rate(mgPerKgPerHour: 0.5) : .dose(mgPerKg: 0.5),
                            minutes: continuous ? 1440 * Int.random(in: 1...5, using: &random) : 40), patient: patient,
                        actor: "t")
                    // 2 of 6: still in course
                    if index == 1, condition == "depression", Int.random(in: 0..<5, using: &random) == 0 {
                        _ = try fixture.registry.addCourseMarker(
                            .end, patient: patient, condition: condition, on: date, reason: "stopped early",
                            catalog: fixture.catalog, actor: "t")
                    }
                }
                for (target, timepoint) in [(14, Timepoint.postInfusion), (70, .followUp), (130, .followUp)]
                where Bool.random(using: &random) {
                    try assess(
                        patient, condition, on: day(dates[0] + target + Int.random(in: -5...5, using: &random)),
                        timepoint)
                }
                if Int.random(in: 0..<8, using: &random) == 0,
                    let date = day(offset + Int.random(in: 30...400, using: &random))
                {
                    _ = try fixture.registry.addCourseMarker(
                        .start, patient: patient, condition: condition, on: date, reason: "relapse",
                        catalog: fixture.catalog, actor: "t")
                }
                if Int.random(in: 0..<10, using: &random) == 0,
                    let date = day(offset + Int.random(in: 1...200, using: &random))
                {
                    _ = try fixture.registry.endCondition(
                        patient, condition: condition, on: date, reason: "discharged", actor: "t")
                }
            }
        }
        let everyone = try fixture.registry.histories()
        var daysWithSomethingDue = 0
        var daysWithPatientsSkipped = 0
        for offset in stride(from: 0, through: first.days(until: testToday) + 240, by: 3) {
            let today = first.adding(days: offset)
            let expected = DueItem.sorted(
                everyone.flatMap { DueItem.items(for: $0, catalog: fixture.catalog, today: today) })
            var read = 0
            var items: [DueItem] = []
            try fixture.registry.forEachHistory(couldBeDueOn: today, catalog: fixture.catalog) { history in
                read += 1
                items += DueItem.items(for: history, catalog: fixture.catalog, today: today)
            }
            #expect(DueItem.sorted(items) == expected, "due on \(today)")
            if !expected.isEmpty { daysWithSomethingDue += 1 }
            if read < everyone.count { daysWithPatientsSkipped += 1 }
        }
        // The comparison means something: things fall due on most days, and most days skip patients.
        #expect(daysWithSomethingDue > 200)
        #expect(daysWithPatientsSkipped > 200)
    }
}
