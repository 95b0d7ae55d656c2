import Foundation
import RegistryCore
import Yams

/// A mistake in a condition file: where it is and what to write instead. The description is the
/// sentence the command line prints.
public struct ConditionFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let message: String

    public var description: String { "\(file):\(line): \(message)" }
}

/// Reads declarative condition modules: YAML files a researcher writes (see
/// docs/adding-a-condition.md). YAML rather than JSON because these files are written and reviewed
/// by hand, need comments for sources and conventions, and Yams gives every value its line.
public enum ConditionFileLoader {
    /// Every `.yaml` or `.yml` file in a folder, in name order. All files are read; every broken
    /// one is reported.
    public static func load(directory: String) throws(ConditionFileErrors) -> [DeclarativeCondition] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var conditions: [DeclarativeCondition] = []
        var errors: [ConditionFileError] = []
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file)
            do {
                conditions.append(try load(file: path))
            } catch {
                errors.append(error)
            }
        }
        guard errors.isEmpty else { throw ConditionFileErrors(errors: errors) }
        return conditions
    }

    /// One file.
    public static func load(file path: String) throws(ConditionFileError) -> DeclarativeCondition {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConditionFileError(file: path, line: 1, message: "cannot read the file")
        }
        guard data.count <= maximumFileBytes else {
            throw ConditionFileError(file: path, line: 1, message: "the file has \(data.count) bytes; a module file may have at most \(maximumFileBytes)")
        }
        // A NUL byte or text that is not UTF-8 is refused with its line, never read as something else.
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let nul = bytes.firstIndex(of: 0) {
            throw ConditionFileError(file: path, line: bytes[..<nul].count { $0 == 0x0A } + 1, message: "a NUL byte, which a module file may not contain")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            let line = (lines.firstIndex { String(validating: $0, as: UTF8.self) == nil } ?? 0) + 1
            throw ConditionFileError(file: path, line: line, message: "this line is not UTF-8 text; save the file as UTF-8")
        }
        return try parse(text, file: path)
    }

    /// The largest module file read: ample for any instrument, small enough that a hostile file
    /// cannot stall the program.
    public static let maximumFileBytes = 1 << 20

    /// The text of one file.
    public static func parse(_ text: String, file: String) throws(ConditionFileError) -> DeclarativeCondition {
        let root: Node
        do {
            // The reader reads every value as text and parses numbers and yes/no itself, so the
            // node tree needs no tags resolved: the basic resolver (no rules) spares compiling
            // and running Yams' default regular expressions for every scalar, an empty constructor
            // its table of types, and UTF-8 (what a Swift string is) the look at the environment
            // that Yams' default encoding makes, which prints to standard output when
            // YAMS_DEFAULT_ENCODING is set. Together 13M of the 19M instructions loading the PTSD
            // module took, on every command that loads the catalog.
            guard let node = try Yams.compose(yaml: text, .basic, Constructor([:], [:], [:]), .utf8) else {
                throw ConditionFileError(file: file, line: 1, message: "the file is empty; it must describe one condition (see docs/adding-a-condition.md)")
            }
            root = node
        } catch let error as ConditionFileError {
            throw error
        } catch let error as YamlError {
            throw ConditionFileError(file: file, line: yamlLine(error), message: "this is not valid YAML: \(yamlProblem(error))")
        } catch {
            throw ConditionFileError(file: file, line: 1, message: "this is not valid YAML: \(error)")
        }
        do {
            return try Reader(file: file).condition(root)
        } catch let error as ConditionFileError {
            throw error
        } catch {
            throw ConditionFileError(file: file, line: 1, message: "\(error)")
        }
    }

    static func yamlLine(_ error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return 1
        }
    }

    static func yamlProblem(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        default: return "\(error)"
        }
    }
}

extension ConditionFileLoader {
    /// The catalog of compiled and declarative modules together. A clash between them (one id
    /// twice) is reported at the declarative file's line.
    public static func catalog(compiled: [any Condition], declarative: [DeclarativeCondition]) throws -> ConditionCatalog {
        do {
            return try ConditionCatalog(compiled + declarative)
        } catch {
            let clash: (DeclarativeCondition, String)? = switch error {
            case .duplicateCondition(let id): declarative.last { $0.id == id }.map { ($0, "id") }
            case .duplicateScale(let id, _, let second): declarative.first { $0.id == second }.map { ($0, "scale:\(id)") }
            default: nil
            }
            guard let (condition, key) = clash else { throw error }
            throw ConditionFileErrors(errors: [ConditionFileError(file: condition.file, line: condition.lines[key] ?? 1,
                                                                  message: "\(error); choose another id in this file")])
        }
    }
}

/// Every broken file, one error each.
public struct ConditionFileErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [ConditionFileError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Reads nodes with their lines, refusing unknown keys and naming what is allowed.
struct Reader {
    let file: String

    func fail(_ node: Node?, _ message: String) -> ConditionFileError {
        ConditionFileError(file: file, line: node?.mark?.line ?? 1, message: message)
    }

    /// A mapping's entries by key, refusing keys not in `allowed` and requiring `required`.
    func mapping(_ node: Node, _ what: String, required: [String], optional: [String]) throws -> [String: Node] {
        guard case .mapping(let mapping) = node else { throw fail(node, "\(what) must be a mapping of keys to values") }
        var entries: [String: Node] = [:]
        let allowed = required + optional
        for (key, value) in mapping {
            guard let name = key.string else { throw fail(key, "keys in \(what) must be words") }
            guard allowed.contains(name) else {
                let suggestion = allowed.min { editDistance($0, name) < editDistance($1, name) }.flatMap { editDistance($0, name) <= 3 ? " (did you mean '\($0)'?)" : nil } ?? ""
                throw fail(key, "unknown key '\(name)' in \(what)\(suggestion); write one of: \(allowed.joined(separator: ", "))")
            }
            guard entries[name] == nil else { throw fail(key, "'\(name)' appears twice in \(what); keep one") }
            entries[name] = value
        }
        for name in required where entries[name] == nil {
            throw fail(node, "\(what) needs '\(name)'")
        }
        return entries
    }

    func string(_ node: Node?, _ what: String) throws -> String {
        guard let node, case .scalar(let scalar) = node, !scalar.string.isEmpty else { throw fail(node, "\(what) must be text") }
        return scalar.string
    }

    func id(_ node: Node?, _ what: String) throws -> String {
        let text = try string(node, what)
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard text.allSatisfy(allowed.contains), text.first != "-", text.last != "-" else {
            throw fail(node, "\(what) '\(text)' is not an id; use lower-case letters, digits and inner hyphens (e.g. pcl5, visit-1)")
        }
        return text
    }

    func int(_ node: Node?, _ what: String) throws -> Int {
        guard let text = node?.string, let value = Int(text) else { throw fail(node, "\(what) must be a whole number") }
        return value
    }

    func number(_ node: Node?, _ what: String) throws -> Double {
        guard let text = node?.string, let value = Double(text), value.isFinite else { throw fail(node, "\(what) must be a number") }
        return value
    }

    func bool(_ node: Node?, _ what: String) throws -> Bool {
        switch node?.string?.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default: throw fail(node, "\(what) must be true or false")
        }
    }

    func sequence(_ node: Node?, _ what: String) throws -> [Node] {
        guard let node, case .sequence(let sequence) = node else { throw fail(node, "\(what) must be a list (lines starting with '- ')") }
        return Array(sequence)
    }

    // MARK: - The condition

    func condition(_ root: Node) throws -> DeclarativeCondition {
        // `applies-to: every-condition` makes a shared module (quality of life): scales for any
        // patient, judged within each of their conditions' courses; it has no course or primary scale.
        var scope = ModuleScope.condition
        if case .mapping(let top) = root, let node = top.first(where: { $0.key.string == "applies-to" })?.value {
            let text = try string(node, "applies-to")
            switch text {
            case "one-condition": scope = .condition
            case "every-condition": scope = .everyCondition
            default: throw fail(node, "applies-to '\(text)' is not one of one-condition (the default), every-condition")
            }
        }
        let entries = scope == .condition
            ? try mapping(root, "the condition", required: ["id", "name", "version", "summary", "primary-scale", "scales"],
                          optional: ["course", "outcome-rules", "safety-checks", "applies-to", "codes"])
            : try mapping(root, "a module that applies to every condition (it has no course or primary scale of its own)",
                          required: ["id", "name", "version", "summary", "scales", "applies-to"], optional: ["outcome-rules", "safety-checks", "codes"])
        let conditionID = try id(entries["id"], "the condition's id")
        var scales: [StandardScale] = []
        var scaleLines: [String: Node] = [:]
        for node in try sequence(entries["scales"], "scales") {
            let scale = try self.scale(node)
            if scaleLines[scale.id] != nil { throw fail(node, "a second scale with the id '\(scale.id)'; scale ids must be unique") }
            scaleLines[scale.id] = node
            scales.append(scale)
        }
        let primary = scope == .everyCondition ? scales.first?.id ?? "" : try string(entries["primary-scale"], "primary-scale")
        guard scaleLines[primary] != nil else {
            throw fail(entries["primary-scale"], "primary-scale names '\(primary)', which is not one of this file's scales (\(scales.map(\.id).joined(separator: ", ")))")
        }
        var rules: [OutcomeRule] = []
        for node in try entries["outcome-rules"].map({ try sequence($0, "outcome-rules") }) ?? [] {
            let rule = try outcomeRule(node, scales: scales)
            if rules.contains(where: { $0.id == rule.id }) { throw fail(node, "a second outcome rule with the id '\(rule.id)'") }
            rules.append(rule)
        }
        var checks: [SafetyCheck] = []
        for node in try entries["safety-checks"].map({ try sequence($0, "safety-checks") }) ?? [] {
            checks.append(try safetyCheck(node, scales: scales))
        }
        let course = try entries["course"].map { try self.course($0) }
        let built = DeclarativeCondition(
            id: conditionID, name: try string(entries["name"], "name"), version: try string(entries["version"], "version"),
            summary: try string(entries["summary"], "summary"), primaryScale: primary, standardScales: scales, outcomeRules: rules,
            safetyChecks: checks, course: course ?? Fallback().course, scope: scope,
            codes: try entries["codes"].map { try codes($0, "the condition's codes") } ?? [], file: file,
            lines: scaleLines.reduce(into: ["id": entries["id"]?.mark?.line ?? 1]) { $0["scale:\($1.key)"] = $1.value.mark?.line ?? 1 })
        // Anything the file-level checks missed, the catalog's own checks find.
        do { _ = try ConditionCatalog([built]) } catch { throw fail(root, "\(error)") }
        return built
    }

    /// The protocol's default course, for files that do not describe one.
    private struct Fallback: Condition {
        let id = "fallback", name = "", version = "", summary = "", primaryScale = ""
        var scales: [any AssessmentScale] { [] }
        var outcomeRules: [OutcomeRule] { [] }
    }

    func course(_ node: Node) throws -> Course {
        let entries = try mapping(node, "course", required: ["description", "infusions", "within-days", "end-of-course-window-days"],
                                  optional: ["follow-ups", "maintenance", "retreatment-after-days"])
        // Day counts are bounded so that no date arithmetic on them can overflow.
        func days(_ key: String, _ range: ClosedRange<Int>, in fields: [String: Node], of node: Node) throws -> Int {
            let value = try int(fields[key], key)
            guard range.contains(value) else { throw fail(fields[key] ?? node, "\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)") }
            return value
        }
        var visits: [FollowUpVisit] = []
        for visit in try entries["follow-ups"].map({ try sequence($0, "follow-ups") }) ?? [] {
            let fields = try mapping(visit, "a follow-up visit", required: ["id", "name", "target-day", "earliest-day", "latest-day"], optional: [])
            let earliest = try days("earliest-day", 0...3_650, in: fields, of: visit), target = try days("target-day", 0...3_650, in: fields, of: visit)
            let latest = try days("latest-day", 0...3_650, in: fields, of: visit)
            guard earliest <= target, target <= latest else { throw fail(visit, "a visit's days must run earliest-day <= target-day <= latest-day") }
            visits.append(FollowUpVisit(id: try id(fields["id"], "a visit's id"), name: try string(fields["name"], "a visit's name"),
                                        targetDay: target, earliestDay: earliest, latestDay: latest))
        }
        // `retreatment-after-days: none` when only `ketareg course start` begins a re-treatment course.
        var retreatment: Int? = Course.defaultRetreatmentAfterDays
        if let node = entries["retreatment-after-days"] {
            if case .scalar(let scalar) = node, scalar.string.lowercased() == "none" {
                retreatment = nil
            } else {
                retreatment = try days("retreatment-after-days", 1...3_650, in: entries, of: node)
            }
        }
        let maintenance = try entries["maintenance"].map { try string($0, "maintenance") }
        return Course(description: try string(entries["description"], "course description"),
                      infusions: try days("infusions", 1...100, in: entries, of: node),
                      withinDays: try days("within-days", 1...365, in: entries, of: node),
                      endOfCourseWindowDays: try days("end-of-course-window-days", 0...365, in: entries, of: node), followUps: visits,
                      maintenance: maintenance ?? "infusions after the course is over, until a re-treatment course starts",
                      retreatmentAfterDays: retreatment)
    }

    // MARK: - Scales

    func scale(_ node: Node) throws -> StandardScale {
        let entries = try mapping(node, "a scale", required: ["id", "name", "version", "licence", "range", "items", "scoring", "scoring-description"],
                                  optional: ["licence-note", "direction", "answers", "bands", "subscores", "codes", "form-codes"])
        let scaleID = try id(entries["id"], "the scale's id")
        let what = "scale \(scaleID)"
        let range = try sequence(entries["range"], "\(what) range ([lowest, highest])")
        guard range.count == 2 else { throw fail(entries["range"], "\(what) range must be [lowest, highest], e.g. [0, 80]") }
        let low = try number(range[0], "\(what) range"), high = try number(range[1], "\(what) range")
        guard low < high else { throw fail(entries["range"], "\(what) range must go from low to high") }
        guard abs(low) <= Limits.score, abs(high) <= Limits.score else {
            throw fail(entries["range"], "\(what) range must lie within -\(formatScore(Limits.score)) to \(formatScore(Limits.score))")
        }
        let defaultAnswers = try entries["answers"].map { try answers($0, what) }
        var items: [ScaleItem] = []
        var itemIDs: Set<String> = []
        let itemNodes = try sequence(entries["items"], "\(what) items")
        guard itemNodes.count <= Limits.items else { throw fail(entries["items"], "\(what) has \(itemNodes.count) items; a scale may have at most \(Limits.items)") }
        for itemNode in itemNodes {
            let fields = try mapping(itemNode, "an item of \(what)", required: ["id", "label"], optional: ["answers", "scored", "reverse", "codes"])
            let itemID = try string(fields["id"], "an item's id")
            guard itemIDs.insert(itemID).inserted else { throw fail(itemNode, "a second item with the id '\(itemID)' in \(what)") }
            guard let response = try fields["answers"].map({ try answers($0, what) }) ?? defaultAnswers else {
                throw fail(itemNode, "item \(itemID) of \(what) needs 'answers' (or give the scale an 'answers' for every item)")
            }
            let reverse = try fields["reverse"].map { try bool($0, "reverse") } ?? false
            if reverse, case .options = response { throw fail(fields["reverse"], "only numeric items can be reverse scored; give the options their values instead") }
            items.append(ScaleItem(id: itemID, label: try string(fields["label"], "an item's label"), response: response,
                                   isScored: try fields["scored"].map { try bool($0, "scored") } ?? true, isReversed: reverse,
                                   codes: try fields["codes"].map { try codes($0, "item \(itemID)'s codes") } ?? []))
        }
        guard !items.isEmpty else { throw fail(entries["items"], "\(what) needs at least one item") }
        let scoring = try self.scoring(entries["scoring"]!, what, items: items)
        let bands = try entries["bands"].map { try self.bands($0, what, low: low, high: high) } ?? []
        let licenceText = try string(entries["licence"], "licence")
        guard let status = Licence.Status(rawValue: licenceText) else {
            throw fail(entries["licence"], "licence '\(licenceText)' is not one of free, public-domain, copyrighted, check-before-shipping")
        }
        var direction = ScoreDirection.higherIsWorse
        if let node = entries["direction"] {
            let text = try string(node, "direction")
            guard let value = ScoreDirection(rawValue: text) else { throw fail(node, "direction must be higher-is-worse or higher-is-better") }
            direction = value
        }
        var subscores: [StandardScale.Subscore] = []
        for subscoreNode in try entries["subscores"].map({ try sequence($0, "subscores of \(what)") }) ?? [] {
            let fields = try mapping(subscoreNode, "a subscore of \(what)", required: ["id", "items"], optional: ["method", "minimum-answered", "range"])
            let subscoreID = try id(fields["id"], "a subscore's id")
            guard !subscores.contains(where: { $0.id == subscoreID }), !scoring.meanSubscoreNames.contains(subscoreID) else {
                throw fail(fields["id"], "a second subscore with the id '\(subscoreID)' in \(what)")
            }
            let itemNodes = try sequence(fields["items"], "a subscore's items")
            var itemIDs: [String] = []
            for itemNode in itemNodes {
                let itemID = try string(itemNode, "an item id")
                guard let item = items.first(where: { $0.id == itemID }) else {
                    throw fail(itemNode, "subscore \(subscoreID) names item '\(itemID)', which \(what) does not have; its items are \(items.map(\.id).joined(separator: ", "))")
                }
                guard item.isScored else { throw fail(itemNode, "item \(itemID) is not scored, so it cannot count in subscore \(subscoreID)") }
                guard !itemIDs.contains(itemID) else { throw fail(itemNode, "item \(itemID) is named twice in subscore \(subscoreID)") }
                itemIDs.append(itemID)
            }
            guard !itemIDs.isEmpty else { throw fail(fields["items"], "subscore \(subscoreID) needs at least one item") }
            var method: SubscoreDefinition.Method?
            if let methodNode = fields["method"] {
                let text = try string(methodNode, "a subscore's method")
                guard let value = SubscoreDefinition.Method(rawValue: text) else {
                    throw fail(methodNode, "a subscore's method '\(text)' is not one of \(SubscoreDefinition.Method.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                method = value
            }
            var minimum: Int?
            if let minimumNode = fields["minimum-answered"] {
                guard method != .sum, method != nil || scoring.isSum == false else {
                    throw fail(minimumNode, "a summed subscore needs every item answered; minimum-answered is for method mean or prorated-sum")
                }
                let value = try int(minimumNode, "minimum-answered")
                guard (1...itemIDs.count).contains(value) else { throw fail(minimumNode, "minimum-answered must be from 1 to \(itemIDs.count), the subscore's number of items") }
                minimum = value
            }
            var subscoreRange: ClosedRange<Double>?
            if let rangeNode = fields["range"] {
                let bounds = try sequence(rangeNode, "a subscore's range ([lowest, highest])")
                guard bounds.count == 2 else { throw fail(rangeNode, "a subscore's range must be [lowest, highest], e.g. [0, 20]") }
                let lowest = try number(bounds[0], "a subscore's range"), highest = try number(bounds[1], "a subscore's range")
                guard lowest < highest, abs(lowest) <= Limits.score, abs(highest) <= Limits.score else {
                    throw fail(rangeNode, "a subscore's range must go from low to high, within -\(formatScore(Limits.score)) to \(formatScore(Limits.score))")
                }
                subscoreRange = lowest...highest
            }
            subscores.append(StandardScale.Subscore(subscoreID, items: itemIDs, method: method, minimumAnswered: minimum, range: subscoreRange))
        }
        return StandardScale(id: scaleID, name: try string(entries["name"], "\(what) name"), version: try string(entries["version"], "\(what) version"),
                             items: items, range: low...high, direction: direction, bands: bands,
                             licence: Licence(status, note: try entries["licence-note"].map { try string($0, "licence-note") } ?? ""),
                             scoring: scoring, scoringDescription: try string(entries["scoring-description"], "scoring-description"),
                             subscores: subscores, codes: try entries["codes"].map { try codes($0, "\(what) codes") } ?? [],
                             formCodes: try entries["form-codes"].map { try codes($0, "\(what) form-codes") } ?? [])
    }

    /// What a module file may state, so that no sum, mean or date on it can overflow and loading
    /// stays fast: items per scale, answer values, score ranges. Days are bounded in ``course(_:)``.
    enum Limits {
        static let items = 200
        static let answer = 1_000
        static let score = 1_000_000.0
    }

    func answers(_ node: Node, _ what: String) throws -> ResponseKind {
        if node.string == "yes-no" { return .yesNo }
        let entries = try mapping(node, "answers in \(what) (min and max, options, or the word yes-no)", required: [], optional: ["min", "max", "options"])
        if let options = entries["options"] {
            guard entries["min"] == nil, entries["max"] == nil else { throw fail(node, "answers take either min and max, or options, not both") }
            let list = try sequence(options, "options").map { option -> AnswerOption in
                let fields = try mapping(option, "an option", required: ["label", "value"], optional: [])
                let value = try int(fields["value"], "an option's value")
                guard abs(value) <= Limits.answer else { throw fail(fields["value"], "an option's value must be from -\(Limits.answer) to \(Limits.answer)") }
                return AnswerOption(label: try string(fields["label"], "an option's label"), value: value)
            }
            guard list.count >= 2 else { throw fail(options, "give at least two options") }
            return .options(list)
        }
        guard entries["min"] != nil, entries["max"] != nil else { throw fail(node, "answers need min and max (e.g. {min: 0, max: 4}), options, or yes-no") }
        let low = try int(entries["min"], "min"), high = try int(entries["max"], "max")
        guard low < high else { throw fail(node, "answers' min must be below max") }
        guard abs(low) <= Limits.answer, abs(high) <= Limits.answer else {
            throw fail(node, "answers' min and max must be from -\(Limits.answer) to \(Limits.answer)")
        }
        return .number(low...high)
    }

    func scoring(_ node: Node, _ what: String, items: [ScaleItem]) throws -> ScoringRule {
        // Each method takes its own keys and no other, so a key meant for another method is
        // refused at its line rather than ignored.
        let keys: [String: [String]] = ["sum": [], "prorated-sum": ["minimum-answered"], "highest-in-domains": ["domains"], "means": ["headline", "subscores"]]
        let methods = ["sum", "prorated-sum", "highest-in-domains", "means"]
        guard case .mapping(let given) = node else { throw fail(node, "scoring of \(what) must be a mapping of keys to values") }
        guard let methodNode = given.first(where: { $0.key.string == "method" })?.value else { throw fail(node, "scoring of \(what) needs 'method' (one of \(methods.joined(separator: ", ")))") }
        let method = try string(methodNode, "method")
        guard let methodKeys = keys[method] else {
            throw fail(methodNode, "scoring method '\(method)' is not one of \(methods.joined(separator: ", "))")
        }
        for (key, _) in given {
            guard let name = key.string, name != "method", !methodKeys.contains(name), keys.values.contains(where: { $0.contains(name) }) else { continue }
            let users = methods.filter { keys[$0]!.contains(name) }
            throw fail(key, "'\(name)' is not used by method \(method) (only by \(users.joined(separator: ", "))); "
                       + (methodKeys.isEmpty ? "method \(method) takes no other key" : "method \(method) takes: \(methodKeys.joined(separator: ", "))")
                       + (name == "subscores" ? ". Subscores of any method go in the scale's own 'subscores' list, beside 'scoring'" : ""))
        }
        let entries = try mapping(node, "scoring of \(what) (method \(method))", required: ["method"] + methodKeys, optional: [])
        let ids = Set(items.map(\.id))
        func itemList(_ node: Node?, _ context: String) throws -> [String] {
            let list = try sequence(node, context).map { try string($0, "an item id") }
            for item in list where !ids.contains(item) { throw fail(node, "\(context) names item '\(item)', which \(what) does not have") }
            return list
        }
        switch method {
        case "sum":
            return .sum
        case "prorated-sum":
            let minimum = try int(entries["minimum-answered"], "minimum-answered")
            guard (1...items.count).contains(minimum) else { throw fail(entries["minimum-answered"], "minimum-answered must be from 1 to \(items.count)") }
            return .proratedSum(minimumAnswered: minimum)
        case "highest-in-domains":
            let domains = try sequence(entries["domains"], "domains").map { domain -> ScoringRule.Domain in
                let fields = try mapping(domain, "a domain", required: ["name", "items"], optional: [])
                return .init(try string(fields["name"], "a domain's name"), items: try itemList(fields["items"], "a domain"))
            }
            return .sumOfHighestInDomains(domains)
        case "means":
            let subscores = try sequence(entries["subscores"], "subscores").map { subscore -> ScoringRule.MeanSubscore in
                let fields = try mapping(subscore, "a subscore", required: ["name", "items", "minimum-answered"], optional: [])
                return .init(try string(fields["name"], "a subscore's name"), items: try itemList(fields["items"], "a subscore"),
                             minimumAnswered: try int(fields["minimum-answered"], "minimum-answered"))
            }
            let headline = try string(entries["headline"], "headline")
            guard subscores.contains(where: { $0.name == headline }) else { throw fail(entries["headline"], "headline '\(headline)' must name one of the subscores") }
            return .meansOfSubscores(headline: headline, subscores: subscores)
        case let other:
            throw fail(entries["method"], "scoring method '\(other)' is not one of sum, prorated-sum, highest-in-domains, means")
        }
    }

    func bands(_ node: Node, _ what: String, low: Double, high: Double) throws -> [SeverityBand] {
        var bands: [SeverityBand] = []
        var lastNode = node
        for bandNode in try sequence(node, "bands of \(what)") {
            lastNode = bandNode
            let fields = try mapping(bandNode, "a band of \(what)", required: ["id", "min", "max"], optional: ["label", "codes"])
            let band = SeverityBand(try id(fields["id"], "a band's id"), label: try fields["label"].map { try string($0, "label") },
                                    try number(fields["min"], "min")...max(try number(fields["min"], "min"), try number(fields["max"], "max")),
                                    codes: try fields["codes"].map { try codes($0, "a band's codes") } ?? [])
            guard try number(fields["max"], "max") >= band.lowerBound else { throw fail(bandNode, "band \(band.id) ends below where it starts") }
            if let previous = bands.last {
                if band.lowerBound <= previous.upperBound {
                    throw fail(bandNode, "band \(band.id) overlaps \(previous.id), which ends at \(formatScore(previous.upperBound)); start it at \(formatScore(previous.upperBound + 1))")
                }
                if band.lowerBound > previous.upperBound + 1 {
                    throw fail(bandNode, "a gap between \(previous.id) (ending at \(formatScore(previous.upperBound))) and \(band.id); start \(band.id) at \(formatScore(previous.upperBound + 1))")
                }
            } else if band.lowerBound != low {
                throw fail(bandNode, "the first band must start at the lowest score, \(formatScore(low))")
            }
            bands.append(band)
        }
        if let last = bands.last, last.upperBound != high {
            throw fail(lastNode, "the last band ends at \(formatScore(last.upperBound)) but the highest score is \(formatScore(high)); end it at \(formatScore(high))")
        }
        return bands
    }

    /// A list of codes: `[{system: loinc, code: "44261-6", display: "..."}]`, the system one of
    /// loinc, snomed, icd-10 or a URI; each code's shape (and check digit) is checked here.
    func codes(_ node: Node, _ what: String) throws -> [StandardCode] {
        try sequence(node, what).map { codeNode in
            let fields = try mapping(codeNode, "a code in \(what)", required: ["system", "code"], optional: ["display"])
            let systemText = try string(fields["system"], "a code's system")
            let code = StandardCode(system: StandardCode.systemNames[systemText] ?? systemText, code: try string(fields["code"], "a code"),
                                    display: try fields["display"].map { try string($0, "a code's display") })
            if let problem = code.shapeProblem { throw fail(fields["code"], problem) }
            return code
        }
    }

    // MARK: - Rules and checks

    func outcomeRule(_ node: Node, scales: [StandardScale]) throws -> OutcomeRule {
        let kinds = ["improvement-percent", "improvement-points", "score-below", "score-at-most"]
        let entries = try mapping(node, "an outcome rule", required: ["id", "scale"], optional: ["name", "subscore"] + kinds)
        let scaleID = try string(entries["scale"], "the rule's scale")
        guard let scale = scales.first(where: { $0.id == scaleID }) else {
            throw fail(entries["scale"], "the rule names scale '\(scaleID)', which this file does not define; write one of: \(scales.map(\.id).joined(separator: ", "))")
        }
        let subscore = try entries["subscore"].map { try string($0, "subscore") }
        if let subscore, !scale.subscoreNames.contains(subscore) {
            throw fail(entries["subscore"], "\(scaleID) has no subscore '\(subscore)'" + (scale.subscoreNames.isEmpty ? "" : "; write one of: \(scale.subscoreNames.joined(separator: ", "))"))
        }
        let given = kinds.filter { entries[$0] != nil }
        guard given.count == 1, let kind = given.first else {
            throw fail(node, "an outcome rule needs exactly one of \(kinds.joined(separator: ", ")) (e.g. improvement-percent: 50)")
        }
        let value = try number(entries[kind], kind)
        let criterion: OutcomeRule.Criterion = switch kind {
        case "improvement-percent": .percentImprovement(atLeast: value)
        case "improvement-points": .pointImprovement(atLeast: value)
        case "score-below": .scoreBelow(value)
        default: .scoreAtMost(value)
        }
        return OutcomeRule(id: try id(entries["id"], "the rule's id"), name: try entries["name"].map { try string($0, "name") },
                           scale: scaleID, subscore: subscore, criterion: criterion)
    }

    func safetyCheck(_ node: Node, scales: [StandardScale]) throws -> SafetyCheck {
        let entries = try mapping(node, "a safety check", required: ["flag", "scale", "description"], optional: ["item", "at-least", "score-at-least"])
        let scaleID = try string(entries["scale"], "the check's scale")
        guard let scale = scales.first(where: { $0.id == scaleID }) else {
            throw fail(entries["scale"], "the check names scale '\(scaleID)', which this file does not define")
        }
        let trigger: SafetyCheck.Trigger
        if entries["score-at-least"] != nil, let stray = entries["item"] ?? entries["at-least"] {
            throw fail(stray, "a safety check is on an item (item and at-least) or on the score (score-at-least), not both")
        }
        if entries["item"] == nil, let stray = entries["at-least"] {
            throw fail(stray, "at-least needs the item it applies to (item: \"9\"), or use score-at-least for the score")
        }
        if let item = entries["item"] {
            let itemID = try string(item, "item")
            guard scale.items.contains(where: { $0.id == itemID }) else { throw fail(item, "\(scaleID) has no item '\(itemID)'") }
            trigger = .itemAtLeast(item: itemID, value: try int(entries["at-least"], "at-least"))
        } else if let score = entries["score-at-least"] {
            trigger = .scoreAtLeast(try number(score, "score-at-least"))
        } else {
            throw fail(node, "a safety check needs item and at-least (e.g. item: \"9\", at-least: 1), or score-at-least")
        }
        return SafetyCheck(flag: try id(entries["flag"], "flag"), scale: scaleID, description: try string(entries["description"], "description"), trigger: trigger)
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var row = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var previous = row[0]
        row[0] = i
        for j in 1...max(b.count, 1) where !b.isEmpty {
            let saved = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = saved
        }
    }
    return row[b.count]
}

extension ScoringRule {
    /// The names of a `means` rule's subscores; empty for other rules.
    var meanSubscoreNames: [String] {
        if case .meansOfSubscores(_, let subscores) = self { return subscores.map(\.name) }
        return []
    }

    /// Whether a subscore takes the scale's method as a plain sum by default.
    var isSum: Bool {
        switch self {
        case .sum, .sumOfHighestInDomains: true
        default: false
        }
    }
}
