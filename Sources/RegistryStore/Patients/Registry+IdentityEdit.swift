import Foundation
import GRDB
import RegistryCore

/// Changes to a patient's identity and contact details. `nil` leaves a field as it is; an empty
/// phone, email or address clears it.
public struct IdentityEdit: Sendable, Hashable {
    /// A new given name: 1 to 200 characters on one line.
    public var givenName: String?
    /// A new family name: 1 to 200 characters on one line.
    public var familyName: String?
    /// A new date of birth, not after the clinic's day; it also updates the age at the first
    /// infusion that exports use.
    public var birthDate: ClinicalDate?
    /// A new medical record number, 1 to 64 characters on one line; refused when another patient
    /// has it.
    public var mrn: String?
    /// A new phone number (3 to 40 characters: digits, spaces and `+ - ( ) .`, at least three
    /// digits), or empty to clear it.
    public var phone: String?
    /// A new email address (one `@`, a dotted domain, up to 254 characters), or empty to clear it.
    public var email: String?
    /// A new postal address, up to 300 characters on one line, or empty to clear it.
    public var address: String?

    /// An edit of the fields given, each trimmed of surrounding white space. They are checked when
    /// the edit is applied (``Registry/editIdentity(_:_:reason:actor:)``).
    public init(
        givenName: String? = nil, familyName: String? = nil, birthDate: ClinicalDate? = nil, mrn: String? = nil,
        phone: String? = nil, email: String? = nil, address: String? = nil
    ) {
        self.givenName = givenName.map { $0.trimmedWhitespace }
        self.familyName = familyName.map { $0.trimmedWhitespace }
        self.birthDate = birthDate
        self.mrn = mrn.map { $0.trimmedWhitespace }
        self.phone = phone.map { $0.trimmedWhitespace }
        self.email = email.map { $0.trimmedWhitespace }
        self.address = address.map { $0.trimmedWhitespace }
    }

    /// Checks each given field, naming it and what it may hold.
    func validate(today: ClinicalDate) throws {
        for (field, value) in [("given", givenName), ("family", familyName)] {
            if let value,
                value.isEmpty || value.count > 200
                    || value.contains(where: {
                        $0.isNewline || $0.unicodeScalars.contains { $0.properties.generalCategory == .control }
                    })
            {
                throw InputError(field: field, got: value, allowed: "a name of 1 to 200 characters on one line")
            }
        }
        if let mrn, mrn.isEmpty || mrn.count > 64 || mrn.contains(where: \.isNewline) {
            throw InputError(
                field: "mrn", got: mrn, allowed: "the clinic's record number, 1 to 64 characters on one line")
        }
        if let birthDate { _ = try birthDate.notInFuture(field: "birth-date", today: today) }
        if let phone, !phone.isEmpty {
            let allowed = Set("0123456789 +-().")
            guard phone.count <= 40, phone.filter(\.isNumber).count >= 3, phone.allSatisfy({ allowed.contains($0) })
            else {
                throw InputError(
                    field: "phone", got: phone,
                    allowed: "digits with spaces, + - ( ) or . (3 to 40 characters), or \"\" to clear it")
            }
        }
        if let email, !email.isEmpty {
            let parts = email.split(separator: "@", omittingEmptySubsequences: false)
            guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
                !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
                !email.contains(where: {
                    $0.isWhitespace || $0.unicodeScalars.contains { $0.properties.generalCategory == .control }
                })
            else {
                throw InputError(
                    field: "email", got: email, allowed: "an address like name@example.org, or \"\" to clear it")
            }
        }
        if let address,
            address.count > 300
                || address.contains(where: {
                    $0.isNewline || $0.unicodeScalars.contains { $0.properties.generalCategory == .control }
                })
        {
            throw InputError(
                field: "address", got: address,
                allowed: "up to 300 characters on one line (separate lines with commas), or \"\" to clear it")
        }
    }
}

/// What the audit trail keeps of an identity edit: which fields changed, never their values.
struct AuditedIdentityEdit: Encodable {
    let changedFields: [String]
    let values = "not copied to the audit trail"
    /// The identity row's new seal (a keyed hash, see ``Registry/identitySeal(_:patient:)``).
    let identity: String
}

extension Registry {
    /// Corrects a patient's identity or contact details. The audit row names the fields that
    /// changed and the reason, never a value before or after. Refuses an MRN enrolled for someone
    /// else, and an edit that changes nothing. Returns the names of the fields that changed.
    @discardableResult
    public func editIdentity(_ id: RecordID, _ edit: IdentityEdit, reason: String, actor: String) throws -> [String] {
        let reason = try requireReason(reason, why: "why the details changed (without the details themselves)")
        try edit.validate(today: today)
        return try write { db in
            let patient = try requirePatient(db, id)
            var identity = try IdentityRow.fetchOne(db, key: patient.id!)!
            var changed: [String] = []
            func set(_ field: String, _ value: String?, _ keyPath: WritableKeyPath<IdentityRow, String>) {
                if let value, identity[keyPath: keyPath] != value {
                    identity[keyPath: keyPath] = value
                    changed.append(field)
                }
            }
            func setOptional(_ field: String, _ value: String?, _ keyPath: WritableKeyPath<IdentityRow, String?>) {
                guard let value else { return }
                let new = value.isEmpty ? nil : value
                if identity[keyPath: keyPath] != new {
                    identity[keyPath: keyPath] = new
                    changed.append(field)
                }
            }
            set("given", edit.givenName, \.givenName)
            set("family", edit.familyName, \.familyName)
            set("birth-date", edit.birthDate?.description, \.birthDate)
            set("mrn", edit.mrn, \.mrn)
            setOptional("phone", edit.phone, \.phone)
            setOptional("email", edit.email, \.email)
            setOptional("address", edit.address, \.address)
            guard !changed.isEmpty else {
                throw RegistryError.refused("\(id): every field given already holds that value; nothing changed")
            }
            if changed.contains("mrn"),
                let other = try Int64.fetchOne(
                    db, sql: "SELECT patient_id FROM patient_identity WHERE mrn = ? AND patient_id != ?",
                    arguments: [identity.mrn, patient.id!])
            {
                throw RegistryError.refused(
                    "that MRN is already enrolled as \(RecordKind.patient.displayID(other)); nothing changed",
                    about: .field("mrn"))
            }
            try identity.update(db)
            if changed.contains("birth-date") { try refreshAgeAtDayZero(db, patient: patient.id!) }
            // Entity `identity`, not `patient`: the patient's clinical record did not change, and
            // `verify` compares that record with its own history.
            var row = AuditRow(
                id: nil, at: timestamp(), actor: actor, action: "edit-identity", entity: "identity",
                entityId: id.description,
                patient: id.description, before: nil,
                after: encodeJSON(
                    AuditedIdentityEdit(
                        changedFields: changed, identity: try Self.identitySeal(db, patient: patient.id!))),
                reason: reason, account: account)
            try row.insertFast(db)
            return changed
        }
    }
}
