import RegistryCore

/// Average pain on a 0-10 numeric rating scale.
public enum PainRating {
    /// The bands shared by the pain rating and BPI-SF severity.
    public static let bands = [
        SeverityBand("none", 0...0),
        SeverityBand("mild", 1...4),
        SeverityBand("moderate", 5...6),
        SeverityBand("severe", 7...10),
    ]

    /// Average pain NRS (`pain-nrs`): one rating from 0 to 10, which is the score; higher is worse.
    public static let scale = StandardScale(
        id: "pain-nrs",
        name: "Average pain, numeric rating scale",
        version: "1.0",
        items: [ScaleItem(id: "1", label: "average pain, 0 no pain to 10 worst imaginable", response: .number(0...10))],
        range: 0...10,
        bands: bands,
        licence: Licence(.free, note: "A generic numeric rating scale; free to use."),
        scoringDescription:
            "The rating itself, 0 to 10. IMMPACT: at least 30% lower is a moderate improvement, at least 50% substantial."
    )
}
