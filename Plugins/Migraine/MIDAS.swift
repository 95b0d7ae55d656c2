import RegistryCore

/// The Migraine Disability Assessment: days lost to headache over the last three months.
public enum MIDAS {
    private static func days(_ id: String, _ label: String, scored: Bool = true) -> ScaleItem {
        ScaleItem(id: id, label: label, response: .number(0...90), isScored: scored)
    }

    /// MIDAS (`midas`): five day counts over three months (0 to 90 each) summed to 0-450, graded I
    /// to IV; items A and B are recorded, not scored.
    public static let scale = StandardScale(
        id: "midas",
        name: "Migraine Disability Assessment (MIDAS)",
        version: "1.0",
        items: [
            days("1", "days of missed work or school"),
            days("2", "days of work or school productivity at least halved"),
            days("3", "days of missed household work"),
            days("4", "days of household productivity at least halved"),
            days("5", "days of missed family, social or leisure activities"),
            days("A", "headache days (recorded, not scored)", scored: false),
            ScaleItem(
                id: "B", label: "average headache pain 0-10 (recorded, not scored)", response: .number(0...10),
                isScored: false),
        ],
        range: 0...450,
        bands: [
            SeverityBand("grade-1", label: "grade I: little or no disability", 0...5),
            SeverityBand("grade-2", label: "grade II: mild disability", 6...10),
            SeverityBand("grade-3", label: "grade III: moderate disability", 11...20),
            SeverityBand("grade-4", label: "grade IV: severe disability", 21...450),
        ],
        licence: Licence(
            .checkBeforeShipping,
            note: "Terms of the published wording to be checked before it is shipped; neutral labels only."),
        scoringDescription:
            "The sum of items 1-5 (day counts over the last 3 months, 0-90 each); items A and B are recorded but not scored. Items 1-5 must all be answered; A and B may be left empty."
    )
}
