import RegistryCore

extension InfusionRow {
    func view(adverseEvents: [String]) -> InfusionView {
        func pressure(_ systolic: Int?, _ diastolic: Int?) -> String? {
            guard let systolic, let diastolic else { return nil }
            return "\(systolic)/\(diastolic)"
        }
        return InfusionView(
            id: RecordKind.infusion.displayID(id!), patient: RecordKind.patient.displayID(patientId),
            condition: conditionId,
            on: givenOn, at: givenAt, doseMgPerKg: doseMgPerKg, rateMgPerKgPerHour: rateMgPerKgPerHour,
            weightKg: weightKg, totalMg: totalMg,
            minutes: minutes, route: route,
            bpBefore: pressure(bpBeforeSystolic, bpBeforeDiastolic),
            bpAfter: pressure(bpAfterSystolic, bpAfterDiastolic),
            bpDischarge: pressure(bpDischargeSystolic, bpDischargeDiastolic),
            heartRate: heartRate, spo2: oxygenSaturation, monitoringMinutes: monitoringMinutes,
            concomitantMedication: decodeStringList(concomitantMedication),
            sedation: sedation, dissociation: dissociation, respiratoryDepression: respiratoryDepression,
            adverseEvents: adverseEvents, enteredInError: enteredInError, legacyRanges: legacyRanges)
    }
}

extension InfusionObservationRow {
    var view: ObservationView {
        ObservationView(
            id: RecordKind.observation.displayID(id!), infusion: RecordKind.infusion.displayID(infusionId),
            patient: RecordKind.patient.displayID(patientId), on: observedOn, at: observedAt,
            bp: bpSystolic.flatMap { systolic in bpDiastolic.map { "\(systolic)/\($0)" } }, heartRate: heartRate,
            spo2: oxygenSaturation,
            sedation: sedation, dissociation: dissociation, respiratoryDepression: respiratoryDepression,
            enteredInError: enteredInError)
    }
}

extension CourseEventRow {
    var view: CourseEventView {
        CourseEventView(
            id: RecordKind.courseEvent.displayID(id!), patient: RecordKind.patient.displayID(patientId),
            condition: conditionId,
            kind: kind, on: onDate, courseKind: courseKind, reason: reason, enteredInError: enteredInError)
    }
}

// The two views below are written straight into one string, keys in the order JSONEncoder's
// `.sortedKeys` gives them (tests compare the bytes with Foundation's): every infusion and
// assessment an import writes has its audit row.

extension AssessmentRow {
    var view: AssessmentView {
        let subscoreValues = decodeJSONUnlessEmpty([String: Double].self, subscores, empty: "{}") ?? [:]
        return AssessmentView(
            id: RecordKind.assessment.displayID(id!), patient: RecordKind.patient.displayID(patientId),
            condition: conditionId, scale: scaleId, scaleVersion: scaleVersion, on: assessedOn,
            timepoint: timepoint, answers: rawAnswers, score: score,
            subscores: subscoreValues.isEmpty ? nil : subscoreValues, band: band,
            flags: decodeStringList(flags), enteredInError: enteredInError)
    }
}

extension AdverseEventRow {
    var view: AdverseEventView {
        AdverseEventView(
            id: RecordKind.adverseEvent.displayID(id!), patient: RecordKind.patient.displayID(patientId),
            infusion: infusionId.map(RecordKind.infusion.displayID), term: term, grade: grade,
            serious: serious, onset: onset, resolvedOn: resolvedOn, enteredInError: enteredInError)
    }
}

extension CoInterventionRow {
    var view: CoInterventionView {
        CoInterventionView(
            id: RecordKind.coIntervention.displayID(id!), patient: RecordKind.patient.displayID(patientId),
            kind: kind, from: fromDate, to: toDate, enteredInError: enteredInError)
    }
}
