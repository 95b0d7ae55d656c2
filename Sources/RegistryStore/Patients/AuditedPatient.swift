import Crypto
import Foundation
import GRDB
import RegistryCore

/// What the audit trail keeps of a patient. Identifying fields stay in their own table and are
/// never copied into the audit trail.
struct AuditedPatient: Encodable {
    let sex: String
    let enrolledOn: String
    let conditions: [String]
    let researchConsent: Bool
    let consentWithdrawnOn: String?
    let consentWithdrawalReason: String?
    let priorTreatments: [PriorTreatment]
    /// Conditions ended, with the day; absent while none is.
    let endedConditions: [String: String]?
    /// The identity row's seal (``Registry/identitySeal(_:patient:mrn:givenName:familyName:birthDate:phone:email:address:)``):
    /// a keyed hash, never the identity itself. `verify` compares it, so an identity row swapped
    /// or changed behind the program's back is named.
    let identity: String

    /// What the audit rows of older versions held instead of a seal: never compared.
    static let unsealed = "recorded in patient_identity; not copied to the audit trail"
}

extension Registry {
    /// A keyed hash (HMAC-SHA256, under a key derived from the registry's secret) of a patient's
    /// identity row with its patient id: the audit rows carry it instead of the identity, so that
    /// `verify` sees an identity row moved to another patient or changed behind the program's
    /// back, and nobody can test a guessed name against the trail without the key.
    static func identitySeal(
        _ db: Database, patient: Int64, mrn: String, givenName: String, familyName: String, birthDate: String,
        phone: String?, email: String?, address: String?
    ) throws -> String {
        guard
            let secret = try Data.fetchOne(db.cachedStatement(sql: "SELECT secret FROM pseudonym_secret WHERE id = 1"))
        else { return AuditedPatient.unsealed }
        let key = SymmetricKey(
            data: Data(
                HMAC<SHA256>.authenticationCode(
                    for: Data("KetaReg identity seal, version 1".utf8), using: SymmetricKey(data: secret))))
        var text = "\(patient)"
        for field in [mrn, givenName, familyName, birthDate, phone, email, address] {
            text += field.map { "|\($0.utf8.count):\($0)" } ?? "|-"
        }
        let code = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)
        return "hmac-sha256:" + hexString(code)
    }

    /// The seal of the identity row of `patient` as stored.
    static func identitySeal(_ db: Database, patient: Int64) throws -> String {
        guard let row = try IdentityRow.fetchOne(db, key: patient) else { return "no identity row" }
        return try identitySeal(
            db, patient: patient, mrn: row.mrn, givenName: row.givenName, familyName: row.familyName,
            birthDate: row.birthDate, phone: row.phone, email: row.email, address: row.address)
    }
}

extension AuditedPatient: HandEncodedJSON {
    var json: String {
        var object = JSONObjectWriter()
        object.strings("conditions", conditions)
        object.string("consentWithdrawalReason", consentWithdrawalReason)
        object.string("consentWithdrawnOn", consentWithdrawnOn)
        if let endedConditions {
            var ended = JSONObjectWriter(capacity: 64)
            for (condition, day) in endedConditions.sorted(by: { $0.key < $1.key }) {
                ended.string(escapingName: condition, day)
            }
            object.object("endedConditions", ended)
        }
        object.string("enrolledOn", enrolledOn)
        object.string("identity", identity)
        object.objects("priorTreatments", priorTreatments) { treatment in
            var member = JSONObjectWriter(capacity: 64)
            member.int("adequateTrials", treatment.adequateTrials)
            member.string("category", treatment.category.rawValue)
            return member
        }
        object.bool("researchConsent", researchConsent)
        object.string("sex", sex)
        return object.text
    }
}
