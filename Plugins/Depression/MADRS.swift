import RegistryCore

/// The Montgomery-Asberg Depression Rating Scale: ten clinician-rated items.
public enum MADRS {
    /// Remission is a score at or below this. The literature varies (some use 12); the registry uses
    /// 10 and says so in `ketareg scale show madrs`.
    public static let remissionThreshold: Double = 10

    private static func item(_ number: Int, _ label: String) -> ScaleItem {
        ScaleItem(id: String(number), label: label, response: .number(0...6))
    }

    /// MADRS (`madrs`): ten clinician-rated items scored 0 to 6, summed to 0-60; higher is worse.
    public static let scale = StandardScale(
        id: "madrs",
        name: "Montgomery-Asberg Depression Rating Scale (MADRS)",
        version: "1.0",
        items: [
            item(1, "apparent sadness"),
            item(2, "reported sadness"),
            item(3, "inner tension"),
            item(4, "reduced sleep"),
            item(5, "reduced appetite"),
            item(6, "concentration difficulties"),
            item(7, "lassitude"),
            item(8, "inability to feel"),
            item(9, "pessimistic thoughts"),
            item(10, "suicidal thoughts"),
        ],
        range: 0...60,
        bands: [
            SeverityBand("normal", 0...6),
            SeverityBand("mild", 7...19),
            SeverityBand("moderate", 20...34),
            SeverityBand("severe", 35...60),
        ],
        licence: Licence(
            .checkBeforeShipping,
            note: "Terms of the published wording to be checked before it is shipped; item names only."),
        scoringDescription:
            "The sum of ten clinician-rated items, 0 to 6 each; all ten must be answered. Remission convention: 10 or below (some studies use 12)."
    )
}
