import Foundation
import RegistryCore
import Yams

/// A scale: its items, answers, scoring, bands and codes.
extension Reader {
    func scale(_ node: Node) throws -> StandardScale {
        let entries = try mapping(
            node, "a scale",
            required: ["id", "name", "version", "licence", "range", "items", "scoring", "scoring-description"],
            optional: ["licence-note", "direction", "answers", "bands", "subscores", "codes", "form-codes"])
        let scaleID = try id(entries["id"], "the scale's id")
        let what = "scale \(scaleID)"
        let range = try sequence(entries["range"], "\(what) range ([lowest, highest])")
        guard range.count == 2 else {
            throw fail(entries["range"], "\(what) range must be [lowest, highest], e.g. [0, 80]")
        }
        let low = try number(range[0], "\(what) range")
        let high = try number(range[1], "\(what) range")
        guard low < high else { throw fail(entries["range"], "\(what) range must go from low to high") }
        guard abs(low) <= Limits.score, abs(high) <= Limits.score else {
            throw fail(
                entries["range"],
                "\(what) range must lie within -\(formatScore(Limits.score)) to \(formatScore(Limits.score))")
        }
        let defaultAnswers = try entries["answers"].map { try answers($0, what) }
        var items: [ScaleItem] = []
        var itemIDs: Set<String> = []
        let itemNodes = try sequence(entries["items"], "\(what) items")
        guard itemNodes.count <= Limits.items else {
            throw fail(
                entries["items"], "\(what) has \(itemNodes.count) items; a scale may have at most \(Limits.items)")
        }
        for itemNode in itemNodes {
            let fields = try mapping(
                itemNode, "an item of \(what)", required: ["id", "label"],
                optional: ["answers", "scored", "reverse", "codes"])
            let itemID = try string(fields["id"], "an item's id")
            guard itemIDs.insert(itemID).inserted else {
                throw fail(itemNode, "a second item with the id '\(itemID)' in \(what)")
            }
            guard let response = try fields["answers"].map({ try answers($0, what) }) ?? defaultAnswers else {
                throw fail(
                    itemNode,
                    "item \(itemID) of \(what) needs 'answers' (or give the scale an 'answers' for every item)")
            }
            let reverse = try fields["reverse"].map { try bool($0, "reverse") } ?? false
            if reverse, case .options = response {
                throw fail(
                    fields["reverse"], "only numeric items can be reverse scored; give the options their values instead"
                )
            }
            items.append(
                ScaleItem(
                    id: itemID, label: try string(fields["label"], "an item's label"), response: response,
                    isScored: try fields["scored"].map { try bool($0, "scored") } ?? true, isReversed: reverse,
                    codes: try fields["codes"].map { try codes($0, "item \(itemID)'s codes") } ?? []))
        }
        guard !items.isEmpty else { throw fail(entries["items"], "\(what) needs at least one item") }
        let scoring = try self.scoring(entries["scoring"]!, what, items: items)
        let bands = try entries["bands"].map { try self.bands($0, what, low: low, high: high) } ?? []
        let licenceText = try string(entries["licence"], "licence")
        guard let status = Licence.Status(rawValue: licenceText) else {
            throw fail(
                entries["licence"],
                "licence '\(licenceText)' is not one of free, public-domain, copyrighted, check-before-shipping")
        }
        var direction = ScoreDirection.higherIsWorse
        if let node = entries["direction"] {
            let text = try string(node, "direction")
            guard let value = ScoreDirection(rawValue: text) else {
                throw fail(node, "direction must be higher-is-worse or higher-is-better")
            }
            direction = value
        }
        var subscores: [StandardScale.Subscore] = []
        for subscoreNode in try entries["subscores"].map({ try sequence($0, "subscores of \(what)") }) ?? [] {
            let fields = try mapping(
                subscoreNode, "a subscore of \(what)", required: ["id", "items"],
                optional: ["method", "minimum-answered", "range"])
            let subscoreID = try id(fields["id"], "a subscore's id")
            guard !subscores.contains(where: { $0.id == subscoreID }), !scoring.meanSubscoreNames.contains(subscoreID)
            else {
                throw fail(fields["id"], "a second subscore with the id '\(subscoreID)' in \(what)")
            }
            let itemNodes = try sequence(fields["items"], "a subscore's items")
            var itemIDs: [String] = []
            for itemNode in itemNodes {
                let itemID = try string(itemNode, "an item id")
                guard let item = items.first(where: { $0.id == itemID }) else {
                    throw fail(
                        itemNode,
                        "subscore \(subscoreID) names item '\(itemID)', which \(what) does not have; its items are \(items.map(\.id).joined(separator: ", "))"
                    )
                }
                guard item.isScored else {
                    throw fail(itemNode, "item \(itemID) is not scored, so it cannot count in subscore \(subscoreID)")
                }
                guard !itemIDs.contains(itemID) else {
                    throw fail(itemNode, "item \(itemID) is named twice in subscore \(subscoreID)")
                }
                itemIDs.append(itemID)
            }
            guard !itemIDs.isEmpty else {
                throw fail(fields["items"], "subscore \(subscoreID) needs at least one item")
            }
            var method: SubscoreDefinition.Method?
            if let methodNode = fields["method"] {
                let text = try string(methodNode, "a subscore's method")
                guard let value = SubscoreDefinition.Method(rawValue: text) else {
                    throw fail(
                        methodNode,
                        "a subscore's method '\(text)' is not one of \(SubscoreDefinition.Method.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                method = value
            }
            var minimum: Int?
            if let minimumNode = fields["minimum-answered"] {
                guard method != .sum, method != nil || scoring.isSum == false else {
                    throw fail(
                        minimumNode,
                        "a summed subscore needs every item answered; minimum-answered is for method mean or prorated-sum"
                    )
                }
                let value = try int(minimumNode, "minimum-answered")
                guard (1...itemIDs.count).contains(value) else {
                    throw fail(
                        minimumNode,
                        "minimum-answered must be from 1 to \(itemIDs.count), the subscore's number of items")
                }
                minimum = value
            }
            var subscoreRange: ClosedRange<Double>?
            if let rangeNode = fields["range"] {
                let bounds = try sequence(rangeNode, "a subscore's range ([lowest, highest])")
                guard bounds.count == 2 else {
                    throw fail(rangeNode, "a subscore's range must be [lowest, highest], e.g. [0, 20]")
                }
                let lowest = try number(bounds[0], "a subscore's range")
                let highest = try number(bounds[1], "a subscore's range")
                guard lowest < highest, abs(lowest) <= Limits.score, abs(highest) <= Limits.score else {
                    throw fail(
                        rangeNode,
                        "a subscore's range must go from low to high, within -\(formatScore(Limits.score)) to \(formatScore(Limits.score))"
                    )
                }
                subscoreRange = lowest...highest
            }
            subscores.append(
                StandardScale.Subscore(
                    subscoreID, items: itemIDs, method: method, minimumAnswered: minimum, range: subscoreRange))
        }
        return StandardScale(
            id: scaleID, name: try string(entries["name"], "\(what) name"),
            version: try string(entries["version"], "\(what) version"),
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
        let entries = try mapping(
            node, "answers in \(what) (min and max, options, or the word yes-no)", required: [],
            optional: ["min", "max", "options"])
        if let options = entries["options"] {
            guard entries["min"] == nil, entries["max"] == nil else {
                throw fail(node, "answers take either min and max, or options, not both")
            }
            let list = try sequence(options, "options").map { option -> AnswerOption in
                let fields = try mapping(option, "an option", required: ["label", "value"], optional: [])
                let value = try int(fields["value"], "an option's value")
                guard abs(value) <= Limits.answer else {
                    throw fail(fields["value"], "an option's value must be from -\(Limits.answer) to \(Limits.answer)")
                }
                return AnswerOption(label: try string(fields["label"], "an option's label"), value: value)
            }
            guard list.count >= 2 else { throw fail(options, "give at least two options") }
            return .options(list)
        }
        guard entries["min"] != nil, entries["max"] != nil else {
            throw fail(node, "answers need min and max (e.g. {min: 0, max: 4}), options, or yes-no")
        }
        let low = try int(entries["min"], "min")
        let high = try int(entries["max"], "max")
        guard low < high else { throw fail(node, "answers' min must be below max") }
        guard abs(low) <= Limits.answer, abs(high) <= Limits.answer else {
            throw fail(node, "answers' min and max must be from -\(Limits.answer) to \(Limits.answer)")
        }
        return .number(low...high)
    }

    func scoring(_ node: Node, _ what: String, items: [ScaleItem]) throws -> ScoringRule {
        // Each method takes its own keys and no other, so a key meant for another method is
        // refused at its line rather than ignored.
        let keys: [String: [String]] = [
            "sum": [], "prorated-sum": ["minimum-answered"], "highest-in-domains": ["domains"],
            "means": ["headline", "subscores"],
        ]
        let methods = ["sum", "prorated-sum", "highest-in-domains", "means"]
        guard case .mapping(let given) = node else {
            throw fail(node, "scoring of \(what) must be a mapping of keys to values")
        }
        guard let methodNode = given.first(where: { $0.key.string == "method" })?.value else {
            throw fail(node, "scoring of \(what) needs 'method' (one of \(methods.joined(separator: ", ")))")
        }
        let method = try string(methodNode, "method")
        guard let methodKeys = keys[method] else {
            throw fail(methodNode, "scoring method '\(method)' is not one of \(methods.joined(separator: ", "))")
        }
        for (key, _) in given {
            guard let name = key.string, name != "method", !methodKeys.contains(name),
                keys.values.contains(where: { $0.contains(name) })
            else { continue }
            let users = methods.filter { keys[$0]!.contains(name) }
            throw fail(
                key,
                "'\(name)' is not used by method \(method) (only by \(users.joined(separator: ", "))); "
                    + (methodKeys.isEmpty
                        ? "method \(method) takes no other key"
                        : "method \(method) takes: \(methodKeys.joined(separator: ", "))")
                    + (name == "subscores"
                        ? ". Subscores of any method go in the scale's own 'subscores' list, beside 'scoring'" : ""))
        }
        let entries = try mapping(
            node, "scoring of \(what) (method \(method))", required: ["method"] + methodKeys, optional: [])
        let ids = Set(items.map(\.id))
        func itemList(_ node: Node?, _ context: String) throws -> [String] {
            let list = try sequence(node, context).map { try string($0, "an item id") }
            for item in list where !ids.contains(item) {
                throw fail(node, "\(context) names item '\(item)', which \(what) does not have")
            }
            return list
        }
        switch method {
        case "sum":
            return .sum
        case "prorated-sum":
            let minimum = try int(entries["minimum-answered"], "minimum-answered")
            guard (1...items.count).contains(minimum) else {
                throw fail(entries["minimum-answered"], "minimum-answered must be from 1 to \(items.count)")
            }
            return .proratedSum(minimumAnswered: minimum)
        case "highest-in-domains":
            let domains = try sequence(entries["domains"], "domains").map { domain -> ScoringRule.Domain in
                let fields = try mapping(domain, "a domain", required: ["name", "items"], optional: [])
                return .init(
                    try string(fields["name"], "a domain's name"), items: try itemList(fields["items"], "a domain"))
            }
            return .sumOfHighestInDomains(domains)
        case "means":
            let subscores = try sequence(entries["subscores"], "subscores").map {
                subscore -> ScoringRule.MeanSubscore in
                let fields = try mapping(
                    subscore, "a subscore", required: ["name", "items", "minimum-answered"], optional: [])
                return .init(
                    try string(fields["name"], "a subscore's name"), items: try itemList(fields["items"], "a subscore"),
                    minimumAnswered: try int(fields["minimum-answered"], "minimum-answered"))
            }
            let headline = try string(entries["headline"], "headline")
            guard subscores.contains(where: { $0.name == headline }) else {
                throw fail(entries["headline"], "headline '\(headline)' must name one of the subscores")
            }
            return .meansOfSubscores(headline: headline, subscores: subscores)
        case let other:
            throw fail(
                entries["method"],
                "scoring method '\(other)' is not one of sum, prorated-sum, highest-in-domains, means")
        }
    }

    func bands(_ node: Node, _ what: String, low: Double, high: Double) throws -> [SeverityBand] {
        var bands: [SeverityBand] = []
        var lastNode = node
        for bandNode in try sequence(node, "bands of \(what)") {
            lastNode = bandNode
            let fields = try mapping(
                bandNode, "a band of \(what)", required: ["id", "min", "max"], optional: ["label", "codes"])
            let band = SeverityBand(
                try id(fields["id"], "a band's id"), label: try fields["label"].map { try string($0, "label") },
                try number(
                    fields["min"], "min")...max(try number(fields["min"], "min"), try number(fields["max"], "max")),
                codes: try fields["codes"].map { try codes($0, "a band's codes") } ?? [])
            guard try number(fields["max"], "max") >= band.lowerBound else {
                throw fail(bandNode, "band \(band.id) ends below where it starts")
            }
            if let previous = bands.last {
                if band.lowerBound <= previous.upperBound {
                    throw fail(
                        bandNode,
                        "band \(band.id) overlaps \(previous.id), which ends at \(formatScore(previous.upperBound)); start it at \(formatScore(previous.upperBound + 1))"
                    )
                }
                if band.lowerBound > previous.upperBound + 1 {
                    throw fail(
                        bandNode,
                        "a gap between \(previous.id) (ending at \(formatScore(previous.upperBound))) and \(band.id); start \(band.id) at \(formatScore(previous.upperBound + 1))"
                    )
                }
            } else if band.lowerBound != low {
                throw fail(bandNode, "the first band must start at the lowest score, \(formatScore(low))")
            }
            bands.append(band)
        }
        if let last = bands.last, last.upperBound != high {
            throw fail(
                lastNode,
                "the last band ends at \(formatScore(last.upperBound)) but the highest score is \(formatScore(high)); end it at \(formatScore(high))"
            )
        }
        return bands
    }

    /// A list of codes: `[{system: loinc, code: "44261-6", display: "..."}]`, the system one of
    /// loinc, snomed, icd-10 or a URI; each code's shape (and check digit) is checked here.
    func codes(_ node: Node, _ what: String) throws -> [StandardCode] {
        try sequence(node, what).map { codeNode in
            let fields = try mapping(
                codeNode, "a code in \(what)", required: ["system", "code"], optional: ["display"])
            let systemText = try string(fields["system"], "a code's system")
            let code = StandardCode(
                system: StandardCode.systemNames[systemText] ?? systemText, code: try string(fields["code"], "a code"),
                display: try fields["display"].map { try string($0, "a code's display") })
            if let problem = code.shapeProblem { throw fail(fields["code"], problem) }
            return code
        }
    }
}
