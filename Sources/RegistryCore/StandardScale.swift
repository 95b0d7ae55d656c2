/// How a ``StandardScale`` turns item values into its score.
public enum ScoringRule: Sendable, Hashable {
    /// The sum of every scored item's value; every scored item must be answered.
    case sum
    /// The sum of the scored items, prorated when some are unanswered: the mean of the answered
    /// items times the number of scored items, rounded to two decimals. Valid when at least
    /// `minimumAnswered` scored items are answered.
    case proratedSum(minimumAnswered: Int)
    /// The sum of domains, each domain the highest value among its items (QIDS-SR16). A domain
    /// counts when at least one of its items is answered; every domain must count.
    case sumOfHighestInDomains([Domain])
    /// Subscores, each the mean of its items with a minimum number answered; the headline score
    /// is the subscore named `headline`, which must be scorable (BPI-SF).
    case meansOfSubscores(headline: String, subscores: [MeanSubscore])

    /// A group of items of which the highest answer counts once.
    public struct Domain: Sendable, Hashable {
        /// The domain's name, used in the message when none of its items is answered (`sleep`).
        public let name: String
        /// Item ids in the domain.
        public let items: [String]
        /// A domain of the given item ids.
        public init(_ name: String, items: [String]) {
            self.name = name
            self.items = items
        }
    }

    /// A subscore that is the mean of its answered items.
    public struct MeanSubscore: Sendable, Hashable {
        /// The subscore's name, which the `headline` of ``ScoringRule/meansOfSubscores(headline:subscores:)`` may
        /// choose.
        public let name: String
        /// Item ids in the subscore.
        public let items: [String]
        /// The fewest answered items for which the mean is valid.
        public let minimumAnswered: Int
        /// A mean subscore of the given item ids, valid when at least `minimumAnswered` of them are answered.
        public init(_ name: String, items: [String], minimumAnswered: Int) {
            self.name = name
            self.items = items
            self.minimumAnswered = minimumAnswered
        }
    }
}

/// A scale whose scoring is a ``ScoringRule``: the building block of the compiled modules, and what
/// a declarative module describes.
public struct StandardScale: AssessmentScale {
    /// A stable id, lower case with digits and hyphens (`phq9`, `bpi-sf`).
    public let id: String
    /// The instrument's published name.
    public let name: String
    /// The version of this scoring definition, stored with every assessment (`1.0`).
    public let version: String
    /// The items in the order they are answered.
    public let items: [ScaleItem]
    /// The lowest and highest headline score the scale can give.
    public let range: ClosedRange<Double>
    /// Whether a higher score means the patient is worse off or better; higher is worse by default.
    public let direction: ScoreDirection
    /// Severity bands from the lowest score up; empty when the instrument has none.
    public let bands: [SeverityBand]
    /// What may be shipped of the instrument.
    public let licence: Licence
    /// How the item values become the headline score; a plain sum by default.
    public let scoring: ScoringRule
    /// How the score is computed, in a sentence, as `ketareg scale show` prints it.
    public let scoringDescription: String
    /// Subscores beside the scoring rule's own (a `means` rule's are its subscores already).
    public let additionalSubscores: [SubscoreDefinition]
    /// The LOINC code of the headline score, when a published one exists.
    public let codes: [StandardCode]
    /// The code of the instrument as a whole (its Questionnaire), when a published one exists.
    public let formCodes: [StandardCode]

    /// A subscore as a module states it: which items, and optionally how (the scale's own method
    /// otherwise), how many answered at least, and the range (worked out from the items otherwise).
    public struct Subscore: Sendable, Hashable {
        /// The subscore's id within the scale, lower case (`obsessions`).
        public let id: String
        /// Item ids in the subscore, each a scored item of the scale.
        public let items: [String]
        /// How the items become the value; `nil` for the scale's own method (a sum for `sum` and domain scales, a
        /// prorated sum for a prorated scale, a mean for a `means` scale).
        public let method: SubscoreDefinition.Method?
        /// The fewest answered items for which it is scored; `nil` for every item, or for a prorated scale the same
        /// share of its items as the scale needs.
        public let minimumAnswered: Int?
        /// The lowest and highest value; `nil` to work it out from the items' values.
        public let range: ClosedRange<Double>?

        /// A subscore of the given item ids, leaving method, minimum and range to the scale when `nil`.
        public init(
            _ id: String, items: [String], method: SubscoreDefinition.Method? = nil, minimumAnswered: Int? = nil,
            range: ClosedRange<Double>? = nil
        ) {
            self.id = id
            self.items = items
            self.method = method
            self.minimumAnswered = minimumAnswered
            self.range = range
        }
    }

    /// A scale. `subscores` are parts scored on their own beside the headline score, by any
    /// method: `subscores: [.init("obsessions", items: ["1", "2", "3", "4", "5"])]`.
    public init(
        id: String, name: String, version: String, items: [ScaleItem], range: ClosedRange<Double>,
        direction: ScoreDirection = .higherIsWorse, bands: [SeverityBand] = [], licence: Licence,
        scoring: ScoringRule = .sum, scoringDescription: String, subscores: [Subscore] = [],
        codes: [StandardCode] = [], formCodes: [StandardCode] = []
    ) {
        self.codes = codes
        self.formCodes = formCodes
        let defaultMethod: SubscoreDefinition.Method =
            switch scoring {
            case .sum, .sumOfHighestInDomains: .sum
            case .proratedSum: .proratedSum
            case .meansOfSubscores: .mean
            }
        // A prorated scale's subscores need as large a share of their items answered as the scale does.
        let share: Double? =
            if case .proratedSum(let minimum) = scoring {
                Double(minimum) / Double(max(items.filter(\.isScored).count, 1))
            } else { nil }
        self.additionalSubscores = subscores.map { subscore in
            let method = subscore.method ?? defaultMethod
            let minimum =
                subscore.minimumAnswered
                ?? (method == .proratedSum ? share.map { Int((Double(subscore.items.count) * $0).rounded(.up)) } : nil)
            return SubscoreDefinition(
                subscore.id, items: subscore.items, method: method, minimumAnswered: minimum, range: subscore.range,
                of: items)
        }
        self.id = id
        self.name = name
        self.version = version
        self.items = items
        self.range = range
        self.direction = direction
        self.bands = bands
        self.licence = licence
        self.scoring = scoring
        self.scoringDescription = scoringDescription
    }

    /// The subscores of a `means` rule followed by ``additionalSubscores``, in that order.
    public var subscores: [SubscoreDefinition] {
        var all: [SubscoreDefinition] = []
        if case .meansOfSubscores(_, let means) = scoring {
            all = means.map {
                SubscoreDefinition(
                    $0.name, items: $0.items, method: .mean, minimumAnswered: $0.minimumAnswered, of: items)
            }
        }
        return all + additionalSubscores
    }

    /// Scores the raw answers by the scale's rule, then adds every additional subscore that can be scored and a note
    /// for each that cannot. Throws ``ScaleError`` when the answers are the wrong number, not allowed, or too few for
    /// the headline score.
    public func score(_ answers: [Int?]) throws(ScaleError) -> ScaleResult {
        let result = try headlineScore(answers)
        guard !additionalSubscores.isEmpty else { return result }
        let values = scoredValuesByItem(answers)
        var subscores = result.subscores
        var notes = result.notes
        for subscore in additionalSubscores {
            switch subscore.value(values) {
            case .success(let value): subscores.append(.init(name: subscore.id, value: value))
            case .failure(let shortfall):
                notes.append(
                    "\(subscore.id) not scored: \(shortfall.answered) of \(subscore.items.count) items answered, "
                        + (subscore.method == .sum ? "all needed" : "at least \(shortfall.needed) needed")
                        + " (unanswered: \(shortfall.unanswered.joined(separator: ", ")))")
            }
        }
        return ScaleResult(score: result.score, subscores: subscores, band: result.band, notes: notes)
    }

    private func headlineScore(_ answers: [Int?]) throws(ScaleError) -> ScaleResult {
        try validate(answers)
        // The scored value of an answered item (validate checked the answer against the item); the
        // rules that name items get them by id from `scoredValuesByItem`.
        func value(_ index: Int) -> Int { items[index].scoredValue(ofRawAnswer: answers[index]!) }
        switch scoring {
        case .sum:
            let scoredIndices = items.indices.filter { items[$0].isScored }
            let unanswered = scoredIndices.filter { answers[$0] == nil }
            guard unanswered.isEmpty else {
                throw .tooFewAnswered(
                    scale: id, part: "the total", needed: scoredIndices.count,
                    answered: scoredIndices.count - unanswered.count,
                    unansweredItems: unanswered.map { $0 + 1 })
            }
            let total = Double(scoredIndices.reduce(0) { $0 + value($1) })
            return ScaleResult(score: total, band: band(for: total))

        case .proratedSum(let minimumAnswered):
            let scoredIndices = items.indices.filter { items[$0].isScored }
            let answered = scoredIndices.filter { answers[$0] != nil }
            guard answered.count >= minimumAnswered, !answered.isEmpty else {
                throw .tooFewAnswered(
                    scale: id, part: "the total", needed: minimumAnswered, answered: answered.count,
                    unansweredItems: scoredIndices.filter { answers[$0] == nil }.map { $0 + 1 })
            }
            let sum = Double(answered.reduce(0) { $0 + value($1) })
            let total = ((sum / Double(answered.count) * Double(scoredIndices.count)) * 100).rounded() / 100
            let notes =
                answered.count < scoredIndices.count
                ? ["prorated from \(answered.count) of \(scoredIndices.count) items answered"] : []
            return ScaleResult(score: total, band: band(for: total), notes: notes)

        case .sumOfHighestInDomains(let domains):
            let values = scoredValuesByItem(answers)
            var total = 0
            for domain in domains {
                let answered = domain.items.compactMap { values[$0] }
                guard let highest = answered.max() else {
                    throw .tooFewAnswered(
                        scale: id, part: "the \(domain.name) domain", needed: 1, answered: 0,
                        unansweredItems: domain.items.compactMap(position(ofItem:)))
                }
                total += highest
            }
            return ScaleResult(score: Double(total), band: band(for: Double(total)))

        case .meansOfSubscores(let headline, let subscores):
            let values = scoredValuesByItem(answers)
            var scored: [ScaleResult.Subscore] = []
            var notes: [String] = []
            for subscore in subscores {
                let answered = subscore.items.compactMap { values[$0] }
                if answered.count >= subscore.minimumAnswered {
                    let mean = Double(answered.reduce(0, +)) / Double(answered.count)
                    scored.append(.init(name: subscore.name, value: mean))
                } else if subscore.name == headline {
                    throw .tooFewAnswered(
                        scale: id, part: "the \(subscore.name) score", needed: subscore.minimumAnswered,
                        answered: answered.count,
                        unansweredItems: subscore.items.filter { values[$0] == nil }.compactMap(position(ofItem:)))
                } else {
                    notes.append(
                        "\(subscore.name) not scored: \(answered.count) of \(subscore.items.count) items answered, at least \(subscore.minimumAnswered) needed"
                    )
                }
            }
            let score = scored.first { $0.name == headline }!.value
            return ScaleResult(score: score, subscores: scored, band: band(for: score), notes: notes)
        }
    }

    /// The scored value of each answered item, by item id.
    private func scoredValuesByItem(_ answers: [Int?]) -> [String: Int] {
        var values: [String: Int] = [:]
        for (index, answer) in answers.enumerated() {
            if let answer { values[items[index].id] = items[index].scoredValue(ofRawAnswer: answer) }
        }
        return values
    }

    /// The 1-based position of the item with this id.
    private func position(ofItem itemID: String) -> Int? {
        items.firstIndex { $0.id == itemID }.map { $0 + 1 }
    }
}
