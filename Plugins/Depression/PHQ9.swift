import RegistryCore

/// The Patient Health Questionnaire-9: nine DSM depression criteria over the last two weeks.
///
/// Codes (checked against Regenstrief LOINC, loinc.org, November 2026): panel 44249-1 "PHQ-9 quick
/// depression assessment panel", total score 44261-6, items 44250-9, 44255-8, 44259-0, 44254-1,
/// 44251-7, 44258-2, 44252-5, 44253-3, 44260-8 (the terms answered by answer list LL358-3), and the
/// severity bands' answer codes LA6708-7 to LA6712-9 (answer list LL382-3).
public enum PHQ9 {
    static let itemCodes = [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8",
    ]

    private static func item(_ number: Int, _ label: String) -> ScaleItem {
        ScaleItem(id: String(number), label: label, response: .number(0...3), codes: [.loinc(itemCodes[number - 1])])
    }

    /// PHQ-9 (`phq9`): nine items scored 0 to 3, summed to 0-27; higher is worse, banded minimal to
    /// severe.
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
            SeverityBand("minimal", 0...4, codes: [.loinc("LA6708-7", "0-4 = None")]),
            SeverityBand("mild", 5...9, codes: [.loinc("LA6709-5", "5-9 = Mild depression")]),
            SeverityBand("moderate", 10...14, codes: [.loinc("LA6710-3", "10-14 = Moderate depression")]),
            SeverityBand(
                "moderately-severe", 15...19, codes: [.loinc("LA6711-1", "15-19 = Moderately severe depression")]),
            SeverityBand("severe", 20...27, codes: [.loinc("LA6712-9", "20-27 = Severe depression")]),
        ],
        licence: Licence(
            .publicDomain,
            note:
                "Public domain (developed by Spitzer, Williams, Kroenke and colleagues with an educational grant from Pfizer); no permission needed."
        ),
        scoringDescription:
            "The sum of nine items scored 0 (not at all) to 3 (nearly every day); all nine must be answered.",
        codes: [.loinc("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]")],
        formCodes: [.loinc("44249-1", "PHQ-9 quick depression assessment panel [Reported.PHQ]")]
    )

    /// Any answer above 0 to item 9 needs a clinician's review before the patient leaves.
    public static let suicideRisk = SafetyCheck(
        flag: "suicide-risk",
        scale: "phq9",
        description:
            "PHQ-9 item 9 (thoughts of death or self-harm) answered above 0: review suicide risk with the patient before they leave.",
        trigger: .itemAtLeast(item: "9", value: 1)
    )
}
