import RegistryCore
import RegistryStore

// Infusions and esketamine sessions in the clinic's own FHIR record.
extension FHIRResources {
    /// A UCUM quantity: `mg`, `mg/kg` or `mg/kg/h`.
    static func quantity(_ value: Double, ucum: String) -> JSONValue {
        ["value": .number(value), "unit": .string(ucum), "system": "http://unitsofmeasure.org", "code": .string(ucum)]
    }

    /// One infusion or session as a MedicationAdministration: the drug's RxNorm code, the route's
    /// SNOMED CT code, the dose as given (the total in mg when known), a continuous infusion's
    /// starting rate, and its day (a period for one over several days).
    static func medicationAdministration(_ infusion: InfusionView, subject: String) -> JSONValue {
        var dosage: [String: JSONValue] = ["route": ["coding": [coding(infusion.route.snomed)]]]
        if let total = infusion.totalMg {
            dosage["dose"] = quantity(total, ucum: "mg")
        } else if let perKg = infusion.doseMgPerKg {
            dosage["dose"] = quantity(perKg, ucum: "mg/kg")
        }
        if let rate = infusion.rateMgPerKgPerHour { dosage["rateQuantity"] = quantity(rate, ucum: "mg/kg/h") }
        dosage["text"] = .string(infusion.dosingText + " over \(infusion.minutes) minutes")
        var resource: [String: JSONValue] = [
            "resourceType": "MedicationAdministration",
            "id": .string("med-\(infusion.id)"),
            "status": "completed",
            "medicationCodeableConcept": [
                "coding": [coding(infusion.drug.rxNorm)], "text": .string(infusion.drug.rawValue),
            ],
            "subject": ["reference": .string(subject)],
            "dosage": .object(dosage),
        ]
        let start = (try? ClinicalDate.parse(infusion.on, field: "on"))
        let startMinute = (try? infusion.at.map { try ClockTime.parse($0, field: "at").minuteOfDay }) ?? 0
        // Minutes are at most 7 days for any row of today's ranges; a legacy row's are bounded here.
        let end = startMinute + min(max(infusion.minutes, 0), 10_080)
        if let start, end >= 1440 {
            resource["effectivePeriod"] = [
                "start": .string(infusion.on), "end": .string(start.adding(days: end / 1440).description),
            ]
        } else {
            resource["effectiveDateTime"] = .string(infusion.on)
        }
        return .object(resource)
    }
}
