/// Every condition module the registry knows, checked for consistency when it is built.
///
/// The catalog refuses a set of modules that would make an assessment ambiguous or a rule
/// meaningless: two conditions with one id, two scales with one id, a rule or safety check naming a
/// scale the condition lacks, bands that leave a gap or overlap. A broken catalog is never half
/// loaded.
public struct ConditionCatalog: Sendable {
    /// The conditions in the order they were given, each with the shared modules' scales, rules
    /// and checks added (``CatalogCondition``).
    public let conditions: [any Condition]
    /// The modules whose scales apply to every condition (``ModuleScope/everyCondition``).
    public let sharedModules: [any Condition]

    /// Checks the modules and builds the catalog. Modules of scope `everyCondition` are kept apart
    /// and their scales, rules and checks added to every condition.
    public init(_ modules: [any Condition]) throws(CatalogError) {
        var conditionIDs: Set<String> = []
        var scaleOwners: [String: String] = [:]
        for condition in modules {
            try Self.checkID(condition.id, kind: "condition")
            guard conditionIDs.insert(condition.id).inserted else {
                throw .duplicateCondition(id: condition.id)
            }
            for scale in condition.scales {
                try Self.checkID(scale.id, kind: "scale")
                if let owner = scaleOwners[scale.id] {
                    throw .duplicateScale(id: scale.id, firstCondition: owner, secondCondition: condition.id)
                }
                scaleOwners[scale.id] = condition.id
                try Self.checkBands(of: scale)
                try Self.checkSubscores(of: scale)
            }
            guard condition.scope == .everyCondition || condition.scale(condition.primaryScale) != nil else {
                throw .unknownScale(condition: condition.id, scale: condition.primaryScale, usedBy: "primary scale")
            }
            for rule in condition.outcomeRules {
                guard let scale = condition.scale(rule.scale) else {
                    throw .unknownScale(condition: condition.id, scale: rule.scale, usedBy: "outcome rule '\(rule.id)'")
                }
                if let subscore = rule.subscore, !scale.subscoreNames.contains(subscore) {
                    throw .unknownSubscore(
                        condition: condition.id, scale: rule.scale, subscore: subscore, rule: rule.id)
                }
            }
            for check in condition.safetyChecks {
                guard let scale = condition.scale(check.scale) else {
                    throw .unknownScale(
                        condition: condition.id, scale: check.scale, usedBy: "safety check '\(check.flag)'")
                }
                if case .itemAtLeast(let item, _) = check.trigger, !scale.items.contains(where: { $0.id == item }) {
                    throw .unknownItem(scale: scale.id, item: item, check: check.flag)
                }
            }
        }
        let shared = modules.filter { $0.scope == .everyCondition }
        // Outcome rows are named by condition and rule: a shared rule's id must not be a condition's.
        let sharedRules = shared.flatMap(\.outcomeRules).map(\.id)
        for condition in modules where condition.scope == .condition {
            let ids = condition.outcomeRules.map(\.id) + sharedRules
            if let twice = ids.first(where: { id in ids.filter { $0 == id }.count > 1 }) {
                throw .duplicateRule(condition: condition.id, rule: twice)
            }
        }
        sharedModules = shared
        conditions = modules.filter { $0.scope == .condition }.map { CatalogCondition(base: $0, shared: shared) }
        // Each scale with the module that owns it (a shared module for WHO-5), found once; scale
        // ids are unique across modules (checked above).
        var owners: [String: (scale: any AssessmentScale, owner: any Condition)] = [:]
        for module in modules {
            for scale in module.scales { owners[scale.id] = (scale, module) }
        }
        scaleIndex = owners
    }

    private let scaleIndex: [String: (scale: any AssessmentScale, owner: any Condition)]

    private init(
        conditions: [any Condition], sharedModules: [any Condition],
        scaleIndex: [String: (scale: any AssessmentScale, owner: any Condition)]
    ) {
        self.conditions = conditions
        self.sharedModules = sharedModules
        self.scaleIndex = scaleIndex
    }

    /// The catalog with the clinic's protocols: each condition named in `schedules` runs its
    /// courses under that schedule; the others keep their module's course.
    public func withProtocols(_ schedules: [String: ProtocolSchedule]) -> ConditionCatalog {
        guard !schedules.isEmpty else { return self }
        return ConditionCatalog(
            conditions: conditions.map { condition in
                guard let schedule = schedules[condition.id] else { return condition }
                return CatalogCondition(
                    base: (condition as? CatalogCondition)?.base ?? condition,
                    shared: (condition as? CatalogCondition)?.shared ?? [], protocols: schedule)
            }, sharedModules: sharedModules, scaleIndex: scaleIndex)
    }

    /// The condition with this id.
    public func condition(_ id: String) -> (any Condition)? {
        conditions.first { $0.id == id }
    }

    /// The scale with this id, from whichever module has it.
    public func scale(_ id: String) -> (any AssessmentScale)? {
        scaleIndex[id]?.scale
    }

    /// The scale a person named, in any case, or ``CatalogError/noSuchScale(id:known:)`` naming the
    /// known ones.
    public func scale(named id: String) throws(CatalogError) -> any AssessmentScale {
        guard let found = scale(id.lowercased()) else { throw .noSuchScale(id: id, known: scaleIDs) }
        return found
    }

    /// The module that a scale belongs to: its condition (as the catalog holds it), or the shared
    /// module.
    public func condition(owningScale scaleID: String) -> (any Condition)? {
        guard let owner = scaleIndex[scaleID]?.owner else { return nil }
        return owner.scope == .everyCondition ? owner : conditions.first { $0.id == owner.id }
    }

    /// Every condition id, for error messages.
    public var conditionIDs: [String] { conditions.map(\.id) }

    /// Every scale id, each once, for error messages.
    public var scaleIDs: [String] {
        conditions.flatMap { (($0 as? CatalogCondition)?.base ?? $0).scales.map(\.id) }
            + sharedModules.flatMap { $0.scales.map(\.id) }
    }

    /// Scores answers to a scale and runs the owning condition's safety checks.
    public func assess(scale scaleID: String, answers: [Int?]) throws -> ScoredAssessment {
        guard let scale = scale(scaleID), let condition = condition(owningScale: scaleID) else {
            throw CatalogError.noSuchScale(id: scaleID, known: scaleIDs)
        }
        let result = try scale.score(answers)
        let raised = condition.safetyChecks.filter {
            $0.scale == scaleID && $0.raises(answers: answers, result: result, scale: scale)
        }
        var flags: [String] = []
        for check in raised where !flags.contains(check.flag) { flags.append(check.flag) }
        return ScoredAssessment(
            condition: condition.id, scale: scale.id, scaleVersion: scale.version,
            answers: answers, result: result, flags: flags,
            flagRules: Dictionary(
                raised.map { ($0.flag, $0.triggerDescription) }, uniquingKeysWith: { first, _ in first }),
            forEveryCondition: condition.scope == .everyCondition)
    }

    private static func checkID(_ id: String, kind: String) throws(CatalogError) {
        let allowed = { (byte: UInt8) in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
        }
        guard !id.isEmpty, id.utf8.allSatisfy(allowed), id.first != "-", id.last != "-" else {
            throw .malformedID(kind: kind, id: id)
        }
    }

    /// Each subscore: an id used once, items the scale has and scores, each once, a minimum that
    /// can be met, a range from low to high.
    private static func checkSubscores(of scale: any AssessmentScale) throws(CatalogError) {
        var seen: Set<String> = []
        for subscore in scale.subscores {
            try checkID(subscore.id, kind: "subscore")
            func bad(_ detail: String) -> CatalogError {
                .badSubscore(scale: scale.id, subscore: subscore.id, detail: detail)
            }
            guard seen.insert(subscore.id).inserted else { throw bad("a second subscore with this id") }
            guard !subscore.items.isEmpty else { throw bad("it names no items") }
            var items: Set<String> = []
            for item in subscore.items {
                guard let found = scale.items.first(where: { $0.id == item }) else {
                    throw bad(
                        "it names item '\(item)', which the scale does not have (items: \(scale.items.map(\.id).joined(separator: ", ")))"
                    )
                }
                guard found.isScored else {
                    throw bad("item '\(item)' is not scored, so it cannot count in a subscore")
                }
                guard items.insert(item).inserted else { throw bad("item '\(item)' is named twice") }
            }
            guard (1...subscore.items.count).contains(subscore.minimumAnswered) else {
                throw bad("minimum answered must be from 1 to \(subscore.items.count), its number of items")
            }
            guard subscore.range.lowerBound < subscore.range.upperBound else {
                throw bad("its range must go from low to high")
            }
        }
    }

    private static func checkBands(of scale: any AssessmentScale) throws(CatalogError) {
        let bands = scale.bands
        guard let first = bands.first, let last = bands.last else { return }
        if first.lowerBound != scale.range.lowerBound || last.upperBound != scale.range.upperBound {
            throw .bandsDoNotCoverRange(
                scale: scale.id, range: "\(formatScore(scale.range.lowerBound))-\(formatScore(scale.range.upperBound))",
                bands: "\(formatScore(first.lowerBound))-\(formatScore(last.upperBound))")
        }
        for (lower, upper) in zip(bands, bands.dropFirst()) {
            // Bands are printed in whole numbers: the next band starts one above the last one's end.
            if upper.lowerBound != lower.upperBound + 1 {
                throw .bandsNotContiguous(
                    scale: scale.id, lower: lower.id, upper: upper.id,
                    detail:
                        "\(lower.id) ends at \(formatScore(lower.upperBound)), \(upper.id) starts at \(formatScore(upper.lowerBound)); expected \(formatScore(lower.upperBound + 1))"
                )
            }
        }
    }
}

/// An assessment scored by its scale, with the flags its condition's safety checks raised.
public struct ScoredAssessment: Sendable, Hashable {
    /// The id of the module that owns the scale: the condition, or the shared module for a scale such as WHO-5.
    public let condition: String
    /// The id of the scale scored (`phq9`).
    public let scale: String
    /// The version of the scale's scoring definition, stored with the assessment (`1.0`).
    public let scaleVersion: String
    /// The raw answers, one per item in item order, `nil` for an item left unanswered.
    public let answers: [Int?]
    /// The headline score, its subscores, its band and any notes.
    public let result: ScaleResult
    /// The flags raised, each once, in the order of the condition's checks (`suicide-risk`).
    public let flags: [String]
    /// Each raised flag's rule in words ("phq9 item 9 at 1 or above").
    public var flagRules: [String: String] = [:]
    /// True for a scale of a shared module (`condition` is then that module's id): any patient
    /// may be assessed on it, whatever they are enrolled for.
    public var forEveryCondition = false
}

/// A condition as the catalog holds it: its own scales, rules and checks, then those of every
/// shared module (WHO-5 for every condition). Everything else is the module's own.
public struct CatalogCondition: Condition {
    /// The module as it was written.
    public let base: any Condition
    /// The shared modules whose scales, rules and checks are added to this condition's.
    public let shared: [any Condition]
    // Worked out once: modules often compute these properties, and imports ask for them per row.
    /// The module's id (`depression`).
    public let id: String
    /// The name a clinician reads.
    public let name: String
    /// The version of the module's definitions.
    public let version: String
    /// One or two sentences on what the module covers.
    public let summary: String
    /// The id of the scale outcome reports lead with.
    public let primaryScale: String
    /// The module's own course; shared modules' courses are not used.
    public let course: Course
    /// The module's SNOMED CT and ICD-10 codes.
    public let codes: [StandardCode]
    /// The module's course for every course, unless the clinic set protocols of its own.
    public let protocols: ProtocolSchedule
    /// The module's scales, then every shared module's.
    public let scales: [any AssessmentScale]
    /// The module's outcome rules, then every shared module's.
    public let outcomeRules: [OutcomeRule]
    /// The module's safety checks, then every shared module's.
    public let safetyChecks: [SafetyCheck]

    /// The module `base` with the scales, rules and checks of `shared` added after its own, its
    /// courses run under `protocols` (by default, the module's own course).
    public init(base: any Condition, shared: [any Condition], protocols: ProtocolSchedule? = nil) {
        self.protocols = protocols ?? base.protocols
        self.base = base
        self.shared = shared
        id = base.id
        name = base.name
        version = base.version
        summary = base.summary
        primaryScale = base.primaryScale
        course = base.course
        codes = base.codes
        scales = base.scales + shared.flatMap(\.scales)
        outcomeRules = base.outcomeRules + shared.flatMap(\.outcomeRules)
        safetyChecks = base.safetyChecks + shared.flatMap(\.safetyChecks)
    }
}

/// Why a catalog could not be built, or a lookup in it failed.
public enum CatalogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Two modules have the same id.
    case duplicateCondition(id: String)
    /// Two modules have a scale with the same id.
    case duplicateScale(id: String, firstCondition: String, secondCondition: String)
    /// A condition, scale or subscore id is not lower-case letters, digits and inner hyphens.
    case malformedID(kind: String, id: String)
    /// A primary scale, outcome rule or safety check (`usedBy`) names a scale the condition does not have.
    case unknownScale(condition: String, scale: String, usedBy: String)
    /// An outcome rule names a subscore its scale does not have.
    case unknownSubscore(condition: String, scale: String, subscore: String, rule: String)
    /// A safety check names an item its scale does not have.
    case unknownItem(scale: String, item: String, check: String)
    /// A subscore is ill-formed (`detail` says how: an unknown or unscored item, an item twice, a minimum that cannot
    /// be met, a range that is not from low to high).
    case badSubscore(scale: String, subscore: String, detail: String)
    /// Two outcome rules of a condition, its own or a shared module's, have the same id.
    case duplicateRule(condition: String, rule: String)
    /// A scale's bands do not start and end at the ends of its score range.
    case bandsDoNotCoverRange(scale: String, range: String, bands: String)
    /// Two neighbouring bands of a scale leave a gap or overlap.
    case bandsNotContiguous(scale: String, lower: String, upper: String, detail: String)
    /// No module has a scale with this id; `known` lists those that exist.
    case noSuchScale(id: String, known: [String])
    /// The catalog has no condition with this id; `known` lists those that exist.
    case noSuchCondition(id: String, known: [String])

    /// The sentence the command line prints, naming the module, scale, rule or item at fault.
    public var description: String {
        switch self {
        case .duplicateCondition(let id):
            "two condition modules have the id '\(id)'; condition ids must be unique"
        case .duplicateScale(let id, let first, let second):
            "scale id '\(id)' is used by both '\(first)' and '\(second)'; scale ids must be unique across all conditions"
        case .malformedID(let kind, let id):
            "\(kind) id '\(id)' is not allowed; use lower-case letters, digits and inner hyphens (e.g. bpi-sf)"
        case .unknownScale(let condition, let scale, let usedBy):
            "condition '\(condition)': \(usedBy) names scale '\(scale)', which the condition does not have"
        case .unknownSubscore(let condition, let scale, let subscore, let rule):
            "condition '\(condition)': outcome rule '\(rule)' names subscore '\(subscore)' of \(scale), which has no such subscore"
        case .unknownItem(let scale, let item, let check):
            "safety check '\(check)' names item '\(item)' of \(scale), which has no such item"
        case .duplicateRule(let condition, let rule):
            "condition '\(condition)': two outcome rules have the id '\(rule)' (its own, or a shared module's); rule ids must be unique within a condition"
        case .badSubscore(let scale, let subscore, let detail):
            "scale '\(scale)': subscore '\(subscore)': \(detail)"
        case .bandsDoNotCoverRange(let scale, let range, let bands):
            "scale '\(scale)': bands cover \(bands) but the score range is \(range); bands must cover the range exactly"
        case .bandsNotContiguous(let scale, _, _, let detail):
            "scale '\(scale)': bands leave a gap or overlap: \(detail)"
        case .noSuchScale(let id, let known):
            "unknown scale '\(id)'; known scales: \(known.joined(separator: ", "))"
        case .noSuchCondition(let id, let known):
            "unknown condition '\(id)'; known conditions: \(known.joined(separator: ", "))"
        }
    }
}
