import Foundation
import RegistryCore
import RegistryStore

/// The `records` profile: one row per patient (age band, sex, conditions), per assessment, per
/// infusion (the condition it was for, its route, dose or rate band and length band) and per
/// observation during an infusion, with pseudonyms and weeks from the first infusion.
///
/// A recipient can join every row of a patient by the pseudonym, so everything joinable is a
/// quasi-identifier: age band, sex, conditions, and the rows themselves without their clinical
/// values (how many infusions, each one's condition, week, route, dose or rate band and length
/// band; each observation's week and hour; each assessment's scale, timepoint and week). Scores,
/// severity bands and readings are the sensitive values, published as recorded. Every patient
/// released shares all of that with at least k - 1 others: patients who do not are generalised
/// through the steps of ``RecordsGeneralisation`` (each patient released at the first step whose
/// group among those not yet released reaches k), and those still in smaller groups after the
/// last step are withheld. The payload says how many patients each step took.
public struct RecordsPayload: Sendable, Codable, Hashable {
    public static let schemaID = PayloadSchemas.recordsID

    public let schema: String
    public let generator: String
    public let clinic: String?
    public let period: String
    /// The clinic's audit-chain head when the payload was built: a witness of its history.
    public var auditChainHead: String?
    public let k: Int
    public let patients: [PatientRecord]
    public let assessments: [AssessmentRecord]
    public let infusions: [InfusionRecord]
    public let observations: [ObservationRecord]
    /// How many released patients each generalisation step took, in order.
    public let generalisation: [GeneralisationCount]
    /// Patients released at any step after `as-recorded`.
    public let generalisedPatients: Int
    /// Patients (and their rows) withheld because no generalisation reached k.
    public let withheldPatients: Int
    public let withheldRows: Int
    /// The standard codes of the conditions and scales the rows name (version 3); absent when
    /// none has any.
    public var codes: [VocabularyEntry]? = nil
}

/// What a condition or scale named in a payload is in SNOMED CT, ICD-10 or LOINC.
public struct VocabularyEntry: Sendable, Codable, Hashable {
    /// `condition` or `scale`.
    public let kind: String
    public let id: String
    public let codes: [StandardCode]
}

/// A released patient's quasi-identifiers, and the step that released them.
public struct PatientRecord: Sendable, Codable, Hashable {
    public let patient: String
    public let ageBand: String
    public let sex: String
    public let conditions: [String]
    /// The generalisation step the patient was released at (``RecordsGeneralisation``).
    public let detail: String
}

public struct GeneralisationCount: Sendable, Codable, Hashable {
    public let step: String
    public let patients: Int
}

public struct AssessmentRecord: Sendable, Codable, Hashable {
    public let patient: String
    public let scale: String
    public let timepoint: String
    /// Weeks from the patient's first infusion (week 0: days 0 to 6; week -1: the seven days
    /// before); absent when timing was removed.
    public let week: Int?
    public let score: Double
    public let band: String?
    public let subscores: [String: Double]?
}

public struct InfusionRecord: Sendable, Codable, Hashable {
    public let patient: String
    /// The condition it was given for.
    public let condition: String
    public let week: Int?
    /// How long it ran, in a band of minutes (``RecordsGeneralisation/minutesBand(_:)``).
    public let minutes: String
    /// Dose per kg (bolus or timed infusion) or rate per kg per hour (continuous), in a band.
    public let doseMgPerKg: String?
    public let rateMgPerKgPerHour: String?
    public let route: String?
}

/// Readings during an infusion: the week (from the patient's day 0) and whole hours from the
/// infusion's start, never a date or a clock time; both absent when timing was removed.
public struct ObservationRecord: Sendable, Codable, Hashable {
    public let patient: String
    public let week: Int?
    public let hoursFromStart: Int?
    public let systolic: Int?
    public let diastolic: Int?
    public let heartRate: Int?
    public let spo2: Int?
    public let sedation: Bool
    public let dissociation: Bool
    public let respiratoryDepression: Bool
}

/// The steps a patient's quasi-identifiers are generalised through until at least k patients
/// share them, and the bands used throughout.
public enum RecordsGeneralisation {
    /// What each step keeps and what it gives up, tried in this order (least lost first):
    /// `as-recorded` (weeks, dose, rate and length bands, the narrow age band, sex);
    /// `age-broadened` (18-44, 45-64, 65-and-over); `timing-removed` (no weeks, no hours);
    /// `age-broadened-timing-removed`; `age-broadened-sex-removed` (sex `not-stated`);
    /// `age-broadened-sex-timing-removed`; `treatment-withheld` (all of that, and no infusion or
    /// observation rows: assessments only).
    public static let steps = ["as-recorded", "age-broadened", "timing-removed", "age-broadened-timing-removed",
                               "age-broadened-sex-removed", "age-broadened-sex-timing-removed", "treatment-withheld"]

    /// What a step generalises: (broad age, no sex, no timing, no treatment rows).
    static func generalises(_ step: Int) -> (age: Bool, sex: Bool, timing: Bool, treatment: Bool) {
        let name = steps[step]
        let all = name == "treatment-withheld"
        return (all || name.contains("age-broadened"), all || name.contains("sex-removed") || name.contains("sex-timing"),
                all || name.contains("timing-removed"), all)
    }

    /// Dose bands in mg/kg: each includes its lower bound and excludes its upper one, except the
    /// last, which includes 5.
    public static let doseBands = ["0.05-0.25", "0.25-0.5", "0.5-0.75", "0.75-1", "1-2", "2-5"]
    public static let rateBands = ["0.05-0.25", "0.25-0.5", "0.5-1", "1-2"]
    public static let minutesBands = ["1-40", "41-60", "61-120", "121-1440", "1441-10080"]

    public static func doseBand(_ dose: Double) -> String {
        switch dose {
        case ..<0.25: return "0.05-0.25"
        case ..<0.5: return "0.25-0.5"
        case ..<0.75: return "0.5-0.75"
        case ..<1: return "0.75-1"
        case ..<2: return "1-2"
        default: return "2-5"
        }
    }

    public static func rateBand(_ rate: Double) -> String {
        switch rate {
        case ..<0.25: return "0.05-0.25"
        case ..<0.5: return "0.25-0.5"
        case ..<1: return "0.5-1"
        default: return "1-2"
        }
    }

    public static func minutesBand(_ minutes: Int) -> String {
        switch minutes {
        case ...40: return "1-40"
        case ...60: return "41-60"
        case ...120: return "61-120"
        case ...1440: return "121-1440"
        default: return "1441-10080"
        }
    }

    /// Week of a day counted from day 0, rounding down (day -1 is week -1).
    public static func week(_ day: Int) -> Int { day >= 0 ? day / 7 : -((-day + 6) / 7) }
}

/// Builds the records payload. Pure: registry data in, payload out.
public enum RecordsBuilder {
    /// One patient's rows at one step, with everything a recipient could join on.
    private struct Released {
        var patient: PatientRecord
        var assessments: [AssessmentRecord]
        var infusions: [InfusionRecord]
        var observations: [ObservationRecord]

        /// The rows without their pseudonym and sensitive values, sorted: equal for two patients
        /// exactly when a recipient cannot tell them apart.
        var signature: String {
            let patientPart = "\(patient.ageBand)|\(patient.sex)|\(patient.conditions.joined(separator: ","))"
            let assessmentPart = assessments.map { "\($0.scale)|\($0.timepoint)|\($0.week.map(String.init) ?? "-")" }.sorted()
            let infusionPart = infusions.map { "\($0.condition)|\($0.week.map(String.init) ?? "-")|\($0.minutes)|\($0.doseMgPerKg ?? "-")|\($0.rateMgPerKgPerHour ?? "-")|\($0.route ?? "-")" }.sorted()
            let observationPart = observations.map { "\($0.week.map(String.init) ?? "-")|\($0.hoursFromStart.map(String.init) ?? "-")" }.sorted()
            return ([patientPart] + ["A"] + assessmentPart + ["I"] + infusionPart + ["O"] + observationPart).joined(separator: ";")
        }
    }

    public static func build(patients: [ExportPatient], catalog: ConditionCatalog, pseudonyms: Pseudonymizer, clinic: String?,
                             period: String, k: Int, generator: String) -> RecordsPayload {
        /// A patient's rows at a generalisation step.
        func rows(_ patient: ExportPatient, step: Int) -> Released? {
            guard let dayZero = patient.history.infusions.first?.date else { return nil }
            let pseudonym = pseudonyms.pseudonym(for: patient.rowID)
            let generalised = RecordsGeneralisation.generalises(step)
            let timing = !generalised.timing
            func week(_ date: ClinicalDate) -> Int? { timing ? RecordsGeneralisation.week(dayZero.days(until: date)) : nil }
            let age = AgeBand.band(for: patient.ageAtDayZero)
            let record = PatientRecord(patient: pseudonym, ageBand: generalised.age ? AgeBand.broad(age) : age, sex: generalised.sex ? "not-stated" : patient.sex.rawValue,
                                       conditions: patient.history.conditions.sorted(), detail: RecordsGeneralisation.steps[step])
            let assessments = patient.history.assessments.map { assessment in
                AssessmentRecord(patient: pseudonym, scale: assessment.scale, timepoint: assessment.timepoint.rawValue, week: week(assessment.date),
                                 score: assessment.score, band: catalog.scale(assessment.scale)?.band(for: assessment.score)?.id,
                                 subscores: assessment.subscores.isEmpty ? nil : assessment.subscores)
            }
            guard !generalised.treatment else { return Released(patient: record, assessments: assessments, infusions: [], observations: []) }
            let infusions = patient.history.infusions.map { infusion in
                InfusionRecord(patient: pseudonym, condition: infusion.condition, week: week(infusion.date),
                               minutes: RecordsGeneralisation.minutesBand(infusion.minutes),
                               doseMgPerKg: infusion.doseMgPerKg.map(RecordsGeneralisation.doseBand),
                               rateMgPerKgPerHour: infusion.rateMgPerKgPerHour.map(RecordsGeneralisation.rateBand), route: infusion.route?.rawValue)
            }
            let observations = patient.history.observations.map { observation in
                ObservationRecord(patient: pseudonym, week: week(observation.date), hoursFromStart: timing ? observation.hoursFromStart : nil,
                                  systolic: observation.bloodPressure?.systolic, diastolic: observation.bloodPressure?.diastolic,
                                  heartRate: observation.heartRate, spo2: observation.oxygenSaturation, sedation: observation.sedation,
                                  dissociation: observation.dissociation, respiratoryDepression: observation.respiratoryDepression)
            }
            return Released(patient: record, assessments: assessments, infusions: infusions, observations: observations)
        }

        var released: [(ExportPatient, Released)] = []
        var remaining = patients.filter { !$0.history.infusions.isEmpty }
        var counts: [GeneralisationCount] = []
        // Each step keeps the groups that reach k; the rest go on to the next.
        for step in RecordsGeneralisation.steps.indices {
            let stepped = remaining.compactMap { patient in rows(patient, step: step).map { (patient, $0) } }
            let sizes = Dictionary(grouping: stepped, by: { $0.1.signature }).mapValues(\.count)
            let kept = stepped.filter { sizes[$0.1.signature]! >= k }
            counts.append(GeneralisationCount(step: RecordsGeneralisation.steps[step], patients: kept.count))
            released += kept
            let keptIDs = Set(kept.map(\.0.rowID))
            remaining = remaining.filter { !keptIDs.contains($0.rowID) }
        }
        // Rows left out: every row of a withheld patient, and the treatment rows of those released
        // at the last step.
        let withheldRows = remaining.reduce(0) { $0 + $1.history.assessments.count + $1.history.infusions.count + $1.history.observations.count }
            + released.filter { $0.1.patient.detail == RecordsGeneralisation.steps.last }
                .reduce(0) { $0 + $1.0.history.infusions.count + $1.0.history.observations.count }
        let ordered = released.sorted { $0.0.rowID < $1.0.rowID }.map(\.1)
        var payload = RecordsPayload(schema: RecordsPayload.schemaID, generator: generator, clinic: clinic, period: period, k: k,
                                     patients: ordered.map(\.patient), assessments: ordered.flatMap(\.assessments), infusions: ordered.flatMap(\.infusions),
                                     observations: ordered.flatMap(\.observations), generalisation: counts,
                                     generalisedPatients: counts.dropFirst().reduce(0) { $0 + $1.patients },
                                     withheldPatients: remaining.count, withheldRows: withheldRows)
        // The catalog's codes for what the rows name: facts about the modules, nothing about patients.
        let conditionIDs = Set(payload.patients.flatMap(\.conditions)).sorted(), scaleIDs = Set(payload.assessments.map(\.scale)).sorted()
        let vocabulary = conditionIDs.compactMap { id in catalog.condition(id).flatMap { $0.codes.isEmpty ? nil : VocabularyEntry(kind: "condition", id: id, codes: $0.codes) } }
            + scaleIDs.compactMap { id in catalog.scale(id).flatMap { $0.codes.isEmpty ? nil : VocabularyEntry(kind: "scale", id: id, codes: $0.codes) } }
        payload.codes = vocabulary.isEmpty ? nil : vocabulary
        return payload
    }
}
