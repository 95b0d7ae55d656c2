import Foundation
import RegistryCore
import Yams

/// A mistake in a condition file: where it is and what to write instead. The description is the
/// sentence the command line prints.
public struct ConditionFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file's path, as the loader was given it.
    public let file: String
    /// The line of the mistake, from 1; 1 when it concerns the whole file or no line is known.
    public let line: Int
    /// What is wrong, and what to write instead.
    public let message: String

    /// `FILE:LINE: MESSAGE`.
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
            throw ConditionFileError(
                file: path, line: 1,
                message: "the file has \(data.count) bytes; a module file may have at most \(maximumFileBytes)")
        }
        // A NUL byte or text that is not UTF-8 is refused with its line, never read as something else.
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let nul = bytes.firstIndex(of: 0) {
            throw ConditionFileError(
                file: path, line: bytes[..<nul].count { $0 == 0x0A } + 1,
                message: "a NUL byte, which a module file may not contain")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            let line = (lines.firstIndex { String(validating: $0, as: UTF8.self) == nil } ?? 0) + 1
            throw ConditionFileError(
                file: path, line: line, message: "this line is not UTF-8 text; save the file as UTF-8")
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
                throw ConditionFileError(
                    file: file, line: 1,
                    message: "the file is empty; it must describe one condition (see docs/adding-a-condition.md)")
            }
            root = node
        } catch let error as ConditionFileError {
            throw error
        } catch let error as YamlError {
            throw ConditionFileError(
                file: file, line: yamlLine(error), message: "this is not valid YAML: \(yamlProblem(error))")
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
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return problem
        default: return "\(error)"
        }
    }
}

extension ConditionFileLoader {
    /// The catalog of compiled and declarative modules together. A clash between them (one id
    /// twice) is reported at the declarative file's line.
    public static func catalog(compiled: [any Condition], declarative: [DeclarativeCondition]) throws
        -> ConditionCatalog
    {
        do {
            return try ConditionCatalog(compiled + declarative)
        } catch {
            let clash: (DeclarativeCondition, String)? =
                switch error {
                case .duplicateCondition(let id): declarative.last { $0.id == id }.map { ($0, "id") }
                case .duplicateScale(let id, _, let second):
                    declarative.first { $0.id == second }.map { ($0, "scale:\(id)") }
                default: nil
                }
            guard let (condition, key) = clash else { throw error }
            throw ConditionFileErrors(errors: [
                ConditionFileError(
                    file: condition.file, line: condition.lines[key] ?? 1,
                    message: "\(error); choose another id in this file")
            ])
        }
    }
}

/// Every broken file, one error each.
public struct ConditionFileErrors: Error, Sendable, CustomStringConvertible {
    /// One error per broken file (in file name order when a folder was read).
    public let errors: [ConditionFileError]
    /// Each error's description, one per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
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
