import Foundation
import GRDB
import RegistryCore
import Testing

@testable import RegistryStore

/// Histories feed outcomes, `due`, the patient's course and every export: a stored value that does
/// not read must stop them with the record's name, never be counted as a default (an adverse event
/// as mild, a timepoint as follow-up, a course end as a start) or as an empty list.
@Suite("Histories refuse a damaged stored value instead of reading a default")
struct DamagedHistoryTests {
    struct Damage: CustomTestStringConvertible, Sendable {
        let table: String, column: String, value: String, names: String
        var testDescription: String { "\(table).\(column) = \(value.debugDescription)" }
    }

    static let damages = [
        Damage(
            table: "assessment", column: "flags", value: "not json",
            names: "the safety flags of A-000001: not a list of text"),
        Damage(
            table: "assessment", column: "flags", value: "[\"suicide-risk\",null]",
            names: "the safety flags of A-000001"),
        Damage(
            table: "assessment", column: "subscores", value: "{\"somatic\":",
            names: "the subscores of A-000001: not an object of numbers"),
        Damage(
            table: "assessment", column: "timepoint", value: "Baseline",
            names: "the timepoint of A-000001: not one of baseline, post-infusion, follow-up"),
        Damage(
            table: "assessment", column: "assessed_on", value: "2026-02-30",
            names: "the day of A-000001: not a date (YYYY-MM-DD)"),
        Damage(
            table: "adverse_event", column: "grade", value: "Severe",
            names: "the grade of AE-000001: not one of mild, moderate, severe"),
        Damage(table: "adverse_event", column: "term", value: "", names: "the term of AE-000001: not one of nausea"),
        Damage(
            table: "co_intervention", column: "kind", value: "reiki", names: "the kind of C-000001: not one of diet"),
        Damage(
            table: "infusion", column: "given_at", value: "25:99",
            names: "the start time of I-000001: not a time (HH:MM)"),
        Damage(
            table: "infusion", column: "route", value: "IV",
            names: "the route of I-000001: not one of iv, im, intranasal, oral"),
        Damage(
            table: "infusion_observation", column: "observed_at", value: "9am",
            names: "the time of O-000001: not a time"),
        Damage(
            table: "course_event", column: "kind", value: "stop", names: "the kind of CE-000001: not one of start, end"),
        Damage(
            table: "course_event", column: "course_kind", value: "retreatment",
            names: "the course kind of CE-000001: not one of induction, re-treatment"),
        Damage(
            table: "patient_condition", column: "ended_on", value: "soon",
            names: "the end of P-000001's migraine condition: not a date"),
    ]

    @Test(
        "A history with a damaged value is refused, naming the record and field; marked entered in error, the record is left out and the rest reads",
        arguments: damages)
    func refused(damage: Damage) throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll(conditions: ["depression", "migraine"])
        let day = try ClinicalDate.parse("2026-01-12", field: "d")
        _ = try fixture.registry.addAssessment(
            try fixture.catalog.assess(scale: "phq9", answers: [1, 1, 1, 1, 1, 1, 1, 1, 2]),
            patient: patient, on: day, timepoint: .baseline, actor: "n")
        _ = try fixture.registry.addInfusion(
            InfusionEntry(
                condition: "depression", date: day, time: try ClockTime.parse("09:00", field: "at"),
                dosing: .dose(mgPerKg: 0.5),
                weightKg: 70, minutes: 40, adverseEvents: [AdverseEventEntry(term: .nausea, grade: .severe, onset: day)]
            ),
            patient: patient, actor: "n")
        _ = try fixture.registry.addObservation(
            InfusionObservationEntry(
                date: day, time: ClockTime(hour: 9, minute: 20)!,
                bloodPressure: BloodPressure(systolic: 130, diastolic: 85),
                heartRate: 72, oxygenSaturation: 97, sedation: false),
            infusion: RecordID("I-000001")!, actor: "n")
        _ = try fixture.registry.addCoIntervention(
            CoInterventionEntry(kind: .yoga, from: day), patient: patient, actor: "n")
        _ = try fixture.registry.addCourseMarker(
            .end, patient: patient, condition: "depression", on: day.adding(days: 20), courseKind: nil,
            reason: "moved away", catalog: fixture.catalog, actor: "n")
        _ = try fixture.registry.endCondition(
            patient, condition: "migraine", on: day.adding(days: 3), reason: nil, actor: "n")
        let healthy = try #require(try fixture.registry.histories(patient: patient).first)
        #expect(healthy.assessments.first?.flags == ["suicide-risk"])
        #expect(healthy.adverseEvents.map(\.grade) == [.severe])

        try fixture.database().writeWithoutTransaction {
            try $0.execute(sql: "PRAGMA ignore_check_constraints = ON")
            let row = damage.table == "patient_condition" ? "condition_id = 'migraine'" : "id = 1"
            try $0.execute(
                sql: "UPDATE \(damage.table) SET \(damage.column) = ? WHERE \(row)", arguments: [damage.value])
        }

        // Every way a history is read: one patient's, every patient's (outcomes, exports), the page's.
        func expectRefused(_ read: () throws -> Void) {
            expectStoredValueRefused(
                damage.testDescription, names: damage.names, stored: damage.value,
                remedy: damage.table == "patient_condition"
                    ? .recordConditionEndAgain(patient: "P-000001", condition: "migraine") : .markEnteredInError,
                read)
        }
        expectRefused { _ = try fixture.registry.histories(patient: patient) }
        expectRefused { try fixture.registry.forEachHistory { _ in } }
        expectRefused { _ = try fixture.registry.patientPageAndHistory(patient) }

        // A damaged record can be taken out without reading it. A condition's end is not a record
        // to mark: taking the condition up again is refused (whether the day is after the end
        // cannot be known), and says how to record the end again, which repairs it.
        if damage.table == "patient_condition" {
            let refusal = #expect(throws: RegistryError.self) {
                try fixture.registry.addCondition(
                    patient, condition: "migraine", on: day.adding(days: 5), reason: nil,
                    catalog: fixture.catalog, actor: "n")
            }
            #expect(
                refusal?.message.hasPrefix("the end of P-000001's migraine condition: not a date") == true,
                "\(String(describing: refusal))")
            #expect(
                refusal?.remedies.contains(.recordConditionEndAgain(patient: "P-000001", condition: "migraine")) == true
            )
            _ = try fixture.registry.endCondition(
                patient, condition: "migraine", on: day.adding(days: 4), reason: "end date re-entered", actor: "n")
            let repaired = try #require(try fixture.registry.histories(patient: patient).first)
            #expect(repaired.endedConditions["migraine"] == day.adding(days: 4), "\(repaired.endedConditions)")
            // Once it reads, ending it again is refused as before.
            #expect(throws: RegistryError.self) {
                try fixture.registry.endCondition(
                    patient, condition: "migraine", on: day.adding(days: 6), reason: nil, actor: "n")
            }
        } else {
            try markAndReadAgain(damage: damage, fixture: fixture, patient: patient)
        }
    }

    private func markAndReadAgain(damage: Damage, fixture: Fixture, patient: RecordID) throws {
        let record =
            switch damage.table {
            case "assessment": "A-000001"
            case "adverse_event": "AE-000001"
            case "co_intervention": "C-000001"
            case "infusion": "I-000001"
            case "infusion_observation": "O-000001"
            default: "CE-000001"
            }
        let id = try #require(RecordID(record))
        // Marking reads none of the record's values, so it takes out any kind of damaged record.
        #expect(try fixture.registry.markEnteredInError(id, reason: "damaged", actor: "n") == record)
        let history = try #require(try fixture.registry.histories(patient: patient).first)
        #expect(history.assessments.count == (id.kind == .assessment ? 0 : 1))
        #expect(history.adverseEvents.count == (id.kind == .adverseEvent ? 0 : 1))
        #expect(history.infusions.count == (id.kind == .infusion ? 0 : 1))
        #expect(history.observations.count == (id.kind == .infusion || id.kind == .observation ? 0 : 1))
        #expect(history.courseMarkers.count == (id.kind == .courseEvent ? 0 : 1))
        // The page reads again; the marked record is on it unless its words do not read.
        let page = try fixture.registry.patientPageAndHistory(patient).page
        let listed =
            (page.infusions.map(\.id) + page.assessments.map(\.id) + page.adverseEvents.map(\.id)
                + page.coInterventions.map(\.id) + page.observations.map(\.id) + page.courseEvents.map(\.id))
        let wordDamaged = ["timepoint", "grade", "term", "kind", "route", "course_kind"].contains(damage.column)
        #expect(listed.contains(record) == !wordDamaged, "\(damage.testDescription): \(listed)")
    }
}

@Suite("Exports refuse a damaged stored sex instead of sending it as unknown")
struct DamagedExportTests {
    @Test(
        "A patient's damaged sex stops the export's reading, naming the patient's registry id",
        arguments: ["F", "", "femme"])
    func sex(stored: String) throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        let day = try ClinicalDate.parse("2026-01-12", field: "d")
        _ = try fixture.registry.addInfusion(
            InfusionEntry(
                condition: "depression", date: day, time: nil, dosing: .dose(mgPerKg: 0.5), weightKg: 70, minutes: 40),
            patient: patient, actor: "n")
        var sexes: [Sex] = []
        try fixture.registry.read { db in try fixture.registry.forEachExportPatient(db) { sexes.append($0.sex) } }
        #expect(sexes.count == 1)
        try fixture.database().write {
            try $0.execute(sql: "UPDATE patient SET sex = ? WHERE id = 1", arguments: [stored])
        }
        do {
            try fixture.registry.read { db in try fixture.registry.forEachExportPatient(db) { _ in } }
            Issue.record("a sex stored as \(stored.debugDescription) was read")
        } catch let error as RegistryError {
            #expect(
                error.message.hasPrefix("the sex of P-000001: not one of female, male, other, unknown"),
                "\(error.message)")
        }
    }
}
