import Crypto
import Foundation
import PayloadFormat
import RegistryCore
import RegistryStore

/// The steps a patient's quasi-identifiers are generalised through until at least k patients
/// share them, and the bands used throughout.
public enum RecordsGeneralisation {
    /// What each step keeps and what it gives up, tried in this order (least lost first):
    /// `as-recorded` (weeks, dose, rate and length bands, the narrow age band, sex);
    /// `age-broadened` (18-44, 45-64, 65-and-over); `timing-removed` (no weeks, no hours);
    /// `age-broadened-timing-removed`; `age-broadened-sex-removed` (sex `not-stated`);
    /// `age-broadened-sex-timing-removed`; `treatment-withheld` (all of that, and no infusion or
    /// observation rows: assessments only).
    public static let steps = ["as-recorded", "age-broadened", "timing-removed", "age-broadened-timing-removed",
                               "age-broadened-sex-removed", "age-broadened-sex-timing-removed", "treatment-withheld"]

    /// What a step generalises: (broad age, no sex, no timing, no treatment rows).
    static func generalises(_ step: Int) -> (age: Bool, sex: Bool, timing: Bool, treatment: Bool) { generalisations[step] }

    private static let generalisations = steps.map { name in
        let all = name == "treatment-withheld"
        return (age: all || name.contains("age-broadened"), sex: all || name.contains("sex-removed") || name.contains("sex-timing"),
                timing: all || name.contains("timing-removed"), treatment: all)
    }

    /// Dose bands in mg/kg: each includes its lower bound and excludes its upper one, except the
    /// last, which includes 5.
    public static let doseBands = ["0.05-0.25", "0.25-0.5", "0.5-0.75", "0.75-1", "1-2", "2-5"]
    public static let rateBands = ["0.05-0.25", "0.25-0.5", "0.5-1", "1-2"]
    public static let minutesBands = ["1-40", "41-60", "61-120", "121-1440", "1441-10080"]

    public static func doseBand(_ dose: Double) -> String {
        switch dose {
        case ..<0.25: return "0.05-0.25"
        case ..<0.5: return "0.25-0.5"
        case ..<0.75: return "0.5-0.75"
        case ..<1: return "0.75-1"
        case ..<2: return "1-2"
        default: return "2-5"
        }
    }

    public static func rateBand(_ rate: Double) -> String {
        switch rate {
        case ..<0.25: return "0.05-0.25"
        case ..<0.5: return "0.25-0.5"
        case ..<1: return "0.5-1"
        default: return "1-2"
        }
    }

    public static func minutesBand(_ minutes: Int) -> String {
        switch minutes {
        case ...40: return "1-40"
        case ...60: return "41-60"
        case ...120: return "61-120"
        case ...1440: return "121-1440"
        default: return "1441-10080"
        }
    }

    /// Week of a day counted from day 0, rounding down (day -1 is week -1).
    public static func week(_ day: Int) -> Int { day >= 0 ? day / 7 : -((-day + 6) / 7) }
}

/// Builds the records payload from registry data, in one read of the patients and in memory that
/// does not hold them: the read keeps a digest of each treated patient's signature at every step
/// and spools the patient to an unlinked temporary file (``PatientSpool``), from which the step
/// each patient is released at is worked out; a second pass over the spool writes the released
/// rows, one patient at a time, to unlinked temporary files (one per array), validating each row
/// against its schema; the payload is then written out in pieces.
public enum RecordsBuilder {
    /// One patient's rows at one step.
    struct Released {
        var patient: PatientRecord
        var assessments: [AssessmentRecord]
        var infusions: [InfusionRecord]
        var observations: [ObservationRecord]
    }

    /// What the first read keeps per patient and step (16 bytes): 96 bits of the SHA-256 of the
    /// rows part of the signature (everything before `;P;`), and the patient part (age band, sex,
    /// conditions) exactly, as a number given to each different patient part in this build.
    /// Two are equal exactly when the signatures are, but for a collision in 96 bits of SHA-256
    /// (for a million patients' seven steps, a chance near 10^-16).
    struct SignatureDigest: Hashable {
        let high: UInt64
        let low: UInt32
        let patientPart: UInt32

        init(rows digest: SHA256.Digest, patientPart: UInt32) {
            var high: UInt64 = 0, low: UInt32 = 0
            digest.withUnsafeBytes { digest in
                for index in 0..<8 { high = high << 8 | UInt64(digest[index]) }
                for index in 8..<12 { low = low << 8 | UInt32(digest[index]) }
            }
            self.high = high
            self.low = low
            self.patientPart = patientPart
        }
    }

    /// The patient parts of signatures met in one build (`age|sex|conditions`), each with its
    /// number: there are few (bands, sexes and sets of conditions), whatever the patients.
    final class PatientParts {
        private struct Part: Hashable {
            let age: String
            let sex: String
            let conditions: String
        }

        private var numbers: [Part: UInt32] = [:]

        func number(age: String, sex: String, conditions: String) -> UInt32 {
            let part = Part(age: age, sex: sex, conditions: conditions)
            if let known = numbers[part] { return known }
            let next = UInt32(numbers.count)
            numbers[part] = next
            return next
        }
    }

    /// What the first read keeps of ``signatures(_:)``, built without a `String` per part: the
    /// parts sorted by their bytes (the order of `String`'s `<` for the ASCII ids and bands they
    /// hold; any fixed order would do, as only equality counts), the rows part hashed once per
    /// variant (timed, timing removed, treatment withheld) and the patient part numbered. Two
    /// patients' digests at a step are equal exactly when their signatures are (the tests check
    /// it pair by pair). Returns false, adding nothing, without an infusion.
    static func signatureDigests(_ patient: ExportPatient, patientParts: PatientParts, into digests: inout [SignatureDigest]) -> Bool {
        let history = patient.history
        guard let dayZero = history.infusions.first?.date else { return false }
        func appendWeek(_ date: ClinicalDate, _ timed: Bool, to out: inout [UInt8]) {
            if timed { appendDecimal(RecordsGeneralisation.week(dayZero.days(until: date)), to: &out) } else { out.append(UInt8(ascii: "-")) }
        }
        /// `;part` for each of `count` parts, sorted: the parts are written one after another into
        /// one buffer and their ranges sorted, without an array per part.
        func joined(_ count: Int, _ write: (Int, inout [UInt8]) -> Void) -> [UInt8] {
            var flat: [UInt8] = []
            var ranges: [Range<Int>] = []
            ranges.reserveCapacity(count)
            for index in 0..<count {
                let start = flat.count
                write(index, &flat)
                ranges.append(start..<flat.count)
            }
            flat.withUnsafeBufferPointer { bytes in ranges.sort { bytes[$0].lexicographicallyPrecedes(bytes[$1]) } }
            var out: [UInt8] = []
            out.reserveCapacity(flat.count + count)
            for range in ranges {
                out.append(UInt8(ascii: ";"))
                out += flat[range]
            }
            return out
        }
        let bar = UInt8(ascii: "|")
        func append(_ text: String, to out: inout [UInt8]) {
            var text = text
            text.withUTF8 { out.append(contentsOf: $0) }
        }
        func parts(_ timed: Bool) -> (assessed: [UInt8], infused: [UInt8], observed: [UInt8]) {
            let assessed = joined(history.assessments.count) { index, out in
                let assessment = history.assessments[index]
                append(assessment.scale, to: &out)
                out.append(bar)
                append(assessment.timepoint.rawValue, to: &out)
                out.append(bar)
                appendWeek(assessment.date, timed, to: &out)
            }
            let infused = joined(history.infusions.count) { index, out in
                let infusion = history.infusions[index]
                append(infusion.condition, to: &out)
                out.append(bar)
                appendWeek(infusion.date, timed, to: &out)
                out.append(bar)
                append(RecordsGeneralisation.minutesBand(infusion.minutes), to: &out)
                out.append(bar)
                append(infusion.doseMgPerKg.map(RecordsGeneralisation.doseBand) ?? "-", to: &out)
                out.append(bar)
                append(infusion.rateMgPerKgPerHour.map(RecordsGeneralisation.rateBand) ?? "-", to: &out)
                out.append(bar)
                append(infusion.route?.rawValue ?? "-", to: &out)
            }
            let observed = joined(history.observations.count) { index, out in
                let observation = history.observations[index]
                appendWeek(observation.date, timed, to: &out)
                out.append(bar)
                if timed { appendDecimal(observation.hoursFromStart, to: &out) } else { out.append(UInt8(ascii: "-")) }
            }
            return (assessed, infused, observed)
        }
        let age = AgeBand.band(for: patient.ageAtDayZero)
        let conditions = history.conditions.sorted().joined(separator: ",")
        let timed = [parts(false), parts(true)]
        /// The SHA-256 of a variant's rows part, as ``signatures(_:)`` writes it before `;P;`.
        func rowsDigest(_ variant: (assessed: [UInt8], infused: [UInt8], observed: [UInt8]), treatment: Bool) -> SHA256.Digest {
            var rows: [UInt8] = []
            rows.reserveCapacity(variant.assessed.count + variant.infused.count + variant.observed.count + 8)
            rows.append(UInt8(ascii: "A"))
            rows += variant.assessed
            rows += ";I".utf8
            if treatment { rows += variant.infused }
            rows += ";O".utf8
            if treatment { rows += variant.observed }
            return SHA256.hash(data: rows)
        }
        // Three variants of the rows: timed, timing removed, treatment withheld (and timing removed).
        let digested = [rowsDigest(timed[1], treatment: true), rowsDigest(timed[0], treatment: true), rowsDigest(timed[0], treatment: false)]
        for step in RecordsGeneralisation.steps.indices {
            let generalised = RecordsGeneralisation.generalises(step)
            let part = patientParts.number(age: generalised.age ? AgeBand.broad(age) : age, sex: generalised.sex ? "not-stated" : patient.sex.rawValue,
                                           conditions: conditions)
            digests.append(SignatureDigest(rows: digested[generalised.treatment ? 2 : generalised.timing ? 1 : 0], patientPart: part))
        }
        return true
    }

    /// A treated patient's signature at every step: their rows at that step without the pseudonym
    /// and the sensitive values (scores, bands, readings), sorted, so that two patients' are equal
    /// exactly when a recipient cannot tell them apart. Made from the parts each step keeps or
    /// drops, without building the rows seven times (the tests check it against the rows); nil
    /// without an infusion.
    static func signatures(_ patient: ExportPatient) -> [String]? {
        let history = patient.history
        guard let dayZero = history.infusions.first?.date else { return nil }
        func week(_ date: ClinicalDate, _ timed: Bool) -> String { timed ? String(RecordsGeneralisation.week(dayZero.days(until: date))) : "-" }
        func assessments(_ timed: Bool) -> [String] { history.assessments.map { "\($0.scale)|\($0.timepoint.rawValue)|\(week($0.date, timed))" }.sorted() }
        func infusions(_ timed: Bool) -> [String] {
            history.infusions.map { infusion in
                "\(infusion.condition)|\(week(infusion.date, timed))|\(RecordsGeneralisation.minutesBand(infusion.minutes))|"
                    + "\(infusion.doseMgPerKg.map(RecordsGeneralisation.doseBand) ?? "-")|\(infusion.rateMgPerKgPerHour.map(RecordsGeneralisation.rateBand) ?? "-")|"
                    + (infusion.route?.rawValue ?? "-")
            }.sorted()
        }
        func observations(_ timed: Bool) -> [String] { history.observations.map { "\(week($0.date, timed))|\(timed ? String($0.hoursFromStart) : "-")" }.sorted() }
        let age = AgeBand.band(for: patient.ageAtDayZero)
        let conditions = history.conditions.sorted().joined(separator: ",")
        let parts = [false, true].map { timed in (assessments(timed), infusions(timed), observations(timed)) }
        return RecordsGeneralisation.steps.indices.map { step in
            let generalised = RecordsGeneralisation.generalises(step)
            let (assessed, infused, observed) = parts[generalised.timing ? 0 : 1]
            let patientPart = "\(generalised.age ? AgeBand.broad(age) : age)|\(generalised.sex ? "not-stated" : patient.sex.rawValue)|\(conditions)"
            return (["A"] + assessed + ["I"] + (generalised.treatment ? [] : infused) + ["O"] + (generalised.treatment ? [] : observed) + ["P", patientPart])
                .joined(separator: ";")
        }
    }

    /// A patient's rows at a generalisation step; nil without an infusion (no day 0).
    static func rows(_ patient: ExportPatient, step: Int, pseudonym: String, catalog: ConditionCatalog) -> Released? {
        guard let dayZero = patient.history.infusions.first?.date else { return nil }
        let generalised = RecordsGeneralisation.generalises(step)
        let timing = !generalised.timing
        func week(_ date: ClinicalDate) -> Int? { timing ? RecordsGeneralisation.week(dayZero.days(until: date)) : nil }
        let age = AgeBand.band(for: patient.ageAtDayZero)
        let record = PatientRecord(patient: pseudonym, ageBand: generalised.age ? AgeBand.broad(age) : age, sex: generalised.sex ? "not-stated" : patient.sex.rawValue,
                                   conditions: patient.history.conditions.sorted(), detail: RecordsGeneralisation.steps[step])
        let assessments = patient.history.assessments.map { assessment in
            AssessmentRecord(patient: pseudonym, scale: assessment.scale, timepoint: assessment.timepoint.rawValue, week: week(assessment.date),
                             score: assessment.score, band: catalog.scale(assessment.scale)?.band(for: assessment.score)?.id,
                             subscores: assessment.subscores.isEmpty ? nil : assessment.subscores)
        }
        guard !generalised.treatment else { return Released(patient: record, assessments: assessments, infusions: [], observations: []) }
        let infusions = patient.history.infusions.map { infusion in
            InfusionRecord(patient: pseudonym, condition: infusion.condition, week: week(infusion.date),
                           minutes: RecordsGeneralisation.minutesBand(infusion.minutes),
                           doseMgPerKg: infusion.doseMgPerKg.map(RecordsGeneralisation.doseBand),
                           rateMgPerKgPerHour: infusion.rateMgPerKgPerHour.map(RecordsGeneralisation.rateBand), route: infusion.route?.rawValue)
        }
        let observations = patient.history.observations.map { observation in
            ObservationRecord(patient: pseudonym, week: week(observation.date), hoursFromStart: timing ? observation.hoursFromStart : nil,
                              systolic: observation.bloodPressure?.systolic, diastolic: observation.bloodPressure?.diastolic,
                              heartRate: observation.heartRate, spo2: observation.oxygenSaturation, sedation: observation.sedation,
                              dissociation: observation.dissociation, respiratoryDepression: observation.respiratoryDepression)
        }
        return Released(patient: record, assessments: assessments, infusions: infusions, observations: observations)
    }

    /// The payload as a value, from patients in memory (the FHIR bundle and tests use it).
    public static func build(patients: [ExportPatient], catalog: ConditionCatalog, pseudonyms: Pseudonymizer, clinic: String?,
                             period: String, k: Int, generator: String) throws -> RecordsPayload {
        var data = Data()
        try write(forEachPatient: { body in try patients.forEach(body) }, catalog: catalog, pseudonyms: pseudonyms, clinic: clinic,
                  period: period, k: k, generator: generator, auditChainHead: nil, validator: nil) { data.append($0) }
        return try JSONDecoder().decode(RecordsPayload.self, from: data)
    }

    /// Writes the payload's bytes to `sink`, in pieces, exactly as `JSONEncoder` with sorted keys
    /// and unescaped slashes would encode the ``RecordsPayload``. `forEachPatient` is called once. With
    /// a validator, the payload is checked against its schema as it is written: each row against
    /// its array's items, and the rest with the arrays empty; a failure throws before anything
    /// reaches `sink`. Returns the number of patients read.
    @discardableResult
    public static func write(forEachPatient: ((ExportPatient) throws -> Void) throws -> Void, catalog: ConditionCatalog, pseudonyms: Pseudonymizer,
                             clinic: String?, period: String, k: Int, generator: String, auditChainHead: String?, validator: SchemaValidator?,
                             to sink: (Data) throws -> Void) throws -> Int {
        let steps = RecordsGeneralisation.steps.count
        // The read: each treated patient's signature digest at every step, and the patient spooled.
        var digests: [SignatureDigest] = []
        let patientParts = PatientParts()
        var read = 0
        let spool = try PatientSpool()
        try forEachPatient { patient in
            read += 1
            if signatureDigests(patient, patientParts: patientParts, into: &digests) { try spool.append(patient) }
        }
        let treated = digests.count / steps
        // Each step keeps the groups (among the patients not yet released) that reach k.
        var releasedAt = [Int8](repeating: -1, count: treated)
        var counts: [GeneralisationCount] = []
        for step in 0..<steps {
            var sizes: [SignatureDigest: Int] = [:]
            for index in 0..<treated where releasedAt[index] < 0 { sizes[digests[index * steps + step], default: 0] += 1 }
            var kept = 0
            for index in 0..<treated where releasedAt[index] < 0 && sizes[digests[index * steps + step]]! >= k {
                releasedAt[index] = Int8(step)
                kept += 1
            }
            counts.append(GeneralisationCount(step: RecordsGeneralisation.steps[step], patients: kept))
        }
        digests = []

        // Second pass, over the spool: the released patients' rows, to a file per array.
        let verdicts = SchemaVerdicts()
        let sections = try ["assessments", "infusions", "observations", "patients"].map { name in
            try RowSection(name: name, validator: validator.map { whole in
                guard let items = whole.items(of: name, verdicts: verdicts) else { throw ExportError("the records schema's \(name) is not a plain array of rows") }
                return items
            })
        }
        var withheldPatients = 0, withheldRows = 0, index = 0
        var conditionIDs: Set<String> = [], scaleIDs: Set<String> = []
        try spool.forEach { patient in
            guard index < treated else { throw ExportError("the records payload's temporary file does not match its first pass; nothing was stored") }
            let step = Int(releasedAt[index])
            index += 1
            guard step >= 0 else {
                withheldPatients += 1
                withheldRows += patient.history.assessments.count + patient.history.infusions.count + patient.history.observations.count
                return
            }
            if step == steps - 1 { withheldRows += patient.history.infusions.count + patient.history.observations.count }
            let released = rows(patient, step: step, pseudonym: pseudonyms.pseudonym(for: patient.rowID), catalog: catalog)!
            conditionIDs.formUnion(released.patient.conditions)
            try sections[3].append(RowWriter.patient(released.patient))
            for assessment in released.assessments {
                scaleIDs.insert(assessment.scale)
                try sections[0].append(RowWriter.assessment(assessment))
            }
            for infusion in released.infusions { try sections[1].append(RowWriter.infusion(infusion)) }
            for observation in released.observations { try sections[2].append(RowWriter.observation(observation)) }
        }
        guard index == treated else { throw ExportError("the records payload's temporary file does not match its first pass; nothing was stored") }

        // The rest of the payload, encoded with its arrays empty, and the rows spliced in.
        var skeleton = RecordsPayload(schema: RecordsPayload.schemaID, generator: generator, clinic: clinic, period: period, k: k,
                                      patients: [], assessments: [], infusions: [], observations: [], generalisation: counts,
                                      generalisedPatients: counts.dropFirst().reduce(0) { $0 + $1.patients },
                                      withheldPatients: withheldPatients, withheldRows: withheldRows)
        skeleton.auditChainHead = auditChainHead
        // The catalog's codes for what the rows name: facts about the modules, nothing about patients.
        let vocabulary = conditionIDs.sorted().compactMap { id in catalog.condition(id).flatMap { $0.codes.isEmpty ? nil : VocabularyEntry(kind: "condition", id: id, codes: $0.codes) } }
            + scaleIDs.sorted().compactMap { id in catalog.scale(id).flatMap { $0.codes.isEmpty ? nil : VocabularyEntry(kind: "scale", id: id, codes: $0.codes) } }
        skeleton.codes = vocabulary.isEmpty ? nil : vocabulary
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let frame = try encoder.encode(skeleton)
        if let validator {
            let problems = validator.problems(in: frame)
            guard problems.isEmpty else { throw RowSection.invalid(problems) }
        }
        // Keys are sorted, so the arrays come in this order; an unescaped `"name":[]` is only ever
        // the key itself (inside a string every quote is escaped).
        var position = frame.startIndex
        for (offset, section) in sections.enumerated() {
            let key = Data(((offset == 0 ? "{" : ",") + "\"\(section.name)\":[").utf8)
            guard let found = frame.range(of: key, in: position..<frame.endIndex) else {
                throw ExportError("the records payload has no \(section.name) array")
            }
            try sink(frame[position..<found.upperBound])
            try section.replay(to: sink)
            position = found.upperBound
        }
        try sink(frame[position..<frame.endIndex])
        return read
    }
}

/// A new file, readable and writable only by this user, already gone from its folder: it lives only
/// as long as this process holds it, and no one else can open it by name.
private func unlinkedTemporaryFile() throws -> FileHandle {
    let folder = FileManager.default.temporaryDirectory
    let path = folder.appendingPathComponent("ketareg-records-\(UUID().uuidString)").path
    guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
          let file = FileHandle(forUpdatingAtPath: path) else {
        throw ExportError("cannot make a temporary file in \(folder.path) for the records payload")
    }
    unlink(path)
    return file
}

/// One array of the payload: its rows, comma-separated, in an unlinked temporary file.
private final class RowSection {
    /// The error for rows (or the rest) that break the schema: nothing is stored or printed.
    static func invalid(_ problems: [SchemaError]) -> ExportError {
        ExportError("the records payload does not match its schema \(RecordsPayload.schemaID), so it was not stored: "
                    + problems.prefix(3).map(\.description).joined(separator: "; "))
    }

    let name: String
    private let validator: SchemaItemValidator?
    private let file: FileHandle
    private var buffer: [UInt8] = []
    private var row: [UInt8] = []
    private var count = 0

    init(name: String, validator: SchemaItemValidator?) throws {
        self.name = name
        self.validator = validator
        file = try unlinkedTemporaryFile()
        buffer.reserveCapacity(1 << 16)
    }

    deinit { try? file.close() }

    /// The member names of recent rows with each name written as a key (`"name":`): rows come
    /// in a few layouts.
    private var keys: [(names: [String], written: [[UInt8]])] = []

    private func writtenKeys(_ members: RowWriter.Members) -> [[UInt8]] {
        for layout in keys where layout.names.count == members.count && zip(layout.names, members).allSatisfy({ $0 == $1.name }) {
            return layout.written
        }
        let written = members.map { RowWriter.key($0.name) }
        if keys.count >= 16 { keys.removeFirst() }
        keys.append((members.map(\.name), written))
        return written
    }

    func append(_ members: RowWriter.Members) throws {
        if let validator {
            let problems = validator.problems(inRow: members, index: count)
            guard problems.isEmpty else { throw Self.invalid(problems) }
        }
        row.removeAll(keepingCapacity: true)
        RowWriter.write(members, keys: writtenKeys(members), into: &row)
        if count > 0 { buffer.append(UInt8(ascii: ",")) }
        buffer.append(contentsOf: row)
        count += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        try file.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func replay(to sink: (Data) throws -> Void) throws {
        try flush()
        try file.seek(toOffset: 0)
        while let chunk = try file.read(upToCount: 1 << 20), !chunk.isEmpty { try sink(chunk) }
    }
}

/// The rows as `JSONEncoder` writes them with sorted keys and unescaped slashes, by hand: each row
/// as its members in the encoder's order (absent optionals left out), then written out.
enum RowWriter {
    typealias Members = [(name: String, value: JSONValue)]

    static func patient(_ row: PatientRecord) -> Members {
        [("ageBand", .string(row.ageBand)), ("conditions", .array(row.conditions.map { .string($0) })), ("detail", .string(row.detail)),
         ("patient", .string(row.patient)), ("sex", .string(row.sex))]
    }

    static func assessment(_ row: AssessmentRecord) -> Members {
        var members: Members = []
        members.reserveCapacity(7)
        if let band = row.band { members.append(("band", .string(band))) }
        members += [("patient", .string(row.patient)), ("scale", .string(row.scale)), ("score", .number(row.score))]
        if let subscores = row.subscores { members.append(("subscores", .object(subscores.mapValues { .number($0) }))) }
        members.append(("timepoint", .string(row.timepoint)))
        if let week = row.week { members.append(("week", .number(Double(week)))) }
        return members
    }

    static func infusion(_ row: InfusionRecord) -> Members {
        var members: Members = []
        members.reserveCapacity(7)
        members.append(("condition", .string(row.condition)))
        if let dose = row.doseMgPerKg { members.append(("doseMgPerKg", .string(dose))) }
        members += [("minutes", .string(row.minutes)), ("patient", .string(row.patient))]
        if let rate = row.rateMgPerKgPerHour { members.append(("rateMgPerKgPerHour", .string(rate))) }
        if let route = row.route { members.append(("route", .string(route))) }
        if let week = row.week { members.append(("week", .number(Double(week)))) }
        return members
    }

    static func observation(_ row: ObservationRecord) -> Members {
        var members: Members = []
        members.reserveCapacity(10)
        if let diastolic = row.diastolic { members.append(("diastolic", .number(Double(diastolic)))) }
        members.append(("dissociation", .bool(row.dissociation)))
        if let heartRate = row.heartRate { members.append(("heartRate", .number(Double(heartRate)))) }
        if let hours = row.hoursFromStart { members.append(("hoursFromStart", .number(Double(hours)))) }
        members += [("patient", .string(row.patient)), ("respiratoryDepression", .bool(row.respiratoryDepression)), ("sedation", .bool(row.sedation))]
        if let spo2 = row.spo2 { members.append(("spo2", .number(Double(spo2)))) }
        if let systolic = row.systolic { members.append(("systolic", .number(Double(systolic)))) }
        if let week = row.week { members.append(("week", .number(Double(week)))) }
        return members
    }

    /// Members already in the encoder's order, as one object.
    static func write(_ members: Members, into out: inout [UInt8]) {
        write(members, keys: members.map { key($0.name) }, into: &out)
    }

    /// The same with each member's key already written (`"name":`).
    static func write(_ members: Members, keys: [[UInt8]], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, member) in members.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: keys[index])
            value(member.value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func value(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .string(let text): appendJSONString(text, to: &out)
        case .number(let number): self.number(number, into: &out)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                self.value(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            // Only subscores, numbers by name: the encoder's own key order.
            out.append(contentsOf: encoded(members.compactMapValues { if case .number(let number) = $0 { number } else { nil } }))
        }
    }

    /// A member's name as written before its value: `"name":`.
    static func key(_ name: String) -> [UInt8] {
        var key: [UInt8] = []
        appendJSONString(name, to: &key)
        key.append(UInt8(ascii: ":"))
        return key
    }

    /// A double as the encoder writes it (a non-finite one, which scoring never gives, as the
    /// encoder's fallback below).
    static func number(_ value: Double, into out: inout [UInt8]) {
        guard value.isFinite else {
            out.append(contentsOf: encoded(value))
            return
        }
        appendJSONNumber(value, to: &out)
    }

    private static func encoded<Value: Encodable>(_ value: Value) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, numbers and dictionaries of numbers always encode (a non-finite score never
        // reaches a payload: scoring refuses it).
        return (try? encoder.encode(value)) ?? Data("null".utf8)
    }
}

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
        put(history.infusions.count)
        for infusion in history.infusions {
            put(infusion.condition)
            put(infusion.date.dayNumber)
            put(infusion.minutes)
            put(infusion.doseMgPerKg)
            put(infusion.rateMgPerKgPerHour)
            put(infusion.route?.rawValue)
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

    private static let damaged = ExportError("the records payload's temporary file could not be read back; nothing was stored")

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
            PatientHistory.Infusion(condition: try string(), date: try day(), minutes: try int(),
                                    doseMgPerKg: try optional(double), rateMgPerKgPerHour: try optional(double),
                                    route: try optional(string).map { route in
                                        guard let known = InfusionRoute(rawValue: route) else { throw Self.damaged }
                                        return known
                                    })
        }
        let assessments = try (0..<count()).map { _ in
            let scale = try string()
            let date = try day()
            guard let timepoint = Timepoint(rawValue: try string()) else { throw Self.damaged }
            let score = try double()
            var subscores: [String: Double] = [:]
            for _ in 0..<(try count()) { subscores[try string()] = try double() }
            return PatientHistory.Assessment(scale: scale, date: date, timepoint: timepoint, score: score, subscores: subscores)
        }
        let observations = try (0..<count()).map { _ in
            let date = try day()
            let hours = try int()
            let systolic = try optional(int), diastolic = try optional(int)
            return PatientHistory.Observation(
                date: date, hoursFromStart: hours,
                bloodPressure: systolic.flatMap { systolic in diastolic.map { BloodPressure(systolic: systolic, diastolic: $0) } },
                heartRate: try optional(int), oxygenSaturation: try optional(int), sedation: try bool(), dissociation: try bool(),
                respiratoryDepression: try bool())
        }
        return ExportPatient(rowID: rowID, sex: sex, ageAtDayZero: age,
                             history: PatientHistory(patient: display, conditions: conditions, enrolledOn: enrolledOn, infusions: infusions,
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
