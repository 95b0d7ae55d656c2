import Depression
import Foundation
import RegistryCore
import RegistryStore
import RegistryTestSupport

/// The depression catalog the use-case tests score with.
let useCaseCatalog = try! ConditionCatalog([DepressionModule()])

/// A new registry file in a folder of its own, on 2026-03-10 at a fixed moment, its random numbers
/// from `seed`: what each use-case test starts from.
func useCaseRegistry(seed: UInt64) throws -> (registry: Registry, path: String, folder: URL) {
    let folder = try makeTemporaryFolder()
    let path = folder.appendingPathComponent("registry.sqlite").path
    let registry = try Registry.create(
        at: path, clinic: "Use-case clinic", today: ClinicalDate(year: 2026, month: 3, day: 10)!,
        clock: FixedClock(Date(timeIntervalSince1970: 1_773_136_800)), random: SeededRandom(seed: seed))
    return (registry, path, folder)
}

/// Enrols a depression patient on 2026-03-01 with research consent, and returns their id.
func enrolDepressionPatient(_ registry: Registry, mrn: String, given: String = "Ada") throws -> RecordID {
    let enrollment = Enrollment(
        identity: PatientIdentity(
            mrn: mrn, givenName: given, familyName: "Okafor", birthDate: ClinicalDate(year: 1980, month: 5, day: 1)!),
        sex: .female, conditions: ["depression"], enrolledOn: ClinicalDate(year: 2026, month: 3, day: 1)!,
        researchConsent: true, priorTreatments: [])
    return RecordID(try registry.enroll(enrollment, catalog: useCaseCatalog, actor: "nurse").id)!
}
