import Foundation
import RegistryCore
import RegistryStore

/// The `records` profile: one row per patient and assessment, per infusion (with the condition it
/// was for, its dose or rate) and per observation during an infusion, with pseudonyms, days relative
/// to the first infusion and hours from an infusion's start. Quasi-identifiers (age band, sex, condition set, clinic) form groups of at
/// least k patients: smaller groups are generalised (broad age band, then sex not stated) and what
/// is still too small is withheld, and the payload says how much.
public struct RecordsPayload: Sendable, Codable, Hashable {
    public static let schemaID = "ketareg-records/2"

    public let schema: String
    public let generator: String
    public let clinic: String?
    public let period: String
    /// The clinic's audit-chain head when the payload was built: a witness of its history.
    public var auditChainHead: String?
    public let k: Int
    public let assessments: [AssessmentRecord]
    public let infusions: [InfusionRecord]
    public let observations: [ObservationRecord]
    /// Patients whose age band or sex was generalised to reach k.
    public let generalisedPatients: Int
    /// Patients (and their rows) withheld because no generalisation reached k.
    public let withheldPatients: Int
    public let withheldRows: Int
}

public struct AssessmentRecord: Sendable, Codable, Hashable {
    public let patient: String
    public let ageBand: String
    public let sex: String
    public let conditions: [String]
    public let scale: String
    public let timepoint: String
    /// Days from the patient's first infusion (day 0).
    public let day: Int
    public let score: Double
    public let band: String?
    public let subscores: [String: Double]?
}

public struct InfusionRecord: Sendable, Codable, Hashable {
    public let patient: String
    /// The condition it was given for.
    public let condition: String
    public let day: Int
    public let minutes: Int
    public let doseMgPerKg: Double?
    public let rateMgPerKgPerHour: Double?
    public let route: String?
}

/// Readings during an infusion: the day (from the patient's day 0) and whole hours from the
/// infusion's start, never a date or a clock time.
public struct ObservationRecord: Sendable, Codable, Hashable {
    public let patient: String
    public let day: Int
    public let hoursFromStart: Int
    public let systolic: Int?
    public let diastolic: Int?
    public let heartRate: Int?
    public let spo2: Int?
    public let sedation: Bool
    public let dissociation: Bool
    public let respiratoryDepression: Bool
}

/// Builds the records payload. Pure: registry data in, payload out.
public enum RecordsBuilder {
    public static func build(patients: [ExportPatient], catalog: ConditionCatalog, pseudonyms: Pseudonymizer, clinic: String?,
                             period: String, k: Int, generator: String) -> RecordsPayload {
        struct Quasi: Hashable { var age: String; var sex: String; var conditions: [String] }
        var released: [(ExportPatient, Quasi)] = []
        var remaining = patients.map { patient in
            (patient, Quasi(age: AgeBand.band(for: patient.ageAtDayZero), sex: patient.sex.rawValue, conditions: patient.history.conditions.sorted()))
        }
        var generalised = 0
        // Exact, then broad age bands, then sex not stated: each step keeps the groups that reach k.
        let steps: [(Quasi) -> Quasi] = [
            { $0 },
            { Quasi(age: AgeBand.broad($0.age), sex: $0.sex, conditions: $0.conditions) },
            { Quasi(age: AgeBand.broad($0.age), sex: "not-stated", conditions: $0.conditions) },
        ]
        for (index, step) in steps.enumerated() {
            let stepped = remaining.map { ($0.0, step($0.1)) }
            let counts = Dictionary(grouping: stepped, by: { $0.1 }).mapValues(\.count)
            let kept = stepped.filter { counts[$0.1]! >= k }
            if index > 0 { generalised += kept.count }
            released += kept
            remaining = remaining.filter { patient in !kept.contains { $0.0.rowID == patient.0.rowID } }
        }
        let withheldRows = remaining.reduce(0) { $0 + $1.0.history.assessments.count + $1.0.history.infusions.count + $1.0.history.observations.count }

        var assessments: [AssessmentRecord] = []
        var infusions: [InfusionRecord] = []
        var observations: [ObservationRecord] = []
        for (patient, quasi) in released.sorted(by: { $0.0.rowID < $1.0.rowID }) {
            guard let dayZero = patient.history.infusions.first?.date else { continue }
            let pseudonym = pseudonyms.pseudonym(for: patient.rowID)
            for assessment in patient.history.assessments {
                let scale = catalog.scale(assessment.scale)
                assessments.append(AssessmentRecord(
                    patient: pseudonym, ageBand: quasi.age, sex: quasi.sex, conditions: quasi.conditions, scale: assessment.scale,
                    timepoint: assessment.timepoint.rawValue, day: dayZero.days(until: assessment.date), score: assessment.score,
                    band: scale?.band(for: assessment.score)?.id, subscores: assessment.subscores.isEmpty ? nil : assessment.subscores))
            }
            for infusion in patient.history.infusions {
                infusions.append(InfusionRecord(patient: pseudonym, condition: infusion.condition, day: dayZero.days(until: infusion.date),
                                                minutes: infusion.minutes, doseMgPerKg: infusion.doseMgPerKg,
                                                rateMgPerKgPerHour: infusion.rateMgPerKgPerHour, route: infusion.route?.rawValue))
            }
            for observation in patient.history.observations {
                observations.append(ObservationRecord(
                    patient: pseudonym, day: dayZero.days(until: observation.date), hoursFromStart: observation.hoursFromStart,
                    systolic: observation.bloodPressure?.systolic, diastolic: observation.bloodPressure?.diastolic,
                    heartRate: observation.heartRate, spo2: observation.oxygenSaturation, sedation: observation.sedation,
                    dissociation: observation.dissociation, respiratoryDepression: observation.respiratoryDepression))
            }
        }
        return RecordsPayload(schema: RecordsPayload.schemaID, generator: generator, clinic: clinic, period: period, k: k,
                              assessments: assessments, infusions: infusions, observations: observations, generalisedPatients: generalised,
                              withheldPatients: remaining.count, withheldRows: withheldRows)
    }
}
