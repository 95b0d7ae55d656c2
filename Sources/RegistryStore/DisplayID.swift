import Foundation
import RegistryCore

/// The identifiers clinic staff read and type: `P-000042` for a patient, `I-` for an infusion,
/// `A-` for an assessment, `AE-` for an adverse event, `C-` for a co-intervention, `O-` for an observation
/// during an infusion, `CE-` for a course started or ended by hand, `F-` for a safety flag. They are local
/// to the clinic and never leave it.
public enum RecordKind: String, Sendable, CaseIterable, Codable {
    /// A patient (`P-`): the record every other one belongs to.
    case patient = "P"
    /// An infusion (`I-`), with the monitoring recorded with it.
    case infusion = "I"
    /// An assessment (`A-`): one scale's answers on one day, scored.
    case assessment = "A"
    /// An adverse event (`AE-`), on its own or following an infusion.
    case adverseEvent = "AE"
    /// A co-intervention (`C-`): a treatment alongside ketamine that may confound outcomes.
    case coIntervention = "C"
    /// Vital signs and observations during an infusion (`O-`).
    case observation = "O"
    /// A course started or ended by hand (`CE-`).
    case courseEvent = "CE"
    /// A safety flag (`F-`) raised by a record, for a clinician to review.
    case flag = "F"

    /// The word used in audit rows and messages.
    public var noun: String {
        switch self {
        case .patient: "patient"
        case .infusion: "infusion"
        case .assessment: "assessment"
        case .adverseEvent: "adverse-event"
        case .coIntervention: "co-intervention"
        case .observation: "observation"
        case .courseEvent: "course-event"
        case .flag: "flag"
        }
    }

    /// `P-000042` for row 42.
    public func displayID(_ row: Int64) -> String {
        guard (0...999_999).contains(row) else {
            let digits = String(row)
            return rawValue + "-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        }
        // Six digits written in place: every audited record names its own and its patient's id.
        return String(unsafeUninitializedCapacity: rawValue.utf8.count + 7) { buffer in
            var at = 0
            for byte in rawValue.utf8 {
                buffer[at] = byte
                at += 1
            }
            buffer[at] = UInt8(ascii: "-")
            at += 1
            var value = row
            for position in stride(from: at + 5, through: at, by: -1) {
                buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
            return at + 6
        }
    }
}

/// A typed reference to one record, read from what a person typed (`P-000042`, `p-42`, `A-7`).
public struct RecordID: Sendable, Hashable, CustomStringConvertible {
    /// The kind of record, read from the prefix.
    public let kind: RecordKind
    /// The record's row id in its table: the number after the prefix.
    public let row: Int64

    /// The id of row `row` of the table for `kind`; nothing is looked up, so the record need not
    /// exist.
    public init(kind: RecordKind, row: Int64) {
        self.kind = kind
        self.row = row
    }

    /// Parses an id of any kind; `nil` when it is not one.
    public init?(_ text: String) {
        let upper = text.trimmedWhitespace.uppercased()
        // Longest prefix first, so AE- is not read as A-.
        for kind in RecordKind.allCases.sorted(by: { $0.rawValue.count > $1.rawValue.count }) {
            guard upper.hasPrefix(kind.rawValue) else { continue }
            var rest = upper.dropFirst(kind.rawValue.count)
            if rest.first == "-" { rest = rest.dropFirst() }
            guard !rest.isEmpty, rest.allSatisfy(\.isASCII), let row = Int64(rest), row > 0 else { return nil }
            self.init(kind: kind, row: row)
            return
        }
        return nil
    }

    /// The id as staff read it: the prefix, a hyphen and the row padded to six digits (`P-000042`).
    public var description: String { kind.displayID(row) }
}
