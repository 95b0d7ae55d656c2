import RegistryCore
import RegistryStore

/// Enrolling a patient: identity kept apart from clinical data, each condition one the catalog
/// knows, the day of enrolment today unless given, and each MRN enrolled once.
public struct Enrolment {
    /// The registry written to.
    public let registry: Registry
    /// The conditions a patient may be enrolled for.
    public let catalog: ConditionCatalog

    /// Enrolling into `registry`, for the conditions of `catalog`.
    public init(registry: Registry, catalog: ConditionCatalog) {
        self.registry = registry
        self.catalog = catalog
    }

    /// Enrols a new patient and returns their line of the patient list (with the new registry id),
    /// or refuses, with nothing written: a field out of range, an unknown condition, a day in the
    /// future or before birth, or an MRN enrolled already. `enrolledOn` nil is the registry's today.
    /// `consentedOn` is the day research consent was signed when that was before enrolment (a
    /// patient already in care when the clinic adopted the registry); nil is the enrolment day.
    public func enrol(
        _ identity: PatientIdentity, sex: Sex, conditions: [String], enrolledOn: ClinicalDate? = nil,
        researchConsent: Bool, consentedOn: ClinicalDate? = nil, priorTreatments: [PriorTreatment] = [],
        actor: String
    ) throws -> PatientSummary {
        try registry.enroll(
            Enrollment(
                identity: identity, sex: sex, conditions: conditions.map { $0.lowercased() },
                enrolledOn: enrolledOn ?? registry.today, researchConsent: researchConsent, consentedOn: consentedOn,
                priorTreatments: priorTreatments),
            catalog: catalog, actor: actor)
    }
}
