import RegistryCore

/// The Patient Health Questionnaire-9: nine DSM depression criteria over the last two weeks.
public enum PHQ9 {
    private static func item(_ number: Int, _ label: String) -> ScaleItem {
        ScaleItem(id: String(number), label: label, response: .number(0...3))
    }

    public static let scale = StandardScale(
        id: "phq9",
        name: "Patient Health Questionnaire-9 (PHQ-9)",
        version: "1.0",
        items: [
            item(1, "little interest or pleasure in doing things"),
            item(2, "feeling down, depressed or hopeless"),
            item(3, "trouble with sleep"),
            item(4, "feeling tired or having little energy"),
            item(5, "poor appetite or overeating"),
            item(6, "feeling bad about oneself"),
            item(7, "trouble concentrating"),
            item(8, "moving or speaking slowly, or restlessness"),
            item(9, "thoughts of being better off dead or of self-harm"),
        ],
        range: 0...27,
        bands: [
            SeverityBand("minimal", 0...4),
            SeverityBand("mild", 5...9),
            SeverityBand("moderate", 10...14),
            SeverityBand("moderately-severe", 15...19),
            SeverityBand("severe", 20...27),
        ],
        licence: Licence(.publicDomain, note: "Public domain (developed by Spitzer, Williams, Kroenke and colleagues with an educational grant from Pfizer); no permission needed."),
        scoringDescription: "The sum of nine items scored 0 (not at all) to 3 (nearly every day); all nine must be answered."
    )

    /// Any answer above 0 to item 9 needs a clinician's review before the patient leaves.
    public static let suicideRisk = SafetyCheck(
        flag: "suicide-risk",
        scale: "phq9",
        description: "PHQ-9 item 9 (thoughts of death or self-harm) answered above 0: review suicide risk with the patient before they leave.",
        trigger: .itemAtLeast(item: "9", value: 1)
    )
}
