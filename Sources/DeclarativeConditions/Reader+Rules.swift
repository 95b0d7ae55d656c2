import Foundation
import RegistryCore
import Yams

/// Outcome rules and safety checks.
extension Reader {
    func outcomeRule(_ node: Node, scales: [StandardScale]) throws -> OutcomeRule {
        let kinds = ["improvement-percent", "improvement-points", "score-below", "score-at-most"]
        let entries = try mapping(
            node, "an outcome rule", required: ["id", "scale"], optional: ["name", "subscore"] + kinds)
        let scaleID = try string(entries["scale"], "the rule's scale")
        guard let scale = scales.first(where: { $0.id == scaleID }) else {
            throw fail(
                entries["scale"],
                "the rule names scale '\(scaleID)', which this file does not define; write one of: \(scales.map(\.id).joined(separator: ", "))"
            )
        }
        let subscore = try entries["subscore"].map { try string($0, "subscore") }
        if let subscore, !scale.subscoreNames.contains(subscore) {
            throw fail(
                entries["subscore"],
                "\(scaleID) has no subscore '\(subscore)'"
                    + (scale.subscoreNames.isEmpty
                        ? "" : "; write one of: \(scale.subscoreNames.joined(separator: ", "))"))
        }
        let given = kinds.filter { entries[$0] != nil }
        guard given.count == 1, let kind = given.first else {
            throw fail(
                node,
                "an outcome rule needs exactly one of \(kinds.joined(separator: ", ")) (e.g. improvement-percent: 50)")
        }
        let value = try number(entries[kind], kind)
        let criterion: OutcomeRule.Criterion =
            switch kind {
            case "improvement-percent": .percentImprovement(atLeast: value)
            case "improvement-points": .pointImprovement(atLeast: value)
            case "score-below": .scoreBelow(value)
            default: .scoreAtMost(value)
            }
        return OutcomeRule(
            id: try id(entries["id"], "the rule's id"), name: try entries["name"].map { try string($0, "name") },
            scale: scaleID, subscore: subscore, criterion: criterion)
    }

    func safetyCheck(_ node: Node, scales: [StandardScale]) throws -> SafetyCheck {
        let entries = try mapping(
            node, "a safety check", required: ["flag", "scale", "description"],
            optional: ["item", "at-least", "score-at-least"])
        let scaleID = try string(entries["scale"], "the check's scale")
        guard let scale = scales.first(where: { $0.id == scaleID }) else {
            throw fail(entries["scale"], "the check names scale '\(scaleID)', which this file does not define")
        }
        let trigger: SafetyCheck.Trigger
        if entries["score-at-least"] != nil, let stray = entries["item"] ?? entries["at-least"] {
            throw fail(
                stray, "a safety check is on an item (item and at-least) or on the score (score-at-least), not both")
        }
        if entries["item"] == nil, let stray = entries["at-least"] {
            throw fail(
                stray, "at-least needs the item it applies to (item: \"9\"), or use score-at-least for the score")
        }
        if let item = entries["item"] {
            let itemID = try string(item, "item")
            guard scale.items.contains(where: { $0.id == itemID }) else {
                throw fail(item, "\(scaleID) has no item '\(itemID)'")
            }
            trigger = .itemAtLeast(item: itemID, value: try int(entries["at-least"], "at-least"))
        } else if let score = entries["score-at-least"] {
            trigger = .scoreAtLeast(try number(score, "score-at-least"))
        } else {
            throw fail(
                node, "a safety check needs item and at-least (e.g. item: \"9\", at-least: 1), or score-at-least")
        }
        return SafetyCheck(
            flag: try id(entries["flag"], "flag"), scale: scaleID,
            description: try string(entries["description"], "description"), trigger: trigger)
    }
}
