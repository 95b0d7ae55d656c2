import Foundation
import GRDB
import RegistryCore

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
        return AdverseEventEntry(
            term: try storedWord(term, "the term of \(what)"), grade: try storedWord(grade, "the grade of \(what)"),
            serious: serious, onset: try storedDate(onset, "the onset of \(what)"),
            resolvedOn: try resolvedOn.map { try storedDate($0, "the resolution date of \(what)") })
    }
}
