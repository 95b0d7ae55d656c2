import Depression
import Foundation
import GRDB
import Migraine
import NeuropathicPain
import RegistryCore
import RegistryTestSupport
import Testing

@testable import RegistryStore

@Suite("Audit trail")
struct AuditTests {
    @Test("Every change writes an audit row in its transaction, with actor, before, after and reason")
    func everyChangeAudited() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll()
        let date = try ClinicalDate.parse("2026-01-12", field: "d")
        let infusion = try fixture.registry.addInfusion(
            InfusionEntry(
                date: date, dosing: .dose(mgPerKg: 0.5), weightKg: 80, minutes: 40,
                adverseEvents: [AdverseEventEntry(term: .nausea, grade: .mild, onset: date)]),
            patient: patient, actor: "nurse.b")
        let scored = try fixture.catalog.assess(scale: "phq9", answers: [1, 1, 1, 1, 1, 1, 1, 1, 0])
        let assessment = try fixture.registry.addAssessment(
            scored, patient: patient, on: date, timepoint: .baseline, actor: "nurse.b")
        _ = try fixture.registry.addAdverseEvent(
            AdverseEventEntry(term: .headache, grade: .moderate, onset: date), patient: patient,
            infusion: RecordID(infusion.id), actor: "nurse.b")
        _ = try fixture.registry.addCoIntervention(
            CoInterventionEntry(kind: .yoga, from: date), patient: patient, actor: "nurse.b")
        _ = try fixture.registry.correctAssessment(
            RecordID(assessment.id)!, answers: [1, 1, 1, 1, 1, 1, 1, 1, 2], on: nil, timepoint: nil,
            enteredInError: nil, catalog: fixture.catalog, reason: "item 9 misread", actor: "dr.c")
        _ = try fixture.registry.correctInfusion(RecordID(infusion.id)!, reason: "pump log says 45", actor: "dr.c") {
            $0.minutes = 45
        }
        _ = try fixture.registry.withdrawConsent(patient, on: date, reason: "moving away", actor: "dr.c")

        #expect(
            try fixture.auditActions() == [
                "enroll patient", "add adverse-event", "add infusion", "add assessment", "add adverse-event",
                "add co-intervention", "correct assessment", "raise flag", "correct infusion",
                "withdraw-consent patient",
            ])
        let trail = try fixture.registry.auditTrail(for: RecordID(assessment.id)!)
        #expect(trail.count == 2)
        let correction = try #require(trail.last)
        #expect(correction.actor == "dr.c")
        #expect(correction.reason == "item 9 misread")
        #expect(correction.before?.contains("\"score\":8") == true)
        #expect(correction.after?.contains("\"score\":10") == true)
        #expect(correction.after?.contains("suicide-risk") == true)
        #expect(try fixture.registry.auditTrail(for: patient).count == 10)  // with the flag the corrected item 9 raised
        #expect(try fixture.registry.flags(patient: patient).map(\.source) == [assessment.id])
    }

    @Test("Identifying fields are never copied into the audit trail")
    func noIdentityInAudit() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        try fixture.enroll(mrn: "MRN-77321")
        let audit = try fixture.database().read {
            try String.fetchAll($0, sql: "SELECT COALESCE(before, '') || COALESCE(after, '') FROM audit")
        }.joined()
        for identifying in ["MRN-77321", "Zebulon", "Quixwater", "1971-04-09"] {
            #expect(!audit.contains(identifying))
        }
    }

    @Test("The database itself refuses UPDATE and DELETE of audit rows")
    func appendOnly() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        try fixture.enroll()
        let database = try fixture.database()
        #expect(throws: DatabaseError.self) {
            try database.write { try $0.execute(sql: "UPDATE audit SET actor = 'someone else'") }
        }
        #expect(throws: DatabaseError.self) { try database.write { try $0.execute(sql: "DELETE FROM audit") } }
        #expect(try database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM audit") } == 1)
    }

    @Test("Foreign keys hold: no clinical row for a patient that does not exist")
    func foreignKeys() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let database = try fixture.database()
        #expect(throws: DatabaseError.self) {
            try database.write {
                try $0.execute(
                    sql: """
                        INSERT INTO assessment (patient_id, condition_id, scale_id, scale_version, assessed_on, timepoint, answers, score, subscores, flags)
                        VALUES (999, 'depression', 'phq9', '1.0', '2026-01-01', 'baseline', '[]', 0, '{}', '[]')
                        """)
            }
        }
        try fixture.enroll()
        #expect(throws: DatabaseError.self) { try database.write { try $0.execute(sql: "DELETE FROM patient") } }
    }
}

@Suite("Audit JSON")
struct AuditJSONTests {
    @Test(
        "Every record's audit image, written by hand from its row, is its view as Foundation writes it, odd text and all"
    )
    func auditImagesAreViews() throws {
        let odd = "q\"uote \\ é\u{8}\u{1}/\n\u{7F}"
        let day = try ClinicalDate.parse("2026-01-12", field: "d")
        let catalog = try ConditionCatalog([DepressionModule(), NeuropathicPainModule()])
        var checked = 0
        for (scale, answers) in [
            ("phq9", [0, 1, 2, 3, 0, 1, 2, 3, 1]), ("bpi-sf", [8, 3, 5, 5, 5, nil, nil, nil, nil, 5, 5]),
        ]
            as [(String, [Int?])]
        {
            var row = AssessmentRow(
                patientId: 3, scored: try catalog.assess(scale: scale, answers: answers), on: day, timepoint: .followUp)
            row.id = 7
            (row.conditionId, row.scaleVersion, row.band) = (odd, odd, scale == "phq9" ? odd : nil)
            row.flags = encodeWithFoundation([odd, ""])
            if scale == "bpi-sf" { row.subscores = encodeWithFoundation([odd: 1.5, "b": -0.0, "a": 1e-7, "": 12]) }
            #expect(row.auditImage == encodeWithFoundation(try row.view()))
            checked += 1
        }
        for (term, grade) in [(AdverseEventTerm.nausea, AdverseEventGrade.mild), (.diplopiaBlurredVision, .severe)] {
            for infusion in [nil, 4] as [Int64?] {
                var row = AdverseEventRow(
                    patientId: 3, infusionId: infusion,
                    entry: AdverseEventEntry(
                        term: term, grade: grade, serious: infusion == nil, onset: day,
                        resolvedOn: infusion == nil ? nil : day))
                row.id = 2
                row.enteredInError = infusion != nil
                #expect(row.auditImage == encodeWithFoundation(try row.view()))
                checked += 1
            }
        }
        for to in [nil, day] {
            var row = CoInterventionRow(
                patientId: 3, entry: CoInterventionEntry(kind: .essentialOil, from: day, to: to))
            row.id = 5
            #expect(row.auditImage == encodeWithFoundation(try row.view()))
            checked += 1
        }
        for (kind, courseKind, reason) in [("start", "re-treatment", nil), ("end", nil, odd), ("start", nil, odd)] {
            let row = CourseEventRow(
                id: 9, patientId: 3, conditionId: odd, kind: kind, onDate: "2026-01-12", courseKind: courseKind,
                reason: reason, enteredInError: reason == nil)
            #expect(row.auditImage == encodeWithFoundation(try row.view()))
            checked += 1
        }
        #expect(checked == 11)
    }

    @Test(
        "A record whose stored word was changed behind the program's back keeps an audit image (the stored text) but gives no view"
    )
    func damagedWordsKeepTheirImage() throws {
        let course = CourseEventRow(
            id: 9, patientId: 3, conditionId: "migraine", kind: "pause", onDate: "2026-01-02", courseKind: nil,
            reason: nil, enteredInError: false)
        #expect(course.auditImage.contains(#""kind":"pause""#))
        #expect(throws: RegistryError.self) { try course.view() }
        var event = AdverseEventRow(
            patientId: 3, infusionId: nil,
            entry: AdverseEventEntry(
                term: .nausea, grade: .severe, onset: try ClinicalDate.parse("2026-01-02", field: "d")))
        event.id = 2
        event.grade = "Severe"
        #expect(event.auditImage.contains(#""grade":"Severe""#))
        do {
            _ = try event.view()
            Issue.record("a grade not in the vocabulary gave a view")
        } catch let error as RegistryError {
            #expect(error.message.hasPrefix("the grade of AE-000002: not one of mild, moderate, severe"), "\(error)")
            #expect(error.remedies.contains(.markEnteredInError))
        }
    }

    @Test("Assessments written to the audit trail by hand read exactly as Foundation's encoder writes them")
    func handEncodedAssessments() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll(conditions: ["depression", "neuropathic-pain"])
        let date = try ClinicalDate.parse("2026-01-12", field: "d")
        // A PHQ-9 with an item missing is refused before anything is stored.
        #expect(throws: (any Error).self) {
            try fixture.catalog.assess(scale: "phq9", answers: [1, 1, 1, nil, 1, 1, 1, 1, 2])
        }
        for (scale, answers) in [
            ("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 0]), ("phq9", [1, 1, 1, 1, 1, 1, 1, 1, 2]),
            ("bpi-sf", [8, 3, 5, 5, 5, 6, 4, 5, 5, 5, 5]), ("bpi-sf", [8, 3, 5, 5, 5, nil, nil, nil, nil, 5, 5]),
            ("cadss6", [0, 1, 2, 3, 4, 2]),
        ] as [(String, [Int?])] {
            let scored = try fixture.catalog.assess(scale: scale, answers: answers)
            let view = try fixture.registry.addAssessment(
                scored, patient: patient, on: date, timepoint: .baseline, repeat: true, actor: "n")
            let stored = try #require(try fixture.registry.auditTrail(for: RecordID(view.id)!).first?.after)
            #expect(stored == encodeWithFoundation(view))
        }
    }

    @Test(
        "Audit timestamps are ISO 8601 in UTC to the millisecond (worked out by Python's datetime)",
        arguments: [
            (0.0, "1970-01-01T00:00:00.000Z"), (1795000000.125, "2026-11-18T11:06:40.125Z"),
            (951782400.875, "2000-02-29T00:00:00.875Z"),
            (-86400.5, "1969-12-30T23:59:59.500Z"), (253402300799.5, "9999-12-31T23:59:59.500Z"),
        ])
    func timestamps(seconds: Double, expected: String) {
        #expect(isoTimestamp(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test(
        "The audit chain's hash of a row is SHA-256 over the previous hash and each field with its byte length (a vector worked out by Python's hashlib)"
    )
    func auditChainVector() {
        let fields: [String?] = [
            "7", "2026-11-26T10:00:00.000Z", "nurse.a", "root", "add", "assessment", "A-000007", "P-000001", nil,
            #"{"score":12,"note":"é"}"#, nil,
        ]
        #expect(
            AuditChain.hash(previous: AuditChain.genesis, fields: fields)
                == "ec4037ea119dad5dcda8e1ee049d01ac54cd2e5f06ee7d976f73bf108815828f")
    }

    @Test(
        "A row's hash, worked out from the row, is the hash `verify` works out from its fields (lengths of 0 to 4 digits, absent fields)"
    )
    func auditChainRowAndFields() {
        for length in [0, 1, 9, 10, 99, 100, 999, 1000, 12_345] {
            let text = String(repeating: "é", count: length / 2) + String(repeating: "x", count: length % 2)
            for withOptionals in [false, true] {
                let row = AuditRow(
                    id: Int64(length + 1), at: "2026-11-26T10:00:00.000Z", actor: text, action: "add",
                    entity: "assessment",
                    entityId: "A-000007", patient: withOptionals ? text : nil, before: withOptionals ? "{}" : nil,
                    after: text,
                    reason: withOptionals ? text : nil, account: withOptionals ? "root" : nil)
                let fields: [String?] = [
                    row.id.map(String.init), row.at, row.actor, row.account, row.action, row.entity, row.entityId,
                    row.patient, row.before, row.after, row.reason,
                ]
                #expect(
                    AuditChain.hash(previous: AuditChain.genesis, row: row)
                        == AuditChain.hash(previous: AuditChain.genesis, fields: fields))
            }
        }
    }

    @Test("Infusions written to the audit trail by hand read exactly as Foundation's encoder writes them")
    func handEncodedInfusions() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll(conditions: ["depression", "neuropathic-pain"])
        let date = try ClinicalDate.parse("2026-01-12", field: "d")
        let entries = [
            InfusionEntry(condition: "depression", date: date, dosing: .dose(mgPerKg: 0.5), minutes: 40),
            InfusionEntry(
                condition: "depression", date: date, time: try ClockTime.parse("09:05", field: "at"),
                dosing: .dose(mgPerKg: 0.75),
                weightKg: 81.3, totalMg: 61, minutes: 40, route: .iv,
                bloodPressureBefore: BloodPressure(systolic: 128, diastolic: 84),
                bloodPressureAfter: BloodPressure(systolic: 142, diastolic: 90),
                bloodPressureAtDischarge: BloodPressure(systolic: 130, diastolic: 85), heartRate: 72,
                oxygenSaturation: 97,
                monitoringMinutes: 120,
                concomitantMedication: ["lorazepam \"1 mg\"", "ondansetron/4mg", "métoclopramide\n"],
                sedation: true, dissociation: true, respiratoryDepression: false,
                adverseEvents: [AdverseEventEntry(term: .nausea, grade: .mild, onset: date)]),
            InfusionEntry(
                condition: "neuropathic-pain", date: date, dosing: .rate(mgPerKgPerHour: 0.76), weightKg: 70,
                minutes: 4320),
        ]
        for entry in entries {
            let view = try fixture.registry.addInfusion(entry, patient: patient, actor: "n")
            let stored = try #require(try fixture.registry.auditTrail(for: RecordID(view.id)!).first?.after)
            #expect(stored == encodeWithFoundation(view))
            #expect(
                try fixture.registry.patientPage(patient).infusions.first { $0.id == view.id } == view,
                "read back as written")
        }
    }

    @Test(
        "Enrolments and patient changes written to the audit trail by hand read exactly as Foundation's encoder writes them"
    )
    func handEncodedPatients() {
        let odd = "line\nbreak \"quoted\" back\\slash a/b é \u{1} \u{8}\u{C}\u{1F}\t\r\u{7F}"
        let patients = [
            AuditedPatient(
                sex: "female", enrolledOn: "2026-01-02", conditions: ["depression"], researchConsent: true,
                consentWithdrawnOn: nil, consentWithdrawalReason: nil, priorTreatments: [], endedConditions: nil,
                identity: "hmac-sha256:00"),
            AuditedPatient(
                sex: "unknown", enrolledOn: "2026-01-02", conditions: ["depression", "neuropathic-pain", odd],
                researchConsent: false,
                consentWithdrawnOn: "2026-03-04", consentWithdrawalReason: odd,
                priorTreatments: [
                    PriorTreatment(category: .antidepressants, adequateTrials: 2),
                    PriorTreatment(category: .migrainePreventives),
                ],
                endedConditions: ["neuropathic-pain": "2026-02-01", "depression": "2026-02-03", odd: odd],
                identity: odd),
            AuditedPatient(
                sex: "male", enrolledOn: "2026-01-02", conditions: [], researchConsent: false,
                consentWithdrawnOn: nil, consentWithdrawalReason: "only a reason",
                priorTreatments: [PriorTreatment(category: .other, adequateTrials: 0)],
                endedConditions: [:], identity: AuditedPatient.unsealed),
        ]
        for patient in patients {
            #expect(encodeJSON(patient) == encodeWithFoundation(patient))
        }
        for list in [[], [odd], ["a", "", "b/c"]] as [[String]] {
            #expect(jsonStringList(list) == encodeWithFoundation(list))
        }
    }

    @Test(
        "Safety flags written to the audit trail by hand read exactly as Foundation's encoder writes them, and as the flag reads back"
    )
    func handEncodedFlags() throws {
        let odd = "line\nbreak \"quoted\" back\\slash a/b é \u{1} \u{8}\u{C}\u{1F}\t\r\u{7F}"
        for view in [
            SafetyFlagView(
                id: "F-000001", patient: "P-000001", flag: "suicidal-ideation", rule: odd, source: "A-000002",
                raisedOn: "2026-01-12",
                state: .open, reviewedBy: nil, reviewedAt: nil, action: nil),
            SafetyFlagView(
                id: "F-000002", patient: "P-000001", flag: "x", rule: "r", source: "I-000002", raisedOn: "2026-01-12",
                state: .reviewed, reviewedBy: odd, reviewedAt: "2026-01-13T10:00:00.000Z", action: odd),
            SafetyFlagView(
                id: "F-000003", patient: "P-000001", flag: "x", rule: "r", source: "I-000002", raisedOn: "2026-01-12",
                state: .reviewed, reviewedBy: nil, reviewedAt: nil, action: ""),
        ] {
            #expect(encodeJSON(view) == encodeWithFoundation(view))
        }
        // A flag raised by a recorded reading: its audit row is what `flag list` shows for it.
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let patient = try fixture.enroll(conditions: ["depression"])
        let date = try ClinicalDate.parse("2026-01-12", field: "d")
        _ = try fixture.registry.addInfusion(
            InfusionEntry(
                condition: "depression", date: date, dosing: .dose(mgPerKg: 0.5), minutes: 40,
                oxygenSaturation: 85), patient: patient, actor: "n")
        let raised = try fixture.registry.flags(patient: patient)
        #expect(raised.count == 1)
        for flag in raised {
            let stored = try #require(try fixture.registry.auditTrail(for: RecordID(flag.id)!).first?.after)
            #expect(stored == encodeWithFoundation(flag))
        }
    }

    func encodeWithFoundation<View: Encodable>(_ view: View) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(view), as: UTF8.self)
    }
}
