import Foundation
import GRDB
import RegistryCore

/// Rows map snake_case columns to camelCase properties.
protocol SnakeCaseRecord: Codable, FetchableRecord, MutablePersistableRecord {}

extension SnakeCaseRecord {
    static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
}

struct PatientRow: SnakeCaseRecord {
    static let databaseTableName = "patient"
    var id: Int64?
    var sex: String
    var enrolledOn: String
    var researchConsent: Bool
    var consentWithdrawnOn: String?
    var consentWithdrawalReason: String?
    var createdAt: String

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

struct IdentityRow: SnakeCaseRecord {
    static let databaseTableName = "patient_identity"
    var patientId: Int64
    var mrn: String
    var givenName: String
    var familyName: String
    var birthDate: String
    var phone: String? = nil
    var email: String? = nil
    var address: String? = nil
}

struct PatientConditionRow: SnakeCaseRecord {
    static let databaseTableName = "patient_condition"
    var patientId: Int64
    var conditionId: String
}

struct PriorTreatmentRow: SnakeCaseRecord {
    static let databaseTableName = "prior_treatment"
    var id: Int64?
    var patientId: Int64
    var category: String
    var adequateTrials: Int?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

struct InfusionRow: SnakeCaseRecord {
    static let databaseTableName = "infusion"
    var id: Int64?
    var patientId: Int64
    var conditionId: String
    var givenOn: String
    var givenAt: String?
    var doseMgPerKg: Double?
    var rateMgPerKgPerHour: Double?
    var weightKg: Double?
    var totalMg: Double?
    var minutes: Int
    var route: String
    var bpBeforeSystolic: Int?
    var bpBeforeDiastolic: Int?
    var bpAfterSystolic: Int?
    var bpAfterDiastolic: Int?
    var bpDischargeSystolic: Int?
    var bpDischargeDiastolic: Int?
    var heartRate: Int?
    var oxygenSaturation: Int?
    var monitoringMinutes: Int?
    var concomitantMedication: String
    var sedation: Bool
    var dissociation: Bool
    var respiratoryDepression: Bool
    var enteredInError: Bool
    /// Recorded before the ranges of 2026-11 (kept as it was; a correction checks it anew).
    var legacyRanges: Bool

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    init(patientId: Int64, condition: String, entry: InfusionEntry) {
        self.patientId = patientId
        conditionId = condition
        givenOn = entry.date.description
        givenAt = entry.time?.description
        doseMgPerKg = entry.doseMgPerKg
        rateMgPerKgPerHour = entry.rateMgPerKgPerHour
        weightKg = entry.weightKg
        totalMg = entry.totalMg
        minutes = entry.minutes
        route = entry.route.rawValue
        bpBeforeSystolic = entry.bloodPressureBefore?.systolic
        bpBeforeDiastolic = entry.bloodPressureBefore?.diastolic
        bpAfterSystolic = entry.bloodPressureAfter?.systolic
        bpAfterDiastolic = entry.bloodPressureAfter?.diastolic
        bpDischargeSystolic = entry.bloodPressureAtDischarge?.systolic
        bpDischargeDiastolic = entry.bloodPressureAtDischarge?.diastolic
        heartRate = entry.heartRate
        oxygenSaturation = entry.oxygenSaturation
        monitoringMinutes = entry.monitoringMinutes
        concomitantMedication = jsonStringList(entry.concomitantMedication)
        sedation = entry.sedation
        dissociation = entry.dissociation
        respiratoryDepression = entry.respiratoryDepression
        enteredInError = false
        legacyRanges = false
    }

    /// `insert`, with a prepared statement kept for the next row instead of Codable's encoding
    /// and key conversion: infusions are written in bulk by imports.
    mutating func insertFast(_ db: Database) throws {
        var statement = try DirectStatement(db, sql: """
            INSERT INTO infusion (patient_id, condition_id, given_on, given_at, dose_mg_per_kg, rate_mg_per_kg_per_hour, weight_kg, total_mg,
                                  minutes, route, bp_before_systolic, bp_before_diastolic, bp_after_systolic, bp_after_diastolic,
                                  bp_discharge_systolic, bp_discharge_diastolic, heart_rate, oxygen_saturation, monitoring_minutes,
                                  concomitant_medication, sedation, dissociation, respiratory_depression, entered_in_error, legacy_ranges)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        statement.bind(patientId)
        statement.bind(conditionId)
        statement.bind(givenOn)
        statement.bind(givenAt)
        statement.bind(doseMgPerKg)
        statement.bind(rateMgPerKgPerHour)
        statement.bind(weightKg)
        statement.bind(totalMg)
        statement.bind(minutes)
        statement.bind(route)
        statement.bind(bpBeforeSystolic)
        statement.bind(bpBeforeDiastolic)
        statement.bind(bpAfterSystolic)
        statement.bind(bpAfterDiastolic)
        statement.bind(bpDischargeSystolic)
        statement.bind(bpDischargeDiastolic)
        statement.bind(heartRate)
        statement.bind(oxygenSaturation)
        statement.bind(monitoringMinutes)
        statement.bind(concomitantMedication)
        statement.bind(sedation)
        statement.bind(dissociation)
        statement.bind(respiratoryDepression)
        statement.bind(enteredInError)
        statement.bind(legacyRanges)
        try statement.execute()
        id = db.lastInsertedRowID
    }

    /// The stored infusion as an entry that can be corrected and validated again.
    func entry() throws -> InfusionEntry {
        func pressure(_ systolic: Int?, _ diastolic: Int?) -> BloodPressure? {
            guard let systolic, let diastolic else { return nil }
            return BloodPressure(systolic: systolic, diastolic: diastolic)
        }
        let what = RecordKind.infusion.displayID(id ?? 0)
        return InfusionEntry(
            condition: conditionId,
            date: try storedDate(givenOn, "the day of \(what)"),
            time: try givenAt.map { try storedTime($0, "the start time of \(what)") },
            dosing: rateMgPerKgPerHour.map { .rate(mgPerKgPerHour: $0) } ?? .dose(mgPerKg: doseMgPerKg ?? 0), weightKg: weightKg, totalMg: totalMg, minutes: minutes,
            route: try storedWord(route, "the route of \(what)"),
            bloodPressureBefore: pressure(bpBeforeSystolic, bpBeforeDiastolic),
            bloodPressureAfter: pressure(bpAfterSystolic, bpAfterDiastolic),
            bloodPressureAtDischarge: pressure(bpDischargeSystolic, bpDischargeDiastolic),
            heartRate: heartRate, oxygenSaturation: oxygenSaturation, monitoringMinutes: monitoringMinutes,
            concomitantMedication: try storedStringList(concomitantMedication, "the concomitant medication of \(what)"),
            sedation: sedation, dissociation: dissociation, respiratoryDepression: respiratoryDepression)
    }
}

struct AdverseEventRow: SnakeCaseRecord {
    static let databaseTableName = "adverse_event"
    var id: Int64?
    var patientId: Int64
    var infusionId: Int64?
    var term: String
    var grade: String
    var serious: Bool
    var onset: String
    var resolvedOn: String?
    var enteredInError: Bool

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    init(patientId: Int64, infusionId: Int64?, entry: AdverseEventEntry) {
        self.patientId = patientId
        self.infusionId = infusionId
        term = entry.term.rawValue
        grade = entry.grade.rawValue
        serious = entry.serious
        onset = entry.onset.description
        resolvedOn = entry.resolvedOn?.description
        enteredInError = false
    }

    /// The stored event as an entry that can be corrected and validated again.
    func entry() throws -> AdverseEventEntry {
        let what = RecordKind.adverseEvent.displayID(id ?? 0)
        return AdverseEventEntry(term: try storedWord(term, "the term of \(what)"), grade: try storedWord(grade, "the grade of \(what)"),
                                 serious: serious, onset: try storedDate(onset, "the onset of \(what)"),
                                 resolvedOn: try resolvedOn.map { try storedDate($0, "the resolution date of \(what)") })
    }
}

struct AssessmentRow: SnakeCaseRecord {
    static let databaseTableName = "assessment"
    var id: Int64?
    var patientId: Int64
    var conditionId: String
    var scaleId: String
    var scaleVersion: String
    var assessedOn: String
    var timepoint: String
    var answers: String
    var score: Double
    var subscores: String
    var band: String?
    var flags: String
    var enteredInError: Bool

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    init(patientId: Int64, scored: ScoredAssessment, on date: ClinicalDate, timepoint: Timepoint) {
        self.patientId = patientId
        conditionId = scored.condition
        scaleId = scored.scale
        scaleVersion = scored.scaleVersion
        assessedOn = date.description
        self.timepoint = timepoint.rawValue
        var bytes: [UInt8] = []
        appendJSONIntList(scored.answers, to: &bytes)
        answers = String(decoding: bytes, as: UTF8.self)
        score = scored.result.score
        var members = JSONObjectWriter(capacity: 64)
        for subscore in scored.result.subscores.sorted(by: { $0.name < $1.name }) {
            members.number(escapingName: subscore.name, subscore.value)
        }
        subscores = members.text
        band = scored.result.band?.id
        flags = jsonStringList(scored.flags)
        enteredInError = false
    }

    /// Inserts the row through one cached statement: assessments are what a bulk import writes
    /// most, and GRDB's generic insert costs more than SQLite's own work here.
    mutating func insertFast(_ db: Database) throws {
        var statement = try DirectStatement(db, sql: """
            INSERT INTO assessment (patient_id, condition_id, scale_id, scale_version, assessed_on, timepoint, answers, score, subscores, band, flags, entered_in_error)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        statement.bind(patientId)
        statement.bind(conditionId)
        statement.bind(scaleId)
        statement.bind(scaleVersion)
        statement.bind(assessedOn)
        statement.bind(timepoint)
        statement.bind(answers)
        statement.bind(score)
        statement.bind(subscores)
        statement.bind(band)
        statement.bind(flags)
        statement.bind(enteredInError)
        try statement.execute()
        id = db.lastInsertedRowID
    }

    var rawAnswers: [Int?] { decodeIntList(answers) }
}

struct CoInterventionRow: SnakeCaseRecord {
    static let databaseTableName = "co_intervention"
    var id: Int64?
    var patientId: Int64
    var kind: String
    var fromDate: String
    var toDate: String?
    var enteredInError: Bool

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    init(patientId: Int64, entry: CoInterventionEntry) {
        self.patientId = patientId
        kind = entry.kind.rawValue
        fromDate = entry.from.description
        toDate = entry.to?.description
        enteredInError = false
    }

    /// The stored co-intervention as an entry that can be corrected and validated again.
    func entry() throws -> CoInterventionEntry {
        let what = RecordKind.coIntervention.displayID(id ?? 0)
        return CoInterventionEntry(kind: try storedWord(kind, "the kind of \(what)"),
                                   from: try storedDate(fromDate, "the start date of \(what)"),
                                   to: try toDate.map { try storedDate($0, "the end date of \(what)") })
    }
}

struct InfusionObservationRow: SnakeCaseRecord {
    static let databaseTableName = "infusion_observation"
    var id: Int64?
    var infusionId: Int64
    var patientId: Int64
    var observedOn: String
    var observedAt: String
    var bpSystolic: Int?
    var bpDiastolic: Int?
    var heartRate: Int?
    var oxygenSaturation: Int?
    var sedation: Bool
    var dissociation: Bool
    var respiratoryDepression: Bool
    var enteredInError: Bool

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    init(infusionId: Int64, patientId: Int64, entry: InfusionObservationEntry) {
        self.infusionId = infusionId
        self.patientId = patientId
        observedOn = entry.date.description
        observedAt = entry.time.description
        bpSystolic = entry.bloodPressure?.systolic
        bpDiastolic = entry.bloodPressure?.diastolic
        heartRate = entry.heartRate
        oxygenSaturation = entry.oxygenSaturation
        sedation = entry.sedation
        dissociation = entry.dissociation
        respiratoryDepression = entry.respiratoryDepression
        enteredInError = false
    }
}

struct CourseEventRow: SnakeCaseRecord {
    static let databaseTableName = "course_event"
    var id: Int64?
    var patientId: Int64
    var conditionId: String
    var kind: String
    var onDate: String
    var courseKind: String?
    var reason: String?
    var enteredInError: Bool

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

struct AuditRow: SnakeCaseRecord {
    static let databaseTableName = "audit"
    var id: Int64?
    var at: String
    var actor: String
    var action: String
    var entity: String
    var entityId: String
    var patient: String?
    var before: String?
    var after: String?
    var reason: String?
    /// The operating-system account that ran the command, beside the `--actor` name.
    var account: String? = operatingSystemAccount
    /// SHA-256 over the previous row's hash and this row's canonical content.
    var hash: String? = nil

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// Appends the row to the chain through cached statements: every change writes one. The id is
    /// the previous row's plus one, and the hash covers it, so no row can be renumbered, removed or
    /// changed without breaking the chain from there on.
    mutating func insertFast(_ db: Database) throws {
        var previous = AuditChain.genesis
        var lastID: Int64 = 0
        let transaction = ImportTransaction.current(on: db)
        if let transaction, let headID = transaction.auditID {
            lastID = headID
            previous = transaction.auditHash
        } else {
            try DirectStatement(db, sql: "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").forEachRow { row in
                lastID = row.int64(0) ?? 0
                previous = row.string(1) ?? AuditChain.genesis
            }
        }
        id = lastID + 1
        hash = AuditChain.hash(previous: previous, row: self)
        var statement = try DirectStatement(db, sql: """
            INSERT INTO audit (id, at, actor, account, action, entity, entity_id, patient, before, after, reason, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        statement.bind(id)
        statement.bind(at)
        statement.bind(actor)
        statement.bind(account)
        statement.bind(action)
        statement.bind(entity)
        statement.bind(entityId)
        statement.bind(patient)
        statement.bind(before)
        statement.bind(after)
        statement.bind(reason)
        statement.bind(hash)
        try statement.execute()
        if let transaction, let hash {
            transaction.auditID = lastID + 1
            transaction.auditHash = hash
        }
    }
}

/// The operating-system account running this process, read once.
let operatingSystemAccount: String = {
    if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
    return "uid \(geteuid())"
}()

/// A value that writes its own JSON, byte for byte what `encodeJSON` would write, because it is
/// encoded once per row of a bulk import.
protocol HandEncodedJSON {
    var json: String { get }
}

/// One JSON object written member by member, compact, into UTF-8 bytes, for the hand-encoded
/// views: the caller gives the members in the order JSONEncoder's `.sortedKeys` gives them, and
/// an absent optional is left out, as the encoder leaves it out. Names are plain keys (nothing in
/// them to escape), but for ``number(escapingName:_:)``.
struct JSONObjectWriter {
    private var out: [UInt8]
    private var first = true

    init(capacity: Int = 256) {
        out = []
        out.reserveCapacity(capacity)
        out.append(UInt8(ascii: "{"))
    }

    private mutating func key(_ name: StaticString) {
        if !first { out.append(UInt8(ascii: ",")) }
        out.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
        first = false
    }

    mutating func string(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        appendJSONString(value, to: &out)
    }

    mutating func strings(_ name: StaticString, _ values: [String]) {
        key(name)
        appendJSONStringList(values, to: &out)
    }

    mutating func bool(_ name: StaticString, _ value: Bool) {
        key(name)
        if value {
            out.append(contentsOf: [UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: "u"), UInt8(ascii: "e")])
        } else {
            out.append(contentsOf: [UInt8(ascii: "f"), UInt8(ascii: "a"), UInt8(ascii: "l"), UInt8(ascii: "s"), UInt8(ascii: "e")])
        }
    }

    mutating func int(_ name: StaticString, _ value: Int?) {
        guard let value else { return }
        key(name)
        appendDecimal(value, to: &out)
    }

    mutating func number(_ name: StaticString, _ value: Double?) {
        guard let value else { return }
        key(name)
        appendJSONNumber(value, to: &out)
    }

    /// A list of whole numbers where `null` stands for a missing one (an assessment's answers).
    mutating func ints(_ name: StaticString, _ values: [Int?]) {
        key(name)
        appendJSONIntList(values, to: &out)
    }

    /// A name that may need escaping (a subscore's, a condition's id), as a key.
    private mutating func key(escaping name: String) {
        if !first { out.append(UInt8(ascii: ",")) }
        appendJSONString(name, to: &out)
        out.append(UInt8(ascii: ":"))
        first = false
    }

    /// A number under a name that may need escaping (a subscore's, say).
    mutating func number(escapingName name: String, _ value: Double) {
        key(escaping: name)
        appendJSONNumber(value, to: &out)
    }

    /// A string under a name that may need escaping (a condition's id, say).
    mutating func string(escapingName name: String, _ value: String) {
        key(escaping: name)
        appendJSONString(value, to: &out)
    }

    /// A list of objects, each written by `write`.
    mutating func objects<Element>(_ name: StaticString, _ elements: [Element], _ write: (Element) -> JSONObjectWriter) {
        key(name)
        out.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: write(element).out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }

    /// A member whose value is an object written by another writer.
    mutating func object(_ name: StaticString, _ value: JSONObjectWriter) {
        key(name)
        out.append(contentsOf: value.out)
        out.append(UInt8(ascii: "}"))
    }

    var text: String {
        var bytes = out
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}

func encodeJSON<T: Encodable>(_ value: T) -> String {
    if let value = value as? HandEncodedJSON { return value.json }
    return encodeWithJSONEncoder(value)
}

/// Foundation's encoder, sorted keys, no escaped slashes.
func encodeWithJSONEncoder<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try! encoder.encode(value), as: UTF8.self)
}


/// A list of strings as `encodeJSON` writes it.
func jsonStringList(_ values: [String]) -> String {
    var out: [UInt8] = []
    appendJSONStringList(values, to: &out)
    return String(decoding: out, as: UTF8.self)
}

func appendJSONStringList(_ values: [String], to out: inout [UInt8]) {
    out.append(UInt8(ascii: "["))
    for (index, value) in values.enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        appendJSONString(value, to: &out)
    }
    out.append(UInt8(ascii: "]"))
}

/// Whole numbers, `null` for a missing one, as `encodeJSON` writes `[Int?]`.
func appendJSONIntList(_ values: [Int?], to out: inout [UInt8]) {
    out.append(UInt8(ascii: "["))
    for (index, value) in values.enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        if let value {
            appendDecimal(value, to: &out)
        } else {
            out.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
        }
    }
    out.append(UInt8(ascii: "]"))
}

func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
    try? JSONDecoder().decode(type, from: Data(text.utf8))
}

/// A stored value that a change is about to write back or act on, read strictly: one that does
/// not read as KetaReg stores it is refused, never replaced by a default or dropped (a correction
/// would then write the default back: an adverse event's grade as mild, an infusion without its
/// start time or medication, an assessment's open safety flags closed). `what` names the record
/// and field, `kind` what it should be; the stored text itself is not repeated.
/// `remedy` says what the clinic can do about it.
func stored<Value>(_ what: @autoclosure () -> String, as kind: @autoclosure () -> String, remedy: @autoclosure () -> String = StoredValue.recordRemedy,
                   _ read: () throws -> Value?) throws -> Value {
    if let value = try? read() { return value }
    throw RegistryError.storage("\(what()): not \(kind()) as KetaReg stores it; nothing changed. "
                                + "The registry was changed outside KetaReg or is damaged: `ketareg verify` checks it; \(remedy())")
}

/// What a stored-value error suggests.
enum StoredValue {
    /// For a field of a clinical record, which can be taken out without reading it.
    static let recordRemedy = "`ketareg correct RECORD --entered-in-error` takes a damaged clinical record out, `ketareg restore` brings back a backup"
    /// For a field of the patient, which no command writes again.
    static let restoreRemedy = "`ketareg restore` brings back a backup"
    /// For the end of one of a patient's conditions.
    static func conditionEndRemedy(_ patient: String, _ condition: String) -> String {
        "`ketareg patient condition end \(patient) \(condition) --on DATE` records the end again"
    }
}

/// A stored word of a vocabulary, read as ``stored(_:as:_:)`` reads.
func storedWord<Word: Vocabulary>(_ text: String, _ what: @autoclosure () -> String,
                                  remedy: @autoclosure () -> String = StoredValue.recordRemedy) throws -> Word {
    try stored(what(), as: "one of \(Word.allowedWords)", remedy: remedy()) { Word(rawValue: text) }
}

/// A stored JSON list of text (`["a","b"]`), read as ``stored(_:as:_:)`` reads.
func storedStringList(_ text: String, _ what: @autoclosure () -> String) throws -> [String] {
    try stored(what(), as: "a list of text") { parseStringList(text) }
}

/// A stored day (`YYYY-MM-DD`), read as ``stored(_:as:_:)`` reads.
func storedDate(_ text: String, _ what: @autoclosure () -> String,
                remedy: @autoclosure () -> String = StoredValue.recordRemedy) throws -> ClinicalDate {
    try stored(what(), as: "a date (YYYY-MM-DD)", remedy: remedy()) { try ClinicalDate.parse(text, field: "on") }
}

/// A stored time of day (`HH:MM`), read as ``stored(_:as:_:)`` reads.
func storedTime(_ text: String, _ what: @autoclosure () -> String) throws -> ClockTime {
    try stored(what(), as: "a time (HH:MM)") { try ClockTime.parse(text, field: "at") }
}

/// ``decodeJSON(_:_:)`` for a column read in bulk that is most often empty (`[]`, `{}`): the
/// decoder runs only when there is something to decode.
func decodeJSONUnlessEmpty<T: Decodable>(_ type: T.Type, _ text: String?, empty: String) -> T? {
    guard let text, text != empty else { return nil }
    return decodeJSON(type, text)
}

/// A stored list of answers for a page or a view, empty when it does not read
/// (``parseIntList(_:)``; what a change writes back, a page or an export shows is read strictly
/// instead, with ``storedAnswers(_:_:)``).
func decodeIntList(_ text: String) -> [Int?] {
    parseIntList(text) ?? []
}

/// A stored list of answers, read as ``stored(_:as:_:)`` reads.
func storedAnswers(_ text: String, _ what: @autoclosure () -> String) throws -> [Int?] {
    try stored(what(), as: "a list of answers") { parseIntList(text) }
}

/// A stored list of answers (`[1,null,3]`, as ``appendJSONIntList(_:to:)`` writes one): read
/// by hand when it is in that form, else decoded; nil when it is not a JSON list of whole
/// numbers and nulls.
func parseIntList(_ text: String) -> [Int?]? {
    var text = text
    let plain: [Int?]? = text.withUTF8 { bytes in
        let end = bytes.count - 1
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "["), bytes[end] == UInt8(ascii: "]") else { return nil }
        if bytes.count == 2 { return [] }
        var values: [Int?] = []
        // One pass, part by part between commas (no array of slices: its first use alone cost
        // more than the rest of a short command's reading).
        var start = 1
        while true {
            var stop = start
            while stop < end && bytes[stop] != UInt8(ascii: ",") { stop += 1 }
            if stop - start == 4, bytes[start] == UInt8(ascii: "n"), bytes[start + 1] == UInt8(ascii: "u"),
               bytes[start + 2] == UInt8(ascii: "l"), bytes[start + 3] == UInt8(ascii: "l") {
                values.append(nil)
            } else {
                var first = start, negative = false
                if first < stop, bytes[first] == UInt8(ascii: "-") { negative = true; first += 1 }
                // Digits only, no leading zero (which JSON does not allow), short enough not to overflow.
                let count = stop - first
                guard count >= 1, count <= 15, count == 1 || bytes[first] != UInt8(ascii: "0") else { return nil }
                var magnitude = 0
                for position in first..<stop {
                    let digit = bytes[position] &- UInt8(ascii: "0")
                    guard digit <= 9 else { return nil }
                    magnitude = magnitude * 10 + Int(digit)
                }
                values.append(negative ? -magnitude : magnitude)
            }
            if stop == end { return values }
            start = stop + 1
        }
    }
    return plain ?? decodeJSON([Int?].self, text)
}

/// A stored list of ids for a page or a view, empty when it does not read (``parseStringList(_:)``;
/// what a change writes back or a history computes with is read strictly instead).
func decodeStringList(_ text: String?) -> [String] {
    guard let text else { return [] }
    return parseStringList(text) ?? []
}

/// A stored list of ids (`["a","b"]`, as the encoder writes one): split by hand when nothing in
/// it is escaped, else decoded; nil when it is not a JSON list of text. Histories read one per
/// assessment.
func parseStringList(_ text: String) -> [String]? {
    if text == "[]" { return [] }
    let plain: [String]? = text.utf8.withContiguousStorageIfAvailable { bytes in
        // `["a","b"]`: between the outer `["` and `"]`, quotes only in `","` separators.
        let count = bytes.count
        guard count >= 4, bytes[0] == UInt8(ascii: "["), bytes[1] == UInt8(ascii: "\""), bytes[count - 2] == UInt8(ascii: "\""),
              bytes[count - 1] == UInt8(ascii: "]"), !bytes.contains(UInt8(ascii: "\\")) else { return nil }
        let parts = bytes[2..<(count - 2)].split(separator: UInt8(ascii: "\""), omittingEmptySubsequences: false)
        var items: [String] = []
        items.reserveCapacity(parts.count / 2 + 1)
        for (index, part) in parts.enumerated() {
            if index % 2 == 0 {
                items.append(String(decoding: UnsafeBufferPointer(rebasing: part), as: UTF8.self))
            } else if part.count != 1 || part.first != UInt8(ascii: ",") {
                return nil
            }
        }
        return parts.count % 2 == 1 ? items : nil
    } ?? nil
    // Anything else (escapes, other quotes) is left to the decoder.
    return plain ?? decodeJSON([String].self, text)
}
