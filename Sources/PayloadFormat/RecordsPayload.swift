import RegistryCore

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

    /// Every member, as the builders and decoders give them.
    public init(
        schema: String, generator: String, clinic: String? = nil, period: String, auditChainHead: String? = nil, k: Int,
        patients: [PatientRecord], assessments: [AssessmentRecord], infusions: [InfusionRecord],
        observations: [ObservationRecord], generalisation: [GeneralisationCount], generalisedPatients: Int,
        withheldPatients: Int, withheldRows: Int, codes: [VocabularyEntry]? = nil
    ) {
        self.schema = schema
        self.generator = generator
        self.clinic = clinic
        self.period = period
        self.auditChainHead = auditChainHead
        self.k = k
        self.patients = patients
        self.assessments = assessments
        self.infusions = infusions
        self.observations = observations
        self.generalisation = generalisation
        self.generalisedPatients = generalisedPatients
        self.withheldPatients = withheldPatients
        self.withheldRows = withheldRows
        self.codes = codes
    }
}

/// What a condition or scale named in a payload is in SNOMED CT, ICD-10 or LOINC.
public struct VocabularyEntry: Sendable, Codable, Hashable {
    /// `condition` or `scale`.
    public let kind: String
    public let id: String
    public let codes: [StandardCode]

    /// Every member, as the builders and decoders give them.
    public init(kind: String, id: String, codes: [StandardCode]) {
        self.kind = kind
        self.id = id
        self.codes = codes
    }
}

/// A released patient's quasi-identifiers, and the step that released them.
public struct PatientRecord: Sendable, Codable, Hashable {
    public let patient: String
    public let ageBand: String
    public let sex: String
    public let conditions: [String]
    /// The generalisation step the patient was released at (``RecordsGeneralisation``).
    public let detail: String

    /// Every member, as the builders and decoders give them.
    public init(patient: String, ageBand: String, sex: String, conditions: [String], detail: String) {
        self.patient = patient
        self.ageBand = ageBand
        self.sex = sex
        self.conditions = conditions
        self.detail = detail
    }
}

public struct GeneralisationCount: Sendable, Codable, Hashable {
    public let step: String
    public let patients: Int

    /// Every member, as the builders and decoders give them.
    public init(step: String, patients: Int) {
        self.step = step
        self.patients = patients
    }
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

    /// Every member, as the builders and decoders give them.
    public init(
        patient: String, scale: String, timepoint: String, week: Int? = nil, score: Double, band: String? = nil,
        subscores: [String: Double]? = nil
    ) {
        self.patient = patient
        self.scale = scale
        self.timepoint = timepoint
        self.week = week
        self.score = score
        self.band = band
        self.subscores = subscores
    }
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

    /// Every member, as the builders and decoders give them.
    public init(
        patient: String, condition: String, week: Int? = nil, minutes: String, doseMgPerKg: String? = nil,
        rateMgPerKgPerHour: String? = nil, route: String? = nil
    ) {
        self.patient = patient
        self.condition = condition
        self.week = week
        self.minutes = minutes
        self.doseMgPerKg = doseMgPerKg
        self.rateMgPerKgPerHour = rateMgPerKgPerHour
        self.route = route
    }
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

    /// Every member, as the builders and decoders give them.
    public init(
        patient: String, week: Int? = nil, hoursFromStart: Int? = nil, systolic: Int? = nil, diastolic: Int? = nil,
        heartRate: Int? = nil, spo2: Int? = nil, sedation: Bool, dissociation: Bool, respiratoryDepression: Bool
    ) {
        self.patient = patient
        self.week = week
        self.hoursFromStart = hoursFromStart
        self.systolic = systolic
        self.diastolic = diastolic
        self.heartRate = heartRate
        self.spo2 = spo2
        self.sedation = sedation
        self.dissociation = dissociation
        self.respiratoryDepression = respiratoryDepression
    }
}
