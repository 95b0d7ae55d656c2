import RegistryCore
import RegistryStore

extension RegistryError {
    /// The error as `ketareg` says it: the subject as the option (`--mrn:`) or argument
    /// (`<flag-id>:`) that gave it, the store's sentence, then each remedy as the command that
    /// takes it.
    var commandLineText: String {
        let about: String =
            switch subject {
            case .field(let name): name.hasPrefix("<") || name.hasPrefix("$") ? "\(name): " : "--\(name): "
            case .record(let kind): "<\(kind.noun)-id>: "
            case nil: ""
            }
        return about + message + remedies.map { "; " + $0.commandLineText }.joined()
    }
}

extension InputError {
    /// The refusal as `ketareg` says it: the field as the option that gave it (`--dose-mg-per-kg:`),
    /// or as written when it is an argument (`<id>`) or an environment variable (`$KETAREG_TODAY`).
    var commandLineText: String {
        let name =
            field.hasPrefix("<") || field.hasPrefix("$")
            ? field : Self.arguments.contains(field) ? "<\(field)>" : "--" + field
        return "\(name): \(refusal)"
    }

    /// The libraries' fields that this command line takes as arguments, not options (an endpoint's
    /// name: `endpoint add NAME`).
    static let arguments: Set<String> = ["name"]
}

extension RegistryError.Remedy {
    /// The remedy as the command that takes it.
    var commandLineText: String {
        switch self {
        case .verifyRegistry: "'ketareg verify' checks it"
        case .markEnteredInError:
            "'ketareg correct RECORD --entered-in-error' takes a damaged clinical record out"
        case .restoreBackup: "'ketareg restore' brings back a backup"
        case .recordConditionEndAgain(let patient, let condition):
            "'ketareg patient condition end \(patient) \(condition) --on DATE' records the end again"
        case .listFlags: "see 'ketareg flag list'"
        case .listPatients: "see 'ketareg patients'"
        case .showPatient(let patient): "see 'ketareg patient show\(patient.map { " " + $0 } ?? "")'"
        case .listExports: "see 'ketareg export status'"
        case .listEndpoints: "see 'ketareg endpoint list'"
        case .addEndpoint: "add one with 'ketareg endpoint add'"
        case .giveFieldsToChange: "give the fields to change (see 'ketareg correct --help')"
        case .correctRecord(let record):
            "to change it: 'ketareg correct \(record) --reason TEXT' with the fields to change"
        case .recordSecondAdministration: "a genuine second administration that day: add --repeat"
        case .resumeCondition: "'ketareg patient condition add' takes it up again"
        case .createRegistry: "create one with 'ketareg init'"
        case .chooseAnotherRegistry: "point --registry (or KETAREG_REGISTRY) at another path"
        case .replaceExisting: "restore replaces it only with --force"
        case .backUpFirst: "back it up first with 'ketareg backup'"
        case .discardLater:
            "'ketareg restore FILE --force --discard-later' restores it anyway: the restore is audited, a copy of the replaced registry is kept beside it, and its delivered exports stay on record"
        case .setScheduleAgain(let endpoint):
            "'ketareg export schedule \(endpoint) --every daily|weekly|monthly' sets it again"
        }
    }
}
