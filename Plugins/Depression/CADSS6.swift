import RegistryCore

/// Dissociation around an infusion: the six-item short form of the Clinician-Administered
/// Dissociative States Scale (items 1, 2, 6, 7, 15 and 22 of the 23-item scale).
public enum CADSS6 {
    private static func item(_ number: Int) -> ScaleItem {
        ScaleItem(id: String(number), label: "CADSS item \(number)", response: .number(0...4))
    }

    /// CADSS-6 (`cadss6`): six clinician-rated items scored 0 to 4, summed to 0-24; a safety
    /// measure around infusions, with no bands.
    public static let scale = StandardScale(
        id: "cadss6",
        name: "Clinician-Administered Dissociative States Scale, 6-item short form (CADSS-6)",
        version: "1.0",
        items: [item(1), item(2), item(6), item(7), item(15), item(22)],
        range: 0...24,
        licence: Licence(
            .checkBeforeShipping,
            note: "Terms of the published wording to be checked before it is shipped; item numbers only."),
        scoringDescription:
            "The sum of six items, 0 to 4 each; all six must be answered. A safety measure around each infusion, not an outcome; no bands."
    )
}
