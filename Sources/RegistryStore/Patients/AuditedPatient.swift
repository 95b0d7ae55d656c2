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
    let identity = "recorded in patient_identity; not copied to the audit trail"
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
