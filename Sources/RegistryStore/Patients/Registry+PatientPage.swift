import Foundation
import GRDB
import RegistryCore

/// One patient's page and history, from one read of their rows.
extension Registry {
    /// Everything recorded about one patient.
    public func patientPage(_ id: RecordID) throws -> PatientPage {
        try read { db in try patientPage(db, id).page }
    }

    /// The patient's page and their clinical history (as ``histories(condition:patient:)`` reads
    /// it), built from one read of their rows: `patient show` and the report need both.
    public func patientPageAndHistory(_ id: RecordID) throws -> (page: PatientPage, history: PatientHistory) {
        try read { db in
            let read = try patientPage(db, id)
            return (read.page, try read.history())
        }
    }

    /// The page, and the history from the same rows, built only when asked for.
    private func patientPage(_ db: Database, _ id: RecordID) throws -> (
        page: PatientPage, history: () throws -> PatientHistory
    ) {
        let patient = try requirePatient(db, id)
        let row = patient.id!
        // Read by column position (`DirectRow`), not through GRDB's Codable decoding or query
        // interface: this page is what `patient show` does, and start-up counts there.
        let identity = try IdentityRow.fetchOneDirect(db, "WHERE patient_id = ?", arguments: [row])!
        let adverse = try AdverseEventRow.fetchAllDirect(
            db, "WHERE patient_id = ? ORDER BY onset, id", arguments: [row])
        let infusionRows = try InfusionRow.fetchAllDirect(
            db, "WHERE patient_id = ? ORDER BY given_on, given_at, id", arguments: [row])
        let alsoFor = try alsoForByInfusion(db, patients: "patient_id = ?", arguments: [row])
        let steps = try rateStepsByInfusion(db, patients: "patient_id = ?", arguments: [row])
        let infusions = try shown(infusionRows, \.enteredInError) { infusion in
            try infusion.view(
                adverseEvents: adverse.filter { $0.infusionId == infusion.id }.map {
                    RecordKind.adverseEvent.displayID($0.id!)
                }, alsoFor: alsoFor[infusion.id!] ?? [], rateSteps: steps[infusion.id!] ?? [])
        }
        let assessmentRows = try AssessmentRow.fetchAllDirect(
            db, "WHERE patient_id = ? ORDER BY assessed_on, id", arguments: [row])
        let assessments = try shown(assessmentRows, \.enteredInError) { try $0.view() }
        var latest: [String: AssessmentView] = [:]
        for assessment in assessments where !assessment.enteredInError { latest[assessment.scale] = assessment }
        let treatments = try PriorTreatmentRow.fetchAllDirect(db, "WHERE patient_id = ? ORDER BY id", arguments: [row])
        let coInterventions = try CoInterventionRow.fetchAllDirect(
            db, "WHERE patient_id = ? ORDER BY from_date, id", arguments: [row])
        let observations = try InfusionObservationRow.fetchAllDirect(
            db, "WHERE patient_id = ? ORDER BY observed_on, observed_at, id", arguments: [row])
        let courseEvents = try CourseEventRow.fetchAllDirect(
            db, "WHERE patient_id = ? ORDER BY on_date, id", arguments: [row])
        // A list or a word the page decodes is read strictly (``stored(_:as:_:)``) in every record
        // still in use: one that does not read is not shown, nor written into the clinic's CSV
        // export, as an empty list or a default; the page stops and names the record. A record
        // entered in error is shown as it reads, and left out when its words do not: marking is
        // the way out of a damaged one (the audit trail keeps it, and `verify` names it).
        for infusion in infusionRows where !infusion.enteredInError {
            _ = try storedStringList(
                infusion.concomitantMedication,
                "the concomitant medication of \(RecordKind.infusion.displayID(infusion.id!))")
        }
        for assessment in assessmentRows where !assessment.enteredInError {
            _ = try storedAnswers(
                assessment.answers, "the answers of \(RecordKind.assessment.displayID(assessment.id!))")
        }
        let priorTreatments = try treatments.map {
            PriorTreatment(
                category: try storedWord(
                    $0.category, "the category of a prior treatment of \(id)", remedy: StoredValue.restoreRemedy),
                adequateTrials: $0.adequateTrials)
        }
        let conditions = try conditions(db, patient: row)
        let endedConditions = try endedConditions(db, patient: row)
        let birth = try ClinicalDate.parse(identity.birthDate, field: "birth-date")
        let enrolled = try ClinicalDate.parse(patient.enrolledOn, field: "enrolled-on")
        let openFlags = try Self.flagViews(db, "WHERE patient_id = ? AND state = 'open' ORDER BY id", arguments: [row])
        // The open flags' names, each once, in the order each was first raised (what
        // `openFlags(_:patient:)` asks SQLite for), from the rows just read.
        var flagNames: [String] = []
        for view in openFlags where !flagNames.contains(view.flag) { flagNames.append(view.flag) }
        var page = PatientPage(
            id: id.description, mrn: identity.mrn, givenName: identity.givenName, familyName: identity.familyName,
            birthDate: identity.birthDate, phone: identity.phone, email: identity.email, address: identity.address,
            ageAtEnrolment: birth.age(on: enrolled),
            sex: try storedWord(patient.sex, "the sex of \(id)", remedy: StoredValue.restoreRemedy),
            enrolledOn: patient.enrolledOn, conditions: conditions,
            endedConditions: endedConditions,
            researchConsent: patient.researchConsent, consentWithdrawnOn: patient.consentWithdrawnOn,
            consentWithdrawalReason: patient.consentWithdrawalReason,
            consentDecisions: try consentDecisions(db, patient: row),
            priorTreatments: priorTreatments,
            infusions: infusions, assessments: assessments,
            adverseEvents: try shown(adverse, \.enteredInError) { try $0.view() },
            coInterventions: try shown(coInterventions, \.enteredInError) { try $0.view() },
            observations: observations.map(\.view),
            courseEvents: try shown(courseEvents, \.enteredInError) { try $0.view() },
            latestScores: latest.values.sorted { ($0.on, $0.scale) < ($1.on, $1.scale) },
            flags: flagNames)
        page.openFlags = openFlags

        // The history from the same rows, as `forEachHistory` reads it: nothing entered in error
        // (nor an observation made during an infusion entered in error), adverse events and
        // co-interventions in the order of entry, the rest in the page's order, which is theirs.
        // A test compares the two for every patient of a generated clinic.
        func history() throws -> PatientHistory {
            let kept = infusionRows.filter { !$0.enteredInError }
            let started = Dictionary(kept.map { ($0.id!, $0) }, uniquingKeysWith: { first, _ in first })
            return PatientHistory(
                patient: id.description, conditions: conditions, enrolledOn: enrolled,
                infusions: try kept.map { row in
                    let highest = (steps[row.id!] ?? []).map(\.mgPerKgPerHour).max() ?? 0
                    return try HistoryRows.infusion(
                        id: row.id!, condition: row.conditionId, givenOn: row.givenOn, givenAt: row.givenAt,
                        minutes: row.minutes, dose: row.doseMgPerKg,
                        rate: row.rateMgPerKgPerHour.map { max($0, highest) }, route: row.route,
                        alsoFor: alsoFor[row.id!] ?? [], drug: row.drug, doseMg: row.doseMg)
                },
                assessments: try assessmentRows.filter { !$0.enteredInError }.map {
                    try HistoryRows.assessment(
                        id: $0.id!, scale: $0.scaleId, assessedOn: $0.assessedOn, timepoint: $0.timepoint,
                        score: $0.score,
                        subscores: $0.subscores, flags: $0.flags)
                },
                adverseEvents: try adverse.filter { !$0.enteredInError }.sorted { $0.id! < $1.id! }.map {
                    try HistoryRows.adverseEvent(id: $0.id!, term: $0.term, grade: $0.grade, serious: $0.serious)
                },
                coInterventions: try coInterventions.filter { !$0.enteredInError }.sorted { $0.id! < $1.id! }.map {
                    try HistoryRows.coIntervention(id: $0.id!, kind: $0.kind)
                },
                courseMarkers: try courseEvents.filter { !$0.enteredInError }.map {
                    try HistoryRows.marker(
                        id: $0.id!, condition: $0.conditionId, kind: $0.kind, onDate: $0.onDate,
                        courseKind: $0.courseKind)
                },
                observations: try observations.filter { !$0.enteredInError }.compactMap { observation in
                    guard let infusion = started[observation.infusionId] else { return nil }
                    return try HistoryRows.observation(
                        id: observation.id!, infusion: observation.infusionId, observedOn: observation.observedOn,
                        observedAt: observation.observedAt, givenOn: infusion.givenOn, givenAt: infusion.givenAt,
                        systolic: observation.bpSystolic, diastolic: observation.bpDiastolic,
                        heartRate: observation.heartRate,
                        oxygenSaturation: observation.oxygenSaturation, sedation: observation.sedation,
                        dissociation: observation.dissociation,
                        respiratoryDepression: observation.respiratoryDepression)
                },
                endedConditions: try Dictionary(
                    uniqueKeysWithValues: endedConditions.map { condition, text in
                        (condition, try HistoryRows.endedOn(text, patient: row, condition: condition))
                    }))
        }
        return (page, history)
    }
}

/// The views of `rows` for a page: each record in use read strictly (a word that does not read
/// stops the page, naming the record and field); a record entered in error whose words do not read
/// left out.
private func shown<Row, View>(_ rows: [Row], _ enteredInError: (Row) -> Bool, _ view: (Row) throws -> View) throws
    -> [View]
{
    try rows.compactMap { row in enteredInError(row) ? try? view(row) : try view(row) }
}
