import Foundation
import GRDB
import RegistryCore

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
