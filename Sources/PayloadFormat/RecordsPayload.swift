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
    /// `ketareg-records/5`: the schema, with its version, that every records payload names.
    public static let schemaID = PayloadSchemas.recordsID

    /// The schema the payload follows, with its version: ``schemaID``.
    public let schema: String
    /// The program and version that built the payload (`ketareg 0.1.0`).
    public let generator: String
    /// The clinic's name as the registry records it; absent when none is set.
    public let clinic: String?
    /// The year and month the payload was built (`YYYY-MM`).
    public let period: String
    /// The clinic's audit-chain head when the payload was built: a witness of its history.
    public var auditChainHead: String?
    /// How many audit rows ``auditChainHead`` closes (from version 6 of the summary, 5 of the
    /// records): the hub signs head and count into its receipt, so the clinic can show later that
    /// its chain still holds that head at that row.
    public var auditChainRows: Int? = nil
    /// The endpoint's k (`--k`, 2 to 1000, default 5): every released patient shares everything
    /// joinable with at least k - 1 other released patients.
    public let k: Int
    /// One row per released patient: the consenting patients with an infusion, less those withheld.
    public let patients: [PatientRecord]
    /// Every assessment of the released patients, with its score, band and subscores as recorded.
    public let assessments: [AssessmentRecord]
    /// Every infusion of the released patients, except those released at `treatment-withheld`.
    public let infusions: [InfusionRecord]
    /// Every reading during the released patients' infusions, except for those released at
    /// `treatment-withheld`.
    public let observations: [ObservationRecord]
    /// How many released patients each generalisation step took, in order.
    public let generalisation: [GeneralisationCount]
    /// Patients released at any step after `as-recorded`.
    public let generalisedPatients: Int
    /// Patients (and their rows) withheld because no generalisation reached k.
    public let withheldPatients: Int
    /// Rows not sent: every row of the withheld patients, and the infusion and observation rows of
    /// the patients released at `treatment-withheld`.
    public let withheldRows: Int
    /// The standard codes of the conditions and scales the rows name (version 3); absent when
    /// none has any.
    public var codes: [VocabularyEntry]? = nil
    /// The protocols the released patients' courses ran under, by condition (`module/1.2`,
    /// `clinic/2`): a network pools courses of one protocol only. Absent when no released patient
    /// has a course (and in `ketareg-records/3`).
    public var protocols: [ProtocolUse]? = nil

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
    /// The condition's or scale's id, as the rows name it.
    public let id: String
    /// Its SNOMED CT and ICD-10 codes (a condition) or LOINC codes (a scale); never empty.
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
    /// The patient's pseudonym: 32 lower-case hex digits, the same at this endpoint on every run
    /// and unrelated to the patient's pseudonym at any other endpoint.
    public let patient: String
    /// Age at the first infusion, in a band: `under-18`, `18-24`, ten-year bands `25-34` to
    /// `75-84`, `85-89` or `90-and-over`; `18-44`, `45-64` or `65-and-over` when age was broadened;
    /// `unknown` without a recorded age.
    public let ageBand: String
    /// `female`, `male`, `other` or `unknown` as recorded; `not-stated` when sex was removed.
    public let sex: String
    /// The ids of the conditions the patient is enrolled for, sorted.
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

/// How many patients one generalisation step released; the payload lists every step, in order.
public struct GeneralisationCount: Sendable, Codable, Hashable {
    /// The step: `as-recorded`, `age-broadened`, `timing-removed`, `age-broadened-timing-removed`,
    /// `age-broadened-sex-removed`, `age-broadened-sex-timing-removed` or `treatment-withheld`.
    public let step: String
    /// Patients released at this step (not rounded; 0 when none).
    public let patients: Int

    /// Every member, as the builders and decoders give them.
    public init(step: String, patients: Int) {
        self.step = step
        self.patients = patients
    }
}

/// One assessment of a released patient, as recorded.
public struct AssessmentRecord: Sendable, Codable, Hashable {
    /// The patient's pseudonym, as in ``PatientRecord/patient``.
    public let patient: String
    /// The scale's id (`phq9`).
    public let scale: String
    /// When in the course it was taken, as recorded: `baseline`, `post-infusion` or `follow-up`.
    public let timepoint: String
    /// Weeks from the patient's first infusion (week 0: days 0 to 6; week -1: the seven days
    /// before); absent when timing was removed.
    public let week: Int?
    /// The total score as recorded, in the scale's own points and range.
    public let score: Double
    /// The id of the scale's severity band the score falls in; absent when the scale has no bands.
    public let band: String?
    /// The subscores by name, as recorded; absent when the assessment has none.
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

/// A protocol some released patient's course of a condition ran under.
public struct ProtocolUse: Sendable, Codable, Hashable {
    /// The condition's id.
    public let condition: String
    /// The protocol's reference: `module/VERSION` or `clinic/N`.
    public let `protocol`: String
    /// Its course in words ("3 infusions within 14 days ...").
    public let course: String

    /// A protocol of a condition, with its course in words.
    public init(condition: String, protocol: String, course: String) {
        self.condition = condition
        self.protocol = `protocol`
        self.course = course
    }
}

/// One infusion of a released patient; none is sent for a patient released at `treatment-withheld`.
public struct InfusionRecord: Sendable, Codable, Hashable {
    /// The patient's pseudonym, as in ``PatientRecord/patient``.
    public let patient: String
    /// The condition it was given for.
    public let condition: String
    /// Weeks from the patient's first infusion (week 0: days 0 to 6); absent when timing was
    /// removed.
    public let week: Int?
    /// How long it ran, in a band of minutes (``RecordsGeneralisation/minutesBand(_:)``).
    public let minutes: String
    /// Dose per kg (bolus or timed infusion) or rate per kg per hour (continuous), in a band.
    public let doseMgPerKg: String?
    /// A continuous infusion's highest rate in mg/kg/h, as a band (`0.05-0.25`, `0.25-0.5`,
    /// `0.5-1`, `1-2`); absent when a dose was recorded instead.
    public let rateMgPerKgPerHour: String?
    /// How it was given: `iv`, `im`, `intranasal`, `oral`, `sublingual` or `subcutaneous`;
    /// absent when no route is known.
    public let route: String?
    /// The drug: `ketamine` or `esketamine` (absent from `ketareg-records/3`, where it was
    /// ketamine).
    public let drug: String?
    /// A fixed dose in mg, as a band (`RecordsGeneralisation.fixedDoseBands`): esketamine's 28, 56
    /// or 84 as they are; absent when a dose per kg or a rate was recorded.
    public let doseMg: String?

    /// Every member, as the builders and decoders give them.
    public init(
        patient: String, condition: String, week: Int? = nil, minutes: String, doseMgPerKg: String? = nil,
        rateMgPerKgPerHour: String? = nil, route: String? = nil, drug: String? = nil, doseMg: String? = nil
    ) {
        self.drug = drug
        self.doseMg = doseMg
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
    /// The patient's pseudonym, as in ``PatientRecord/patient``.
    public let patient: String
    /// Weeks from the patient's first infusion to the reading's day; absent when timing was
    /// removed.
    public let week: Int?
    /// Whole hours from the infusion's start (from the start of its day when no start time was
    /// recorded); absent when timing was removed.
    public let hoursFromStart: Int?
    /// Systolic blood pressure in mmHg (50 to 300); absent when no blood pressure was recorded.
    public let systolic: Int?
    /// Diastolic blood pressure in mmHg (20 to 200); absent when no blood pressure was recorded.
    public let diastolic: Int?
    /// Heart rate in beats per minute (20 to 250); absent when not recorded.
    public let heartRate: Int?
    /// Oxygen saturation (SpO2) in percent (50 to 100); absent when not recorded.
    public let spo2: Int?
    /// Whether sedation was observed.
    public let sedation: Bool
    /// Whether dissociation was observed.
    public let dissociation: Bool
    /// Whether respiratory depression was observed.
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
