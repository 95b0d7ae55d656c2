import Foundation
import GRDB
import RegistryCore

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
