/// A validated assessment instrument: its items, how answers become a score, and what the score
/// means.
///
/// Most scales are sums, means or highest-of-group domains of their items and are built as a
/// ``StandardScale``; conform to this protocol yourself only when an instrument's scoring cannot
/// be said that way. Everything except ``score(_:)`` has a sensible default.
///
/// Answers are passed as *raw answers*, one per item in item order, `nil` for an item left
/// unanswered: the number itself for a numeric item, the option's position (from 0) for an item
/// answered with a labelled option. ``parseAnswers(_:)`` turns what a person typed into raw
/// answers.
public protocol AssessmentScale: Sendable {
    /// A stable id, lower case with digits and hyphens (`phq9`, `bpi-sf`). Never reused for a
    /// different instrument.
    var id: String { get }
    /// The instrument's published name.
    var name: String { get }
    /// The version of this scoring definition, stored with every assessment so that a change of
    /// rule never silently rewrites old scores.
    var version: String { get }
    /// The items in the order they are answered.
    var items: [ScaleItem] { get }
    /// The lowest and highest headline score the scale can give.
    var range: ClosedRange<Double> { get }
    /// Whether a higher score means the patient is worse off (most symptom scales) or better.
    var direction: ScoreDirection { get }
    /// Severity bands from the lowest score up, covering ``range`` exactly; empty when the
    /// instrument has none.
    var bands: [SeverityBand] { get }
    /// What may be shipped of the instrument (item wording is never shipped for copyrighted ones).
    var licence: Licence { get }
    /// How the score is computed, in a sentence, including any convention chosen where the
    /// literature varies. Shown by `ketareg scale show`.
    var scoringDescription: String { get }
    /// Subscores the scale reports besides its headline score (Y-BOCS: obsessions, compulsions;
    /// BPI-SF: severity, interference), each with its items, method and range. Empty for most
    /// scales.
    var subscores: [SubscoreDefinition] { get }
    /// What the headline score is in LOINC (PHQ-9 total score: 44261-6): the code of its
    /// Observation. Empty when no published code exists.
    var codes: [StandardCode] { get }
    /// What the instrument as a whole is (PHQ-9 panel: 44249-1): the code of its Questionnaire.
    var formCodes: [StandardCode] { get }

    /// Scores a complete set of raw answers, or says exactly why it cannot.
    func score(_ answers: [Int?]) throws(ScaleError) -> ScaleResult
}

extension AssessmentScale {
    /// Higher is worse unless the scale says otherwise, as most symptom scales are.
    public var direction: ScoreDirection { .higherIsWorse }
    /// No bands unless the scale gives them.
    public var bands: [SeverityBand] { [] }
    /// No subscores unless the scale gives them.
    public var subscores: [SubscoreDefinition] { [] }
    /// No LOINC code for the headline score unless the scale gives one.
    public var codes: [StandardCode] { [] }
    /// No code for the instrument as a whole unless the scale gives one.
    public var formCodes: [StandardCode] { [] }

    /// The ids of ``subscores``.
    public var subscoreNames: [String] { subscores.map(\.id) }

    /// Whether the scale is a single value (a rating or a count) that `--value` can record.
    public var isSingleValue: Bool { items.count == 1 }

    /// Checks the number of answers and that each given answer is allowed for its item.
    public func validate(_ answers: [Int?]) throws(ScaleError) {
        guard answers.count == items.count else {
            throw .wrongNumberOfAnswers(scale: id, expected: items.count, got: answers.count)
        }
        for (index, answer) in answers.enumerated() {
            guard let answer else { continue }
            let item = items[index]
            let allowed: Bool
            switch item.response {
            case .number(let range): allowed = range.contains(answer)
            case .options(let options): allowed = options.indices.contains(answer)
            }
            if !allowed {
                throw .answerNotAllowed(
                    scale: id, item: index + 1, itemLabel: item.label,
                    allowed: item.response.allowedDescription, got: String(answer))
            }
        }
    }

    /// Turns what a person typed (`"3,,2"`, `"never,rarely,..."`) into raw answers, one per item.
    ///
    /// Numeric items take the number; labelled items take the label or its position from 0; yes/no
    /// items take `yes`/`no` or `1`/`0`. An empty entry leaves the item unanswered. Answers are
    /// separated by commas, or by semicolons when there is no comma (as in CSV files).
    public func parseAnswers(_ text: String) throws(ScaleError) -> [Int?] {
        let items = self.items
        var text = text
        if let plain = text.withUTF8({ plainAnswers($0, items: items) }) { return plain }
        let bytes = text.utf8
        let separator: Character = !bytes.contains(UInt8(ascii: ",")) && bytes.contains(UInt8(ascii: ";")) ? ";" : ","
        let parts = text.split(separator: separator, omittingEmptySubsequences: false)
            .map { $0.trimmedSpaces }
        guard parts.count == items.count else {
            throw .wrongNumberOfAnswers(scale: id, expected: items.count, got: parts.count)
        }
        var answers: [Int?] = []
        for (index, part) in parts.enumerated() {
            answers.append(try parseAnswer(part, item: index + 1))
        }
        return answers
    }

    /// Parses one answer to the item at `item` (counted from 1); an empty text is no answer.
    public func parseAnswer(_ text: String, item position: Int) throws(ScaleError) -> Int? {
        let item = items[position - 1]
        let text = text.trimmedSpaces
        if text.isEmpty { return nil }
        // The error is built only when it is thrown: its description costs more than the parse.
        var notAllowed: ScaleError {
            .answerNotAllowed(
                scale: id, item: position, itemLabel: item.label, allowed: item.response.allowedDescription, got: text)
        }
        switch item.response {
        case .number(let range):
            guard let value = Int(text), range.contains(value) else { throw notAllowed }
            return value
        case .options(let options):
            if let position = Int(text) {
                guard options.indices.contains(position) else { throw notAllowed }
                return position
            }
            let wanted = normaliseLabel(text)
            if let match = options.firstIndex(where: { normaliseLabel($0.label) == wanted }) {
                return match
            }
            // Forgiving single-letter yes/no.
            if options.map(\.label) == ["no", "yes"], wanted == "y" || wanted == "n" {
                return wanted == "y" ? 1 : 0
            }
            throw notAllowed
        }
    }

    /// The severity band of a score, if the scale has bands.
    public func band(for score: Double) -> SeverityBand? { bands.band(for: score) }
}

/// Answers written as plain whole numbers (digits only, nothing around them), each allowed for
/// its item, read straight from the bytes, as an import reads them by the million; `nil` when the
/// text holds anything else, which the general parser then reads or refuses with its message.
private func plainAnswers(_ bytes: UnsafeBufferPointer<UInt8>, items: [ScaleItem]) -> [Int?]? {
    let comma = UInt8(ascii: ",")
    let semicolon = UInt8(ascii: ";")
    let separator = !bytes.contains(comma) && bytes.contains(semicolon) ? semicolon : comma
    var answers: [Int?] = []
    answers.reserveCapacity(items.count)
    var value = 0
    var digits = 0
    func finish() -> Bool {
        guard answers.count < items.count else { return false }
        guard digits > 0 else {
            answers.append(nil)
            return true
        }
        switch items[answers.count].response {
        case .number(let range): guard range.contains(value) else { return false }
        case .options(let options): guard options.indices.contains(value) else { return false }
        }
        answers.append(value)
        return true
    }
    for byte in bytes {
        if byte == separator {
            guard finish() else { return nil }
            value = 0
            digits = 0
        } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"), digits < 9 {
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        } else {
            return nil
        }
    }
    guard finish(), answers.count == items.count else { return nil }
    return answers
}

private func normaliseLabel(_ text: String) -> String {
    text.lowercased()
        .replacingOccurrences(of: "_", with: "-")
        .replacingOccurrences(of: " ", with: "-")
}

/// Whether a higher score means worse (symptom severity) or better (function, quality of life).
public enum ScoreDirection: String, Sendable, Hashable, Codable {
    /// A higher score means more severe symptoms (PHQ-9, pain ratings).
    case higherIsWorse = "higher-is-worse"
    /// A higher score means better function or well-being (WHO-5).
    case higherIsBetter = "higher-is-better"
}

/// What the registry may ship of an instrument.
public struct Licence: Sendable, Hashable {
    /// How freely an instrument may be used, and so whether its published wording may be shipped.
    public enum Status: String, Sendable, Hashable {
        /// Free to use, wording included.
        case free
        /// In the public domain (PHQ-9).
        case publicDomain = "public-domain"
        /// Copyrighted: scoring and neutral item labels only, never the published wording.
        case copyrighted
        /// Terms to be checked before the wording is shipped; until then, neutral labels only.
        case checkBeforeShipping = "check-before-shipping"
    }

    /// The instrument's licence status, which decides ``mayShipWording``.
    public let status: Status
    /// A sentence for the clinic: who holds the rights and what a licence-holding clinic may add.
    public let note: String

    /// A licence with its status and the sentence for the clinic.
    public init(_ status: Status, note: String) {
        self.status = status
        self.note = note
    }

    /// Whether the published item wording may be shipped with the registry.
    public var mayShipWording: Bool { status == .free || status == .publicDomain }
}

/// The outcome of scoring one set of answers.
public struct ScaleResult: Sendable, Hashable {
    /// The scale's headline value (for BPI-SF, the severity mean).
    public let score: Double
    /// Named subscores in the scale's order; a subscore that could not be scored is absent.
    public let subscores: [Subscore]
    /// The severity band of the headline score, if the scale has bands.
    public let band: SeverityBand?
    /// Sentences about the scoring worth showing to the clinician (a subscore left out and why).
    public let notes: [String]

    /// A result with its headline score, its scored subscores, the band of the headline score and any notes.
    public init(score: Double, subscores: [Subscore] = [], band: SeverityBand?, notes: [String] = []) {
        self.score = score
        self.subscores = subscores
        self.band = band
        self.notes = notes
    }

    /// One subscore's value, named by the subscore's id.
    public struct Subscore: Sendable, Hashable {
        /// The subscore's id within the scale (`severity`, `interference`).
        public let name: String
        /// The subscore's value: a sum, a mean or a prorated sum of its items' scored values.
        public let value: Double
        /// A subscore value under its id.
        public init(name: String, value: Double) {
            self.name = name
            self.value = value
        }
    }

    /// The value of a named subscore, if it was scored.
    public func subscore(_ name: String) -> Double? {
        subscores.first { $0.name == name }?.value
    }
}
