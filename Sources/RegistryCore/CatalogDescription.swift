/// A condition module described for people and scripts: what `ketareg conditions --json` prints and
/// what the data dictionary is made from.
public struct ConditionDescription: Sendable, Codable, Hashable {
    /// The module's id (`migraine`, `quality-of-life`).
    public let id: String
    /// The name a clinician reads.
    public let name: String
    /// The version of the module's definitions.
    public let version: String
    /// One or two sentences on what the module covers.
    public let summary: String
    /// The id of the scale outcome reports lead with.
    public let primaryScale: String
    /// The module's own scales, each described with its rules and checks.
    public let scales: [ScaleDescription]
    /// The module's outcome rules, in the module's order.
    public let outcomeRules: [OutcomeRuleDescription]
    /// The module's safety checks.
    public let safetyChecks: [SafetyCheckDescription]
    /// Absent for a shared module, which has no course of its own.
    public let course: Course?
    /// `condition`, or `every-condition` for a shared module (WHO-5).
    public let scope: ModuleScope
    /// The shared modules' scales this condition's patients may also be assessed on, judged within
    /// this condition's courses; described under their own module.
    public let sharedScales: [String]
    /// SNOMED CT and ICD-10 codes for the condition.
    public let codes: [StandardCode]

    /// The module as written; a catalog's condition is described without the shared modules'
    /// scales, which it lists by id.
    public init(_ condition: any Condition) {
        let own = (condition as? CatalogCondition)?.base ?? condition
        id = own.id
        name = own.name
        version = own.version
        summary = own.summary
        scope = own.scope
        primaryScale = own.primaryScale
        scales = own.scales.map { ScaleDescription($0, condition: own) }
        outcomeRules = own.outcomeRules.map { OutcomeRuleDescription($0, in: own) }
        safetyChecks = own.safetyChecks.map(SafetyCheckDescription.init)
        course = own.scope == .condition ? own.course : nil
        sharedScales = (condition as? CatalogCondition)?.shared.flatMap { $0.scales.map(\.id) } ?? []
        codes = own.codes
    }
}

/// A scale described: items, allowed answers, range, bands, scoring and licence.
public struct ScaleDescription: Sendable, Codable, Hashable {
    /// The scale's id (`phq9`).
    public let id: String
    /// The instrument's published name.
    public let name: String
    /// The version of the scoring definition (`1.0`).
    public let version: String
    /// The id of the condition whose module holds the scale.
    public let condition: String
    /// The lowest and highest headline score.
    public let range: ScoreRange
    /// Whether a higher score is worse or better.
    public let direction: ScoreDirection
    /// How the score is computed, in a sentence.
    public let scoring: String
    /// The subscores reported besides the headline score.
    public let subscores: [SubscoreDescription]
    /// What may be shipped of the instrument.
    public let licence: LicenceDescription
    /// The items in the order they are answered.
    public let items: [ItemDescription]
    /// The severity bands from the lowest score up; empty when the scale has none.
    public let bands: [BandDescription]
    /// The condition's outcome rules on this scale.
    public let outcomeRules: [OutcomeRuleDescription]
    /// The condition's safety checks on this scale's answers.
    public let safetyChecks: [SafetyCheckDescription]
    /// LOINC codes of the headline score (an Observation's code) and of the form as a whole.
    public let codes: [StandardCode]
    /// The code of the instrument as a whole (its Questionnaire), when a published one exists.
    public let formCodes: [StandardCode]

    /// The scale described within `condition`, whose rules and checks on it are included.
    public init(_ scale: any AssessmentScale, condition: any Condition) {
        codes = scale.codes
        formCodes = scale.formCodes
        id = scale.id
        name = scale.name
        version = scale.version
        self.condition = condition.id
        range = ScoreRange(min: scale.range.lowerBound, max: scale.range.upperBound)
        direction = scale.direction
        scoring = scale.scoringDescription
        subscores = scale.subscores.map(SubscoreDescription.init)
        licence = LicenceDescription(
            status: scale.licence.status.rawValue, note: scale.licence.note,
            wordingShipped: scale.licence.mayShipWording)
        items = scale.items.enumerated().map { ItemDescription($1, position: $0 + 1) }
        bands = scale.bands.map {
            BandDescription(id: $0.id, label: $0.label, min: $0.lowerBound, max: $0.upperBound, codes: $0.codes)
        }
        outcomeRules = condition.outcomeRules.filter { $0.scale == scale.id }.map {
            OutcomeRuleDescription($0, in: condition)
        }
        safetyChecks = condition.safetyChecks.filter { $0.scale == scale.id }.map(SafetyCheckDescription.init)
    }
}

/// A subscore described: its items, how they are combined, and its range.
public struct SubscoreDescription: Sendable, Codable, Hashable {
    /// The subscore's id within the scale (`interference`).
    public let id: String
    /// The ids of its items.
    public let items: [String]
    /// How its items are combined: `sum`, `mean` or `prorated-sum`.
    public let method: SubscoreDefinition.Method
    /// The fewest answered items for which it is scored.
    public let minimumAnswered: Int
    /// The lowest and highest value it can take.
    public let range: ScoreRange
    /// In words: "sum of items 1, 2, 3, 4, 5 (0-20)".
    public let description: String

    /// The subscore described.
    public init(_ subscore: SubscoreDefinition) {
        id = subscore.id
        items = subscore.items
        method = subscore.method
        minimumAnswered = subscore.minimumAnswered
        range = ScoreRange(min: subscore.range.lowerBound, max: subscore.range.upperBound)
        description = subscore.description
    }
}

/// A range of scores, from `min` to `max` inclusive.
public struct ScoreRange: Sendable, Codable, Hashable {
    /// The lowest score.
    public let min: Double
    /// The highest score.
    public let max: Double
}

/// What may be shipped of an instrument, described.
public struct LicenceDescription: Sendable, Codable, Hashable {
    /// The licence status: `free`, `public-domain`, `copyrighted` or `check-before-shipping`.
    public let status: String
    /// Who holds the rights and what a licence-holding clinic may add, in a sentence.
    public let note: String
    /// Whether the published item wording is shipped (free and public-domain instruments only).
    public let wordingShipped: Bool
}

/// One item of a scale described: its answers, whether it is scored, and its codes.
public struct ItemDescription: Sendable, Codable, Hashable {
    /// The item's id within the scale, usually its published number (`9`, `A`).
    public let id: String
    /// The item's place in the answers, counted from 1.
    public let position: Int
    /// A neutral label that says what the item measures.
    public let label: String
    /// Whether the item counts towards the score (MIDAS items A and B do not).
    public let scored: Bool
    /// `number` or `options`.
    public let answerKind: String
    /// The lowest whole number a numeric item takes; `nil` for an options item.
    public let min: Int?
    /// The highest whole number a numeric item takes; `nil` for an options item.
    public let max: Int?
    /// The options of an options item, in order; `nil` for a numeric item.
    public let options: [OptionDescription]?
    /// The item's LOINC codes, when published ones exist.
    public let codes: [StandardCode]

    init(_ item: ScaleItem, position: Int) {
        codes = item.codes
        id = item.id
        self.position = position
        label = item.label
        scored = item.isScored
        switch item.response {
        case .number(let range):
            answerKind = "number"
            min = range.lowerBound
            max = range.upperBound
            options = nil
        case .options(let list):
            answerKind = "options"
            min = nil
            max = nil
            options = list.enumerated().map { OptionDescription(position: $0, label: $1.label, value: $1.value) }
        }
    }
}

/// One answer option of an item described.
public struct OptionDescription: Sendable, Codable, Hashable {
    /// What to type on the command line (or the label).
    public let position: Int
    /// The option's label (`very-often`).
    public let label: String
    /// What the option scores.
    public let value: Int
}

/// A severity band described.
public struct BandDescription: Sendable, Codable, Hashable {
    /// The band's id, stored with each assessment (`moderately-severe`).
    public let id: String
    /// The words a clinician reads (`moderately severe`).
    public let label: String
    /// The lowest score in the band, inclusive.
    public let min: Double
    /// The highest score printed for the band, inclusive.
    public let max: Double
    /// What the band means in LOINC (an answer code), when a published one exists.
    public let codes: [StandardCode]
}

/// An outcome rule described.
public struct OutcomeRuleDescription: Sendable, Codable, Hashable {
    /// The rule's id within the condition (`response`, `remission`).
    public let id: String
    /// What the rule is called in reports.
    public let name: String
    /// The id of the scale it applies to.
    public let scale: String
    /// The subscore it applies to; `nil` for the headline score.
    public let subscore: String?
    /// The rule in words.
    public let rule: String

    init(_ rule: OutcomeRule, in condition: any Condition) {
        id = rule.id
        name = rule.name
        scale = rule.scale
        subscore = rule.subscore
        self.rule = rule.describe(direction: condition.scale(rule.scale)?.direction ?? .higherIsWorse)
    }
}

/// A safety check described.
public struct SafetyCheckDescription: Sendable, Codable, Hashable {
    /// The flag it raises (`suicide-risk`).
    public let flag: String
    /// The id of the scale whose answers it checks.
    public let scale: String
    /// What raises the flag, in words (`phq9 item 9 at 1 or above`).
    public let trigger: String
    /// What the clinician should know, in a sentence.
    public let description: String

    init(_ check: SafetyCheck) {
        flag = check.flag
        scale = check.scale
        trigger = check.triggerDescription
        description = check.description
    }
}
