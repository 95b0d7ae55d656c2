import RegistryCore

/// One row of the audit trail: who changed what, when, from what to what, and why.
public struct AuditEntry: Sendable, Codable, Hashable {
    /// The row's number in the audit chain: 1 for the first, then one more for each row, without
    /// gaps.
    public let id: Int64
    /// When the change was written, by the registry's clock: ISO 8601 UTC to the millisecond
    /// (`yyyy-mm-ddThh:mm:ss.mmmZ`).
    public let at: String
    /// Who made the change, by the name the program gave (the actor).
    public let actor: String
    /// What was done: `enroll`, `add`, `correct`, `raise`, `review`, `set`, `build-export` and the
    /// like.
    public let action: String
    /// The kind of thing changed: a record kind's noun (`patient`, `infusion`, `flag`, ...), or
    /// `identity`, `endpoint`, `export` or `setting`.
    public let entity: String
    /// Which one: a record's id (`P-000042`), an endpoint's name, an export's id or a setting's
    /// key.
    public let entityId: String
    /// The id (`P-`) of the patient the change concerns; `nil` for endpoints, exports and settings.
    public let patient: String?
    /// The record before the change, as JSON; absent for a new record, and for changes that keep no
    /// earlier state (an identity edit, an export built or retried).
    public let before: String?
    /// The record after the change, as JSON; absent when there is none to show (an endpoint
    /// removed, an export retried).
    public let after: String?
    /// Why, in the words given with the change; `nil` when none was given.
    public let reason: String?
}

extension AuditRow {
    var entry: AuditEntry {
        AuditEntry(
            id: id!, at: at, actor: actor, action: action, entity: entity, entityId: entityId,
            patient: patient, before: before, after: after, reason: reason)
    }
}
