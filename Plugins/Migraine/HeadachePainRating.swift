import RegistryCore

/// Headache pain on a 0-10 numeric rating scale.
public enum HeadachePainRating {
    /// Headache pain NRS (`headache-nrs`): one rating from 0 to 10, which is the score; higher is
    /// worse.
    public static let scale = StandardScale(
        id: "headache-nrs",
        name: "Headache pain, numeric rating scale",
        version: "1.0",
        items: [
            ScaleItem(id: "1", label: "headache pain now, 0 no pain to 10 worst imaginable", response: .number(0...10))
        ],
        range: 0...10,
        bands: [
            SeverityBand("none", 0...0),
            SeverityBand("mild", 1...3),
            SeverityBand("moderate", 4...6),
            SeverityBand("severe", 7...10),
        ],
        licence: Licence(.free, note: "A generic numeric rating scale; free to use."),
        scoringDescription: "The rating itself, 0 to 10."
    )
}
