import RegistryCore
import RegistryStore

extension RecordsBuilder {
    /// A treated patient's signature at every step: their rows at that step without the pseudonym
    /// and the sensitive values (scores, bands, readings), sorted, so that two patients' are equal
    /// exactly when a recipient cannot tell them apart. Made from the parts each step keeps or
    /// drops, without building the rows seven times (the tests check it against the rows); nil
    /// without an infusion.
    static func signatures(_ patient: ExportPatient) -> [String]? {
        let history = patient.history.infusionsCopiedPerCondition()
        guard let dayZero = history.infusions.first?.date else { return nil }
        func week(_ date: ClinicalDate, _ timed: Bool) -> String {
            timed ? String(RecordsGeneralisation.week(dayZero.days(until: date))) : "-"
        }
        func assessments(_ timed: Bool) -> [String] {
            history.assessments.map { "\($0.scale)|\($0.timepoint.rawValue)|\(week($0.date, timed))" }.sorted()
        }
        func infusions(_ timed: Bool) -> [String] {
            history.infusions.map { infusion in
                "\(infusion.condition)|\(week(infusion.date, timed))|\(RecordsGeneralisation.minutesBand(infusion.minutes))|"
                    + "\(infusion.doseMgPerKg.map(RecordsGeneralisation.doseBand) ?? "-")|\(infusion.rateMgPerKgPerHour.map(RecordsGeneralisation.rateBand) ?? "-")|"
                    + (infusion.route?.rawValue ?? "-") + "|\(infusion.drug.rawValue)|"
                    + (infusion.doseMg.map { RecordsGeneralisation.fixedDoseBand($0, drug: infusion.drug) } ?? "-")
            }.sorted()
        }
        func observations(_ timed: Bool) -> [String] {
            history.observations.map { "\(week($0.date, timed))|\(timed ? String($0.hoursFromStart) : "-")" }.sorted()
        }
        let age = AgeBand.band(for: patient.ageAtDayZero)
        let conditions = history.conditions.sorted().joined(separator: ",")
        let parts = [false, true].map { timed in (assessments(timed), infusions(timed), observations(timed)) }
        return RecordsGeneralisation.steps.indices.map { step in
            let generalised = RecordsGeneralisation.generalises(step)
            let (assessed, infused, observed) = parts[generalised.timing ? 0 : 1]
            let patientPart =
                "\(generalised.age ? AgeBand.broad(age) : age)|\(generalised.sex ? "not-stated" : patient.sex.rawValue)|\(conditions)"
            return
                (["A"] + assessed + ["I"] + (generalised.treatment ? [] : infused) + ["O"]
                + (generalised.treatment ? [] : observed) + ["P", patientPart])
                .joined(separator: ";")
        }
    }
}
