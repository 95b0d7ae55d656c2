import Depression
import Foundation
import GRDB
import Migraine
import NeuropathicPain
import RegistryCore
import RegistryTestSupport
import Testing

@testable import RegistryStore

/// A registry in a fresh temporary folder, with the three built-in modules.
struct Fixture {
    let folder: URL
    let path: String
    let registry: Registry
    let catalog: ConditionCatalog

    init() throws {
        folder = try makeTemporaryFolder()
        path = folder.appendingPathComponent("clinic/registry.sqlite").path
        registry = try Registry.create(
            at: path, clinic: "Test clinic", today: testToday, clock: testClock, random: testRandom)
        catalog = try ConditionCatalog([MigraineModule(), DepressionModule(), NeuropathicPainModule()])
    }

    /// A second, independent connection to the same file.
    func database() throws -> DatabaseQueue { try DatabaseQueue(path: path) }

    @discardableResult
    func enroll(mrn: String = "MRN-1", conditions: [String] = ["depression"], consent: Bool = true) throws -> RecordID {
        let enrollment = Enrollment(
            identity: PatientIdentity(
                mrn: mrn, givenName: "Zebulon", familyName: "Quixwater",
                birthDate: try ClinicalDate.parse("1971-04-09", field: "b")),
            sex: .male, conditions: conditions, enrolledOn: try ClinicalDate.parse("2026-01-10", field: "e"),
            researchConsent: consent, priorTreatments: [PriorTreatment(category: .antidepressants, adequateTrials: 3)])
        return RecordID(try registry.enroll(enrollment, catalog: catalog, actor: "nurse.a").id)!
    }

    func auditActions() throws -> [String] {
        try database().read { try String.fetchAll($0, sql: "SELECT action || ' ' || entity FROM audit ORDER BY id") }
    }
}
