/// One question (item) of an assessment scale.
///
/// Items carry a short neutral label, never the published wording of a copyrighted instrument:
/// "item 1: frequency of severe pain", not the question as printed on the licensed form.
public struct ScaleItem: Sendable, Hashable {
    /// A stable id within the scale, usually the item's published number ("9", "A").
    public let id: String
    /// A neutral label that says what the item measures.
    public let label: String
    /// What a clinician may record for this item.
    public let response: ResponseKind
    /// Whether the item counts towards the score. MIDAS items A and B are recorded but not scored.
    public let isScored: Bool
    /// Whether a numeric item is reverse scored: an answer of `min` scores `max` and the other way
    /// round (positively worded items in scales where higher is worse).
    public let isReversed: Bool
    /// What the item is in LOINC (PHQ-9 item 9: 44260-8), when a published code exists.
    public let codes: [StandardCode]

    /// An item, scored and not reversed unless told otherwise.
    public init(
        id: String, label: String, response: ResponseKind, isScored: Bool = true, isReversed: Bool = false,
        codes: [StandardCode] = []
    ) {
        self.codes = codes
        self.id = id
        self.label = label
        self.response = response
        self.isScored = isScored
        self.isReversed = isReversed
    }

    /// The value this raw answer contributes to the score.
    ///
    /// A raw answer is the number itself for a numeric item, and the option's position (from 0)
    /// for an item answered by choosing a labelled option.
    public func scoredValue(ofRawAnswer raw: Int) -> Int {
        switch response {
        case .number(let range): isReversed ? range.lowerBound + range.upperBound - raw : raw
        case .options(let options): options[raw].value
        }
    }

    /// The answer as a person would say it: the number, or the option's label.
    public func display(rawAnswer raw: Int) -> String {
        switch response {
        case .number: String(raw)
        case .options(let options): options[raw].label
        }
    }
}

/// What kind of answer an item takes.
public enum ResponseKind: Sendable, Hashable {
    /// A whole number in a range, scored as given (a 0-3 frequency, a 0-10 rating, a day count).
    case number(ClosedRange<Int>)
    /// One of a list of labelled options, each with the value it scores. Answered by the option's
    /// position from 0, or by its label.
    case options([AnswerOption])

    /// A yes/no item scored no = 0, yes = 1.
    public static let yesNo = ResponseKind.options([
        AnswerOption(label: "no", value: 0), AnswerOption(label: "yes", value: 1),
    ])

    /// The allowed answers in words, for help and error messages ("0 to 3", "no, yes").
    public var allowedDescription: String {
        switch self {
        case .number(let range): "a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .options(let options):
            "one of " + options.map(\.label).joined(separator: ", ")
                + " (or its position, 0 to \(options.count - 1))"
        }
    }

    /// The allowed answers in a few characters, for prompts ("0-3", "0=no 1=yes").
    public var promptDescription: String {
        switch self {
        case .number(let range): "\(range.lowerBound)-\(range.upperBound)"
        case .options(let options): options.enumerated().map { "\($0)=\($1.label)" }.joined(separator: " ")
        }
    }

    /// The lowest and highest value the item can contribute to a score.
    public var scoredValueRange: ClosedRange<Int> {
        switch self {
        case .number(let range): range
        case .options(let options):
            options.map(\.value).min()!...options.map(\.value).max()!
        }
    }
}

/// A labelled answer option and the value it scores (HIT-6: "very-often" scores 11).
public struct AnswerOption: Sendable, Hashable {
    /// The option's label, which a person may type as the answer (`very-often`).
    public let label: String
    /// The value the option contributes to the score (11 for HIT-6 `very-often`).
    public let value: Int

    /// An option with its label and scored value.
    public init(label: String, value: Int) {
        self.label = label
        self.value = value
    }
}
