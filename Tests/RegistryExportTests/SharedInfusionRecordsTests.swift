import Foundation
import RegistryCore
import RegistryStore
import Testing

@testable import RegistryExport

@Suite("Records of an infusion given for several conditions")
struct SharedInfusionRecordsTests {
    @Test(
        "An infusion given for two conditions is a row per condition: two patients differing only in that never share a signature; the order the conditions were given in does not matter"
    )
    func sharedInfusionSignatures() throws {
        let dayZero = ClinicalDate(year: 2026, month: 1, day: 1)!
        func patient(_ id: Int64, first: String, alsoFor: [String]) -> ExportPatient {
            ExportPatient(
                rowID: id, sex: .female, ageAtDayZero: 40,
                history: PatientHistory(
                    patient: "P-\(id)", conditions: ["depression", "neuropathic-pain"], enrolledOn: dayZero,
                    infusions: [0, 3, 7].map {
                        PatientHistory.Infusion(
                            condition: first, date: dayZero.adding(days: $0), minutes: 40, doseMgPerKg: 0.5, route: .iv,
                            alsoFor: alsoFor)
                    }, assessments: []))
        }
        let both = patient(1, first: "depression", alsoFor: ["neuropathic-pain"])
        let swapped = patient(2, first: "neuropathic-pain", alsoFor: ["depression"])
        let one = patient(3, first: "depression", alsoFor: [])
        #expect(RecordsBuilder.signatures(both) == RecordsBuilder.signatures(swapped))
        #expect(RecordsBuilder.signatures(both) != RecordsBuilder.signatures(one))
        let released = try #require(RecordsBuilder.rows(both, step: 0, pseudonym: "x", catalog: catalog))
        #expect(released.infusions.count == 6, "three infusions, each for two conditions")
    }
}
