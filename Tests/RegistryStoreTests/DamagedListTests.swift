import Foundation
import GRDB
import RegistryCore
import Testing

@testable import RegistryStore

/// A column damaged behind the program's back (the file edited with another tool, a bad restore)
/// must not read as an empty list, a default word or no value in a change: a correction would then
/// close the record's open safety flags, write an adverse event back as mild, or drop an
/// infusion's medication or start time.
@Suite("Damaged stored values refuse changes instead of reading as empty or a default")
struct DamagedListTests {
    static let damaged = [
        "not json", "", "[", "{\"a\":1}", "[1,2]", "[\"a\",null]", "\"lorazepam\"", "null", "[\"a\"] trailing",
    ]

    @Test(
        "A correction of an assessment whose stored flags do not read is refused, its open flag kept",
        arguments: damaged)
    func assessmentFlags(stored: String) throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        let day = try ClinicalDate.parse("2026-01-12", field: "d")
        let assessment = try fixture.registry.addAssessment(
            try fixture.catalog.assess(scale: "phq9", answers: [1, 1, 1, 1, 1, 1, 1, 1, 2]),
            patient: patient, on: day, timepoint: .baseline, actor: "n")
        let id = try #require(RecordID(assessment.id))
        #expect(try fixture.registry.flags(patient: patient, openOnly: true).map(\.flag) == ["suicide-risk"])
        try fixture.database().write {
            try $0.execute(sql: "UPDATE assessment SET flags = ? WHERE id = ?", arguments: [stored, id.row])
        }
        let before = try fixture.auditActions()

        do {
            _ = try fixture.registry.correctAssessment(
                id, answers: nil, on: nil, timepoint: .postInfusion, enteredInError: nil,
                catalog: fixture.catalog, reason: "wrong timepoint", actor: "n")
            Issue.record("the correction was saved over flags stored as \(stored.debugDescription)")
        } catch let error as RegistryError {
            #expect(error.kind == .storage)
            #expect(error.message.contains("the safety flags of \(id)"), "\(error.message)")
            #expect(
                error.remedies.contains(.verifyRegistry) && error.message.contains("nothing changed"),
                "\(error.message)")
        }
        #expect(
            try fixture.registry.flags(patient: patient, openOnly: true).map(\.flag) == ["suicide-risk"],
            "the open flag stays open")
        #expect(try fixture.auditActions() == before, "no audit row written")
        let timepoint = try fixture.database().read {
            try String.fetchOne($0, sql: "SELECT timepoint FROM assessment WHERE id = ?", arguments: [id.row])
        }
        #expect(timepoint == "baseline")

        // With new answers the flags are worked out again, not read: that correction goes through.
        let rescored = try fixture.registry.correctAssessment(
            id, answers: [1, 1, 1, 1, 1, 1, 1, 1, 3], on: nil, timepoint: nil, enteredInError: nil,
            catalog: fixture.catalog, reason: "misread item 9", actor: "n")
        #expect(rescored.flags == ["suicide-risk"])
    }

    @Test(
        "A correction of an infusion whose stored medication does not read is refused; vitals can still be recorded during it",
        arguments: damaged)
    func infusionMedication(stored: String) throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        let day = try ClinicalDate.parse("2026-01-12", field: "d")
        let infusion = try fixture.registry.addInfusion(
            InfusionEntry(
                condition: "depression", date: day, time: try ClockTime.parse("09:00", field: "at"),
                dosing: .dose(mgPerKg: 0.5),
                weightKg: 70, minutes: 40, concomitantMedication: ["ondansetron 4 mg"]),
            patient: patient, actor: "n")
        let id = try #require(RecordID(infusion.id))
        try fixture.database().write {
            try $0.execute(
                sql: "UPDATE infusion SET concomitant_medication = ? WHERE id = ?", arguments: [stored, id.row])
        }
        let before = try fixture.auditActions()

        do {
            _ = try fixture.registry.correctInfusion(id, reason: "wrong weight", actor: "n") { $0.weightKg = 72 }
            Issue.record("the correction was saved over medication stored as \(stored.debugDescription)")
        } catch let error as RegistryError {
            #expect(error.kind == .storage)
            // Names the record and field, and does not repeat the stored text.
            #expect(
                error.message
                    == "the concomitant medication of \(id): not a list of text as KetaReg stores it; nothing changed. "
                    + "The registry was changed outside KetaReg or is damaged"
            )
            #expect(error.remedies == [.verifyRegistry, .markEnteredInError, .restoreBackup])
        }
        #expect(try fixture.auditActions() == before, "no audit row written")
        let row = try fixture.database().read {
            try Row.fetchOne(
                $0, sql: "SELECT weight_kg, concomitant_medication FROM infusion WHERE id = ?", arguments: [id.row])
        }
        #expect(row?["weight_kg"] == 70.0)
        #expect(row?["concomitant_medication"] == stored)

        let observation = try fixture.registry.addObservation(
            InfusionObservationEntry(
                date: day, time: ClockTime(hour: 9, minute: 20)!,
                bloodPressure: BloodPressure(systolic: 130, diastolic: 85),
                heartRate: 72, oxygenSaturation: 97, sedation: false),
            infusion: id, actor: "n")
        #expect(observation.id.hasPrefix("O-"), "\(observation.id)")
    }

    @Test(
        "A rescoring correction of an assessment whose stored timepoint or day does not read is refused, unless it gives a new one",
        arguments: [
            (
                "timepoint", "Baseline",
                "the timepoint of A-000001: not one of baseline, post-infusion, follow-up as KetaReg stores it"
            ),
            ("timepoint", "", "the timepoint of A-000001: not one of"),
            ("assessed_on", "2026-02-30", "the day of A-000001: not a date (YYYY-MM-DD) as KetaReg stores it"),
            ("assessed_on", "12/01/2026", "the day of A-000001: not a date"),
        ])
    func assessmentTimepointAndDay(column: String, value: String, names: String) throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        let day = try ClinicalDate.parse("2026-01-12", field: "d")
        let assessment = try fixture.registry.addAssessment(
            try fixture.catalog.assess(scale: "phq9", answers: [1, 1, 1, 1, 1, 1, 1, 1, 0]),
            patient: patient, on: day, timepoint: .baseline, actor: "n")
        let id = try #require(RecordID(assessment.id))
        try fixture.database().write {
            try $0.execute(sql: "UPDATE assessment SET \(column) = ? WHERE id = ?", arguments: [value, id.row])
        }
        let before = try fixture.auditActions()

        // New answers, nothing said about the day or timepoint: the stored ones are kept, so they must read.
        do {
            _ = try fixture.registry.correctAssessment(
                id, answers: [2, 1, 1, 1, 1, 1, 1, 1, 0], on: nil, timepoint: nil, enteredInError: nil,
                catalog: fixture.catalog, reason: "misread item 1", actor: "n")
            Issue.record("the rescoring was saved over \(column) stored as \(value.debugDescription)")
        } catch let error as RegistryError {
            #expect(error.kind == .storage)
            #expect(error.message.hasPrefix(names), "\(error.message)")
            #expect(
                error.message.contains("nothing changed") && error.remedies.contains(.verifyRegistry),
                "\(error.message)")
        }
        #expect(try fixture.auditActions() == before, "no audit row written")
        let kept = try fixture.database().read {
            try String.fetchOne($0, sql: "SELECT \(column) FROM assessment WHERE id = ?", arguments: [id.row])
        }
        #expect(kept == value, "the damaged value is left for `verify` to name")

        // A correction that gives the damaged field anew repairs it.
        let repaired = try fixture.registry.correctAssessment(
            id, answers: [2, 1, 1, 1, 1, 1, 1, 1, 0],
            on: column == "assessed_on" ? day : nil,
            timepoint: column == "timepoint" ? .baseline : nil, enteredInError: nil,
            catalog: fixture.catalog, reason: "misread item 1; restored", actor: "n")
        #expect(repaired.score == 9)
        #expect(repaired.timepoint == .baseline)
        #expect(repaired.on == "2026-01-12")
    }

    /// A damaged column, the record's correction and what the refusal must name.
    struct Damage: CustomTestStringConvertible, Sendable {
        let table: String, column: String, value: String, record: String, names: String
        var testDescription: String { "\(table).\(column) = \(value.debugDescription)" }
    }

    static let damages = [
        Damage(
            table: "adverse_event", column: "grade", value: "catastrophic", record: "AE-000001",
            names: "the grade of AE-000001: not one of mild, moderate, severe as KetaReg stores it"),
        Damage(
            table: "adverse_event", column: "grade", value: "Severe", record: "AE-000001",
            names: "the grade of AE-000001"),
        Damage(
            table: "adverse_event", column: "term", value: "", record: "AE-000001",
            names: "the term of AE-000001: not one of nausea, vomiting"),
        Damage(
            table: "adverse_event", column: "onset", value: "2026-02-30", record: "AE-000001",
            names: "the onset of AE-000001: not a date (YYYY-MM-DD)"),
        Damage(
            table: "adverse_event", column: "resolved_on", value: "soon", record: "AE-000001",
            names: "the resolution date of AE-000001: not a date"),
        Damage(
            table: "co_intervention", column: "kind", value: "reiki", record: "C-000001",
            names:
                "the kind of C-000001: not one of diet, magnesium, essential-oil, acupuncture, yoga, massage, psychotherapy, ketamine-assisted-psychotherapy, other"
        ),
        Damage(
            table: "co_intervention", column: "from_date", value: "", record: "C-000001",
            names: "the start date of C-000001"),
        Damage(
            table: "co_intervention", column: "to_date", value: "2026-13-01", record: "C-000001",
            names: "the end date of C-000001: not a date"),
        Damage(
            table: "infusion", column: "given_at", value: "25:99", record: "I-000001",
            names: "the start time of I-000001: not a time (HH:MM)"),
        Damage(
            table: "infusion", column: "given_on", value: "yesterday", record: "I-000001",
            names: "the day of I-000001: not a date"),
    ]

    @Test(
        "A correction of a record with a damaged word, date or time is refused and writes nothing", arguments: damages)
    func damagedValue(damage: Damage) throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        let day = try ClinicalDate.parse("2026-01-12", field: "d")
        _ = try fixture.registry.addInfusion(
            InfusionEntry(
                condition: "depression", date: day, time: try ClockTime.parse("09:00", field: "at"),
                dosing: .dose(mgPerKg: 0.5),
                weightKg: 70, minutes: 40,
                adverseEvents: [
                    AdverseEventEntry(term: .nausea, grade: .severe, onset: day, resolvedOn: day.adding(days: 1))
                ]),
            patient: patient, actor: "n")
        _ = try fixture.registry.addCoIntervention(
            CoInterventionEntry(kind: .yoga, from: day, to: day.adding(days: 7)), patient: patient, actor: "n")
        try fixture.database().write {
            try $0.execute(
                sql: "UPDATE \(damage.table) SET \(damage.column) = ? WHERE id = 1", arguments: [damage.value])
        }
        let before = try fixture.auditActions()
        let id = try #require(RecordID(damage.record))

        do {
            switch id.kind {
            case .adverseEvent:
                _ = try fixture.registry.correctAdverseEvent(id, reason: "resolved later", actor: "n") {
                    $0.resolvedOn = day.adding(days: 3)
                }
            case .coIntervention:
                _ = try fixture.registry.correctCoIntervention(id, reason: "stopped later", actor: "n") {
                    $0.to = day.adding(days: 9)
                }
            default:
                _ = try fixture.registry.correctInfusion(id, reason: "wrong weight", actor: "n") { $0.weightKg = 72 }
            }
            Issue.record("the correction was saved over \(damage.testDescription)")
        } catch let error as RegistryError {
            #expect(error.kind == .storage)
            #expect(error.message.hasPrefix(damage.names), "\(error.message)")
            #expect(
                error.message.contains("nothing changed") && error.remedies.contains(.verifyRegistry),
                "\(error.message)")
        }
        #expect(try fixture.auditActions() == before, "no audit row written")
        let kept = try fixture.database().read {
            try String.fetchOne($0, sql: "SELECT \(damage.column) FROM \(damage.table) WHERE id = 1")
        }
        #expect(kept == damage.value, "the damaged value is left for `verify` to name")

        // Marking it entered in error reads none of its stored values: it goes through, keeps the
        // damaged value as it is, and takes the record out of the patient's history.
        let inHistory = { () throws -> Int in
            let history = try #require(try fixture.registry.histories(patient: patient).first)
            return switch id.kind {
            case .adverseEvent: history.adverseEvents.count
            case .coIntervention: history.coInterventions.count
            default: history.infusions.count
            }
        }
        // Before: histories refuse a value they read that does not read (DamagedHistoryTests);
        // the dates they do not read (an adverse event's onset and resolution, a
        // co-intervention's) leave the record counted.
        switch (damage.table, damage.column) {
        case ("infusion", _), ("adverse_event", "grade"), ("adverse_event", "term"), ("co_intervention", "kind"):
            #expect(throws: RegistryError.self) { try inHistory() }
        default: #expect(try inHistory() == 1)
        }
        #expect(
            try fixture.registry.markEnteredInError(id, reason: "damaged; recorded again", actor: "n") == damage.record)
        let entity = ["adverse_event": "adverse-event", "co_intervention": "co-intervention", "infusion": "infusion"][
            damage.table]!
        #expect(try fixture.auditActions() == before + ["correct \(entity)"], "one audit row, for the marking")
        let after = try fixture.database().read {
            try Row.fetchOne(
                $0, sql: "SELECT \(damage.column) AS value, entered_in_error FROM \(damage.table) WHERE id = 1")
        }
        #expect(after?["value"] as String? == damage.value, "the stored values are written back as they were")
        #expect(after?["entered_in_error"] as Bool? == true)
        #expect(try inHistory() == 0)
    }
}

/// Expects `read` to stop with the storage error for a damaged value: naming the record and field
/// first, pointing to `verify` and to `remedy`, repeating neither the stored text nor the
/// patient's MRN.
func expectStoredValueRefused(
    _ description: String, names: String, stored value: String, remedy: RegistryError.Remedy,
    _ read: () throws -> Void
) {
    do {
        try read()
        Issue.record("read \(description) as if it were whole")
    } catch let error as RegistryError {
        #expect(error.kind == .storage)
        #expect(error.message.hasPrefix(names), "\(error.message)")
        #expect(
            error.remedies.first == .verifyRegistry && error.remedies.contains(remedy),
            "names the way out: \(error.remedies)")
        #expect(!error.message.contains("ketareg") && !error.message.contains("--"), "names no command or option")
        #expect(value.isEmpty || !error.message.contains(value), "the stored text is not repeated: \(error.message)")
        #expect(!error.message.contains("MRN-"), "no identity in the message")
    } catch {
        Issue.record("\(error)")
    }
}
