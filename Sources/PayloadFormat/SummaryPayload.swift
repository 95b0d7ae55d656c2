import RegistryCore

/// The `summary` profile: aggregate tables per condition, scale and point of the course, with every
/// cell counting fewer than the endpoint's minimum suppressed, and whatever could reveal it too.
public struct SummaryPayload: Sendable, Codable, Hashable {
    public static let schemaID = PayloadSchemas.summaryID

    public let schema: String
    public let generator: String
    public let clinic: String?
    /// The year and month the payload was built.
    public let period: String
    /// The clinic's audit-chain head when the payload was built: a witness of its history.
    public var auditChainHead: String?
    public let minimumCellSize: Int
    /// Every published count is a multiple of this (rounded to the nearest).
    public let roundingBase: Int
    public let conditions: [ConditionSummary]

    /// Every member, as the builders and decoders give them.
    public init(
        schema: String, generator: String, clinic: String? = nil, period: String, auditChainHead: String? = nil,
        minimumCellSize: Int, roundingBase: Int, conditions: [ConditionSummary]
    ) {
        self.schema = schema
        self.generator = generator
        self.clinic = clinic
        self.period = period
        self.auditChainHead = auditChainHead
        self.minimumCellSize = minimumCellSize
        self.roundingBase = roundingBase
        self.conditions = conditions
    }
}

public struct ConditionSummary: Sendable, Codable, Hashable {
    public let condition: String
    /// Consenting patients with a course; absent when fewer than the minimum cell size.
    public let patients: Int?
    public let suppressed: Bool
    /// Infusions given in the patients' courses; absent with the condition.
    public let treatment: TreatmentSummary?
    public let scales: [ScaleSummary]
    public let outcomes: [OutcomeSummary]
    public let adverseEvents: [AdverseEventSummary]
    public let coInterventions: [CoInterventionSummary]
    /// How many cells were suppressed in this condition's tables.
    public let suppressedCells: Int
    /// The period of the release that computed the condition's counts, treatment, adverse events
    /// and co-interventions: earlier than `period` when too few patients changed since.
    public let computedIn: String
    /// The condition's SNOMED CT and ICD-10 codes, for mapping pooled data; absent when it has none.
    public var codes: [StandardCode]? = nil

    /// Every member, as the builders and decoders give them.
    public init(
        condition: String, patients: Int? = nil, suppressed: Bool, treatment: TreatmentSummary? = nil,
        scales: [ScaleSummary], outcomes: [OutcomeSummary], adverseEvents: [AdverseEventSummary],
        coInterventions: [CoInterventionSummary], suppressedCells: Int, computedIn: String, codes: [StandardCode]? = nil
    ) {
        self.condition = condition
        self.patients = patients
        self.suppressed = suppressed
        self.treatment = treatment
        self.scales = scales
        self.outcomes = outcomes
        self.adverseEvents = adverseEvents
        self.coInterventions = coInterventions
        self.suppressedCells = suppressedCells
        self.computedIn = computedIn
        self.codes = codes
    }
}

/// How the condition's patients were treated: infusions per patient, dose per kg, routes.
public struct TreatmentSummary: Sendable, Codable, Hashable {
    public let infusions: Int
    public let medianInfusionsPerPatient: Double
    public let medianDoseMgPerKg: Double?
    /// Patients given ketamine by each route; every route is hidden when any would be a small
    /// cell, since a patient given one route only could otherwise be counted out of the total.
    public let routes: [RouteSummary]
    public let routesSuppressed: Bool

    /// Every member, as the builders and decoders give them.
    public init(
        infusions: Int, medianInfusionsPerPatient: Double, medianDoseMgPerKg: Double? = nil, routes: [RouteSummary],
        routesSuppressed: Bool
    ) {
        self.infusions = infusions
        self.medianInfusionsPerPatient = medianInfusionsPerPatient
        self.medianDoseMgPerKg = medianDoseMgPerKg
        self.routes = routes
        self.routesSuppressed = routesSuppressed
    }
}

public struct RouteSummary: Sendable, Codable, Hashable {
    public let route: String
    public let patients: Int

    /// Every member, as the builders and decoders give them.
    public init(route: String, patients: Int) {
        self.route = route
        self.patients = patients
    }
}

public struct ScaleSummary: Sendable, Codable, Hashable {
    public let scale: String
    public let timepoints: [TimepointSummary]
    /// The LOINC code of the scale's score; absent when it has none.
    public var codes: [StandardCode]? = nil

    /// Every member, as the builders and decoders give them.
    public init(scale: String, timepoints: [TimepointSummary], codes: [StandardCode]? = nil) {
        self.scale = scale
        self.timepoints = timepoints
        self.codes = codes
    }
}

/// Scores at one point of the course: `baseline`, `end-of-course`, or a visit id.
public struct TimepointSummary: Sendable, Codable, Hashable {
    public let timepoint: String
    public var patients: Int?
    public let mean: Double?
    public let median: Double?
    public let q1: Double?
    public let q3: Double?
    /// Mean change from baseline among patients with both.
    public let meanChangeFromBaseline: Double?
    /// The patients count is hidden: small, or hidden with its scale's outcome counts.
    public var suppressed: Bool
    public let computedIn: String

    /// Every member, as the builders and decoders give them.
    public init(
        timepoint: String, patients: Int? = nil, mean: Double? = nil, median: Double? = nil, q1: Double? = nil,
        q3: Double? = nil, meanChangeFromBaseline: Double? = nil, suppressed: Bool, computedIn: String
    ) {
        self.timepoint = timepoint
        self.patients = patients
        self.mean = mean
        self.median = median
        self.q1 = q1
        self.q3 = q3
        self.meanChangeFromBaseline = meanChangeFromBaseline
        self.suppressed = suppressed
        self.computedIn = computedIn
    }
}

public struct OutcomeSummary: Sendable, Codable, Hashable {
    public let outcome: String
    public let scale: String
    public let subscore: String?
    public let rule: String
    /// `immediate` or `sustained`.
    public let window: String
    public let visit: String?
    public let eligible: Int?
    public let assessed: Int?
    public let missing: Int?
    public let met: Int?
    public let rate: Double?
    public let rateMissingAsNonResponse: Double?
    public let suppressed: Bool
    public let computedIn: String

    /// Every member, as the builders and decoders give them.
    public init(
        outcome: String, scale: String, subscore: String? = nil, rule: String, window: String, visit: String? = nil,
        eligible: Int? = nil, assessed: Int? = nil, missing: Int? = nil, met: Int? = nil, rate: Double? = nil,
        rateMissingAsNonResponse: Double? = nil, suppressed: Bool, computedIn: String
    ) {
        self.outcome = outcome
        self.scale = scale
        self.subscore = subscore
        self.rule = rule
        self.window = window
        self.visit = visit
        self.eligible = eligible
        self.assessed = assessed
        self.missing = missing
        self.met = met
        self.rate = rate
        self.rateMissingAsNonResponse = rateMissingAsNonResponse
        self.suppressed = suppressed
        self.computedIn = computedIn
    }
}

public struct AdverseEventSummary: Sendable, Codable, Hashable {
    public let term: String
    public let grade: String
    public let patients: Int?
    public let events: Int?
    public let serious: Int?
    public let suppressed: Bool

    /// Every member, as the builders and decoders give them.
    public init(
        term: String, grade: String, patients: Int? = nil, events: Int? = nil, serious: Int? = nil, suppressed: Bool
    ) {
        self.term = term
        self.grade = grade
        self.patients = patients
        self.events = events
        self.serious = serious
        self.suppressed = suppressed
    }
}

public struct CoInterventionSummary: Sendable, Codable, Hashable {
    public let kind: String
    public let patients: Int?
    public let suppressed: Bool

    /// Every member, as the builders and decoders give them.
    public init(kind: String, patients: Int? = nil, suppressed: Bool) {
        self.kind = kind
        self.patients = patients
        self.suppressed = suppressed
    }
}
