import Foundation
import PayloadFormat
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

@testable import RegistryExport

/// The records payload as it was first built: every patient in memory, each step's groups by the
/// full signature string, the payload a value encoded whole by `JSONEncoder`. The streaming
/// builder must give these bytes exactly.
private func referencePayload(
    patients: [ExportPatient], pseudonyms: Pseudonymizer, clinic: String?, k: Int,
    auditChainHead: String?
) throws -> Data {
    var released: [(ExportPatient, RecordsBuilder.Released)] = []
    var remaining = patients.filter { !$0.history.infusions.isEmpty }
    var counts: [GeneralisationCount] = []
    for step in RecordsGeneralisation.steps.indices {
        let stepped = remaining.compactMap { patient in
            RecordsBuilder.rows(
                patient, step: step, pseudonym: pseudonyms.pseudonym(for: patient.rowID), catalog: catalog
            ).map { (patient, $0) }
        }
        let sizes = Dictionary(grouping: stepped, by: { $0.1.signature }).mapValues(\.count)
        let kept = stepped.filter { sizes[$0.1.signature]! >= k }
        counts.append(GeneralisationCount(step: RecordsGeneralisation.steps[step], patients: kept.count))
        released += kept
        let keptIDs = Set(kept.map(\.0.rowID))
        remaining = remaining.filter { !keptIDs.contains($0.rowID) }
    }
    let withheldRows =
        remaining.reduce(0) {
            $0 + $1.history.assessments.count + $1.history.infusionsCopiedPerCondition().infusions.count
                + $1.history.observations.count
        }
        + released.filter { $0.1.patient.detail == RecordsGeneralisation.steps.last }
        .reduce(0) { $0 + $1.0.history.infusionsCopiedPerCondition().infusions.count + $1.0.history.observations.count }
    let ordered = released.sorted { $0.0.rowID < $1.0.rowID }.map(\.1)
    var payload = RecordsPayload(
        schema: RecordsPayload.schemaID, generator: "ketareg test", clinic: clinic, period: "2026-11", k: k,
        patients: ordered.map(\.patient), assessments: ordered.flatMap(\.assessments),
        infusions: ordered.flatMap(\.infusions),
        observations: ordered.flatMap(\.observations), generalisation: counts,
        generalisedPatients: counts.dropFirst().reduce(0) { $0 + $1.patients },
        withheldPatients: remaining.count, withheldRows: withheldRows)
    payload.auditChainHead = auditChainHead
    let conditionIDs = Set(payload.patients.flatMap(\.conditions)).sorted()
    let scaleIDs = Set(payload.assessments.map(\.scale)).sorted()
    let vocabulary =
        conditionIDs.compactMap { id in
            catalog.condition(id).flatMap {
                $0.codes.isEmpty ? nil : VocabularyEntry(kind: "condition", id: id, codes: $0.codes)
            }
        }
        + scaleIDs.compactMap { id in
            catalog.scale(id).flatMap {
                $0.codes.isEmpty ? nil : VocabularyEntry(kind: "scale", id: id, codes: $0.codes)
            }
        }
    payload.codes = vocabulary.isEmpty ? nil : vocabulary
    // The protocols of the courses of the released patients whose treatment is sent, by condition,
    // each when at least k of them had a course under it.
    var protocolPatients: [ProtocolUse: Int] = [:]
    for (patient, rows) in released where rows.patient.detail != RecordsGeneralisation.steps.last {
        var protocols: Set<ProtocolUse> = []
        defer { for use in protocols { protocolPatients[use, default: 0] += 1 } }
        for condition in patient.history.conditions {
            guard let module = catalog.condition(condition) else { continue }
            for course in CourseTimeline(condition: module, history: patient.history).courses {
                protocols.insert(
                    ProtocolUse(
                        condition: condition, protocol: course.treatment.reference, course: course.plan.description))
            }
        }
    }
    let named = protocolPatients.filter { $0.value >= k }.keys
    payload.protocols =
        named.isEmpty ? nil : named.sorted { ($0.condition, $0.protocol) < ($1.condition, $1.protocol) }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(payload)
}

/// Patients drawn so that groups form at every step: few ages, sexes and patterns of care, some
/// untreated, some with observations, fractional scores and subscores.
private func randomPatients(count: Int, generator: inout SeededGenerator) -> [ExportPatient] {
    let dayZero = ClinicalDate(year: 2026, month: 1, day: 1)!
    let conditions: [(id: String, scales: [String])] = [
        ("depression", ["phq9", "madrs"]), ("migraine", ["headache-nrs", "mhd"]),
        ("neuropathic-pain", ["pain-nrs", "dn4"]),
    ]
    return (1...count).map { index in
        let condition = conditions[Int.random(in: 0..<3, using: &generator)]
        let both = Int.random(in: 0..<8, using: &generator) == 0
        let enrolled = both ? [condition.id, "depression"].uniqued() : [condition.id]
        let treated = Int.random(in: 0..<10, using: &generator) > 0
        let pattern = Int.random(in: 0..<3, using: &generator)
        let days = treated ? Array([[0, 3, 7], [0, 2, 4, 9], [0, 7, 14, 21, 28, 35]][pattern]) : []
        // Some patients (every seventh given doses by weight) have esketamine sessions in devices or
        // sublingual ketamine in mg instead, so that the drug and the fixed dose's band are in the
        // signatures.
        let fixed = pattern == 0 && index % 7 == 3 ? (index % 2 == 0 ? 56.0 : 30.0) : nil
        let infusions = days.map { day in
            PatientHistory.Infusion(
                condition: condition.id, date: dayZero.adding(days: day),
                minutes: pattern == 2 ? 2880 : [40, 40, 40, 90][Int.random(in: 0..<4, using: &generator)],
                doseMgPerKg: pattern == 2 || fixed != nil
                    ? nil : [0.5, 0.5, 0.5, 0.8][Int.random(in: 0..<4, using: &generator)],
                rateMgPerKgPerHour: pattern == 2 ? 0.3 : nil,
                route: fixed == 56 ? .intranasal : fixed != nil ? .sublingual : pattern == 1 ? nil : .iv,
                // Some patients of two conditions are given each infusion for both.
                alsoFor: both && condition.id != "depression" && index % 2 == 0 ? ["depression"] : [],
                drug: fixed == 56 ? .esketamine : .ketamine, doseMg: fixed)
        }
        var assessments: [PatientHistory.Assessment] = []
        var points: [(Int, Timepoint)] = [(-1, .baseline)]
        if let last = days.last { points.append((last + 1, .postInfusion)) }
        points.append((60, .followUp))
        for scale in condition.scales.prefix(Int.random(in: 0..<5, using: &generator) == 0 ? 2 : 1) {
            for (offset, timepoint) in points {
                let score =
                    Double(Int.random(in: 0...20, using: &generator))
                    / (Int.random(in: 0..<4, using: &generator) == 0 ? 3 : 1)
                let subscores: [String: Double] =
                    Int.random(in: 0..<6, using: &generator) == 0 ? ["item10": 2, "item9": 1.5, "a/b": -0.25] : [:]
                assessments.append(
                    PatientHistory.Assessment(
                        scale: scale, date: dayZero.adding(days: offset), timepoint: timepoint, score: score,
                        subscores: subscores))
            }
        }
        let observations = infusions.prefix(Int.random(in: 0..<6, using: &generator) == 0 ? 1 : 0).enumerated().map {
            number, infusion in
            PatientHistory.Observation(
                date: infusion.date, hoursFromStart: number,
                bloodPressure: Bool.random(using: &generator)
                    ? BloodPressure(systolic: 120 + number, diastolic: 80) : nil,
                heartRate: Bool.random(using: &generator) ? 72 : nil,
                oxygenSaturation: Bool.random(using: &generator) ? 97 : nil,
                sedation: Bool.random(using: &generator), dissociation: Bool.random(using: &generator),
                respiratoryDepression: false)
        }
        return ExportPatient(
            rowID: Int64(index * 3), sex: [Sex.female, .male, .other][Int.random(in: 0..<3, using: &generator)],
            ageAtDayZero: [nil, 30, 40, 42, 50, 70, 95][Int.random(in: 0..<7, using: &generator)],
            history: PatientHistory(
                patient: "P-\(index)", conditions: enrolled, enrolledOn: dayZero.adding(days: -10),
                infusions: infusions, assessments: assessments, observations: observations))
    }
}

extension Array where Element: Hashable {
    fileprivate func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}

@Suite("Records payload written in a stream")
struct RecordsStreamingTests {
    let pseudonyms = Pseudonymizer(secret: Data(repeating: 9, count: 32), endpoint: "network")
    let validator = try! SchemaValidator(schema: PayloadSchemas.text(for: RecordsPayload.schemaID)!)

    func streamed(_ patients: [ExportPatient], clinic: String?, k: Int, head: String?, reads: inout Int) throws -> (
        Data, pieces: Int
    ) {
        var data = Data()
        var pieces = 0
        let read = try RecordsBuilder.write(
            forEachPatient: { body in
                reads += 1
                try patients.forEach(body)
            }, catalog: catalog, pseudonyms: pseudonyms,
            clinic: clinic, period: "2026-11", k: k, generator: "ketareg test", auditChainHead: head,
            validator: validator
        ) {
            data.append($0)
            pieces += 1
        }
        #expect(read == patients.count)
        return (data, pieces)
    }

    @Test(
        "The streamed bytes are exactly the whole payload encoded at once, for random clinics, k and clinic names",
        arguments: [
            (UInt64(1), 2), (2, 3), (3, 5), (4, 5), (5, 11), (6, 1),
        ])
    func sameBytes(seed: UInt64, k: Int) throws {
        var generator = SeededGenerator(seed: seed)
        let patients = randomPatients(count: 150 + Int(seed) * 60, generator: &generator)
        let clinic = [nil, "Clinic \"Nord\" / Süd\\ward\n\t\u{1}", "Ketamine clinic"][Int(seed % 3)]
        let head = seed % 2 == 0 ? String(repeating: "ab", count: 32) : nil
        var reads = 0
        let (bytes, pieces) = try streamed(patients, clinic: clinic, k: k, head: head, reads: &reads)
        let expected = try referencePayload(
            patients: patients, pseudonyms: pseudonyms, clinic: clinic, k: k, auditChainHead: head)
        #expect(bytes == expected)
        #expect(reads == 1)
        #expect(pieces >= 5)
        #expect(validator.problems(in: bytes).isEmpty)
        // Groups formed at more than one step, and some patients were withheld: the cases differ.
        let payload = try JSONDecoder().decode(RecordsPayload.self, from: bytes)
        if k > 1 {
            #expect(
                payload.generalisation.filter { $0.patients > 0 }.count >= (k > 5 ? 2 : 3), "\(payload.generalisation)")
            #expect(payload.withheldPatients > 0)
        }
        #expect(
            payload.patients.count + payload.withheldPatients == patients.filter { !$0.history.infusions.isEmpty }.count
        )
    }

    @Test("No patient, or none treated: empty arrays, as the encoder writes them")
    func empty() throws {
        var generator = SeededGenerator(seed: 9)
        let untreated = randomPatients(count: 30, generator: &generator).map {
            ExportPatient(
                rowID: $0.rowID, sex: $0.sex, ageAtDayZero: $0.ageAtDayZero,
                history: PatientHistory(
                    patient: $0.history.patient, conditions: $0.history.conditions, enrolledOn: $0.history.enrolledOn,
                    infusions: [], assessments: $0.history.assessments))
        }
        for patients in [[], untreated] {
            var reads = 0
            let (bytes, _) = try streamed(patients, clinic: nil, k: 5, head: nil, reads: &reads)
            #expect(
                bytes
                    == (try referencePayload(
                        patients: patients, pseudonyms: pseudonyms, clinic: nil, k: 5, auditChainHead: nil)))
            #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#"{"assessments":[],"generalisation":["#))
        }
    }

    @Test("A row that breaks the schema stops the payload before any byte is given out, and the error names the row")
    func invalidRow() throws {
        var generator = SeededGenerator(seed: 4)
        var patients = randomPatients(count: 40, generator: &generator).filter { !$0.history.infusions.isEmpty }
        // A scale id the schema's id pattern refuses (a declarative module could not have loaded it).
        let last = patients.removeLast()
        patients += (0..<6).map { offset in
            ExportPatient(
                rowID: 10_000 + Int64(offset), sex: .female, ageAtDayZero: 40,
                history: PatientHistory(
                    patient: "P-x", conditions: ["depression"], enrolledOn: last.history.enrolledOn,
                    infusions: [last.history.infusions[0]],
                    assessments: [
                        PatientHistory.Assessment(
                            scale: "PHQ 9", date: last.history.infusions[0].date, timepoint: .baseline, score: 3)
                    ]))
        }
        var given = 0
        let error = #expect(throws: ExportError.self) {
            try RecordsBuilder.write(
                forEachPatient: { body in try patients.forEach(body) }, catalog: catalog, pseudonyms: pseudonyms,
                clinic: nil,
                period: "2026-11", k: 2, generator: "t", auditChainHead: nil, validator: validator
            ) { _ in given += 1 }
        }
        #expect(given == 0)
        let message = try #require(error).description
        #expect(
            message.contains("/assessments/") && message.contains("/scale")
                && message.contains("'PHQ 9' does not match"))
        #expect(message.contains("was not stored"))
    }

    @Test(
        "The spool gives back, in order, every patient with what the rows are made from: odd text, subscores, absent values, observations"
    )
    func spoolRoundTrip() throws {
        var generator = SeededGenerator(seed: 5)
        var patients = randomPatients(count: 300, generator: &generator)
        // Text the spool must keep byte for byte, and values at their edges.
        let first = patients[0].history
        patients.append(
            ExportPatient(
                rowID: Int64.max, sex: .other, ageAtDayZero: nil,
                history: PatientHistory(
                    patient: "P-ü\u{0}\"x", conditions: ["dé\npression", ""], enrolledOn: first.enrolledOn,
                    infusions: [
                        PatientHistory.Infusion(
                            condition: "日本", date: first.enrolledOn, time: ClockTime(hour: 10, minute: 10), minutes: 1,
                            doseMgPerKg: -0.0, rateMgPerKgPerHour: .greatestFiniteMagnitude, route: nil)
                    ],
                    assessments: [
                        PatientHistory.Assessment(
                            scale: "s", date: first.enrolledOn.adding(days: -40_000), timepoint: .baseline, score: -1.5,
                            subscores: ["a": 1e-300, "é": -2], flags: ["dropped"])
                    ],
                    observations: [
                        PatientHistory.Observation(
                            date: first.enrolledOn, hoursFromStart: 0,
                            bloodPressure: BloodPressure(systolic: 1, diastolic: 0),
                            heartRate: nil, oxygenSaturation: 100, sedation: true, dissociation: false,
                            respiratoryDepression: true)
                    ])))
        let spool = try PatientSpool()
        for patient in patients { try spool.append(patient) }
        var back: [ExportPatient] = []
        try spool.forEach { back.append($0) }
        #expect(back.count == patients.count)
        for (original, read) in zip(patients, back) {
            #expect(
                read.rowID == original.rowID && read.sex == original.sex && read.ageAtDayZero == original.ageAtDayZero)
            let history = original.history
            // Kept: what the rows are made from. Not kept: infusion times and assessment flags.
            let expected = PatientHistory(
                patient: history.patient, conditions: history.conditions, enrolledOn: history.enrolledOn,
                infusions: history.infusions.map {
                    PatientHistory.Infusion(
                        condition: $0.condition, date: $0.date, minutes: $0.minutes,
                        doseMgPerKg: $0.doseMgPerKg, rateMgPerKgPerHour: $0.rateMgPerKgPerHour, route: $0.route,
                        drug: $0.drug, doseMg: $0.doseMg)
                },
                assessments: history.assessments.map {
                    PatientHistory.Assessment(
                        scale: $0.scale, date: $0.date, timepoint: $0.timepoint,
                        score: $0.score, subscores: $0.subscores)
                },
                observations: history.observations)
            #expect(read.history == expected)
        }
        // A second pass reads the same again.
        var again = 0
        try spool.forEach { _ in again += 1 }
        #expect(again == patients.count)
    }

    @Test("The signatures the first read keeps are the rows' own, at every step")
    func signatures() throws {
        var generator = SeededGenerator(seed: 11)
        let patients = randomPatients(count: 200, generator: &generator)
        for patient in patients {
            let fast = RecordsBuilder.signatures(patient)
            let slow = RecordsGeneralisation.steps.indices.compactMap {
                RecordsBuilder.rows(patient, step: $0, pseudonym: "x", catalog: catalog)?.signature
            }
            #expect(fast ?? [] == slow)
        }
        // What the first read keeps: two patients' digests at a step are equal exactly when their
        // signatures are, pair by pair (the random clinic has many equal signatures at the later steps).
        let parts = RecordsBuilder.PatientParts()
        var kept: [([RecordsBuilder.SignatureDigest], [String])] = []
        for patient in patients {
            var digests: [RecordsBuilder.SignatureDigest] = []
            let signatures = RecordsBuilder.signatures(patient)
            #expect(
                RecordsBuilder.signatureDigests(patient, patientParts: parts, into: &digests) == (signatures != nil))
            #expect(digests.count == (signatures?.count ?? 0))
            if let signatures { kept.append((digests, signatures)) }
        }
        var equalPairs = 0
        var differentPairs = 0
        for first in kept.indices {
            for second in kept.indices where second > first {
                for step in RecordsGeneralisation.steps.indices {
                    let same = kept[first].1[step] == kept[second].1[step]
                    #expect((kept[first].0[step] == kept[second].0[step]) == same)
                    if same { equalPairs += 1 } else { differentPairs += 1 }
                }
            }
        }
        #expect(equalPairs > 100 && differentPairs > 100)
        // 16 bytes per patient and step: what the first read holds in memory.
        #expect(MemoryLayout<RecordsBuilder.SignatureDigest>.stride == 16)
        #expect(
            patients.contains { RecordsBuilder.signatures($0) == nil }
                && patients.contains { !$0.history.observations.isEmpty })
    }

    @Test(
        "Whole numbers in a signature are written as String writes them",
        arguments: [0, 7, 10, -1, -7, -10, 123456, Int.max, Int.min])
    func decimals(value: Int) {
        var out: [UInt8] = [UInt8(ascii: "x")]
        appendDecimal(value, to: &out)
        #expect(out == Array(("x" + String(value)).utf8))
    }

    @Test(
        "Numbers are written as the encoder writes them",
        arguments: [
            0.0, -0.0, 1, -3, 12.5, 1.0 / 3, 2e-7, 1e15, -1e15, 9.007199254740992e15, 1e16, 123_456_789_012_345_678,
            -1e300,
        ])
    func numbers(value: Double) throws {
        var out: [UInt8] = []
        RowWriter.write([("score", .number(value))], into: &out)
        #expect(Data(out) == (try JSONEncoder().encode(["score": value])))
    }
}
