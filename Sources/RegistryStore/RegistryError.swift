import RegistryCore

/// Why the registry refused or failed an operation, in the registry's own terms: what it is about
/// (a field, or the id of a record), a sentence that names no command and no option, and what the
/// clinic can do next. Each front door words those in its own terms (the command line names its
/// options and commands); ``description`` is a plain reading of the same parts. It never contains
/// a patient's identifying fields.
public struct RegistryError: Error, Sendable, CustomStringConvertible {
    /// Whether the input was refused or the file failed.
    public enum Kind: Sendable {
        /// The input breaks a rule (a duplicate MRN, a patient not enrolled for the scale's
        /// condition, an unknown id): nothing was written.
        case refused
        /// The registry file could not be created, opened, read or written.
        case storage
    }

    /// What a refusal is about.
    public enum Subject: Sendable, Hashable {
        /// A field of the record being written, by its name in the registry's vocabulary: the
        /// names ``InputError`` and the CSV import's columns use (`mrn`, `scale`, `on`, `for`,
        /// `infusion`).
        case field(String)
        /// The id given for an existing record of this kind (the flag to review, the infusion an
        /// observation belongs to).
        case record(RecordKind)
    }

    /// Something the clinic can do about the error. The cases are actions on the registry, not
    /// commands: a front door says how to take each.
    public enum Remedy: Sendable, Hashable {
        /// Check the whole file: its audit chain, its tables, its settings.
        case verifyRegistry
        /// Mark a damaged clinical record as entered in error, which takes it out without reading it.
        case markEnteredInError
        /// Bring back a backup of the registry.
        case restoreBackup
        /// Record the end of the patient's condition again (patient id, condition id).
        case recordConditionEndAgain(patient: String, condition: String)
        /// Look the flag up among the registry's safety flags.
        case listFlags
        /// Look the patient up among the registry's patients.
        case listPatients
        /// Look at one patient's page (with their records' ids), or at any patient's when nil.
        case showPatient(String?)
        /// Look the export up in the outbox.
        case listExports
        /// Look at the endpoints this registry sends to.
        case listEndpoints
        /// Add an endpoint before exporting.
        case addEndpoint
        /// Give the fields of the record that are to change.
        case giveFieldsToChange
        /// Correct the record already held (its id) instead of adding a second one.
        case correctRecord(String)
        /// Record the same scale a second time that day, as a genuine second administration.
        case recordSecondAdministration
        /// Take the patient's ended condition up again.
        case resumeCondition
        /// Create a new registry at this path.
        case createRegistry
        /// Use a registry at another path.
        case chooseAnotherRegistry
        /// Replace the registry there on purpose.
        case replaceExisting
        /// Back the current registry up first.
        case backUpFirst
        /// Restore anyway, discarding what the registry holds beyond the backup (audited; a copy
        /// of the replaced registry is kept).
        case discardLater
        /// Set the endpoint's schedule again (its name), which writes over a damaged one.
        case setScheduleAgain(String)
    }

    /// Whether the input was refused or the file failed.
    public let kind: Kind
    /// The field or record the error is about, when it is about one.
    public let subject: Subject?
    /// The sentence, without the subject and the remedies; names no command and no option.
    public let message: String
    /// What the clinic can do about it, most useful first.
    public let remedies: [Remedy]

    /// An error of `kind` saying `message`, about `subject`, with what can be done.
    public init(_ kind: Kind, _ message: String, about subject: Subject? = nil, remedies: [Remedy] = []) {
        self.kind = kind
        self.subject = subject
        self.message = message
        self.remedies = remedies
    }

    /// The subject, the message and the remedies in plain words, for a reader who is not at the
    /// command line.
    public var description: String {
        let about: String =
            switch subject {
            case .field(let name): "\(name): "
            case .record(let kind): "\(kind.noun) id: "
            case nil: ""
            }
        return about + message + remedies.map { "; " + $0.description }.joined()
    }

    static func refused(_ message: String, about subject: Subject? = nil, remedies: [Remedy] = []) -> RegistryError {
        RegistryError(.refused, message, about: subject, remedies: remedies)
    }
    static func storage(_ message: String, about subject: Subject? = nil, remedies: [Remedy] = []) -> RegistryError {
        RegistryError(.storage, message, about: subject, remedies: remedies)
    }
}

extension RegistryError.Remedy: CustomStringConvertible {
    /// The remedy in plain words.
    public var description: String {
        switch self {
        case .verifyRegistry: "verifying the registry checks it"
        case .markEnteredInError: "marking a damaged clinical record entered in error takes it out"
        case .restoreBackup: "restoring a backup brings it back"
        case .recordConditionEndAgain(let patient, let condition): "record the end of \(patient)'s \(condition) again"
        case .listFlags: "see the list of safety flags"
        case .listPatients: "see the list of patients"
        case .showPatient(let patient): patient.map { "see \($0)'s records" } ?? "see the patient's records"
        case .listExports: "see the outbox"
        case .listEndpoints: "see the endpoints"
        case .addEndpoint: "add an endpoint first"
        case .giveFieldsToChange: "give the fields to change"
        case .correctRecord(let record): "to change it, correct \(record)"
        case .recordSecondAdministration: "a genuine second administration that day can be recorded as a repeat"
        case .resumeCondition: "take the condition up again first"
        case .createRegistry: "create a registry there"
        case .chooseAnotherRegistry: "choose another registry path"
        case .replaceExisting: "replace it only on purpose"
        case .backUpFirst: "back it up first"
        case .discardLater: "restore it anyway, discarding what the registry holds beyond the backup (audited)"
        case .setScheduleAgain(let endpoint): "set the schedule of \(endpoint) again"
        }
    }
}
