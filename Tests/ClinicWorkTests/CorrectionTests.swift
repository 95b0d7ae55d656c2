import ClinicWork
import Depression
import Foundation
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// Correcting through the library: one path for every kind of record, a change only for its own
/// kind, observations and course markers only marked; nothing written when refused.
@Suite("Correcting a record, without the command line")
struct CorrectionTests {
    let catalog = try! ConditionCatalog([DepressionModule()])
    let day = ClinicalDate(year: 2026, month: 3, day: 3)!

    struct Clinic {
        let correction: Correction
        let path: String
        let folder: URL
        let assessment: RecordID
        let infusion: RecordID
        let adverseEvent: RecordID
        let coIntervention: RecordID
        let observation: RecordID
    }

    func clinic() throws -> Clinic {
        let (registry, path, folder) = try useCaseRegistry(seed: 3)
        let patient = try enrolDepressionPatient(registry, mrn: "K-1")
        let assessment = try registry.addAssessment(
            try catalog.assess(scale: "phq9", answers: [2, 2, 2, 2, 2, 2, 2, 2, 0]), patient: patient,
            on: ClinicalDate(year: 2026, month: 3, day: 2)!, timepoint: .baseline, actor: "nurse")
        let infusion = try registry.addInfusion(
            InfusionEntry(
                condition: "depression", date: day, time: ClockTime(hour: 9, minute: 0), dosing: .dose(mgPerKg: 0.5),
                minutes: 40),
            patient: patient, actor: "nurse")
        let event = try registry.addAdverseEvent(
            AdverseEventEntry(term: .nausea, grade: .mild, onset: day), patient: patient,
            infusion: RecordID(infusion.id), actor: "nurse")
        let co = try registry.addCoIntervention(
            CoInterventionEntry(kind: .magnesium, from: day), patient: patient, actor: "nurse")
        let reading = InfusionObservationEntry(date: day, time: ClockTime(hour: 9, minute: 10)!, heartRate: 72)
        let observation = try registry.addObservation(reading, infusion: RecordID(infusion.id)!, actor: "nurse")
        return Clinic(
            correction: Correction(registry: registry, catalog: catalog), path: path, folder: folder,
            assessment: RecordID(assessment.id)!, infusion: RecordID(infusion.id)!,
            adverseEvent: RecordID(event.id)!, coIntervention: RecordID(co.id)!,
            observation: RecordID(observation.id)!)
    }

    @Test(
        "Each kind's change through the one path: answers scored again (2x8 + 1 = 17), a weight, a resolution, an end")
    func everyKind() throws {
        let clinic = try clinic()
        defer { try? FileManager.default.removeItem(at: clinic.folder) }
        let correction = clinic.correction
        guard
            case .assessment(let assessment) = try correction.correct(
                clinic.assessment, change: .assessment(answers: [2, 2, 2, 2, 2, 2, 2, 2, 1], on: nil, timepoint: nil),
                enteredInError: false, reason: "item 9 keyed wrongly", actor: "nurse")
        else {
            Issue.record("not an assessment")
            return
        }
        #expect(assessment.score == 17)
        #expect(!assessment.flags.isEmpty, "item 9 at 1 raises its flag")
        guard
            case .infusion(let infusion) = try correction.correct(
                clinic.infusion, change: .infusion { $0.weightKg = 70 }, enteredInError: false,
                reason: "weight taken", actor: "nurse")
        else {
            Issue.record("not an infusion")
            return
        }
        #expect(infusion.weightKg == 70)
        guard
            case .adverseEvent(let event) = try correction.correct(
                clinic.adverseEvent,
                change: .adverseEvent { $0.resolvedOn = ClinicalDate(year: 2026, month: 3, day: 4) },
                enteredInError: false, reason: "resolved", actor: "nurse")
        else {
            Issue.record("not an adverse event")
            return
        }
        #expect(event.resolvedOn == "2026-03-04")
        guard
            case .coIntervention(let co) = try correction.correct(
                clinic.coIntervention, change: .coIntervention { $0.to = ClinicalDate(year: 2026, month: 3, day: 5) },
                enteredInError: true, reason: "never started", actor: "nurse")
        else {
            Issue.record("not a co-intervention")
            return
        }
        #expect(co.to == "2026-03-05" && co.enteredInError)
        guard
            case .marked(let marked) = try correction.correct(
                clinic.observation, change: nil, enteredInError: true, reason: "wrong patient's monitor", actor: "n")
        else {
            Issue.record("not marked")
            return
        }
        #expect(marked == clinic.observation.description)
    }

    @Test(
        "A change for another kind, a change to an observation, an unmarked observation, a patient: refused, nothing written"
    )
    func refusals() throws {
        let clinic = try clinic()
        defer { try? FileManager.default.removeItem(at: clinic.folder) }
        let before = try dumpDatabase(clinic.path)
        let cases: [(RecordID, Correction.Change?, Bool, Correction.Refusal)] = [
            (
                clinic.infusion, .adverseEvent { $0.serious = true }, false,
                .changeForAnotherKind(record: .infusion, change: .adverseEvent)
            ),
            (
                clinic.assessment, .coIntervention { $0.to = nil }, false,
                .changeForAnotherKind(record: .assessment, change: .coIntervention)
            ),
            (clinic.observation, .infusion { $0.minutes = 30 }, true, .onlyMarkable(.observation)),
            (clinic.observation, nil, false, .onlyMarkable(.observation)),
            (RecordID("P-000001")!, nil, true, .notCorrectable(.patient)),
            (RecordID("F-000001")!, nil, true, .notCorrectable(.flag)),
        ]
        for (record, change, mark, refusal) in cases {
            let error = #expect(throws: Correction.Refusal.self) {
                _ = try clinic.correction.correct(record, change: change, enteredInError: mark, reason: "r", actor: "n")
            }
            #expect(error == refusal, "\(record)")
        }
        // No change and no mark: the store's own refusal, naming the record.
        let nothing = #expect(throws: RegistryError.self) {
            _ = try clinic.correction.correct(
                clinic.infusion, change: nil, enteredInError: false, reason: "r", actor: "n")
        }
        #expect(nothing?.remedies == [.giveFieldsToChange])
        #expect(try dumpDatabase(clinic.path) == before, "nothing written")
    }
}
