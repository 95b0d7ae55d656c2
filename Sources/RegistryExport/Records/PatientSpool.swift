import Crypto
import Foundation
import PayloadFormat
import RegistryCore
import RegistryStore

/// The treated patients of the records payload's one read, kept for its second pass in an unlinked
/// temporary file, in a compact binary form read back in the same order. It keeps what the
/// records rows are made from and nothing else: the internal row id (only its keyed hash is ever
/// sent), sex, age at day 0, conditions and the clinical rows (no identity, no infusion times, no
/// flags, adverse events or course markers). Reading it back costs a fraction of reading the
/// registry again, and the rows cannot change between the two passes.
final class PatientSpool {
    private let file: FileHandle
    private var buffer: [UInt8] = []
    private var input: [UInt8] = []
    private var position = 0
    private var atEnd = false

    init() throws {
        file = try unlinkedTemporaryFile()
        buffer.reserveCapacity(1 << 16)
    }

    deinit { try? file.close() }

    // MARK: Writing

    private func put(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) } }
    private func put(_ value: Int) { put(Int64(value)) }
    private func put(_ value: Double) { put(Int64(bitPattern: value.bitPattern)) }
    private func put(_ value: Bool) { buffer.append(value ? 1 : 0) }
    private func put(_ value: String) {
        var value = value
        value.withUTF8 { bytes in
            put(bytes.count)
            buffer.append(contentsOf: bytes)
        }
    }
    private func put(_ value: Int?) {
        put(value != nil)
        if let value { put(value) }
    }
    private func put(_ value: Double?) {
        put(value != nil)
        if let value { put(value) }
    }
    private func put(_ value: String?) {
        put(value != nil)
        if let value { put(value) }
    }

    func append(_ patient: ExportPatient) throws {
        let history = patient.history
        buffer.append(1)
        put(patient.rowID)
        put(patient.sex.rawValue)
        put(patient.ageAtDayZero)
        put(history.patient)
        put(history.enrolledOn.dayNumber)
        put(history.conditions.count)
        for condition in history.conditions { put(condition) }
        // The records builder copies an infusion given for several conditions once per condition
        // before anything reads it (PatientHistory.infusionsCopiedPerCondition): none is left here.
        put(history.infusions.count)
        for infusion in history.infusions {
            put(infusion.condition)
            put(infusion.date.dayNumber)
            put(infusion.minutes)
            put(infusion.doseMgPerKg)
            put(infusion.rateMgPerKgPerHour)
            put(infusion.route?.rawValue)
            put(infusion.drug.rawValue)
            put(infusion.doseMg)
        }
        put(history.assessments.count)
        for assessment in history.assessments {
            put(assessment.scale)
            put(assessment.date.dayNumber)
            put(assessment.timepoint.rawValue)
            put(assessment.score)
            put(assessment.subscores.count)
            for (name, value) in assessment.subscores {
                put(name)
                put(value)
            }
        }
        put(history.observations.count)
        for observation in history.observations {
            put(observation.date.dayNumber)
            put(observation.hoursFromStart)
            put(observation.bloodPressure?.systolic)
            put(observation.bloodPressure?.diastolic)
            put(observation.heartRate)
            put(observation.oxygenSaturation)
            put(observation.sedation)
            put(observation.dissociation)
            put(observation.respiratoryDepression)
        }
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        try file.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    // MARK: Reading

    private static let damaged = ExportError(
        "the records payload's temporary file could not be read back; nothing was stored")

    /// Makes `count` bytes available from `position`; false at the end of the file.
    private func need(_ count: Int) throws -> Bool {
        while input.count - position < count {
            guard !atEnd else { return false }
            if position > 0 {
                input.removeFirst(position)
                position = 0
            }
            guard let chunk = try file.read(upToCount: max(count, 1 << 20)), !chunk.isEmpty else {
                atEnd = true
                continue
            }
            input.append(contentsOf: chunk)
        }
        return true
    }

    private func int64() throws -> Int64 {
        guard try need(8) else { throw Self.damaged }
        var value: Int64 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: input[position..<(position + 8)]) }
        position += 8
        return Int64(littleEndian: value)
    }

    private func int() throws -> Int {
        let value = try int64()
        guard let narrowed = Int(exactly: value) else { throw Self.damaged }
        return narrowed
    }

    private func double() throws -> Double { Double(bitPattern: UInt64(bitPattern: try int64())) }

    private func bool() throws -> Bool {
        guard try need(1) else { throw Self.damaged }
        defer { position += 1 }
        return input[position] != 0
    }

    private func string() throws -> String {
        let count = try int()
        guard count >= 0, try need(count) else { throw Self.damaged }
        defer { position += count }
        return input.withUnsafeBufferPointer { String(decoding: $0[position..<(position + count)], as: UTF8.self) }
    }

    private func optional<Value>(_ read: () throws -> Value) throws -> Value? { try bool() ? try read() : nil }

    /// A date as its day number, checked before the calendar arithmetic.
    private func day() throws -> ClinicalDate {
        let number = try int()
        guard abs(number) < 100_000_000 else { throw Self.damaged }
        return ClinicalDate(dayNumber: number)
    }

    private func count() throws -> Int {
        let count = try int()
        guard count >= 0 else { throw Self.damaged }
        return count
    }

    private func next() throws -> ExportPatient? {
        guard try need(1) else { return nil }
        guard input[position] == 1 else { throw Self.damaged }
        position += 1
        let rowID = try int64()
        guard let sex = Sex(rawValue: try string()) else { throw Self.damaged }
        let age = try optional(int)
        let display = try string()
        let enrolledOn = try day()
        let conditions = try (0..<count()).map { _ in try string() }
        let infusions = try (0..<count()).map { _ in
            PatientHistory.Infusion(
                condition: try string(), date: try day(), minutes: try int(),
                doseMgPerKg: try optional(double), rateMgPerKgPerHour: try optional(double),
                route: try optional(string).map { route in
                    guard let known = InfusionRoute(rawValue: route) else { throw Self.damaged }
                    return known
                },
                drug: try { () throws -> Drug in
                    guard let drug = Drug(rawValue: try string()) else { throw Self.damaged }
                    return drug
                }(), doseMg: try optional(double))
        }
        let assessments = try (0..<count()).map { _ in
            let scale = try string()
            let date = try day()
            guard let timepoint = Timepoint(rawValue: try string()) else { throw Self.damaged }
            let score = try double()
            var subscores: [String: Double] = [:]
            for _ in 0..<(try count()) { subscores[try string()] = try double() }
            return PatientHistory.Assessment(
                scale: scale, date: date, timepoint: timepoint, score: score, subscores: subscores)
        }
        let observations = try (0..<count()).map { _ in
            let date = try day()
            let hours = try int()
            let systolic = try optional(int)
            let diastolic = try optional(int)
            return PatientHistory.Observation(
                date: date, hoursFromStart: hours,
                bloodPressure: systolic.flatMap { systolic in
                    diastolic.map { BloodPressure(systolic: systolic, diastolic: $0) }
                },
                heartRate: try optional(int), oxygenSaturation: try optional(int), sedation: try bool(),
                dissociation: try bool(),
                respiratoryDepression: try bool())
        }
        return ExportPatient(
            rowID: rowID, sex: sex, ageAtDayZero: age,
            history: PatientHistory(
                patient: display, conditions: conditions, enrolledOn: enrolledOn, infusions: infusions,
                assessments: assessments, observations: observations))
    }

    /// Every patient appended, in order.
    func forEach(_ body: (ExportPatient) throws -> Void) throws {
        try flush()
        try file.seek(toOffset: 0)
        input.removeAll()
        position = 0
        atEnd = false
        while let patient = try next() { try body(patient) }
    }
}
