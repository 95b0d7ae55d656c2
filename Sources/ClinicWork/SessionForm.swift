import RegistryCore
import RegistryStore

/// One session's monitoring form, field by field as the SPRAVATO REMS Patient Monitoring Form
/// (outpatient use) asks for it, filled from the registry, with what the registry does not hold
/// named as missing. It names the patient: it is for the clinic, which files it with the REMS
/// within 7 days; it is never exported.
public struct SessionForm: Sendable, Codable {
    /// One field of the form.
    public struct Field: Sendable, Codable, Hashable {
        /// The form's section: patient, concomitant medication, healthcare provider, healthcare
        /// setting, treatment session, blood pressure, observations.
        public let section: String
        /// The field, in the form's words.
        public let label: String
        /// What the registry holds for it; `nil` when it is missing.
        public let value: String?
    }

    /// The infusion or session (`I-`).
    public let infusion: String
    /// The patient's registry id.
    public let patient: String
    /// The drug given; the REMS form is esketamine's.
    public let drug: Drug
    /// Every field, in the form's order.
    public let fields: [Field]
    /// The labels of the fields with no value.
    public let missing: [String]
    /// Whether an esketamine session was monitored for the REMS's 2 hours from the first device;
    /// `nil` when the monitoring is not recorded, and for ketamine.
    public let monitoredTwoHours: Bool?

    /// The form of infusion `id`, from `registry`.
    public static func build(registry: Registry, infusion id: RecordID) throws -> SessionForm {
        let infusion = try registry.infusion(id)
        let page = try registry.patientPage(RecordID(kind: .patient, row: RecordID(infusion.patient)?.row ?? 0))
        let recordedBy = try registry.auditTrail(for: id).first?.actor
        let events = page.adverseEvents.filter { infusion.adverseEvents.contains($0.id) }
        let start = try infusion.at.map { try ClockTime.parse($0, field: "at") }
        let ready = try infusion.readyToLeave.map { try ClockTime.parse($0, field: "ready-to-leave") }
        let total = infusion.monitoringMinutes.map { monitoring in
            let (sum, overflow) = monitoring.addingReportingOverflow(infusion.minutes)
            return overflow ? Int.max : sum
        }
        var fields: [Field] = []
        func add(_ section: String, _ label: String, _ value: String?) {
            fields.append(Field(section: section, label: label, value: value))
        }
        add("patient", "First name", page.givenName)
        add("patient", "Last name", page.familyName)
        add("patient", "Birthdate", page.birthDate)
        add("patient", "Sex", page.sex.rawValue)
        add(
            "concomitant medication",
            "Medication that may cause sedation or blood pressure changes (benzodiazepines, non-benzodiazepine sedative hypnotics, psychostimulants, MAOIs)",
            infusion.concomitantMedication.isEmpty
                ? "none recorded" : infusion.concomitantMedication.joined(separator: ", "))
        add("healthcare provider", "Healthcare provider conducting patient monitoring", recordedBy)
        add("healthcare setting", "Healthcare setting name", try registry.clinicName())
        add("treatment session", "Treatment date", infusion.on)
        add("treatment session", "Time of the first device", infusion.at)
        add("treatment session", "Dose administered", infusion.dosingText + " (\(infusion.route.rawValue))")
        add("treatment session", "Lot number", nil)
        add(
            "treatment session",
            "Total time, minutes from the first device to completion of monitoring (at least 120)",
            total.map(String.init))
        add(
            "treatment session", "Ready to leave, minutes from the start of administration",
            start.flatMap { start in ready.map { String(($0.minuteOfDay - start.minuteOfDay + 1440) % 1440) } })
        add("treatment session", "Time the patient was judged ready to leave", infusion.readyToLeave)
        add("blood pressure", "Prior to administration", infusion.bpBefore.map { "\($0) mmHg" })
        add("blood pressure", "40 minutes post-administration", infusion.bpAfter.map { "\($0) mmHg" })
        add("blood pressure", "Prior to treatment session completion", infusion.bpDischarge.map { "\($0) mmHg" })
        add("observations", "Sedation", infusion.sedation ? "yes" : "no")
        add("observations", "Dissociation", infusion.dissociation ? "yes" : "no")
        add("observations", "Respiratory depression", infusion.respiratoryDepression ? "yes" : "no")
        add("observations", "Oxygen saturation (pulse oximetry)", infusion.spo2.map { "\($0)%" })
        add(
            "observations", "Adverse events",
            events.isEmpty
                ? "none recorded"
                : events.map { "\($0.term.rawValue) (\($0.grade.rawValue)\($0.serious ? ", serious" : ""))" }.joined(
                    separator: ", "))
        return SessionForm(
            infusion: infusion.id, patient: infusion.patient, drug: infusion.drug, fields: fields,
            missing: fields.filter { $0.value == nil }.map(\.label),
            monitoredTwoHours: infusion.drug == .esketamine
                ? total.map { $0 >= InfusionEntry.esketamineMonitoringMinutes } : nil)
    }
}
