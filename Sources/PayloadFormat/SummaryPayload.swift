import RegistryCore

/// The `summary` profile: aggregate tables per condition, scale and point of the course, with every
/// cell counting fewer than the endpoint's minimum suppressed, and whatever could reveal it too.
public struct SummaryPayload: Sendable, Codable, Hashable {
    /// `ketareg-summary/6`: the schema, with its version, that every summary names.
    public static let schemaID = PayloadSchemas.summaryID

    /// The schema the payload follows, with its version: ``schemaID``.
    public let schema: String
    /// The program and version that built the payload (`ketareg 0.1.0`).
    public let generator: String
    /// The clinic's name as the registry records it; absent when none is set.
    public let clinic: String?
    /// The year and month the payload was built.
    public let period: String
    /// The clinic's audit-chain head when the payload was built: a witness of its history.
    public var auditChainHead: String?
    /// How many audit rows ``auditChainHead`` closes (from version 6 of the summary, 5 of the
    /// records): the hub signs head and count into its receipt, so the clinic can show later that
    /// its chain still holds that head at that row.
    public var auditChainRows: Int? = nil
    /// The endpoint's minimum cell size (`--min-cell`, 2 to 1000, default 11): a count is published
    /// only when it is 0 or every true count its rounded value could stand for is at least this.
    public let minimumCellSize: Int
    /// Every published count is a multiple of this (rounded to the nearest).
    public let roundingBase: Int
    /// One entry per condition in the catalog, in catalog order.
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

/// One condition's tables: its consenting patients, their treatment, scores, outcomes, adverse
/// events and co-interventions, each count rounded and small cells suppressed.
public struct ConditionSummary: Sendable, Codable, Hashable {
    /// The condition's id (`depression`).
    public let condition: String
    /// Consenting patients with a course; absent when fewer than the minimum cell size.
    public let patients: Int?
    /// True when the patient count is a small cell: the whole condition is then one suppressed
    /// cell, with `patients` and `treatment` absent and every table empty.
    public let suppressed: Bool
    /// Infusions given in the patients' courses; absent with the condition.
    public let treatment: TreatmentSummary?
    /// Scores at each point of the induction, one entry per scale of the condition that has any
    /// score, in the module's order; empty when the condition is suppressed or has no patients.
    public let scales: [ScaleSummary]
    /// The induction's outcome rows that have at least one eligible course; empty when the
    /// condition is suppressed or has no patients.
    public let outcomes: [OutcomeSummary]
    /// Adverse events by term and grade, one row for each term and grade that occurred; empty when
    /// the condition is suppressed or has no patients.
    public let adverseEvents: [AdverseEventSummary]
    /// Patients by kind of co-intervention, one row for each kind some patient had; empty when the
    /// condition is suppressed or has no patients.
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
    /// The infusions recorded for this condition across its patients, rounded to a multiple of
    /// `roundingBase`.
    public let infusions: Int
    /// The median number of this condition's infusions per patient, to 2 decimals; not rounded to
    /// the base.
    public let medianInfusionsPerPatient: Double
    /// The median dose in mg/kg over this condition's infusions given as a dose (not a rate), to 2
    /// decimals; absent when none was.
    public let medianDoseMgPerKg: Double?
    /// Patients given ketamine by each route; every route is hidden when any would be a small
    /// cell, since a patient given one route only could otherwise be counted out of the total.
    public let routes: [RouteSummary]
    /// True when every route is hidden (`routes` empty) because one of them would be a small cell.
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

/// The condition's patients given ketamine by one route; only routes some patient was given are
/// listed.
public struct RouteSummary: Sendable, Codable, Hashable {
    /// The route: `iv`, `im`, `intranasal` or `oral`.
    public let route: String
    /// Patients given at least one of the condition's infusions by this route, rounded to a
    /// multiple of `roundingBase`.
    public let patients: Int

    /// Every member, as the builders and decoders give them.
    public init(route: String, patients: Int) {
        self.route = route
        self.patients = patients
    }
}

/// One scale's scores at each point of the patients' inductions.
public struct ScaleSummary: Sendable, Codable, Hashable {
    /// The scale's id (`phq9`).
    public let scale: String
    /// The points with at least one score, in course order: `baseline`, `end-of-course`, then each
    /// follow-up visit.
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
    /// The point of the course: `baseline`, `end-of-course`, or a follow-up visit's id (`visit-1`).
    public let timepoint: String
    /// Patients with a score at this point of their induction, rounded to a multiple of
    /// `roundingBase`; absent when `suppressed`.
    public var patients: Int?
    /// The mean of those scores, in the scale's points, to 1 decimal; absent when the patient count
    /// is a small cell.
    public let mean: Double?
    /// The median of those scores, to 1 decimal; absent when the patient count is a small cell.
    public let median: Double?
    /// The first quartile of those scores (linear interpolation between the closest ranks), to 1
    /// decimal; absent when the patient count is a small cell.
    public let q1: Double?
    /// The third quartile of those scores (linear interpolation between the closest ranks), to 1
    /// decimal; absent when the patient count is a small cell.
    public let q3: Double?
    /// Mean change from baseline among patients with both.
    public let meanChangeFromBaseline: Double?
    /// The patients count is hidden: small, or hidden with its scale's outcome counts.
    public var suppressed: Bool
    /// The period (`YYYY-MM`) of the release that computed this row's values: earlier than the
    /// payload's `period` when its patients differ by fewer than `minimumCellSize` from a set it
    /// was published for before.
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

/// One outcome rule judged on the patients' inductions, at the end of the course (`immediate`) or
/// still met at a follow-up visit (`sustained`), with its denominators.
public struct OutcomeSummary: Sendable, Codable, Hashable {
    /// The rule's id (`response`, `remission`, `moderate-improvement`).
    public let outcome: String
    /// The protocol the row's courses ran under (`module/1.0`, `clinic/2`); absent only in a
    /// `ketareg-summary/3` payload, from before rows named it.
    public let `protocol`: String?
    /// The id of the scale the rule is judged on.
    public let scale: String
    /// The subscore the rule is judged on; absent when it judges the total score.
    public let subscore: String?
    /// The rule in words, ending with when it is judged: at the end of the course, and for a
    /// sustained row still met at the visit.
    public let rule: String
    /// Whether it judges the end of the course alone, or also a follow-up visit.
    public let window: OutcomeRow.Window
    /// For a sustained row, the follow-up visit's id (`visit-1`); absent for an immediate one.
    public let visit: String?
    /// Inductions that are over, with a baseline the rule can use and their assessment window
    /// opened (`assessed` plus `missing`), rounded; absent when this or any outcome row of the
    /// scale has a small eligible, assessed or missing count.
    public let eligible: Int?
    /// Eligible inductions with the assessments the row compares, rounded; absent whenever
    /// `eligible` is.
    public let assessed: Int?
    /// Eligible inductions without those assessments, rounded; absent whenever `eligible` is.
    public let missing: Int?
    /// Inductions meeting the rule (sustained: at the end of the course and still at the visit),
    /// rounded; absent when `assessed` is, or when `met` or `assessed - met` is small in any row of
    /// this outcome on this scale.
    public let met: Int?
    /// `met / assessed` of the rounded counts, to 3 decimals (0 to 1); absent when `met` is, or
    /// `assessed` rounds to 0.
    public let rate: Double?
    /// `met / eligible` of the rounded counts, every missing course counted as not meeting the
    /// rule, to 3 decimals; absent when `met` is, or `eligible` rounds to 0.
    public let rateMissingAsNonResponse: Double?
    /// True when any of the row's counts, and so its rates, is hidden.
    public let suppressed: Bool
    /// The period (`YYYY-MM`) of the release that computed this row's counts: earlier than the
    /// payload's `period` when its eligible patients differ by fewer than `minimumCellSize` from a
    /// set it was published for before.
    public let computedIn: String

    /// Every member, as the builders and decoders give them.
    public init(
        outcome: String, protocol: String? = nil, scale: String, subscore: String? = nil, rule: String,
        window: OutcomeRow.Window,
        visit: String? = nil,
        eligible: Int? = nil, assessed: Int? = nil, missing: Int? = nil, met: Int? = nil, rate: Double? = nil,
        rateMissingAsNonResponse: Double? = nil, suppressed: Bool, computedIn: String
    ) {
        self.outcome = outcome
        self.protocol = `protocol`
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

/// Adverse events of one term and grade among the condition's patients.
public struct AdverseEventSummary: Sendable, Codable, Hashable {
    /// The adverse event term (`nausea`, `dissociation`, `diplopia-blurred-vision`, ...).
    public let term: String
    /// The grade: `mild`, `moderate` or `severe`.
    public let grade: String
    /// Patients with at least one such event, rounded; absent when the row is suppressed.
    public let patients: Int?
    /// Events of this term and grade, rounded; absent when the row is suppressed.
    public let events: Int?
    /// How many of those events were serious, rounded; absent when the row is suppressed.
    public let serious: Int?
    /// True when any of the row's three counts is a small cell: all three are then absent.
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

/// The condition's patients who had one kind of co-intervention during a course.
public struct CoInterventionSummary: Sendable, Codable, Hashable {
    /// The kind: `diet`, `magnesium`, `essential-oil`, `acupuncture`, `yoga`, `massage`,
    /// `psychotherapy`, `ketamine-assisted-psychotherapy` or `other` (an other's note is never sent).
    public let kind: String
    /// Patients with at least one co-intervention of this kind, rounded; absent when a small cell.
    public let patients: Int?
    /// True when the patient count is a small cell and so absent.
    public let suppressed: Bool

    /// Every member, as the builders and decoders give them.
    public init(kind: String, patients: Int? = nil, suppressed: Bool) {
        self.kind = kind
        self.patients = patients
        self.suppressed = suppressed
    }
}
