import Foundation
import GRDB
import RegistryCore

/// One consenting patient as an export may see them: no identity, only a row id to derive a
/// pseudonym from, sex, age at the first infusion, and the clinical history.
public struct ExportPatient: Sendable {
    /// The internal row id. Never sent: only keyed hashes of it are.
    public let rowID: Int64
    public let sex: Sex
    public let ageAtDayZero: Int?
    public let history: PatientHistory

    public init(rowID: Int64, sex: Sex, ageAtDayZero: Int?, history: PatientHistory) {
        self.rowID = rowID
        self.sex = sex
        self.ageAtDayZero = ageAtDayZero
        self.history = history
    }
}

/// A payload ready for the outbox, with what the outbox keeps about it.
public struct BuiltPayload: Sendable {
    public let payload: Data
    public let schema: String
    public let patients: Int
    /// SHA-256 of the payload, lower-case hex.
    public let sha256: String
    /// SHA-256 of the payload built without its audit-chain head: what tells `export run` whether
    /// the data changed, since the head moves with every audited change, exports included.
    public let contentSHA256: String?

    /// Summary cells published with new values: remembered when the payload is stored.
    public var summaryCells: [SummaryCellUpdate] = []

    public init(payload: Data, schema: String, patients: Int, sha256: String, contentSHA256: String? = nil) {
        self.payload = payload
        self.schema = schema
        self.patients = patients
        self.sha256 = sha256
        self.contentSHA256 = contentSHA256
    }
}

/// One stored export and where its delivery stands.
/// The registry as an export sees it: consenting patients and the audit-chain head.
public struct ExportSnapshot: @unchecked Sendable {
    public let auditChainHead: String?
    /// What summary cells were published with so far (read only for summary endpoints).
    public let summaryReleases: SummaryReleaseMemory
    /// Reads the patients in order of their row ids; for a snapshot read from a registry, only
    /// while the read that made it lasts (``Registry/withExportSnapshot(profile:_:)``).
    private let stream: ((ExportPatient) throws -> Void) throws -> Void

    public init(
        patients: [ExportPatient], auditChainHead: String?,
        summaryReleases: SummaryReleaseMemory = SummaryReleaseMemory()
    ) {
        self.init(auditChainHead: auditChainHead, summaryReleases: summaryReleases) { body in
            for patient in patients { try body(patient) }
        }
    }

    init(
        auditChainHead: String?, summaryReleases: SummaryReleaseMemory,
        stream: @escaping ((ExportPatient) throws -> Void) throws -> Void
    ) {
        self.auditChainHead = auditChainHead
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
