import Foundation
import GRDB
import RegistryCore
@testable import RegistryStore
import Testing

/// A list column damaged behind the program's back (the file edited with another tool, a bad
/// restore) must not read as an empty list in a change: a correction would then close the record's
/// open safety flags, or write the infusion back without its medication.
@Suite("Damaged stored lists refuse changes instead of reading as empty")
struct DamagedListTests {
    static let damaged = ["not json", "", "[", "{\"a\":1}", "[1,2]", "[\"a\",null]", "\"lorazepam\"", "null", "[\"a\"] trailing"]

    @Test("A correction of an assessment whose stored flags do not read is refused, its open flag kept", arguments: damaged)
    func assessmentFlags(stored: String) throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        let day = try ClinicalDate.parse("2026-01-12", field: "d")
        let assessment = try fixture.registry.addAssessment(try fixture.catalog.assess(scale: "phq9", answers: [1, 1, 1, 1, 1, 1, 1, 1, 2]),
                                                            patient: patient, on: day, timepoint: .baseline, actor: "n")
        let id = try #require(RecordID(assessment.id))
        #expect(try fixture.registry.flags(patient: patient, openOnly: true).map(\.flag) == ["suicide-risk"])
        try fixture.database().write { try $0.execute(sql: "UPDATE assessment SET flags = ? WHERE id = ?", arguments: [stored, id.row]) }
        let before = try fixture.auditActions()

        do {
            _ = try fixture.registry.correctAssessment(id, answers: nil, on: nil, timepoint: .postInfusion, enteredInError: nil,
                                                       catalog: fixture.catalog, reason: "wrong timepoint", actor: "n")
            Issue.record("the correction was saved over flags stored as \(stored.debugDescription)")
        } catch let error as RegistryError {
            #expect(error.kind == .storage)
            #expect(error.message.contains("the safety flags of \(id)"), "\(error.message)")
            #expect(error.message.contains("ketareg verify") && error.message.contains("nothing changed"), "\(error.message)")
        }
        #expect(try fixture.registry.flags(patient: patient, openOnly: true).map(\.flag) == ["suicide-risk"], "the open flag stays open")
        #expect(try fixture.auditActions() == before, "no audit row written")
        let timepoint = try fixture.database().read { try String.fetchOne($0, sql: "SELECT timepoint FROM assessment WHERE id = ?", arguments: [id.row]) }
        #expect(timepoint == "baseline")

        // With new answers the flags are worked out again, not read: that correction goes through.
        let rescored = try fixture.registry.correctAssessment(id, answers: [1, 1, 1, 1, 1, 1, 1, 1, 3], on: nil, timepoint: nil, enteredInError: nil,
                                                              catalog: fixture.catalog, reason: "misread item 9", actor: "n")
        #expect(rescored.flags == ["suicide-risk"])
    }

    @Test("A correction of an infusion whose stored medication does not read is refused; vitals can still be recorded during it", arguments: damaged)
    func infusionMedication(stored: String) throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        let day = try ClinicalDate.parse("2026-01-12", field: "d")
        let infusion = try fixture.registry.addInfusion(
            InfusionEntry(condition: "depression", date: day, time: try ClockTime.parse("09:00", field: "at"), dosing: .dose(mgPerKg: 0.5),
                          weightKg: 70, minutes: 40, concomitantMedication: ["ondansetron 4 mg"]),
            patient: patient, actor: "n")
        let id = try #require(RecordID(infusion.id))
        try fixture.database().write { try $0.execute(sql: "UPDATE infusion SET concomitant_medication = ? WHERE id = ?", arguments: [stored, id.row]) }
        let before = try fixture.auditActions()

        do {
            _ = try fixture.registry.correctInfusion(id, reason: "wrong weight", actor: "n") { $0.weightKg = 72 }
            Issue.record("the correction was saved over medication stored as \(stored.debugDescription)")
        } catch let error as RegistryError {
            #expect(error.kind == .storage)
            // Names the record and field, and does not repeat the stored text.
            #expect(error.message == "the concomitant medication of \(id): not a list of text as KetaReg stores it; nothing changed. "
                        + "The registry was changed outside KetaReg or is damaged: `ketareg verify` checks it")
        }
        #expect(try fixture.auditActions() == before, "no audit row written")
        let row = try fixture.database().read { try Row.fetchOne($0, sql: "SELECT weight_kg, concomitant_medication FROM infusion WHERE id = ?", arguments: [id.row]) }
        #expect(row?["weight_kg"] == 70.0)
        #expect(row?["concomitant_medication"] == stored)

        let observation = try fixture.registry.addObservation(
            InfusionObservationEntry(date: day, time: ClockTime(hour: 9, minute: 20)!, bloodPressure: BloodPressure(systolic: 130, diastolic: 85),
                                     heartRate: 72, oxygenSaturation: 97, sedation: false),
            infusion: id, actor: "n")
        #expect(observation.id.hasPrefix("O-"), "\(observation.id)")
    }
}
