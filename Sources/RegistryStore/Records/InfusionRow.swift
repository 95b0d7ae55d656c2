import Foundation
import GRDB
import RegistryCore

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
    var drug: String
    var doseMg: Double?
    var readyToLeaveAt: String?

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
        drug = entry.drug.rawValue
        doseMg = entry.doseMg
        readyToLeaveAt = entry.readyToLeave?.description
    }

    /// `insert`, with a prepared statement kept for the next row instead of Codable's encoding
    /// and key conversion: infusions are written in bulk by imports.
    mutating func insertFast(_ db: Database) throws {
        var statement = try DirectStatement(
            db,
            sql: """
                INSERT INTO infusion (patient_id, condition_id, given_on, given_at, dose_mg_per_kg, rate_mg_per_kg_per_hour, weight_kg, total_mg,
                                      minutes, route, bp_before_systolic, bp_before_diastolic, bp_after_systolic, bp_after_diastolic,
                                      bp_discharge_systolic, bp_discharge_diastolic, heart_rate, oxygen_saturation, monitoring_minutes,
                                      concomitant_medication, sedation, dissociation, respiratory_depression, entered_in_error, legacy_ranges,
                                      drug, dose_mg, ready_to_leave_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
        statement.bind(drug)
        statement.bind(doseMg)
        statement.bind(readyToLeaveAt)
        try statement.execute()
        id = db.lastInsertedRowID
    }

    /// The stored infusion as an entry that can be corrected and validated again, with its rate
    /// steps.
    func entry(rateSteps: [RateStep]) throws -> InfusionEntry {
        func pressure(_ systolic: Int?, _ diastolic: Int?) -> BloodPressure? {
            guard let systolic, let diastolic else { return nil }
            return BloodPressure(systolic: systolic, diastolic: diastolic)
        }
        let what = RecordKind.infusion.displayID(id ?? 0)
        return InfusionEntry(
            condition: conditionId,
            date: try storedDate(givenOn, "the day of \(what)"),
            time: try givenAt.map { try storedTime($0, "the start time of \(what)") },
            dosing: dosing,
            weightKg: weightKg, totalMg: totalMg, minutes: minutes,
            route: try storedWord(route, "the route of \(what)"),
            bloodPressureBefore: pressure(bpBeforeSystolic, bpBeforeDiastolic),
            bloodPressureAfter: pressure(bpAfterSystolic, bpAfterDiastolic),
            bloodPressureAtDischarge: pressure(bpDischargeSystolic, bpDischargeDiastolic),
            heartRate: heartRate, oxygenSaturation: oxygenSaturation, monitoringMinutes: monitoringMinutes,
            concomitantMedication: try storedStringList(concomitantMedication, "the concomitant medication of \(what)"),
            sedation: sedation, dissociation: dissociation, respiratoryDepression: respiratoryDepression,
            drug: try storedWord(drug, "the drug of \(what)"), rateSteps: rateSteps,
            readyToLeave: try readyToLeaveAt.map { try storedTime($0, "the time \(what)'s patient was ready to leave") }
        )
    }

    /// The dose, fixed dose or rate as stored.
    var dosing: Dosing {
        if let rateMgPerKgPerHour { return .rate(mgPerKgPerHour: rateMgPerKgPerHour) }
        if let doseMg { return .fixed(mg: doseMg) }
        return .dose(mgPerKg: doseMgPerKg ?? 0)
    }
}
