import PayloadFormat
import RegistryCore

extension RecordsBuilder {
    /// The protocols a patient's courses opened under, by condition: each course under the
    /// protocol in force on its opening day (the clinic catalog's schedule), from the whole
    /// history, course markers included.
    static func protocolUses(_ history: PatientHistory, catalog: ConditionCatalog) -> Set<ProtocolUse> {
        var uses: Set<ProtocolUse> = []
        for condition in history.conditions {
            guard let module = catalog.condition(condition) else { continue }
            for course in CourseTimeline(condition: module, history: history).courses {
                uses.insert(
                    ProtocolUse(
                        condition: condition, protocol: course.treatment.reference, course: course.plan.description))
            }
        }
        return uses
    }
}
