import Crypto
import Foundation
import PayloadFormat
import RegistryCore
import RegistryStore

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
            var high: UInt64 = 0
            var low: UInt32 = 0
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
    static func signatureDigests(
        _ patient: ExportPatient, patientParts: PatientParts, into digests: inout [SignatureDigest]
    ) -> Bool {
        let history = patient.history
        guard let dayZero = history.infusions.first?.date else { return false }
        func appendWeek(_ date: ClinicalDate, _ timed: Bool, to out: inout [UInt8]) {
            if timed {
                appendDecimal(RecordsGeneralisation.week(dayZero.days(until: date)), to: &out)
            } else {
                out.append(UInt8(ascii: "-"))
            }
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
                out.append(bar)
                append(infusion.drug.rawValue, to: &out)
                out.append(bar)
                append(
                    infusion.doseMg.map { RecordsGeneralisation.fixedDoseBand($0, drug: infusion.drug) } ?? "-",
                    to: &out)
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
        func rowsDigest(_ variant: (assessed: [UInt8], infused: [UInt8], observed: [UInt8]), treatment: Bool)
            -> SHA256.Digest
        {
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
        let digested = [
            rowsDigest(timed[1], treatment: true), rowsDigest(timed[0], treatment: true),
            rowsDigest(timed[0], treatment: false),
        ]
        for step in RecordsGeneralisation.steps.indices {
            let generalised = RecordsGeneralisation.generalises(step)
            let part = patientParts.number(
                age: generalised.age ? AgeBand.broad(age) : age,
                sex: generalised.sex ? "not-stated" : patient.sex.rawValue,
                conditions: conditions)
            digests.append(
                SignatureDigest(
                    rows: digested[generalised.treatment ? 2 : generalised.timing ? 1 : 0], patientPart: part))
        }
        return true
    }

    /// A patient's rows at a generalisation step; nil without an infusion (no day 0).
    static func rows(_ given: ExportPatient, step: Int, pseudonym: String, catalog: ConditionCatalog) -> Released? {
        // A row per condition for an infusion given for several (as the signatures count them).
        let patient = ExportPatient(
            rowID: given.rowID, sex: given.sex, ageAtDayZero: given.ageAtDayZero,
            history: given.history.infusionsCopiedPerCondition())
        guard let dayZero = patient.history.infusions.first?.date else { return nil }
        let generalised = RecordsGeneralisation.generalises(step)
        let timing = !generalised.timing
        func week(_ date: ClinicalDate) -> Int? { timing ? RecordsGeneralisation.week(dayZero.days(until: date)) : nil }
        let age = AgeBand.band(for: patient.ageAtDayZero)
        let record = PatientRecord(
            patient: pseudonym, ageBand: generalised.age ? AgeBand.broad(age) : age,
            sex: generalised.sex ? "not-stated" : patient.sex.rawValue,
            conditions: patient.history.conditions.sorted(), detail: RecordsGeneralisation.steps[step])
        let assessments = patient.history.assessments.map { assessment in
            AssessmentRecord(
                patient: pseudonym, scale: assessment.scale, timepoint: assessment.timepoint.rawValue,
                week: week(assessment.date),
                score: assessment.score, band: catalog.scale(assessment.scale)?.band(for: assessment.score)?.id,
                subscores: assessment.subscores.isEmpty ? nil : assessment.subscores)
        }
        guard !generalised.treatment else {
            return Released(patient: record, assessments: assessments, infusions: [], observations: [])
        }
        let infusions = patient.history.infusions.map { infusion in
            InfusionRecord(
                patient: pseudonym, condition: infusion.condition, week: week(infusion.date),
                minutes: RecordsGeneralisation.minutesBand(infusion.minutes),
                doseMgPerKg: infusion.doseMgPerKg.map(RecordsGeneralisation.doseBand),
                rateMgPerKgPerHour: infusion.rateMgPerKgPerHour.map(RecordsGeneralisation.rateBand),
                route: infusion.route?.rawValue, drug: infusion.drug.rawValue,
                doseMg: infusion.doseMg.map { RecordsGeneralisation.fixedDoseBand($0, drug: infusion.drug) })
        }
        let observations = patient.history.observations.map { observation in
            ObservationRecord(
                patient: pseudonym, week: week(observation.date),
                hoursFromStart: timing ? observation.hoursFromStart : nil,
                systolic: observation.bloodPressure?.systolic, diastolic: observation.bloodPressure?.diastolic,
                heartRate: observation.heartRate, spo2: observation.oxygenSaturation, sedation: observation.sedation,
                dissociation: observation.dissociation, respiratoryDepression: observation.respiratoryDepression)
        }
        return Released(patient: record, assessments: assessments, infusions: infusions, observations: observations)
    }

    /// The payload as a value, from patients in memory (the FHIR bundle and tests use it).
    public static func build(
        patients: [ExportPatient], catalog: ConditionCatalog, pseudonyms: Pseudonymizer, clinic: String?,
        period: String, k: Int, generator: String
    ) throws -> RecordsPayload {
        var data = Data()
        try write(
            forEachPatient: { body in try patients.forEach(body) }, catalog: catalog, pseudonyms: pseudonyms,
            clinic: clinic,
            period: period, k: k, generator: generator, auditChainHead: nil, validator: nil
        ) { data.append($0) }
        return try JSONDecoder().decode(RecordsPayload.self, from: data)
    }

    /// Writes the payload's bytes to `sink`, in pieces, exactly as `JSONEncoder` with sorted keys
    /// and unescaped slashes would encode the ``RecordsPayload``. `forEachPatient` is called once. With
    /// a validator, the payload is checked against its schema as it is written: each row against
    /// its array's items, and the rest with the arrays empty; a failure throws before anything
    /// reaches `sink`. Returns the number of patients read.
    @discardableResult
    public static func write(
        forEachPatient: ((ExportPatient) throws -> Void) throws -> Void, catalog: ConditionCatalog,
        pseudonyms: Pseudonymizer,
        clinic: String?, period: String, k: Int, generator: String, auditChainHead: String?,
        auditChainRows: Int? = nil, validator: SchemaValidator?,
        to sink: (Data) throws -> Void
    ) throws -> Int {
        let steps = RecordsGeneralisation.steps.count
        // The read: each treated patient's signature digest at every step, and the patient spooled.
        var digests: [SignatureDigest] = []
        let patientParts = PatientParts()
        var read = 0
        let spool = try PatientSpool()
        var uses: [ProtocolUse] = []
        var useIndex: [ProtocolUse: Int32] = [:]
        var patientUses: [[Int32]] = []
        try forEachPatient { given in
            read += 1
            // An infusion given for several conditions is a row per condition: the signature counts
            // every row sent.
            let patient = ExportPatient(
                rowID: given.rowID, sex: given.sex, ageAtDayZero: given.ageAtDayZero,
                history: given.history.infusionsCopiedPerCondition())
            if signatureDigests(patient, patientParts: patientParts, into: &digests) {
                try spool.append(patient)
                // Its courses' protocols, from the whole history (the spool keeps no course markers).
                var own: Set<Int32> = []
                for use in protocolUses(given.history, catalog: catalog) {
                    if useIndex[use] == nil {
                        useIndex[use] = Int32(uses.count)
                        uses.append(use)
                    }
                    own.insert(useIndex[use]!)
                }
                patientUses.append(own.sorted())
            }
        }
        let treated = digests.count / steps
        // Each step keeps the groups (among the patients not yet released) that reach k.
        var releasedAt = [Int8](repeating: -1, count: treated)
        var counts: [GeneralisationCount] = []
        for step in 0..<steps {
            var sizes: [SignatureDigest: Int] = [:]
            for index in 0..<treated where releasedAt[index] < 0 {
                sizes[digests[index * steps + step], default: 0] += 1
            }
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
            try RowSection(
                name: name,
                validator: validator.map { whole in
                    guard let items = whole.items(of: name, verdicts: verdicts) else {
                        throw ExportError("the records schema's \(name) is not a plain array of rows")
                    }
                    return items
                })
        }
        var withheldPatients = 0
        var withheldRows = 0
        var index = 0
        var conditionIDs: Set<String> = []
        var scaleIDs: Set<String> = []
        var usePatients = [Int](repeating: 0, count: uses.count)
        try spool.forEach { patient in
            guard index < treated else {
                throw ExportError(
                    "the records payload's temporary file does not match its first pass; nothing was stored")
            }
            let step = Int(releasedAt[index])
            index += 1
            guard step >= 0 else {
                withheldPatients += 1
                withheldRows +=
                    patient.history.assessments.count + patient.history.infusions.count
                    + patient.history.observations.count
                return
            }
            if step == steps - 1 {
                withheldRows += patient.history.infusions.count + patient.history.observations.count
            }
            let released = rows(
                patient, step: step, pseudonym: pseudonyms.pseudonym(for: patient.rowID), catalog: catalog)!
            conditionIDs.formUnion(released.patient.conditions)
            // A protocol is named for the patients whose treatment rows are sent.
            if step < steps - 1 { for use in patientUses[index - 1] { usePatients[Int(use)] += 1 } }
            try sections[3].append(RowWriter.patient(released.patient))
            for assessment in released.assessments {
                scaleIDs.insert(assessment.scale)
                try sections[0].append(RowWriter.assessment(assessment))
            }
            for infusion in released.infusions { try sections[1].append(RowWriter.infusion(infusion)) }
            for observation in released.observations { try sections[2].append(RowWriter.observation(observation)) }
        }
        guard index == treated else {
            throw ExportError("the records payload's temporary file does not match its first pass; nothing was stored")
        }

        // The rest of the payload, encoded with its arrays empty, and the rows spliced in.
        var skeleton = RecordsPayload(
            schema: RecordsPayload.schemaID, generator: generator, clinic: clinic, period: period, k: k,
            patients: [], assessments: [], infusions: [], observations: [], generalisation: counts,
            generalisedPatients: counts.dropFirst().reduce(0) { $0 + $1.patients },
            withheldPatients: withheldPatients, withheldRows: withheldRows)
        (skeleton.auditChainHead, skeleton.auditChainRows) = (auditChainHead, auditChainRows)
        // The catalog's codes for what the rows name: facts about the modules, nothing about patients.
        let vocabulary =
            conditionIDs.sorted().compactMap { id in
                catalog.condition(id).flatMap {
                    $0.codes.isEmpty ? nil : VocabularyEntry(kind: "condition", id: id, codes: $0.codes)
                }
            }
            + scaleIDs.sorted().compactMap { id in
                catalog.scale(id).flatMap {
                    $0.codes.isEmpty ? nil : VocabularyEntry(kind: "scale", id: id, codes: $0.codes)
                }
            }
        skeleton.codes = vocabulary.isEmpty ? nil : vocabulary
        // Each protocol a condition's courses ran under, when at least k patients whose treatment
        // is sent had a course under it: one patient's course opened after a protocol change is
        // not told apart.
        let named = uses.indices.filter { usePatients[$0] >= k }.map { uses[$0] }
        skeleton.protocols =
            named.isEmpty ? nil : named.sorted { ($0.condition, $0.protocol) < ($1.condition, $1.protocol) }
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
