import RegistryCore

/// The Headache Impact Test (HIT-6): six questions on the impact of headache.
public enum HIT6 {
    /// never 6, rarely 8, sometimes 10, very often 11, always 13.
    public static let frequency = ResponseKind.options([
        AnswerOption(label: "never", value: 6),
        AnswerOption(label: "rarely", value: 8),
        AnswerOption(label: "sometimes", value: 10),
        AnswerOption(label: "very-often", value: 11),
        AnswerOption(label: "always", value: 13),
    ])

    /// HIT-6 (`hit6`): six items scored 6, 8, 10, 11 or 13, summed to 36-78; higher is more impact.
    public static let scale = StandardScale(
        id: "hit6",
        name: "Headache Impact Test (HIT-6)",
        version: "1.0",
        items: [
            ScaleItem(id: "1", label: "item 1: severity of headache pain", response: frequency),
            ScaleItem(id: "2", label: "item 2: limits on daily activities", response: frequency),
            ScaleItem(id: "3", label: "item 3: wish to lie down", response: frequency),
            ScaleItem(id: "4", label: "item 4: too tired for work or activities", response: frequency),
            ScaleItem(id: "5", label: "item 5: fed up or irritated", response: frequency),
            ScaleItem(id: "6", label: "item 6: limits on concentration", response: frequency),
        ],
        range: 36...78,
        bands: [
            SeverityBand("little-or-none", label: "little or no impact", 36...49),
            SeverityBand("some", label: "some impact", 50...55),
            SeverityBand("substantial", label: "substantial impact", 56...59),
            SeverityBand("severe", label: "severe impact", 60...78),
        ],
        licence: Licence(
            .copyrighted,
            note: "Copyrighted; the published wording is not shipped. A clinic holding a licence may supply it."),
        scoringDescription:
            "The sum of six items answered never/rarely/sometimes/very often/always, scored 6/8/10/11/13; all six must be answered. Lower is better."
    )
}
