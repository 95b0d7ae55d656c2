import Foundation
import RegistryCore
import Yams

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
                let suggestion =
                    allowed.min { editDistance($0, name) < editDistance($1, name) }.flatMap {
                        editDistance($0, name) <= 3 ? " (did you mean '\($0)'?)" : nil
                    } ?? ""
                throw fail(
                    key,
                    "unknown key '\(name)' in \(what)\(suggestion); write one of: \(allowed.joined(separator: ", "))")
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
        guard let node, case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            throw fail(node, "\(what) must be text")
        }
        return scalar.string
    }

    func id(_ node: Node?, _ what: String) throws -> String {
        let text = try string(node, what)
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard text.allSatisfy(allowed.contains), text.first != "-", text.last != "-" else {
            throw fail(
                node,
                "\(what) '\(text)' is not an id; use lower-case letters, digits and inner hyphens (e.g. pcl5, visit-1)")
        }
        return text
    }

    func int(_ node: Node?, _ what: String) throws -> Int {
        guard let text = node?.string, let value = Int(text) else { throw fail(node, "\(what) must be a whole number") }
        return value
    }

    func number(_ node: Node?, _ what: String) throws -> Double {
        guard let text = node?.string, let value = Double(text), value.isFinite else {
            throw fail(node, "\(what) must be a number")
        }
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
        guard let node, case .sequence(let sequence) = node else {
            throw fail(node, "\(what) must be a list (lines starting with '- ')")
        }
        return Array(sequence)
    }
}
