import Foundation
import PayloadFormat
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

@testable import RegistryExport

extension RecordsBuilder.Released {
    /// The signature as first defined, from the rows themselves: the rows without their pseudonym
    /// and sensitive values, sorted.
    var signature: String {
        let patientPart = "\(patient.ageBand)|\(patient.sex)|\(patient.conditions.joined(separator: ","))"
        let assessmentPart = assessments.map { "\($0.scale)|\($0.timepoint)|\($0.week.map(String.init) ?? "-")" }
            .sorted()
        let infusionPart = infusions.map {
            "\($0.condition)|\($0.week.map(String.init) ?? "-")|\($0.minutes)|\($0.doseMgPerKg ?? "-")|\($0.rateMgPerKgPerHour ?? "-")|\($0.route ?? "-")|\($0.drug ?? "-")|\($0.doseMg ?? "-")"
        }.sorted()
        let observationPart = observations.map {
            "\($0.week.map(String.init) ?? "-")|\($0.hoursFromStart.map(String.init) ?? "-")"
        }.sorted()
        return (["A"] + assessmentPart + ["I"] + infusionPart + ["O"] + observationPart + ["P", patientPart]).joined(
            separator: ";")
    }
}
