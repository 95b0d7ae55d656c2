import ClinicWork
import Depression
import Foundation
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// Recording an assessment through the library, as a patient's own form would: the same scoring,
/// duplicate rule and safety flags as `ketareg assess`.
@Suite("Recording an assessment, without the command line")
struct AssessmentRecordingTests {
    let catalog = try! ConditionCatalog([DepressionModule()])
    let day = ClinicalDate(year: 2026, month: 3, day: 2)!

    func clinic() throws -> (AssessmentRecording, RecordID, String, URL) {
        let (registry, path, folder) = try useCaseRegistry(seed: 11)
        let patient = try enrolDepressionPatient(registry, mrn: "R-1")
        return (AssessmentRecording(registry: registry, catalog: catalog), patient, path, folder)
    }

    @Test(
        "A PHQ-9 with item 9 at 1 is scored (hand-worked: 2x8 + 1 = 17, moderately severe) and raises its flag, returned open"
    )
    func scoredWithFlag() throws {
        let (recording, patient, _, folder) = try clinic()
        defer { try? FileManager.default.removeItem(at: folder) }
        let phq9 = try recording.scale("PHQ9")
        let recorded = try recording.record(
            patient: patient, scale: phq9, answers: [2, 2, 2, 2, 2, 2, 2, 2, 1], on: day, timepoint: .baseline,
            repeatAdministration: false, actor: "nurse")
        #expect(recorded.scored.result.score == 17)
        #expect(recorded.assessment.score == 17)
        #expect(
            recorded.assessment.band?.lowercased().contains("moderately") == true,
            "\(String(describing: recorded.assessment.band))")
        #expect(recorded.raisedFlags.count == 1, "\(recorded.raisedFlags)")
        #expect(recorded.raisedFlags.first?.source == recorded.assessment.id)
        #expect(recorded.raisedFlags.first?.state == .open)
        let none = try recording.record(
            patient: patient, scale: phq9, answers: [0, 0, 0, 0, 0, 0, 0, 0, 0], on: day, timepoint: .postInfusion,
            repeatAdministration: false, actor: "nurse")
        #expect(none.raisedFlags.isEmpty, "only the flags this record raised")
    }

    @Test(
        "The same scale, patient, day and timepoint again is refused before and at the write, nothing written; a repeat is recorded"
    )
    func duplicates() throws {
        let (recording, patient, path, folder) = try clinic()
        defer { try? FileManager.default.removeItem(at: folder) }
        let phq9 = try recording.scale("phq9")
        let answers: [Int?] = [1, 1, 1, 1, 1, 1, 1, 1, 0]
        try recording.checkNotRecorded(
            patient: patient, scale: phq9, on: day, timepoint: .baseline, repeatAdministration: false)
        let first = try recording.record(
            patient: patient, scale: phq9, answers: answers, on: day, timepoint: .baseline,
            repeatAdministration: false, actor: "nurse")
        let before = try dumpDatabase(path)
        let early = #expect(throws: RegistryError.self) {
            try recording.checkNotRecorded(
                patient: patient, scale: phq9, on: day, timepoint: .baseline, repeatAdministration: false)
        }
        #expect(early?.remedies == [.correctRecord(first.assessment.id), .recordSecondAdministration])
        #expect(throws: RegistryError.self) {
            try recording.record(
                patient: patient, scale: phq9, answers: answers, on: day, timepoint: .baseline,
                repeatAdministration: false, actor: "nurse")
        }
        #expect(try dumpDatabase(path) == before, "nothing written")
        try recording.checkNotRecorded(
            patient: patient, scale: phq9, on: day, timepoint: .baseline, repeatAdministration: true)
        let second = try recording.record(
            patient: patient, scale: phq9, answers: answers, on: day, timepoint: .baseline,
            repeatAdministration: true, actor: "nurse")
        #expect(second.assessment.id != first.assessment.id)
    }

    @Test("An unknown scale is refused naming the known ones; an answer out of range writes nothing")
    func refusals() throws {
        let (recording, patient, path, folder) = try clinic()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: CatalogError.self) { _ = try recording.scale("phq-10") }
        let before = try dumpDatabase(path)
        #expect(throws: (any Error).self) {
            _ = try recording.record(
                patient: patient, scale: try recording.scale("phq9"), answers: [1, 1, 1, 1, 1, 1, 1, 1, 4], on: day,
                timepoint: .baseline, repeatAdministration: false, actor: "nurse")
        }
        #expect(try dumpDatabase(path) == before)
    }
}
