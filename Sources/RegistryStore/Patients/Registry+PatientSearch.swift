import Foundation
import GRDB
import RegistryCore

/// A patient as `patient find` shows them: enough to tell two people apart at the desk.
public struct FoundPatient: Sendable, Codable, Hashable {
    /// The patient's id (`P-000042`).
    public let id: String
    /// The given name, as recorded.
    public let givenName: String
    /// The family name, as recorded.
    public let familyName: String
    /// The clinic's medical record number.
    public let mrn: String
    /// The year of birth alone (0 if the stored date cannot be read): enough to tell namesakes
    /// apart.
    public let birthYear: Int
    /// The ids of the conditions the patient is enrolled for, in the order they were added, ended
    /// ones included.
    public let conditions: [String]
}

/// Names compared as a person at the desk would type them: without case, accents or
/// punctuation ("nunez" for Nuñez-O'Brien, "obrien" for O'Brien).
public enum NameSearch {
    /// A name as it is compared: case, accents and character width folded away, letters and digits
    /// kept, spaces, hyphens and commas made single spaces between words, and other punctuation
    /// dropped.
    public static func normalized(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var result = ""
        for character in folded {
            if character.isLetter || character.isNumber {
                result.append(character)
            } else if character.isWhitespace || character == "-" || character == "‐" || character == "," {
                result.append(" ")
            }
        }
        return result.split(separator: " ").joined(separator: " ")
    }

    /// Whether a query matches a name: the start of the given or family name, of either full
    /// order ("ann smith", "smith ann"), or of any word in them.
    public static func matches(_ query: String, given: String, family: String) -> Bool {
        let query = normalized(query)
        guard !query.isEmpty else { return false }
        let (given, family) = (normalized(given), normalized(family))
        let candidates =
            [given, family, "\(given) \(family)", "\(family) \(given)"]
            + given.split(separator: " ").map(String.init) + family.split(separator: " ").map(String.init)
        return candidates.contains { $0.hasPrefix(query) }
    }
}

extension Registry {
    /// Patients whose MRN is exactly `text`, or whose name starts with it (see ``NameSearch``),
    /// in registry-id order.
    public func findPatients(_ text: String) throws -> [FoundPatient] {
        let query = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return try read { db in
            try IdentityRow.order(Column("patient_id")).fetchAll(db)
                .filter { $0.mrn == query || NameSearch.matches(query, given: $0.givenName, family: $0.familyName) }
                .map { identity in
                    FoundPatient(
                        id: RecordKind.patient.displayID(identity.patientId), givenName: identity.givenName,
                        familyName: identity.familyName,
                        mrn: identity.mrn, birthYear: Int(identity.birthDate.prefix(4)) ?? 0,
                        conditions: try conditions(db, patient: identity.patientId))
                }
        }
    }

    /// The patient with this MRN, if any.
    public func patient(mrn: String) throws -> RecordID? {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT patient_id FROM patient_identity WHERE mrn = ?", arguments: [mrn])
                .map { RecordID(kind: .patient, row: $0) }
        }
    }

    /// Display names by registry id ("Smith, Ann"), for lists that would otherwise show ids only.
    /// "Family, Given" of the patients asked for (by display id), read without holding the whole
    /// identity table in memory.
    public func patientNames<Patients: Sequence<String>>(_ patients: Patients) throws -> [String: String] {
        let wanted = Set(patients)
        if wanted.isEmpty { return [:] }
        return try read { db in
            var names: [String: String] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT patient_id, family_name, given_name FROM patient_identity ORDER BY patient_id")
            while let row = try rows.next() {
                let id = RecordKind.patient.displayID(row["patient_id"])
                if wanted.contains(id) { names[id] = "\(row["family_name"] as String), \(row["given_name"] as String)" }
            }
            return names
        }
    }
}
