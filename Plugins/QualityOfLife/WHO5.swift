import RegistryCore

/// The WHO-5 Well-Being Index: five items on the last two weeks, each from 0 ("at no time") to 5
/// ("all of the time"); the raw score (0-25) is reported multiplied by 4, as a percentage score
/// from 0 (worst imaginable well-being) to 100 (best).
///
/// Source: Topp CW, Østergaard SD, Søndergaard S, Bech P. The WHO-5 Well-Being Index: a systematic
/// review of the literature. Psychother Psychosom 2015;84:167-76. A percentage score below 50 is
/// poor well-being; 28 or below screens positive for likely depression; a change of 10 points is
/// clinically meaningful. Free to use, with attribution to the WHO Collaborating Centre in Mental
/// Health, Psychiatric Centre North Zealand.
///
/// Each item is recorded as its answer (0-5, or the answer's words) and scored at four times its
/// value, so the sum is the percentage score itself; the raw score is the percentage divided by 4.
public enum WHO5 {
    static let answers = ResponseKind.options([
        AnswerOption(label: "at-no-time", value: 0),
        AnswerOption(label: "some-of-the-time", value: 4),
        AnswerOption(label: "less-than-half-of-the-time", value: 8),
        AnswerOption(label: "more-than-half-of-the-time", value: 12),
        AnswerOption(label: "most-of-the-time", value: 16),
        AnswerOption(label: "all-of-the-time", value: 20),
    ])

    /// WHO-5 (`who5`): five items answered 0 to 5 and scored at four times that, summed to the
    /// percentage score 0-100; higher is better.
    public static let scale = StandardScale(
        id: "who5",
        name: "WHO-5 Well-Being Index",
        version: "1.0",
        items: [
            ScaleItem(id: "1", label: "cheerful and in good spirits", response: answers),
            ScaleItem(id: "2", label: "calm and relaxed", response: answers),
            ScaleItem(id: "3", label: "active and vigorous", response: answers),
            ScaleItem(id: "4", label: "woke up fresh and rested", response: answers),
            ScaleItem(id: "5", label: "daily life filled with things of interest", response: answers),
        ],
        range: 0...100,
        direction: .higherIsBetter,
        bands: [
            SeverityBand("likely-depression", label: "likely depression", 0...28),
            SeverityBand("poor", label: "poor well-being", 29...49),
            SeverityBand("adequate", label: "adequate well-being", 50...100),
        ],
        licence: Licence(
            .free,
            note:
                "Free to use with attribution: WHO Collaborating Centre in Mental Health, Psychiatric Centre North Zealand (Topp et al. 2015). Labels are short paraphrases of the items."
        ),
        scoringDescription:
            "Five items answered 0 (at no time) to 5 (all of the time) over the last two weeks; the raw score (0-25) times 4 is the percentage score 0-100 reported here. All five must be answered."
    )
}
