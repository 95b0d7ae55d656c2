/// A condition module described for people and scripts: what `ketareg conditions --json` prints and
/// what the data dictionary is made from.
public struct ConditionDescription: Sendable, Codable, Hashable {
    public let id: String
    public let name: String
    public let version: String
    public let summary: String
    public let primaryScale: String
    public let scales: [ScaleDescription]
    public let outcomeRules: [OutcomeRuleDescription]
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
    public let id: String
    public let name: String
    public let version: String
    public let condition: String
    public let range: ScoreRange
    public let direction: ScoreDirection
    public let scoring: String
    public let subscores: [SubscoreDescription]
    public let licence: LicenceDescription
    public let items: [ItemDescription]
    public let bands: [BandDescription]
    public let outcomeRules: [OutcomeRuleDescription]
    public let safetyChecks: [SafetyCheckDescription]
    /// LOINC codes of the headline score (an Observation's code) and of the form as a whole.
    public let codes: [StandardCode]
    public let formCodes: [StandardCode]

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
    public let id: String
    public let items: [String]
    public let method: SubscoreDefinition.Method
    public let minimumAnswered: Int
    public let range: ScoreRange
    /// In words: "sum of items 1, 2, 3, 4, 5 (0-20)".
    public let description: String

    public init(_ subscore: SubscoreDefinition) {
        id = subscore.id
        items = subscore.items
        method = subscore.method
        minimumAnswered = subscore.minimumAnswered
        range = ScoreRange(min: subscore.range.lowerBound, max: subscore.range.upperBound)
        description = subscore.description
    }
}

public struct ScoreRange: Sendable, Codable, Hashable {
    public let min: Double
    public let max: Double
}

public struct LicenceDescription: Sendable, Codable, Hashable {
    public let status: String
    public let note: String
    public let wordingShipped: Bool
}

public struct ItemDescription: Sendable, Codable, Hashable {
    public let id: String
    public let position: Int
    public let label: String
    public let scored: Bool
    /// `number` or `options`.
    public let answerKind: String
    public let min: Int?
    public let max: Int?
    public let options: [OptionDescription]?
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

public struct OptionDescription: Sendable, Codable, Hashable {
    /// What to type on the command line (or the label).
    public let position: Int
    public let label: String
    /// What the option scores.
    public let value: Int
}

public struct BandDescription: Sendable, Codable, Hashable {
    public let id: String
    public let label: String
    public let min: Double
    public let max: Double
    public let codes: [StandardCode]
}

public struct OutcomeRuleDescription: Sendable, Codable, Hashable {
    public let id: String
    public let name: String
    public let scale: String
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

public struct SafetyCheckDescription: Sendable, Codable, Hashable {
    public let flag: String
    public let scale: String
    public let trigger: String
    public let description: String

    init(_ check: SafetyCheck) {
        flag = check.flag
        scale = check.scale
        trigger = check.triggerDescription
        description = check.description
    }
}
