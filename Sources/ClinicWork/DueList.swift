import RegistryCore
import RegistryStore

/// What is due or overdue on a day, for the whole clinic, with the open safety flags that head it:
/// `ketareg due`, and any other front door, ask here.
public struct DueList: Encodable, Sendable {
    /// One due assessment with the patient's name beside the id (the name stays in the clinic: the
    /// list is for the clinic's own screens).
    public struct Entry: Encodable, Sendable {
        /// The assessment due (``DueItem``).
        public let item: DueItem
        /// The patient's name, when the registry has one.
        public let name: String?

        /// The due item's fields, then `patientName`.
        public func encode(to encoder: any Encoder) throws {
            try item.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encodeIfPresent(name, forKey: Key(stringValue: "patientName")!)
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
    }

    /// The day it was worked out for.
    public let date: String
    /// Due and overdue assessments, in ``DueItem/sorted(_:)`` order.
    public let due: [Entry]
    /// Safety flags waiting for review, oldest first (all of them, or the first `flagLimit`).
    public let openFlags: [SafetyFlagView]
    /// How many flags are open in all (more than `openFlags` holds when a limit cut the list).
    public let openFlagCount: Int
    /// The names of the patients of `due` and `openFlags`, by registry id (not in the JSON, whose
    /// entries carry their own).
    public let names: [String: String]

    /// The due list on `day`: every course of every patient who could have something due, each
    /// condition's rules from `catalog`; the oldest `flagLimit` open flags (all with nil).
    public static func build(registry: Registry, catalog: ConditionCatalog, on day: ClinicalDate, flagLimit: Int?)
        throws
        -> DueList
    {
        var items: [DueItem] = []
        try registry.forEachHistory(couldBeDueOn: day, catalog: catalog) {
            items += DueItem.items(for: $0, catalog: catalog, today: day)
        }
        let due = DueItem.sorted(items)
        let flags = try registry.flags(openOnly: true, limit: flagLimit)
        let total = flagLimit == nil ? flags.count : try registry.openFlagCount()
        let names = try registry.patientNames(due.map(\.patient) + flags.map(\.patient))
        return DueList(
            date: day.description, due: due.map { Entry(item: $0, name: names[$0.patient]) }, openFlags: flags,
            openFlagCount: total, names: names)
    }

    private enum CodingKeys: String, CodingKey { case date, due, openFlags }
}
