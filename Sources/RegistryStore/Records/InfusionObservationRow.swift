import Foundation
import GRDB
import RegistryCore

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
