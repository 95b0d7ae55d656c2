import Foundation
import GRDB
import RegistryCore

struct CoInterventionRow: SnakeCaseRecord {
    static let databaseTableName = "co_intervention"
    var id: Int64?
    var patientId: Int64
    var kind: String
    var fromDate: String
    var toDate: String?
    var enteredInError: Bool
    var note: String?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    init(patientId: Int64, entry: CoInterventionEntry) {
        self.patientId = patientId
        kind = entry.kind.rawValue
        fromDate = entry.from.description
        toDate = entry.to?.description
        enteredInError = false
        note = entry.note
    }

    /// The stored co-intervention as an entry that can be corrected and validated again.
    func entry() throws -> CoInterventionEntry {
        let what = RecordKind.coIntervention.displayID(id ?? 0)
        return CoInterventionEntry(
            kind: try storedWord(kind, "the kind of \(what)"),
            from: try storedDate(fromDate, "the start date of \(what)"),
            to: try toDate.map { try storedDate($0, "the end date of \(what)") }, note: note)
    }
}
