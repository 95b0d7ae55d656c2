import RegistryCore
import RegistryStore

/// A reproducible random number generator (SplitMix64), so the demo clinic is the same every run.
public struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    /// The next number of the sequence.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Fills a registry with a synthetic clinic: patients across the three conditions, a course of
/// infusions each, assessments at baseline, after the course and at follow-up, adverse events and
/// co-interventions. Every name and number is invented.
public struct SyntheticClinic {
    var random = SeededGenerator(state: 20_261_125)
    /// WHO-5 forms recorded (patient, day): once a day for a patient of two conditions.
    var wellBeingRecorded: Set<String> = []
    let registry: Registry
    let catalog: ConditionCatalog
    let actor = "demo"
    let today: ClinicalDate

    /// A synthetic clinic that will record into `registry`, dated up to `today`.
    public init(registry: Registry, catalog: ConditionCatalog, today: ClinicalDate) {
        self.registry = registry
        self.catalog = catalog
        self.today = today
    }

    static let givenNames = [
        "Ada", "Ben", "Cora", "Dev", "Elin", "Farid", "Greta", "Hugo", "Iris", "Jonas", "Kira", "Liam",
        "Mina", "Noah", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tove", "Uma", "Viktor", "Wren", "Yara",
    ]
    static let familyNames = [
        "Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Gorse", "Hazel", "Ivy", "Juniper",
        "Kale", "Larch", "Maple", "Nettle", "Oak", "Pine", "Quince", "Rowan", "Sorrel", "Thistle",
    ]

    /// How many patients of each condition the demo enrols.
    static let patientsPerCondition = 12

    /// Enrols the demo's 36 invented patients (12 for depression, 12 for migraine, 10 for
    /// neuropathic pain and two with two conditions) and records their courses, every change
    /// audited under the actor `demo`. `progress` hears after every 12 patients. Returns the
    /// patients' ids in the order enrolled; each record is its own write, so what was recorded
    /// before a throw stays.
    public mutating func populate(progress: (String) -> Void) throws -> [RecordID] {
        var patients: [RecordID] = []
        let plan: [[String]] =
            Array(repeating: ["depression"], count: Self.patientsPerCondition)
            + Array(repeating: ["migraine"], count: Self.patientsPerCondition)
            + Array(repeating: ["neuropathic-pain"], count: Self.patientsPerCondition - 2)
            + [["neuropathic-pain", "depression"], ["migraine", "depression"]]
        for (index, conditions) in plan.enumerated() {
            let patient = try enroll(number: index + 1, conditions: conditions)
            patients.append(patient)
            try treat(patient, conditions: conditions, number: index + 1)
            if (index + 1) % 12 == 0 { progress("  \(index + 1) of \(plan.count) patients recorded") }
        }
        return patients
    }

    private mutating func enroll(number: Int, conditions: [String]) throws -> RecordID {
        let birth = ClinicalDate(
            year: Int.random(in: 1950...2004, using: &random), month: Int.random(in: 1...12, using: &random),
            day: Int.random(in: 1...28, using: &random))!
        var history: [PriorTreatment] = []
        if conditions.contains("depression") {
            history += [
                PriorTreatment(category: .antidepressants, adequateTrials: Int.random(in: 2...5, using: &random)),
                PriorTreatment(category: .psychotherapy),
            ]
            if Int.random(in: 0..<4, using: &random) == 0 { history.append(PriorTreatment(category: .ect)) }
        }
        if conditions.contains("migraine") { history.append(PriorTreatment(category: .migrainePreventives)) }
        if conditions.contains("neuropathic-pain") { history.append(PriorTreatment(category: .neuropathicPainDrugs)) }
        let enrollment = Enrollment(
            identity: PatientIdentity(
                mrn: "DEMO-\(1000 + number)",
                givenName: Self.givenNames[(number * 7) % Self.givenNames.count],
                familyName: Self.familyNames[(number * 11) % Self.familyNames.count], birthDate: birth),
            sex: [Sex.female, .female, .male, .male, .other][number % 5],
            conditions: conditions,
            enrolledOn: today.adding(days: -120 + number),
            researchConsent: number % 6 != 0,
            priorTreatments: history)
        let summary = try registry.enroll(enrollment, catalog: catalog, actor: actor)
        return RecordID(summary.id)!
    }

    private mutating func treat(_ patient: RecordID, conditions: [String], number: Int) throws {
        let start = today.adding(days: -118 + number)
        let primary = conditions[0]
        // Each condition's usual course: six infusions for depression, a five-day continuous
        // infusion for refractory headache, three for neuropathic pain.
        let infusionDays: [Int]
        let minutes: Int
        let dose: Double
        switch primary {
        case "depression":
            infusionDays = [0, 3, 7, 10, 14, 17]
            minutes = 40
            dose = 0.5
        case "migraine":
            infusionDays = [0]
            minutes = 7_200
            dose = 1.0
        default:
            infusionDays = [0, 4, 9]
            minutes = 120
            dose = 1.0
        }
        let weight = Double(Int.random(in: 52...105, using: &random))
        let improves = Int.random(in: 0..<100, using: &random) < 62
        for condition in conditions {
            try baseline(patient, condition: condition, on: start.adding(days: -1), severe: number % 9 == 0)
        }
        for day in infusionDays {
            let systolic = Int.random(in: 112...138, using: &random)
            var adverse: [AdverseEventEntry] = []
            let roll = Int.random(in: 0..<100, using: &random)
            if roll < 18 {
                adverse.append(AdverseEventEntry(term: .nausea, grade: .mild, onset: start.adding(days: day)))
            }
            if roll >= 18 && roll < 26 {
                adverse.append(
                    AdverseEventEntry(
                        term: .dizziness, grade: .moderate, onset: start.adding(days: day),
                        resolvedOn: start.adding(days: day)))
            }
            if roll == 99 {
                adverse.append(
                    AdverseEventEntry(
                        term: .hypertension, grade: .severe, serious: true, onset: start.adding(days: day),
                        resolvedOn: start.adding(days: day + 1)))
            }
            // Refractory headache is a continuous infusion, recorded by its highest rate (Schwenk
            // 2018: a mean maximum of 0.76 mg/kg/h).
            let dosing: Dosing =
                primary == "migraine"
                ? .rate(mgPerKgPerHour: Double(Int.random(in: 50...100, using: &random)) / 100) : .dose(mgPerKg: dose)
            let entry = InfusionEntry(
                condition: primary, date: start.adding(days: day), time: ClockTime(hour: 9, minute: 30), dosing: dosing,
                weightKg: weight,
                minutes: minutes, route: .iv,
                bloodPressureBefore: BloodPressure(systolic: systolic, diastolic: systolic - 44),
                bloodPressureAfter: BloodPressure(
                    systolic: systolic + Int.random(in: 4...22, using: &random), diastolic: systolic - 38),
                bloodPressureAtDischarge: BloodPressure(systolic: systolic + 3, diastolic: systolic - 42),
                heartRate: Int.random(in: 62...88, using: &random),
                oxygenSaturation: Int.random(in: 95...99, using: &random),
                monitoringMinutes: minutes + 60, dissociation: roll < 30, adverseEvents: adverse)
            let infusion = try registry.addInfusion(entry, patient: patient, actor: actor)
            if primary == "migraine" {
                // Vital signs each morning of the five days.
                for hour in stride(from: 24, to: minutes / 60, by: 24) {
                    let moment = start.adding(days: day + hour / 24)
                    _ = try registry.addObservation(
                        InfusionObservationEntry(
                            date: moment, time: ClockTime(hour: 9, minute: 0)!,
                            bloodPressure: BloodPressure(
                                systolic: systolic + Int.random(in: 0...12, using: &random), diastolic: systolic - 40),
                            heartRate: Int.random(in: 60...90, using: &random),
                            oxygenSaturation: Int.random(in: 94...99, using: &random),
                            dissociation: Int.random(in: 0..<100, using: &random) < 20),
                        infusion: RecordID(infusion.id)!, actor: actor)
                }
            }
            if primary == "depression" {
                try assess(
                    patient, "cadss6", on: start.adding(days: day), .postInfusion,
                    answers: (0..<6).map { _ in Int.random(in: 0...2, using: &random) })
            }
        }
        let courseEnd = start.adding(days: infusionDays.last! + (primary == "migraine" ? 5 : 1))
        for condition in conditions {
            try outcome(
                patient, condition: condition, on: courseEnd, timepoint: .postInfusion, improves: improves,
                fraction: 0.6)
        }
        for (offset, lasting) in [(30, number % 3 != 0), (90, number % 2 == 0)]
        where courseEnd.adding(days: offset) <= today {
            for condition in conditions {
                try outcome(
                    patient, condition: condition, on: courseEnd.adding(days: offset), timepoint: .followUp,
                    improves: improves && lasting, fraction: 0.6)
            }
        }
        if primary == "depression", number <= 3 {
            // Booster infusions after the induction: maintenance, which never changes its result.
            for day in [45, 75] {
                _ = try registry.addInfusion(
                    InfusionEntry(
                        condition: primary, date: start.adding(days: day), time: ClockTime(hour: 9, minute: 30),
                        dosing: .dose(mgPerKg: 0.5), weightKg: weight, minutes: 40), patient: patient, actor: actor)
            }
        }
        if primary == "depression", number <= 2 {
            // A relapse: a re-treatment course, started by hand, with its own baseline and result.
            _ = try registry.addCourseMarker(
                .start, patient: patient, condition: primary, on: start.adding(days: 99), courseKind: .retreatment,
                reason: "relapse", catalog: catalog, actor: actor)
            try baseline(patient, condition: primary, on: start.adding(days: 99), severe: false)
            // The first patient's is over; the second's is still running.
            for day in number == 1 ? [100, 102, 104, 106, 108, 110] : [100, 103, 107] {
                _ = try registry.addInfusion(
                    InfusionEntry(
                        condition: primary, date: start.adding(days: day), time: ClockTime(hour: 9, minute: 30),
                        dosing: .dose(mgPerKg: 0.5), weightKg: weight, minutes: 40), patient: patient, actor: actor)
            }
            if number == 1 {
                try outcome(
                    patient, condition: primary, on: start.adding(days: 112), timepoint: .postInfusion,
                    improves: improves, fraction: 0.6)
            }
        }
        if number % 4 == 0 {
            let kinds: [CoInterventionKind] = [.yoga, .magnesium, .diet, .acupuncture, .massage, .essentialOil]
            _ = try registry.addCoIntervention(
                CoInterventionEntry(kind: kinds[number % kinds.count], from: start.adding(days: -10), to: nil),
                patient: patient, actor: actor)
        }
    }

    /// Baseline answers: moderately severe to severe symptoms.
    private mutating func baseline(_ patient: RecordID, condition: String, on date: ClinicalDate, severe: Bool) throws {
        switch condition {
        case "depression":
            var answers = (0..<9).map { _ in Int.random(in: 1...3, using: &random) }
            answers[8] = severe ? 1 : 0
            try assess(patient, "phq9", on: date, .baseline, answers: answers)
            try assess(
                patient, "madrs", on: date, .baseline,
                answers: (0..<10).map { _ in Int.random(in: 2...5, using: &random) })
        case "migraine":
            try assess(patient, "headache-nrs", on: date, .baseline, answers: [Int.random(in: 6...9, using: &random)])
            try assess(patient, "mhd", on: date, .baseline, answers: [Int.random(in: 15...28, using: &random)])
            try assess(
                patient, "hit6", on: date, .baseline,
                answers: (0..<6).map { _ in Int.random(in: 2...4, using: &random) })
        default:
            try assess(patient, "pain-nrs", on: date, .baseline, answers: [Int.random(in: 6...9, using: &random)])
            try assess(
                patient, "dn4", on: date, .baseline,
                answers: (0..<10).map { _ in Int.random(in: 0...1, using: &random) })
            try assess(
                patient, "bpi-sf", on: date, .baseline,
                answers: (0..<11).map { _ in Int.random(in: 5...9, using: &random) })
        }
        // Well-being for every condition, drawn from its own generator so that the other scores
        // stay what they were before WHO-5 was added.
        var wellBeing = SeededGenerator(state: 7_919 &* UInt64(patient.row) &+ 1)
        guard wellBeingRecorded.insert("\(patient)|\(date)").inserted else { return }
        try assess(
            patient, "who5", on: date, .baseline, answers: (0..<5).map { _ in Int.random(in: 0...2, using: &wellBeing) }
        )
    }

    /// Later answers: much lower for patients who improve, a little lower for the rest.
    private mutating func outcome(
        _ patient: RecordID, condition: String, on date: ClinicalDate, timepoint: Timepoint, improves: Bool,
        fraction: Double
    ) throws {
        func lowered(_ high: Int) -> Int { improves ? Int(Double(high) * (1 - fraction)) : max(0, high - 1) }
        switch condition {
        case "depression":
            try assess(
                patient, "phq9", on: date, timepoint,
                answers: (0..<9).map { index in index == 8 ? 0 : lowered(Int.random(in: 1...3, using: &random)) })
            try assess(
                patient, "madrs", on: date, timepoint,
                answers: (0..<10).map { _ in lowered(Int.random(in: 2...5, using: &random)) })
        case "migraine":
            try assess(
                patient, "headache-nrs", on: date, timepoint, answers: [lowered(Int.random(in: 6...9, using: &random))])
            try assess(patient, "mhd", on: date, timepoint, answers: [lowered(Int.random(in: 15...28, using: &random))])
        default:
            try assess(
                patient, "pain-nrs", on: date, timepoint, answers: [lowered(Int.random(in: 6...9, using: &random))])
            try assess(
                patient, "bpi-sf", on: date, timepoint,
                answers: (0..<11).map { _ in lowered(Int.random(in: 5...9, using: &random)) })
        }
        var wellBeing = SeededGenerator(
            state: 7_919 &* UInt64(patient.row) &+ UInt64(bitPattern: Int64(date.dayNumber)))
        guard wellBeingRecorded.insert("\(patient)|\(date)").inserted else { return }
        try assess(
            patient, "who5", on: date, timepoint,
            answers: (0..<5).map { _ in Int.random(in: improves ? 2...4 : 0...2, using: &wellBeing) })
    }

    private func assess(
        _ patient: RecordID, _ scale: String, on date: ClinicalDate, _ timepoint: Timepoint, answers: [Int]
    ) throws {
        let scored = try catalog.assess(scale: scale, answers: answers.map { Optional($0) })
        _ = try registry.addAssessment(scored, patient: patient, on: date, timepoint: timepoint, actor: actor)
    }
}
