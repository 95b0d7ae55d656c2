import ClinicWork
import Depression
import Foundation
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// Treatment recorded through the library comes back with the flags it raised: the same a nurse
/// sees after `ketareg infusion add`, `infusion observe` and `adverse add`.
@Suite("Recording treatment, without the command line")
struct TreatmentRecordingTests {
    let catalog = try! ConditionCatalog([DepressionModule()])
    let day = ClinicalDate(year: 2026, month: 3, day: 3)!

    func clinic() throws -> (TreatmentRecording, RecordID, URL) {
        let (registry, _, folder) = try useCaseRegistry(seed: 9)
        let patient = try enrolDepressionPatient(registry, mrn: "T-1")
        return (TreatmentRecording(registry: registry), patient, folder)
    }

    @Test("An infusion at 180/100 after, with a serious adverse event, returns both flags; a quiet one returns none")
    func infusionFlags() throws {
        let (recording, patient, folder) = try clinic()
        defer { try? FileManager.default.removeItem(at: folder) }
        let flagged = try recording.infusion(
            InfusionEntry(
                condition: "depression", date: day, time: ClockTime(hour: 9, minute: 0), dosing: .dose(mgPerKg: 0.5),
                minutes: 40, bloodPressureAfter: BloodPressure(systolic: 180, diastolic: 100),
                adverseEvents: [AdverseEventEntry(term: .hypertension, grade: .severe, serious: true, onset: day)]),
            patient: patient, actor: "nurse")
        #expect(Set(flagged.raisedFlags.map(\.flag)) == ["high-blood-pressure", "serious-adverse-event"])
        #expect(
            flagged.raisedFlags.map(\.source).sorted() == ([flagged.record.id] + flagged.record.adverseEvents).sorted())
        let quiet = try recording.infusion(
            InfusionEntry(
                condition: "depression", date: day.adding(days: 2), dosing: .dose(mgPerKg: 0.5), minutes: 40,
                bloodPressureAfter: BloodPressure(systolic: 179, diastolic: 109)),
            patient: patient, actor: "nurse")
        #expect(quiet.raisedFlags.isEmpty, "179/109 is under both thresholds")

        let low = try recording.observation(
            InfusionObservationEntry(date: day, time: ClockTime(hour: 9, minute: 20)!, oxygenSaturation: 89),
            infusion: RecordID(flagged.record.id)!, actor: "nurse")
        #expect(low.raisedFlags.map(\.flag) == ["low-oxygen-saturation"])
        let fine = try recording.observation(
            InfusionObservationEntry(date: day, time: ClockTime(hour: 9, minute: 30)!, oxygenSaturation: 90),
            infusion: RecordID(flagged.record.id)!, actor: "nurse")
        #expect(fine.raisedFlags.isEmpty, "90% is not below 90")

        let event = try recording.adverseEvent(
            AdverseEventEntry(term: .nausea, grade: .mild, onset: day), patient: patient, infusion: nil, actor: "nurse")
        #expect(event.raisedFlags.isEmpty, "a mild, not serious event raises nothing")
    }
}
