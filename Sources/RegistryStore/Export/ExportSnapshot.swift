import Foundation
import GRDB
import RegistryCore

/// One consenting patient as an export may see them: no identity, only a row id to derive a
/// pseudonym from, sex, age at the first infusion, and the clinical history.
public struct ExportPatient: Sendable {
    /// The internal row id. Never sent: only keyed hashes of it are.
    public let rowID: Int64
    /// Sex as recorded at enrolment, read strictly: a stored word this version does not know stops
    /// the build.
    public let sex: Sex
    /// Age in whole years on the day of the first infusion not entered in error; `nil` when none is
    /// stored.
    public let ageAtDayZero: Int?
    /// The clinical history outcomes are computed from, records entered in error left out.
    public let history: PatientHistory

    /// A patient as an export sees them: the registry makes these from consenting patients' rows.
    public init(rowID: Int64, sex: Sex, ageAtDayZero: Int?, history: PatientHistory) {
        self.rowID = rowID
        self.sex = sex
        self.ageAtDayZero = ageAtDayZero
        self.history = history
    }
}

/// A payload ready for the outbox, with what the outbox keeps about it.
public struct BuiltPayload: Sendable {
    /// The bytes to store and send, exactly.
    public let payload: Data
    /// The payload's schema id (`ketareg-summary/6`, `ketareg-records/5` or `ketareg-fhir/1`).
    public let schema: String
    /// How many consenting patients the build read (the records profile may withhold some of them).
    public let patients: Int
    /// SHA-256 of the payload, lower-case hex.
    public let sha256: String
    /// SHA-256 of the payload built without its audit-chain head: what tells `export run` whether
    /// the data changed, since the head moves with every audited change, exports included.
    public let contentSHA256: String?

    /// Summary cells published with new values: remembered when the payload is stored.
    public var summaryCells: [SummaryCellUpdate] = []

    /// A built payload with its schema, patient count and digests; ``summaryCells`` starts empty.
    public init(payload: Data, schema: String, patients: Int, sha256: String, contentSHA256: String? = nil) {
        self.payload = payload
        self.schema = schema
        self.patients = patients
        self.sha256 = sha256
        self.contentSHA256 = contentSHA256
    }
}

/// The registry as an export sees it: consenting patients and the audit-chain head.
public struct ExportSnapshot: @unchecked Sendable {
    /// The hash of the last audit row when the snapshot was read; `nil` when the audit trail is
    /// empty.
    public let auditChainHead: String?
    /// How many audit rows the chain had then (the last row's id); `nil` with an empty trail.
    public let auditChainRows: Int?
    /// What summary cells were published with so far (read only for summary endpoints).
    public let summaryReleases: SummaryReleaseMemory
    /// Reads the patients in order of their row ids; for a snapshot read from a registry, only
    /// while the read that made it lasts (``Registry/withExportSnapshot(profile:_:)``).
    private let stream: ((ExportPatient) throws -> Void) throws -> Void

    /// A snapshot of the patients given, in that order, read from no registry.
    public init(
        patients: [ExportPatient], auditChainHead: String?, auditChainRows: Int? = nil,
        summaryReleases: SummaryReleaseMemory = SummaryReleaseMemory()
    ) {
        self.init(auditChainHead: auditChainHead, auditChainRows: auditChainRows, summaryReleases: summaryReleases) {
            body in
            for patient in patients { try body(patient) }
        }
    }

    init(
        auditChainHead: String?, auditChainRows: Int?, summaryReleases: SummaryReleaseMemory,
        stream: @escaping ((ExportPatient) throws -> Void) throws -> Void
    ) {
        self.auditChainHead = auditChainHead
        self.auditChainRows = auditChainRows
        self.summaryReleases = summaryReleases
        self.stream = stream
    }

    /// Each consenting patient in turn, without holding the others in memory.
    public func forEachPatient(_ body: (ExportPatient) throws -> Void) throws {
        try stream(body)
    }

    /// Every consenting patient at once.
    public func patients() throws -> [ExportPatient] {
        var patients: [ExportPatient] = []
        try stream { patients.append($0) }
        return patients
    }
}
