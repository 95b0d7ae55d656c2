import Foundation
import GRDB
import RegistryCore

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
        var statement = try DirectStatement(
            db,
            sql: """
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
