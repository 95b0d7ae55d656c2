import ClinicWork
import Depression
import Foundation
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// Enrolment through the library: the day defaults to the registry's today, each MRN is enrolled
/// once, an unknown condition is refused; nothing written when refused.
@Suite("Enrolling a patient, without the command line")
struct EnrolmentTests {
    @Test("Enrolled today by default; the same MRN again and an unknown condition are refused, nothing written")
    func enrol() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("registry.sqlite").path
        let today = ClinicalDate(year: 2026, month: 3, day: 10)!
        let registry = try Registry.create(
            at: path, clinic: "Use-case clinic", today: today,
            clock: FixedClock(Date(timeIntervalSince1970: 1_773_136_800)), random: SeededRandom(seed: 17))
        let enrolment = Enrolment(registry: registry, catalog: try ConditionCatalog([DepressionModule()]))
        let identity = PatientIdentity(
            mrn: "E-1", givenName: "Ada", familyName: "Okafor", birthDate: ClinicalDate(year: 1980, month: 5, day: 1)!)
        let patient = try enrolment.enrol(
            identity, sex: .female, conditions: ["Depression"], researchConsent: true, actor: "nurse")
        #expect(patient.id == "P-000001" && patient.enrolledOn == today.description)
        #expect(patient.conditions == ["depression"])
        let before = try dumpDatabase(path)
        let twice = #expect(throws: RegistryError.self) {
            _ = try enrolment.enrol(
                identity, sex: .female, conditions: ["depression"], researchConsent: false, actor: "nurse")
        }
        #expect(twice?.subject == .field("mrn"))
        var other = identity
        other.mrn = "E-2"
        #expect(throws: (any Error).self) {
            _ = try enrolment.enrol(other, sex: .male, conditions: ["ocd"], researchConsent: false, actor: "nurse")
        }
        #expect(try dumpDatabase(path) == before, "nothing written")
    }
}
