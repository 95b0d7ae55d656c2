import RegistryCore

/// The Brief Pain Inventory, short form: pain severity and its interference with daily life.
public enum BPISF {
    private static func rating(_ id: String, _ label: String) -> ScaleItem {
        ScaleItem(id: id, label: label, response: .number(0...10))
    }

    static let severityItems = ["worst", "least", "average", "now"]
    static let interferenceItems = [
        "general-activity", "mood", "walking", "normal-work", "relations", "sleep", "enjoyment",
    ]

    /// BPI-SF (`bpi-sf`): eleven ratings from 0 to 10; the score is the mean of the four severity
    /// items (0-10), with interference, the mean of at least 4 of 7 items, as a subscore.
    public static let scale = StandardScale(
        id: "bpi-sf",
        name: "Brief Pain Inventory, short form (BPI-SF)",
        version: "1.0",
        items: [
            rating("worst", "severity: worst pain in the last 24 hours"),
            rating("least", "severity: least pain in the last 24 hours"),
            rating("average", "severity: average pain"),
            rating("now", "severity: pain right now"),
            rating("general-activity", "interference: general activity"),
            rating("mood", "interference: mood"),
            rating("walking", "interference: walking ability"),
            rating("normal-work", "interference: normal work"),
            rating("relations", "interference: relations with other people"),
            rating("sleep", "interference: sleep"),
            rating("enjoyment", "interference: enjoyment of life"),
        ],
        range: 0...10,
        bands: PainRating.bands,
        licence: Licence(
            .copyrighted,
            note:
                "Copyrighted (Charles S. Cleeland); the published wording is not shipped. A clinic holding a licence may supply it."
        ),
        scoring: .meansOfSubscores(
            headline: "severity",
            subscores: [
                .init("severity", items: severityItems, minimumAnswered: 4),
                .init("interference", items: interferenceItems, minimumAnswered: 4),
            ]),
        scoringDescription:
            "Severity is the mean of the four severity items (all four needed) and is the headline score, banded as the pain rating (a mean between bands belongs to the lower one: 4.5 is mild). Interference is the mean of the answered interference items, valid when at least 4 of 7 are answered."
    )
}
