import RegistryCore
import RegistryStore

/// The clinic's day on one sheet: open safety flags, who was treated or assessed that day, and
/// what is due or overdue, by name. `ketareg day` prints it; another front door would show it.
public struct DaySheet: Encodable, Sendable {
    /// A patient treated or assessed that day, with what was done.
    public struct Seen: Encodable, Sendable {
        /// The patient's registry id.
        public let patient: String
        /// The patient's name.
        public var name: String
        /// Each infusion of the day: condition, dose or rate, minutes (`depression 0.5 mg/kg 40 min`).
        public let infusions: [String]
        /// Each assessment of the day: scale, score, timepoint (`phq9 12 (post-infusion)`).
        public let assessments: [String]
    }

    /// The day.
    public let date: String
    /// Every open safety flag, oldest first.
    public let openFlags: [SafetyFlagView]
    /// Who was treated or assessed, in registry-id order.
    public let seen: [Seen]
    /// What is due or overdue on the day.
    public let due: [DueList.Entry]
    /// The names of every patient on the sheet, by registry id (not in the JSON).
    public let names: [String: String]

    /// The sheet for `day`, each condition's rules from `catalog`.
    public static func build(registry: Registry, catalog: ConditionCatalog, on day: ClinicalDate) throws -> DaySheet {
        var seen: [Seen] = []
        var dueItems: [DueItem] = []
        try registry.forEachHistory { history in
            dueItems += DueItem.items(for: history, catalog: catalog, today: day)
            let infusions = history.infusions.filter { $0.date == day }.map { infusion in
                [
                    ([infusion.condition] + infusion.alsoFor).joined(separator: "+"),
                    infusion.drug == .ketamine ? nil : infusion.drug.rawValue,
                    infusion.doseMgPerKg.map { "\(formatScore($0)) mg/kg" },
                    infusion.doseMg.map { "\(formatScore($0)) mg" },
                    infusion.rateMgPerKgPerHour.map { "\(formatScore($0)) mg/kg/h" },
                    infusion.route.flatMap { $0 == .iv ? nil : $0.rawValue },
                    "\(infusion.minutes) min",
                ].compactMap { $0 }.joined(separator: " ")
            }
            let assessments = history.assessments.filter { $0.date == day }.map {
                "\($0.scale) \(formatScore($0.score)) (\($0.timepoint.rawValue))"
            }
            if infusions.isEmpty && assessments.isEmpty { return }
            seen.append(Seen(patient: history.patient, name: "", infusions: infusions, assessments: assessments))
        }
        let flags = try registry.flags(openOnly: true)
        let names = try registry.patientNames(seen.map(\.patient) + dueItems.map(\.patient) + flags.map(\.patient))
        for index in seen.indices { seen[index].name = names[seen[index].patient] ?? "" }
        let due = DueItem.sorted(dueItems).map { DueList.Entry(item: $0, name: names[$0.patient]) }
        return DaySheet(date: day.description, openFlags: flags, seen: seen, due: due, names: names)
    }

    private enum CodingKeys: String, CodingKey { case date, openFlags, seen, due }
}
