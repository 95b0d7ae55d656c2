import ClinicWork
import Depression
import Foundation
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// The day sheet and the due list through the library, on a real registry file: any front door
/// gets the same answer as `ketareg day` and `ketareg due`.
@Suite("The clinic's use cases, without the command line")
struct ClinicWorkTests {
    let catalog = try! ConditionCatalog([DepressionModule()])

    /// A registry with two depression patients: one infused and assessed on 2026-03-03, one enrolled
    /// and waiting for a baseline.
    func clinic() throws -> (Registry, URL) {
        let folder = try makeTemporaryFolder()
        let registry = try Registry.create(
            at: folder.appendingPathComponent("registry.sqlite").path, clinic: "Use-case clinic",
            today: ClinicalDate(year: 2026, month: 3, day: 10)!,
            clock: FixedClock(Date(timeIntervalSince1970: 1_773_136_800)), random: SeededRandom(seed: 7))
        func enroll(_ mrn: String, _ given: String) throws -> RecordID {
            let enrollment = Enrollment(
                identity: PatientIdentity(
                    mrn: mrn, givenName: given, familyName: "Okafor",
                    birthDate: ClinicalDate(year: 1980, month: 5, day: 1)!),
                sex: .female, conditions: ["depression"], enrolledOn: ClinicalDate(year: 2026, month: 3, day: 1)!,
                researchConsent: true, priorTreatments: [])
            return RecordID(try registry.enroll(enrollment, catalog: catalog, actor: "nurse").id)!
        }
        let treated = try enroll("U-1", "Ada")
        _ = try enroll("U-2", "Bea")
        let day = ClinicalDate(year: 2026, month: 3, day: 3)!
        _ = try registry.addAssessment(
            try catalog.assess(scale: "phq9", answers: [2, 2, 2, 2, 2, 2, 2, 2, 0]), patient: treated,
            on: ClinicalDate(year: 2026, month: 3, day: 2)!, timepoint: .baseline, actor: "nurse")
        _ = try registry.addInfusion(
            InfusionEntry(condition: "depression", date: day, dosing: .dose(mgPerKg: 0.5), minutes: 40),
            patient: treated,
            actor: "nurse")
        return (registry, folder)
    }

    @Test("The day sheet names who was treated that day and what they had; the others' due baselines are on it too")
    func daySheet() throws {
        let (registry, folder) = try clinic()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sheet = try DaySheet.build(
            registry: registry, catalog: catalog, on: ClinicalDate(year: 2026, month: 3, day: 3)!)
        #expect(sheet.seen.map(\.name) == ["Ada Okafor"] || sheet.seen.map(\.name) == ["Okafor, Ada"], "\(sheet.seen)")
        #expect(sheet.seen.first?.infusions == ["depression 0.5 mg/kg 40 min"])
        #expect(sheet.due.contains { $0.item.patient == "P-000002" && $0.item.timepoint == "baseline" }, "\(sheet.due)")
        let empty = try DaySheet.build(
            registry: registry, catalog: catalog, on: ClinicalDate(year: 2026, month: 3, day: 4)!)
        #expect(empty.seen.isEmpty)
    }

    @Test("The due list: the waiting patient's baseline, by name; the JSON keeps its contract (date, due, openFlags)")
    func dueList() throws {
        let (registry, folder) = try clinic()
        defer { try? FileManager.default.removeItem(at: folder) }
        let list = try DueList.build(
            registry: registry, catalog: catalog, on: ClinicalDate(year: 2026, month: 3, day: 10)!, flagLimit: 20)
        let waiting = try #require(list.due.first { $0.item.patient == "P-000002" })
        #expect(waiting.item.timepoint == "baseline")
        #expect(waiting.name == list.names["P-000002"] && waiting.name != nil)
        let json = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(list)) as? [String: Any])
        #expect(Set(json.keys) == ["date", "due", "openFlags"])
        let first = try #require((json["due"] as? [[String: Any]])?.first)
        #expect(first["patientName"] != nil)
    }
}
