/// What outcome reports and course tracking need to know of one patient: no identity, only
/// clinical events with their dates. Records entered in error are left out by whoever builds it.
public struct PatientHistory: Sendable, Hashable {
    public let patient: String
    public let conditions: [String]
    public let enrolledOn: ClinicalDate
    public let infusions: [Infusion]
    public let assessments: [Assessment]
    public let adverseEvents: [AdverseEvent]
    public let coInterventions: [CoInterventionKind]

    public init(patient: String, conditions: [String], enrolledOn: ClinicalDate, infusions: [Infusion],
                assessments: [Assessment], adverseEvents: [AdverseEvent] = [], coInterventions: [CoInterventionKind] = []) {
        self.patient = patient
        self.conditions = conditions
        self.enrolledOn = enrolledOn
        self.infusions = infusions.sorted { $0.date < $1.date }
        self.assessments = assessments.sorted { $0.date < $1.date }
        self.adverseEvents = adverseEvents
        self.coInterventions = coInterventions
    }

    public struct Infusion: Sendable, Hashable {
        public let date: ClinicalDate
        public let minutes: Int
        public let doseMgPerKg: Double?
        public let route: InfusionRoute?
        public init(date: ClinicalDate, minutes: Int, doseMgPerKg: Double? = nil, route: InfusionRoute? = nil) {
            self.date = date
            self.minutes = minutes
            self.doseMgPerKg = doseMgPerKg
            self.route = route
        }

        /// The day the infusion ended: later than its start for continuous infusions over days.
        public var endDate: ClinicalDate { date.adding(days: minutes / 1440) }
    }

    public struct Assessment: Sendable, Hashable {
        public let scale: String
        public let date: ClinicalDate
        public let timepoint: Timepoint
        public let score: Double
        public let subscores: [String: Double]
        public let flags: [String]
        public init(scale: String, date: ClinicalDate, timepoint: Timepoint, score: Double,
                    subscores: [String: Double] = [:], flags: [String] = []) {
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

    public struct AdverseEvent: Sendable, Hashable {
        public let term: AdverseEventTerm
        public let grade: AdverseEventGrade
        public let serious: Bool
        public init(term: AdverseEventTerm, grade: AdverseEventGrade, serious: Bool) {
            self.term = term
            self.grade = grade
            self.serious = serious
        }
    }
}
