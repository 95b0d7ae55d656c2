import Crypto
import Foundation
import RegistryCore

/// Why a body was refused: the reason goes back to the clinic that sent it (a 400), never into a
/// log, since it may quote the payload.
public struct IntakeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// One outcome row of a summary payload: a condition's outcome on one scale and window.
public struct SummaryOutcomeRow: Sendable, Equatable {
    public var condition: String
    public var outcome: String
    public var scale: String
    public var subscore: String?
    public var window: String
    public var visit: String?
    public var rule: String
    public var eligible: Int?
    public var assessed: Int?
    public var missing: Int?
    public var met: Int?
    public var rate: Double?
    public var suppressed: Bool
    public var computedIn: String
}

/// One timepoint row of a summary payload: a scale's scores at one point of the course.
public struct SummaryTimepointRow: Sendable, Equatable {
    public var condition: String
    public var scale: String
    public var timepoint: String
    public var patients: Int?
    public var mean: Double?
    public var median: Double?
    public var q1: Double?
    public var q3: Double?
    public var meanChangeFromBaseline: Double?
    public var suppressed: Bool
    public var computedIn: String
}

/// One condition of a summary payload.
public struct SummaryConditionRow: Sendable, Equatable {
    public var condition: String
    public var patients: Int?
    public var suppressed: Bool
    public var computedIn: String
}

/// One patient of a records payload, keyed by the pseudonym the clinic made for this network.
public struct RecordsPatientRow: Sendable, Equatable {
    public var pseudonym: String
    public var ageBand: String
    public var sex: String
    public var conditions: [String]
    public var detail: String
}

/// One assessment of a records payload.
public struct RecordsAssessmentRow: Sendable, Equatable {
    public var pseudonym: String
    public var scale: String
    public var timepoint: String
    public var week: Int?
    public var score: Double
    public var band: String?
}

/// One infusion of a records payload.
public struct RecordsInfusionRow: Sendable, Equatable {
    public var pseudonym: String
    public var condition: String
    public var week: Int?
    public var minutes: String
    public var doseMgPerKg: String?
    public var rateMgPerKgPerHour: String?
    public var route: String?
}

/// A payload as the hub received it: checked against its published schema, and unpacked.
public struct ReceivedPayload: Sendable {
    public enum Kind: String, Sendable { case summary, records, fhir }

    public let kind: Kind
    /// The schema it names, with its version: `ketareg-summary/3`.
    public let schema: String
    /// The year and month it reports.
    public let period: String
    /// The clinic's audit-chain head when it was built, if it carries one.
    public let auditChainHead: String?
    /// SHA-256 of the exact bytes received, in hex.
    public let digest: String

    public var conditions: [SummaryConditionRow] = []
    public var outcomes: [SummaryOutcomeRow] = []
    public var timepoints: [SummaryTimepointRow] = []
    public var patients: [RecordsPatientRow] = []
    public var assessments: [RecordsAssessmentRow] = []
    public var infusions: [RecordsInfusionRow] = []
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

    public static var accepted: [String] { validators.keys.sorted() }

    /// The largest count a payload may carry: far above any clinic, far below overflow.
    public static let largestCount = 1_000_000_000

    public static func digest(_ bytes: Data) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

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
            throw IntakeError("the body names no schema (its \"schema\" member, or a FHIR Bundle's urn:ketareg:schema tag)")
        }
        guard let validator = validators[schema] else {
            throw IntakeError("unsupported schema \(quoted(schema)): this hub accepts \(accepted.joined(separator: ", "))")
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
            guard period.utf8.count == 7 else { throw IntakeError("the Bundle carries no urn:ketareg:period tag (YYYY-MM)") }
        } else {
            period = root["period"]?.string ?? ""
            head = root["auditChainHead"]?.string
        }
        var payload = ReceivedPayload(kind: kind, schema: schema, period: period, auditChainHead: head, digest: digest(bytes))
        switch kind {
        case .summary: try unpackSummary(root, into: &payload)
        case .records: try unpackRecords(root, into: &payload)
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

    /// A count member, refused when it is not a whole number from 0 to `largestCount`.
    private static func count(_ object: [String: JSONValue], _ key: String, at path: String) throws(IntakeError) -> Int? {
        guard let value = object[key] else { return nil }
        guard case .number(let number) = value, let whole = Int(exactly: number), whole >= 0, whole <= largestCount else {
            throw IntakeError("\(path).\(key): a count must be a whole number from 0 to \(largestCount)")
        }
        return whole
    }

    /// Weeks from the first infusion: negative before it.
    private static func week(_ object: [String: JSONValue], at path: String) throws(IntakeError) -> Int? {
        guard let value = object["week"] else { return nil }
        guard case .number(let number) = value, let whole = Int(exactly: number), abs(whole) <= 10_000 else {
            throw IntakeError("\(path).week: must be a whole number of weeks from -10000 to 10000")
        }
        return whole
    }

    private static func number(_ object: [String: JSONValue], _ key: String, at path: String) throws(IntakeError) -> Double? {
        guard let value = object[key] else { return nil }
        guard case .number(let number) = value, number.isFinite, abs(number) <= 1e9 else {
            throw IntakeError("\(path).\(key): must be a number between -1e9 and 1e9")
        }
        return number
    }

    private static func unpackSummary(_ root: [String: JSONValue], into payload: inout ReceivedPayload) throws(IntakeError) {
        // Each condition once, each timepoint of a scale once, each outcome row once: the stored
        // tables are keyed so, and a repeat must be refused here, not fail in the database.
        var conditionsSeen = Set<String>()
        for (c, conditionValue) in (root["conditions"]?.array ?? []).enumerated() {
            let path = "conditions[\(c)]"
            guard let condition = conditionValue.object, let id = condition["condition"]?.string else { continue }
            guard conditionsSeen.insert(id).inserted else { throw IntakeError("\(path): condition \(id) appears twice") }
            var timepointsSeen = Set<[String]>()
            payload.conditions.append(SummaryConditionRow(
                condition: id, patients: try count(condition, "patients", at: path),
                suppressed: condition["suppressed"]?.bool ?? true, computedIn: condition["computedIn"]?.string ?? payload.period))
            for (s, scaleValue) in (condition["scales"]?.array ?? []).enumerated() {
                guard let scale = scaleValue.object, let scaleID = scale["scale"]?.string else { continue }
                for (t, timepointValue) in (scale["timepoints"]?.array ?? []).enumerated() {
                    let at = "\(path).scales[\(s)].timepoints[\(t)]"
                    guard let timepoint = timepointValue.object, let name = timepoint["timepoint"]?.string else { continue }
                    guard timepointsSeen.insert([scaleID, name]).inserted else {
                        throw IntakeError("\(at): timepoint \(name) of \(scaleID) appears twice in \(id)")
                    }
                    payload.timepoints.append(SummaryTimepointRow(
                        condition: id, scale: scaleID, timepoint: name, patients: try count(timepoint, "patients", at: at),
                        mean: try number(timepoint, "mean", at: at), median: try number(timepoint, "median", at: at),
                        q1: try number(timepoint, "q1", at: at), q3: try number(timepoint, "q3", at: at),
                        meanChangeFromBaseline: try number(timepoint, "meanChangeFromBaseline", at: at),
                        suppressed: timepoint["suppressed"]?.bool ?? true, computedIn: timepoint["computedIn"]?.string ?? payload.period))
                }
            }
            var seen = Set<[String]>()
            for (o, outcomeValue) in (condition["outcomes"]?.array ?? []).enumerated() {
                let at = "\(path).outcomes[\(o)]"
                guard let outcome = outcomeValue.object, let name = outcome["outcome"]?.string, let scale = outcome["scale"]?.string,
                      let window = outcome["window"]?.string else { continue }
                let row = SummaryOutcomeRow(
                    condition: id, outcome: name, scale: scale, subscore: outcome["subscore"]?.string, window: window,
                    visit: outcome["visit"]?.string, rule: outcome["rule"]?.string ?? "",
                    eligible: try count(outcome, "eligible", at: at), assessed: try count(outcome, "assessed", at: at),
                    missing: try count(outcome, "missing", at: at), met: try count(outcome, "met", at: at),
                    rate: try number(outcome, "rate", at: at), suppressed: outcome["suppressed"]?.bool ?? true,
                    computedIn: outcome["computedIn"]?.string ?? payload.period)
                if let met = row.met, let assessed = row.assessed, met > assessed {
                    throw IntakeError("\(at): met (\(met)) is more than assessed (\(assessed))")
                }
                if !row.suppressed, row.met == nil || row.assessed == nil {
                    throw IntakeError("\(at): an outcome that is not suppressed needs both met and assessed")
                }
                let key = [name, scale, row.subscore ?? "", window, row.visit ?? ""]
                guard seen.insert(key).inserted else {
                    throw IntakeError("\(at): outcome \(name) on \(scale) (\(window)\(row.visit.map { ", \($0)" } ?? "")) appears twice in \(id)")
                }
                payload.outcomes.append(row)
            }
        }
    }

    private static func unpackRecords(_ root: [String: JSONValue], into payload: inout ReceivedPayload) throws(IntakeError) {
        for value in root["patients"]?.array ?? [] {
            guard let patient = value.object, let pseudonym = patient["patient"]?.string else { continue }
            payload.patients.append(RecordsPatientRow(
                pseudonym: pseudonym, ageBand: patient["ageBand"]?.string ?? "unknown", sex: patient["sex"]?.string ?? "unknown",
                conditions: (patient["conditions"]?.array ?? []).compactMap(\.string), detail: patient["detail"]?.string ?? ""))
        }
        for (a, value) in (root["assessments"]?.array ?? []).enumerated() {
            guard let assessment = value.object, let pseudonym = assessment["patient"]?.string else { continue }
            let at = "assessments[\(a)]"
            payload.assessments.append(RecordsAssessmentRow(
                pseudonym: pseudonym, scale: assessment["scale"]?.string ?? "", timepoint: assessment["timepoint"]?.string ?? "",
                week: try week(assessment, at: at), score: try number(assessment, "score", at: at) ?? 0,
                band: assessment["band"]?.string))
        }
        for (i, value) in (root["infusions"]?.array ?? []).enumerated() {
            guard let infusion = value.object, let pseudonym = infusion["patient"]?.string else { continue }
            payload.infusions.append(RecordsInfusionRow(
                pseudonym: pseudonym, condition: infusion["condition"]?.string ?? "", week: try week(infusion, at: "infusions[\(i)]"),
                minutes: infusion["minutes"]?.string ?? "", doseMgPerKg: infusion["doseMgPerKg"]?.string,
                rateMgPerKgPerHour: infusion["rateMgPerKgPerHour"]?.string, route: infusion["route"]?.string))
        }
    }
}

extension JSONValue {
    var object: [String: JSONValue]? { if case .object(let value) = self { value } else { nil } }
    var array: [JSONValue]? { if case .array(let value) = self { value } else { nil } }
    var string: String? { if case .string(let value) = self { value } else { nil } }
    var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
}
