import RegistryCore

/// The Quick Inventory of Depressive Symptomatology, self-report (QIDS-SR16): sixteen items scored
/// as the nine DSM symptom domains.
public enum QIDSSR16 {
    private static func item(_ number: Int, _ label: String) -> ScaleItem {
        ScaleItem(id: String(number), label: label, response: .number(0...3))
    }

    /// QIDS-SR16 (`qids-sr16`): sixteen items scored 0 to 3, summed over the nine symptom domains
    /// (the highest item in sleep, appetite/weight and psychomotor) to 0-27; higher is worse.
    public static let scale = StandardScale(
        id: "qids-sr16",
        name: "Quick Inventory of Depressive Symptomatology, self-report (QIDS-SR16)",
        version: "1.0",
        items: [
            item(1, "falling asleep"),
            item(2, "sleep during the night"),
            item(3, "waking up too early"),
            item(4, "sleeping too much"),
            item(5, "feeling sad"),
            item(6, "decreased appetite"),
            item(7, "increased appetite"),
            item(8, "decreased weight"),
            item(9, "increased weight"),
            item(10, "concentration and decision making"),
            item(11, "view of oneself"),
            item(12, "thoughts of death or suicide"),
            item(13, "general interest"),
            item(14, "energy level"),
            item(15, "feeling slowed down"),
            item(16, "feeling restless"),
        ],
        range: 0...27,
        bands: [
            SeverityBand("none", 0...5),
            SeverityBand("mild", 6...10),
            SeverityBand("moderate", 11...15),
            SeverityBand("severe", 16...20),
            SeverityBand("very-severe", 21...27),
        ],
        licence: Licence(
            .checkBeforeShipping,
            note: "Terms of the published wording to be checked before it is shipped; neutral labels only."),
        scoring: .sumOfHighestInDomains([
            .init("sleep", items: ["1", "2", "3", "4"]),
            .init("sad mood", items: ["5"]),
            .init("appetite/weight", items: ["6", "7", "8", "9"]),
            .init("concentration", items: ["10"]),
            .init("view of self", items: ["11"]),
            .init("thoughts of death or suicide", items: ["12"]),
            .init("interest", items: ["13"]),
            .init("energy", items: ["14"]),
            .init("psychomotor", items: ["15", "16"]),
        ]),
        scoringDescription:
            "Nine domains summed: the highest of items 1-4 (sleep), item 5, the highest of items 6-9 (appetite/weight), items 10-14 one each, the highest of items 15-16 (psychomotor). A domain needs at least one answered item (respondents answer either 6 or 7, and 8 or 9); every domain must be answered."
    )
}
