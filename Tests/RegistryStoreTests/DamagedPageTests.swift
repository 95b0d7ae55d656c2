import Foundation
import GRDB
import RegistryCore
import Testing

@testable import RegistryStore

/// A page decodes a few stored lists and words that histories do not read (an assessment's
/// answers, an infusion's medication, a prior treatment's category). Shown as an empty list or a
/// default, they would mislead the clinician reading the page and enter the clinic's CSV file and
/// FHIR bundle that way.
@Suite(
    "Pages and the clinic's own exports refuse a damaged stored list or category instead of showing it as empty or a default"
)
struct DamagedPageTests {
    struct Damage: CustomTestStringConvertible, Sendable {
        let table: String, column: String, value: String, names: String
        /// The record to mark entered in error, when there is one.
        let record: String?
        var testDescription: String { "\(table).\(column) = \(value.debugDescription)" }
    }

    static let damages =
        ["not json", "", "[1,2,", "[\"1\",2]", "[1.5]", "{}", "[1] 2", "null"].map {
            Damage(
                table: "assessment", column: "answers", value: $0,
                names: "the answers of A-000001: not a list of answers", record: "A-000001")
        }
        + ["ondansetron 4 mg", "[\"ondansetron\",3]", "{\"a\":\"b\"}"].map {
            Damage(
                table: "infusion", column: "concomitant_medication", value: $0,
                names: "the concomitant medication of I-000001: not a list of text", record: "I-000001")
        }
        + ["SSRI", "", "Antidepressants"].map {
            Damage(
                table: "prior_treatment", column: "category", value: $0,
                names: "the category of a prior treatment of P-000001: not one of antidepressants", record: nil)
        }

    @Test(
        "A page with a damaged list or category is refused, naming the record and field; so are the CSV export and the FHIR bundle's page",
        arguments: damages)
    func refused(damage: Damage) throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        let other = try fixture.enroll(mrn: "MRN-2")
        let day = try ClinicalDate.parse("2026-01-12", field: "d")
        for someone in [patient, other] {
            _ = try fixture.registry.addAssessment(
                try fixture.catalog.assess(scale: "phq9", answers: [1, 1, 1, 1, 1, 1, 1, 1, 0]),
                patient: someone, on: day, timepoint: .baseline, actor: "n")
            _ = try fixture.registry.addInfusion(
                InfusionEntry(
                    condition: "depression", date: day, time: nil, dosing: .dose(mgPerKg: 0.5), weightKg: 70,
                    minutes: 40,
                    concomitantMedication: ["ondansetron 4 mg"]),
                patient: someone, actor: "n")
        }
        let healthy = try fixture.registry.patientPage(patient)
        #expect(healthy.assessments.first?.answers == [1, 1, 1, 1, 1, 1, 1, 1, 0])
        #expect(healthy.infusions.first?.concomitantMedication == ["ondansetron 4 mg"])
        #expect(healthy.priorTreatments.map(\.category) == [.antidepressants])
        let wholeFile = try csv(fixture)

        try fixture.database().write {
            try $0.execute(
                sql: "UPDATE \(damage.table) SET \(damage.column) = ? WHERE id = 1", arguments: [damage.value])
        }
        func expectRefused(_ read: () throws -> Void) {
            expectStoredValueRefused(
                damage.testDescription, names: damage.names, stored: damage.value,
                remedy: damage.record == nil ? .restoreBackup : .markEnteredInError,
                read)
        }
        expectRefused { _ = try fixture.registry.patientPage(patient) }
        expectRefused { _ = try fixture.registry.patientPageAndHistory(patient) }
        expectRefused { _ = try csv(fixture) }
        _ = try fixture.registry.patientPage(other)

        guard let record = damage.record else {
            // A prior treatment is not a record to mark: the page stays refused (a restore is the
            // way back), and the other patient's page reads.
            #expect(throws: RegistryError.self) { try fixture.registry.patientPage(patient) }
            return
        }
        let id = try #require(RecordID(record))
        if id.kind == .assessment {
            _ = try fixture.registry.correctAssessment(
                id, answers: nil, on: nil, timepoint: nil, enteredInError: true,
                catalog: fixture.catalog, reason: "damaged", actor: "n")
        } else {
            _ = try fixture.registry.correctInfusion(
                id, reason: "damaged", actor: "n", enteredInError: true, change: nil)
        }
        let marked = try fixture.registry.patientPage(patient)
        let shownMarked =
            id.kind == .assessment
            ? marked.assessments.first { $0.id == record }?.enteredInError
            : marked.infusions.first { $0.id == record }?.enteredInError
        #expect(shownMarked == true)
        let file = try csv(fixture)
        let kind = id.kind == .assessment ? "assessment" : "infusion"
        #expect(
            file.split(separator: "\n").filter { $0.hasPrefix(kind + ",") }.count == 1,
            "the marked record is left out, the other patient's kept")
        #expect(wholeFile.split(separator: "\n").filter { $0.hasPrefix(kind + ",") }.count == 2)
    }

    @Test("A correction that keeps an assessment's damaged stored answers is refused and writes nothing")
    func correctionKeepingAnswers() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        let assessment = try fixture.registry.addAssessment(
            try fixture.catalog.assess(scale: "phq9", answers: [1, 1, 1, 1, 1, 1, 1, 1, 0]),
            patient: patient, on: try ClinicalDate.parse("2026-01-12", field: "d"),
            timepoint: .baseline, actor: "n")
        let id = try #require(RecordID(assessment.id))
        try fixture.database().write {
            try $0.execute(sql: "UPDATE assessment SET answers = '[1,1,' WHERE id = ?", arguments: [id.row])
        }
        let before = try fixture.auditActions()
        let refusal = #expect(throws: RegistryError.self) {
            try fixture.registry.correctAssessment(
                id, answers: nil, on: nil, timepoint: .postInfusion, enteredInError: nil,
                catalog: fixture.catalog, reason: "wrong timepoint", actor: "n")
        }
        #expect(
            refusal?.message.hasPrefix("the answers of \(id): not a list of answers") == true,
            "\(String(describing: refusal))")
        #expect(try fixture.auditActions() == before, "no audit row written")
        // New answers repair the record.
        let repaired = try fixture.registry.correctAssessment(
            id, answers: [2, 1, 1, 1, 1, 1, 1, 1, 0], on: nil, timepoint: nil, enteredInError: nil,
            catalog: fixture.catalog, reason: "answers re-entered from the paper form", actor: "n")
        #expect(repaired.answers == [2, 1, 1, 1, 1, 1, 1, 1, 0])
        #expect(try fixture.registry.patientPage(patient).assessments.first?.answers == [2, 1, 1, 1, 1, 1, 1, 1, 0])
    }

    private func csv(_ fixture: Fixture) throws -> String {
        var text = ""
        _ = try fixture.registry.exportCSV(catalog: fixture.catalog) { text += $0 }
        return text
    }
}
