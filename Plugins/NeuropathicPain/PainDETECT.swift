import RegistryCore

/// painDETECT: a screen for a neuropathic component of pain from symptoms, the course of pain and
/// whether it radiates.
public enum PainDETECT {
    private static func symptom(_ number: Int, _ label: String) -> ScaleItem {
        ScaleItem(id: String(number), label: label, response: .number(0...5))
    }

    /// The four pictures of the pain course. Scored 0, -1, +1, +1: the rule that reaches the
    /// published maximum of 38 (some summaries give the item as -1 to 2, which cannot).
    public static let coursePattern = ResponseKind.options([
        AnswerOption(label: "persistent-slight-fluctuations", value: 0),
        AnswerOption(label: "persistent-with-attacks", value: -1),
        AnswerOption(label: "attacks-without-pain-between", value: 1),
        AnswerOption(label: "attacks-with-pain-between", value: 1),
    ])

    /// painDETECT (`paindetect`): seven symptom items 0 to 5, the course pattern (-1 to +1) and
    /// radiating pain (0 or 2), summed to -1 to 38; 19 or more: a neuropathic component likely.
    public static let scale = StandardScale(
        id: "paindetect",
        name: "painDETECT",
        version: "1.0",
        items: [
            symptom(1, "symptom: burning"),
            symptom(2, "symptom: tingling or prickling"),
            symptom(3, "symptom: pain with light touch"),
            symptom(4, "symptom: sudden electric-shock-like attacks"),
            symptom(5, "symptom: pain with cold or heat"),
            symptom(6, "symptom: numbness"),
            symptom(7, "symptom: pain with slight pressure"),
            ScaleItem(id: "pattern", label: "pain course pattern", response: coursePattern),
            ScaleItem(
                id: "radiating", label: "pain radiates to other regions",
                response: .options([AnswerOption(label: "no", value: 0), AnswerOption(label: "yes", value: 2)])),
        ],
        range: -1...38,
        bands: [
            SeverityBand("unlikely", label: "neuropathic component unlikely", -1...12),
            SeverityBand("uncertain", label: "result uncertain", 13...18),
            SeverityBand("likely", label: "neuropathic component likely", 19...38),
        ],
        licence: Licence(
            .copyrighted,
            note:
                "Copyrighted (Pfizer); the published wording is not shipped. A clinic holding a licence may supply it."),
        scoringDescription:
            "Seven symptom items 0 (never) to 5 (very strongly), plus the pain course pattern (persistent with slight fluctuations 0, persistent with attacks -1, attacks without pain between them +1, attacks with pain between them +1) and radiating pain (yes +2, no 0); every item must be answered. Range -1 to 38, following the four-picture rule."
    )
}
