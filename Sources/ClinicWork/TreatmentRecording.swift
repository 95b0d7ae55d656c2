import RegistryCore
import RegistryStore

/// Recording treatment as given: an infusion (with the adverse events noticed during it), an
/// observation during an infusion, an adverse event, a co-intervention; each written with its
/// audit row and safety checks, and returned with the safety flags it raised, so that every front
/// door shows a clinician the same flags at once.
public struct TreatmentRecording: Sendable {
    /// A record as stored, with the open safety flags it raised (oldest first).
    public struct Recorded<View: Sendable>: Sendable {
        /// The record as stored, with its id.
        public let record: View
        /// The open flags this record (and, for an infusion, its adverse events) raised.
        public let raisedFlags: [SafetyFlagView]
    }

    /// The registry written to.
    public let registry: Registry

    /// Recording into `registry`.
    public init(registry: Registry) { self.registry = registry }

    /// Records an infusion for `patient`, its entry validated (dose or rate, duration, weight,
    /// blood pressures) and its total worked out when not given; with the adverse events it lists.
    public func infusion(_ entry: InfusionEntry, patient: RecordID, actor: String) throws -> Recorded<InfusionView> {
        let infusion = try registry.addInfusion(entry, patient: patient, actor: actor)
        var flags = try registry.openFlags(raisedBy: infusion.id, patient: patient)
        for event in infusion.adverseEvents {
            flags += try registry.openFlags(raisedBy: event, patient: patient)
        }
        return Recorded(record: infusion, raisedFlags: flags)
    }

    /// Records vital signs or observations during `infusion`, at a moment within it.
    public func observation(_ entry: InfusionObservationEntry, infusion: RecordID, actor: String) throws
        -> Recorded<ObservationView>
    {
        let observation = try registry.addObservation(entry, infusion: infusion, actor: actor)
        let flags = try RecordID(observation.patient).map {
            try registry.openFlags(raisedBy: observation.id, patient: $0)
        }
        return Recorded(record: observation, raisedFlags: flags ?? [])
    }

    /// Records a change of a continuous infusion's rate at a moment (`date` the infusion's day when
    /// nil), or the pump's total, or both.
    public func rate(
        infusion: RecordID, on date: ClinicalDate?, at time: ClockTime?, rate: Double?, pumpTotalMg: Double?,
        actor: String
    ) throws -> InfusionView {
        try registry.setInfusionRate(
            infusion, on: date, at: time, rate: rate, pumpTotalMg: pumpTotalMg, actor: actor)
    }

    /// Records an adverse event of `patient`, after `infusion` when given.
    public func adverseEvent(_ entry: AdverseEventEntry, patient: RecordID, infusion: RecordID?, actor: String)
        throws -> Recorded<AdverseEventView>
    {
        let event = try registry.addAdverseEvent(entry, patient: patient, infusion: infusion, actor: actor)
        return Recorded(
            record: event, raisedFlags: try registry.openFlags(raisedBy: event.id, patient: patient))
    }

    /// Records a treatment given alongside ketamine, which confounds outcomes; it raises no flag.
    public func coIntervention(_ entry: CoInterventionEntry, patient: RecordID, actor: String) throws
        -> CoInterventionView
    {
        try registry.addCoIntervention(entry, patient: patient, actor: actor)
    }
}
