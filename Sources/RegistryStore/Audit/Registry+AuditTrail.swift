import GRDB
import RegistryCore

extension Registry {
    /// The audit trail, oldest first: all of it, one patient's (a `P-` id) or one record's.
    public func auditTrail(for id: RecordID? = nil) throws -> [AuditEntry] {
        try read { db in
            var request = AuditRow.order(Column("id"))
            if let id {
                request =
                    id.kind == .patient
                    ? request.filter(Column("patient") == id.description)
                    : request.filter(Column("entity_id") == id.description)
            }
            return try request.fetchAll(db).map(\.entry)
        }
    }
}
