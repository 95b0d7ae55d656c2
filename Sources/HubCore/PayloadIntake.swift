import Crypto
import Foundation
import PayloadFormat
import RegistryCore

/// Why a body was refused: the reason goes back to the clinic that sent it (a 400), never into a
/// log, since it may quote the payload.
public struct IntakeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reason in a sentence, for the clinic; it may quote the payload.
    public let reason: String
    /// An error giving `reason`.
    public init(_ reason: String) { self.reason = reason }
    /// The reason itself.
    public var description: String { reason }
}

/// An outcome row of a summary payload, with the condition it belongs to: the payload's own
/// ``OutcomeSummary``, whose members it shows as its own (`row.met` as `met`).
@dynamicMemberLookup
public struct ConditionOutcome: Sendable, Hashable {
    /// The condition whose outcomes table holds the row.
    public var condition: String
    /// The row as the clinic sent it.
    public var row: OutcomeSummary

    /// `row`, of the outcomes table of `condition`.
    public init(condition: String, row: OutcomeSummary) {
        self.condition = condition
        self.row = row
    }

    /// The row's members.
    public subscript<Value>(dynamicMember member: KeyPath<OutcomeSummary, Value>) -> Value { row[keyPath: member] }
}

/// A timepoint row of a summary payload, with the condition and scale it belongs to: the
/// payload's own ``TimepointSummary``, whose members it shows as its own.
@dynamicMemberLookup
public struct ScaleTimepoint: Sendable, Hashable {
    /// The condition whose scale holds the row.
    public var condition: String
    /// The scale whose timepoints hold the row.
    public var scale: String
    /// The row as the clinic sent it.
    public var row: TimepointSummary

    /// The row's members.
    public subscript<Value>(dynamicMember member: KeyPath<TimepointSummary, Value>) -> Value { row[keyPath: member] }
}

/// A payload as the hub received it: checked against its published schema, and unpacked.
public struct ReceivedPayload: Sendable {
    /// Which profile a payload is, from the schema it names; the raw value is stored as the
    /// payload's kind.
    public enum Kind: String, Sendable { case summary, records, fhir }

    /// The payload's profile.
    public let kind: Kind
    /// The schema it names, with its version: `ketareg-summary/3`.
    public let schema: String
    /// The year and month it reports.
    public let period: String
    /// The clinic's audit-chain head when it was built, if it carries one.
    public let auditChainHead: String?
    /// How many audit rows that head closes, when the payload says (`ketareg-summary/6`,
    /// `ketareg-records/5`).
    public var auditChainRows: Int? = nil
    /// SHA-256 of the exact bytes received, in hex.
    public let digest: String

    /// A summary's conditions, timepoints and outcomes, as the clinic's payload types.
    public var conditions: [ConditionSummary] = []
    /// See ``conditions``.
    public var timepoints: [ScaleTimepoint] = []
    /// See ``conditions``.
    public var outcomes: [ConditionOutcome] = []
    /// A records payload's rows, as the clinic's payload types.
    public var patients: [PatientRecord] = []
    /// See ``patients``.
    public var assessments: [AssessmentRecord] = []
    /// See ``patients``.
    public var infusions: [InfusionRecord] = []
    /// The protocols a records payload's courses ran under, by condition.
    public var protocols: [ProtocolUse]? = nil
}

/// Reads what a clinic sent: JSON, one of the published schemas and versions, valid against it,
/// and consistent where a schema cannot say so (no more met than assessed). Counts above a billion
/// are refused before any arithmetic sees them.
public enum PayloadIntake {
    /// The schemas a hub accepts, by the name a payload gives (`schema`, or the FHIR Bundle's
    /// `urn:ketareg:schema` tag), each compiled once.
    public static let validators: [String: SchemaValidator] = {
        var validators: [String: SchemaValidator] = [:]
        for schema in PayloadSchemas.all {
            // The schemas are the package's own and are tested to compile; a failure here is a
            // build defect, not input.
            validators[schema.id] = try! SchemaValidator(schema: schema.text)
        }
        return validators
    }()

    /// The names of the schemas the hub accepts, sorted.
    public static var accepted: [String] { validators.keys.sorted() }

    /// The largest count a payload may carry: far above any clinic, far below overflow.
    public static let largestCount = 1_000_000_000

    /// SHA-256 of the bytes, as 64 lower-case hex digits.
    public static func digest(_ bytes: Data) -> String {
        hexString(SHA256.hash(data: bytes))
    }

    /// Parses, validates and unpacks a body. Throws ``IntakeError``, with the reason the clinic is
    /// sent, when the body is not JSON, names no accepted schema, breaks it, or is inconsistent
    /// where the schema cannot say so.
    public static func read(_ bytes: Data) throws(IntakeError) -> ReceivedPayload {
        let document: JSONValue
        do { document = try JSONValue.parse(bytes) } catch {
            throw IntakeError("the body is not JSON: \(error)")
        }
        guard case .object(let root) = document else { throw IntakeError("the body is not a JSON object") }
        let schema: String
        let kind: ReceivedPayload.Kind
        if case .string(let name)? = root["schema"] {
            schema = name
            kind = name.hasPrefix("ketareg-records/") ? .records : .summary
        } else if case .string("Bundle")? = root["resourceType"] {
            guard let name = fhirTag(root, "urn:ketareg:schema") else {
                throw IntakeError("the Bundle carries no urn:ketareg:schema tag in meta.tag")
            }
            schema = name
            kind = .fhir
        } else {
            throw IntakeError(
                "the body names no schema (its \"schema\" member, or a FHIR Bundle's urn:ketareg:schema tag)")
        }
        guard let validator = validators[schema] else {
            throw IntakeError(
                "unsupported schema \(quoted(schema)): this hub accepts \(accepted.joined(separator: ", "))")
        }
        let problems = validator.problems(in: document)
        if !problems.isEmpty {
            let shown = problems.prefix(5).map(\.description).joined(separator: "; ")
            let more = problems.count > 5 ? " (and \(problems.count - 5) more)" : ""
            throw IntakeError("the body does not conform to \(schema): \(shown)\(more)")
        }
        let period: String
        let head: String?
        if kind == .fhir {
            period = fhirTag(root, "urn:ketareg:period") ?? ""
            head = fhirTag(root, "urn:ketareg:audit-chain-head")
            guard period.utf8.count == 7 else {
                throw IntakeError("the Bundle carries no urn:ketareg:period tag (YYYY-MM)")
            }
        } else {
            period = root["period"]?.string ?? ""
            head = root["auditChainHead"]?.string
        }
        var payload = ReceivedPayload(
            kind: kind, schema: schema, period: period, auditChainHead: head, digest: digest(bytes))
        // The schema holds it to a whole number of at least 1; the count is bounded before use.
        if case .number(let rows)? = root["auditChainRows"], let whole = Int(exactly: rows),
            (1...Int(Int64.max / 2)).contains(whole)
        {
            payload.auditChainRows = whole
        }
        switch kind {
        case .summary: try unpackSummary(try decode(SummaryPayload.self, bytes, schema: schema), into: &payload)
        case .records: try unpackRecords(try decode(RecordsPayload.self, bytes, schema: schema), into: &payload)
        case .fhir: break
        }
        return payload
    }

    private static func fhirTag(_ root: [String: JSONValue], _ system: String) -> String? {
        for tag in root["meta"]?.object?["tag"]?.array ?? [] {
            if tag.object?["system"]?.string == system { return tag.object?["code"]?.string }
        }
        return nil
    }

    private static func quoted(_ text: String) -> String {
        "\"" + String(text.prefix(60)) + (text.count > 60 ? "…" : "") + "\""
    }

    /// `type` decoded from bytes the schema has passed: the type the clinic encoded.
    private static func decode<Payload: Decodable>(_ type: Payload.Type, _ bytes: Data, schema: String)
        throws(IntakeError) -> Payload
    {
        do { return try JSONDecoder().decode(type, from: bytes) } catch {
            throw IntakeError("the body does not decode as \(schema): \(error)")
        }
    }

    /// A count, refused when it is above `largestCount` (the schema has made it a whole number
    /// from 0).
    private static func count(_ value: Int?, _ key: String, at path: String) throws(IntakeError) -> Int? {
        guard let value else { return nil }
        guard value >= 0, value <= largestCount else {
            throw IntakeError("\(path).\(key): a count must be a whole number from 0 to \(largestCount)")
        }
        return value
    }

    /// Weeks from the first infusion: negative before it.
    private static func week(_ value: Int?, at path: String) throws(IntakeError) {
        guard let value else { return }
        guard abs(value) <= 10_000 else {
            throw IntakeError("\(path).week: must be a whole number of weeks from -10000 to 10000")
        }
    }

    private static func number(_ value: Double?, _ key: String, at path: String) throws(IntakeError) {
        guard let value else { return }
        guard value.isFinite, abs(value) <= 1e9 else {
            throw IntakeError("\(path).\(key): must be a number between -1e9 and 1e9")
        }
    }

    private static func unpackSummary(_ summary: SummaryPayload, into payload: inout ReceivedPayload)
        throws(IntakeError)
    {
        // Each condition once, each timepoint of a scale once, each outcome row once: the stored
        // tables are keyed so, and a repeat must be refused here, not fail in the database.
        // The clinic's floor and base are 2 to 1000; anything else would also overflow the checks below.
        guard (1...1000).contains(summary.roundingBase), (1...1000).contains(summary.minimumCellSize) else {
            throw IntakeError("roundingBase and minimumCellSize must each be 1 to 1000")
        }
        var conditionsSeen = Set<String>()
        for (c, condition) in summary.conditions.enumerated() {
            let path = "conditions[\(c)]"
            let id = condition.condition
            guard conditionsSeen.insert(id).inserted else {
                throw IntakeError("\(path): condition \(id) appears twice")
            }
            _ = try count(condition.patients, "patients", at: path)
            payload.conditions.append(condition)
            var timepointsSeen = Set<[String]>()
            for (s, scale) in condition.scales.enumerated() {
                for (t, timepoint) in scale.timepoints.enumerated() {
                    let at = "\(path).scales[\(s)].timepoints[\(t)]"
                    guard timepointsSeen.insert([scale.scale, timepoint.timepoint]).inserted else {
                        throw IntakeError(
                            "\(at): timepoint \(timepoint.timepoint) of \(scale.scale) appears twice in \(id)")
                    }
                    _ = try count(timepoint.patients, "patients", at: at)
                    try number(timepoint.mean, "mean", at: at)
                    try number(timepoint.median, "median", at: at)
                    try number(timepoint.q1, "q1", at: at)
                    try number(timepoint.q3, "q3", at: at)
                    try number(timepoint.meanChangeFromBaseline, "meanChangeFromBaseline", at: at)
                    payload.timepoints.append(ScaleTimepoint(condition: id, scale: scale.scale, row: timepoint))
                }
            }
            var seen = Set<[String]>()
            for (o, outcome) in condition.outcomes.enumerated() {
                let at = "\(path).outcomes[\(o)]"
                for (key, value) in [
                    ("eligible", outcome.eligible), ("assessed", outcome.assessed), ("missing", outcome.missing),
                    ("met", outcome.met),
                ] {
                    _ = try count(value, key, at: at)
                }
                try number(outcome.rate, "rate", at: at)
                try number(outcome.rateMissingAsNonResponse, "rateMissingAsNonResponse", at: at)
                if let met = outcome.met, let assessed = outcome.assessed, met > assessed {
                    throw IntakeError("\(at): met (\(met)) is more than assessed (\(assessed))")
                }
                if !outcome.suppressed, outcome.met == nil || outcome.assessed == nil {
                    throw IntakeError("\(at): an outcome that is not suppressed needs both met and assessed")
                }
                try consistent(outcome, base: max(1, summary.roundingBase), at: at)
                let key = [
                    outcome.protocol ?? "", outcome.outcome, outcome.scale, outcome.subscore ?? "",
                    outcome.window.rawValue, outcome.visit ?? "",
                ]
                guard seen.insert(key).inserted else {
                    throw IntakeError(
                        "\(at): outcome \(outcome.outcome) on \(outcome.scale) (\(outcome.window)\(outcome.visit.map { ", \($0)" } ?? "")\(outcome.protocol.map { ", \($0)" } ?? "")) appears twice in \(id)"
                    )
                }
                payload.outcomes.append(ConditionOutcome(condition: id, row: outcome))
            }
        }
    }

    /// An outcome row's counts and rates against each other, as the clinic computes them: each
    /// count is rounded on its own, so eligible is assessed plus missing within the rounding of
    /// the three; each rate is its rounded counts' quotient to 3 decimals. Counts that contradict
    /// each other would be pooled as they came.
    private static func consistent(_ outcome: OutcomeSummary, base: Int, at: String) throws(IntakeError) {
        if let eligible = outcome.eligible {
            for (key, part) in [("assessed", outcome.assessed), ("missing", outcome.missing)] {
                if let part, part > eligible + base {
                    throw IntakeError("\(at): \(key) (\(part)) is more than eligible (\(eligible))")
                }
            }
            if let assessed = outcome.assessed, let missing = outcome.missing,
                abs(eligible - assessed - missing) > base * 3 / 2
            {
                throw IntakeError(
                    "\(at): eligible (\(eligible)) is not assessed (\(assessed)) plus missing (\(missing)), even rounded"
                )
            }
        }
        for (key, rate, over, name) in [
            ("rate", outcome.rate, outcome.assessed, "assessed"),
            ("rateMissingAsNonResponse", outcome.rateMissingAsNonResponse, outcome.eligible, "eligible"),
        ] {
            guard let rate else { continue }
            guard let met = outcome.met, let over, over > 0 else {
                throw IntakeError("\(at): \(key) is given without met and a \(name) count above 0")
            }
            let quotient = Double(met) / Double(over)
            guard abs(rate - quotient) <= 0.0005 + 1e-9 else {
                throw IntakeError("\(at): \(key) (\(rate)) is not met / \(name) (\(met) / \(over))")
            }
        }
    }

    private static func unpackRecords(_ records: RecordsPayload, into payload: inout ReceivedPayload)
        throws(IntakeError)
    {
        payload.patients = records.patients
        for (a, assessment) in records.assessments.enumerated() {
            try week(assessment.week, at: "assessments[\(a)]")
            try number(assessment.score, "score", at: "assessments[\(a)]")
        }
        for (i, infusion) in records.infusions.enumerated() { try week(infusion.week, at: "infusions[\(i)]") }
        payload.assessments = records.assessments
        payload.infusions = records.infusions
        payload.protocols = records.protocols
    }
}

extension JSONValue {
    var object: [String: JSONValue]? { if case .object(let value) = self { value } else { nil } }
    var array: [JSONValue]? { if case .array(let value) = self { value } else { nil } }
    var string: String? { if case .string(let value) = self { value } else { nil } }
    var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
}
