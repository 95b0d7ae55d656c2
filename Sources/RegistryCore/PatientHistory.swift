/// What outcome reports and course tracking need to know of one patient: no identity, only
/// clinical events with their dates. Records entered in error are left out by whoever builds it.
public struct PatientHistory: Sendable, Hashable {
    /// The patient's registry id (`P-000001`), never the MRN or a name.
    public let patient: String
    /// The ids of the conditions the patient is enrolled for (`depression`).
    public let conditions: [String]
    /// The day the patient was enrolled.
    public let enrolledOn: ClinicalDate
    /// Every infusion, each for one or more of ``conditions`` (its first, and ``Infusion/alsoFor``),
    /// in the order given.
    public let infusions: [Infusion]
    /// Every assessment, in date order.
    public let assessments: [Assessment]
    /// Every adverse event, with its term, grade and seriousness but no dates.
    public let adverseEvents: [AdverseEvent]
    /// The kind of each co-intervention recorded, without its dates.
    public let coInterventions: [CoInterventionKind]
    /// Courses started or ended by hand (`ketareg course start|end`).
    public let courseMarkers: [CourseMarker]
    /// Vital signs and observations during infusions.
    public let observations: [Observation]
    /// Conditions the clinic ended (`patient condition end`), with the day: nothing is due for
    /// them from that day on, while their courses still count in outcomes.
    public let endedConditions: [String: ClinicalDate]

    /// A history; infusions are put in order of day and start time (no time counts as the start of the day),
    /// assessments and course markers in date order.
    public init(
        patient: String, conditions: [String], enrolledOn: ClinicalDate, infusions: [Infusion],
        assessments: [Assessment], adverseEvents: [AdverseEvent] = [], coInterventions: [CoInterventionKind] = [],
        courseMarkers: [CourseMarker] = [], observations: [Observation] = [],
        endedConditions: [String: ClinicalDate] = [:]
    ) {
        self.endedConditions = endedConditions
        self.patient = patient
        self.conditions = conditions
        self.enrolledOn = enrolledOn
        // By day and start time, keeping the given order among equals (the copies of an infusion
        // given for several conditions, say); already so when read from the registry.
        func before(_ first: Infusion, _ second: Infusion) -> Bool {
            first.date != second.date
                ? first.date < second.date : (first.time?.minuteOfDay ?? 0) < (second.time?.minuteOfDay ?? 0)
        }
        if zip(infusions, infusions.dropFirst()).allSatisfy({ !before($1, $0) }) {
            self.infusions = infusions
        } else {
            self.infusions = infusions.enumerated().sorted {
                before($0.element, $1.element) || (!before($1.element, $0.element) && $0.offset < $1.offset)
            }.map(\.element)
        }
        self.assessments = assessments.sorted { $0.date < $1.date }
        self.adverseEvents = adverseEvents
        self.coInterventions = coInterventions
        self.courseMarkers = courseMarkers.sorted { $0.date < $1.date }
        self.observations = observations
    }

    /// The history as it stood at the end of `day`: what was recorded for later days is left out,
    /// so that a report "as of" a past day counts only what had happened by then.
    public func asOf(_ day: ClinicalDate) -> PatientHistory {
        PatientHistory(
            patient: patient, conditions: conditions, enrolledOn: enrolledOn,
            infusions: infusions.filter { $0.date <= day }, assessments: assessments.filter { $0.date <= day },
            adverseEvents: adverseEvents, coInterventions: coInterventions,
            courseMarkers: courseMarkers.filter { $0.date <= day },
            observations: observations.filter { $0.date <= day },
            endedConditions: endedConditions.filter { $0.value <= day })
    }

    /// The history with each infusion given for several conditions written once per condition
    /// (each copy for that condition alone), the copies of one infusion in condition order: what
    /// a row-per-infusion export sends, so that two patients treated alike read alike whichever
    /// condition came first.
    public func infusionsCopiedPerCondition() -> PatientHistory {
        guard infusions.contains(where: { !$0.alsoFor.isEmpty }) else { return self }
        return PatientHistory(
            patient: patient, conditions: conditions, enrolledOn: enrolledOn,
            infusions: infusions.flatMap { infusion in
                ([infusion.condition] + infusion.alsoFor).sorted().map {
                    Infusion(
                        condition: $0, date: infusion.date, time: infusion.time, minutes: infusion.minutes,
                        doseMgPerKg: infusion.doseMgPerKg, rateMgPerKgPerHour: infusion.rateMgPerKgPerHour,
                        route: infusion.route, drug: infusion.drug, doseMg: infusion.doseMg)
                }
            }, assessments: assessments, adverseEvents: adverseEvents, coInterventions: coInterventions,
            courseMarkers: courseMarkers, observations: observations, endedConditions: endedConditions)
    }

    /// The infusions given for one condition, as its first or as one of its other conditions.
    public func infusions(for condition: String) -> [Infusion] {
        infusions.filter { $0.condition == condition || $0.alsoFor.contains(condition) }
    }

    /// One infusion as outcomes and course tracking see it: its condition, day, duration and dosing.
    public struct Infusion: Sendable, Hashable {
        /// The condition the infusion was given for.
        public let condition: String
        /// The day the infusion started.
        public let date: ClinicalDate
        /// When dosing started, when recorded.
        public let time: ClockTime?
        /// How long it lasted, in minutes (a five-day continuous infusion is 7200).
        public let minutes: Int
        /// The dose of a bolus or timed infusion.
        public let doseMgPerKg: Double?
        /// The highest rate a continuous infusion reached: the rate it started at or its highest
        /// step.
        public let rateMgPerKgPerHour: Double?
        /// How it was given; `nil` when not known.
        public let route: InfusionRoute?
        /// The drug given.
        public let drug: Drug
        /// A fixed dose in mg.
        public let doseMg: Double?
        /// The other conditions it was given for as well; it counts in each one's course.
        public let alsoFor: [String]
        /// An infusion for `condition` (and the conditions of `alsoFor`) on `date`, lasting `minutes`.
        public init(
            condition: String, date: ClinicalDate, time: ClockTime? = nil, minutes: Int, doseMgPerKg: Double? = nil,
            rateMgPerKgPerHour: Double? = nil, route: InfusionRoute? = nil, alsoFor: [String] = [],
            drug: Drug = .ketamine, doseMg: Double? = nil
        ) {
            self.condition = condition
            self.drug = drug
            self.doseMg = doseMg
            self.alsoFor = alsoFor
            self.date = date
            self.time = time
            self.minutes = minutes
            self.doseMgPerKg = doseMgPerKg
            self.rateMgPerKgPerHour = rateMgPerKgPerHour
            self.route = route
        }

        /// The day the infusion ended: later than its start for continuous infusions over days. An
        /// infusion with no start time is taken to start at the beginning of its day.
        public var endDate: ClinicalDate {
            date.adding(days: ((time?.minuteOfDay ?? 0) + max(0, minutes)) / 1440)
        }
    }

    /// Readings taken during an infusion.
    public struct Observation: Sendable, Hashable {
        /// The day of the reading.
        public let date: ClinicalDate
        /// Whole hours since the infusion started (since the start of its day when no time was recorded).
        public let hoursFromStart: Int
        /// Blood pressure, when taken.
        public let bloodPressure: BloodPressure?
        /// Heart rate in beats per minute, when taken.
        public let heartRate: Int?
        /// Oxygen saturation (SpO2) in %, when taken.
        public let oxygenSaturation: Int?
        /// Whether sedation was observed.
        public let sedation: Bool
        /// Whether dissociation was observed.
        public let dissociation: Bool
        /// Whether respiratory depression was observed.
        public let respiratoryDepression: Bool

        /// The readings of one observation, `hoursFromStart` whole hours into the infusion.
        public init(
            date: ClinicalDate, hoursFromStart: Int, bloodPressure: BloodPressure? = nil, heartRate: Int? = nil,
            oxygenSaturation: Int? = nil,
            sedation: Bool = false, dissociation: Bool = false, respiratoryDepression: Bool = false
        ) {
            self.date = date
            self.hoursFromStart = hoursFromStart
            self.bloodPressure = bloodPressure
            self.heartRate = heartRate
            self.oxygenSaturation = oxygenSaturation
            self.sedation = sedation
            self.dissociation = dissociation
            self.respiratoryDepression = respiratoryDepression
        }
    }

    /// One scored assessment as outcome rules judge it.
    public struct Assessment: Sendable, Hashable {
        /// The id of the scale assessed (`phq9`).
        public let scale: String
        /// The day of the assessment.
        public let date: ClinicalDate
        /// When in the course it was taken: baseline, post-infusion or follow-up.
        public let timepoint: Timepoint
        /// The headline score.
        public let score: Double
        /// The subscores that could be scored, by subscore id.
        public let subscores: [String: Double]
        /// The safety flags the assessment raised (`suicide-risk`).
        public let flags: [String]
        /// An assessment with its score, and any subscores and flags.
        public init(
            scale: String, date: ClinicalDate, timepoint: Timepoint, score: Double,
            subscores: [String: Double] = [:], flags: [String] = []
        ) {
            self.scale = scale
            self.date = date
            self.timepoint = timepoint
            self.score = score
            self.subscores = subscores
            self.flags = flags
        }

        /// The headline score or a named subscore.
        public func value(subscore: String?) -> Double? {
            guard let subscore else { return score }
            return subscores[subscore]
        }
    }

    /// One adverse event, as counted in outcomes.
    public struct AdverseEvent: Sendable, Hashable {
        /// What happened (`nausea`).
        public let term: AdverseEventTerm
        /// How severe it was: mild, moderate or severe.
        public let grade: AdverseEventGrade
        /// Whether it was recorded as serious.
        public let serious: Bool
        /// An adverse event with its term, grade and seriousness.
        public init(term: AdverseEventTerm, grade: AdverseEventGrade, serious: Bool) {
            self.term = term
            self.grade = grade
            self.serious = serious
        }
    }
}

/// A course started or ended by hand, for one condition.
public struct CourseMarker: Sendable, Hashable, Codable {
    /// Whether the marker starts or ends a course.
    public enum Kind: String, Vocabulary {
        /// `ketareg course start`: the next infusion opens a new course.
        case start
        /// `ketareg course end`: the course in progress is over on this day.
        case end
    }

    /// The marker's registry id (`CE-000003`), when stored.
    public let id: String?
    /// The id of the condition whose course it starts or ends (`migraine`).
    public let condition: String
    /// Whether it is `ketareg course start` or `ketareg course end`.
    public let kind: Kind
    /// The day the course starts or ends.
    public let date: ClinicalDate
    /// For a start: what kind of course it opens (re-treatment, unless it is the condition's first).
    public let courseKind: CourseKind?

    /// A marker; `id` is `nil` until it is stored, and `courseKind` applies only to a start.
    public init(id: String? = nil, condition: String, kind: Kind, date: ClinicalDate, courseKind: CourseKind? = nil) {
        self.id = id
        self.condition = condition
        self.kind = kind
        self.date = date
        self.courseKind = courseKind
    }
}
