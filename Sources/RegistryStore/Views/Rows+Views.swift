import RegistryCore

// Each record row gives two things:
// - its view, the public record: its closed sets (route, timepoint, term, ...) read strictly, so a
//   word changed behind the program's back stops the reader with the record and field named
//   instead of passing on a word no caller knows; an insert, which has the words typed, gives them;
// - its audit image, the JSON the audit trail keeps of it and `verify` compares: the stored values
//   as they are, none of them judged, so that a damaged record can still be marked entered in error
//   (which writes its before and after) and named by `verify`. For a record whose words read, the
//   image is byte for byte its view as JSONEncoder writes it (sorted keys, no escaped slashes):
//   tests hold the two together. Written by hand because an import writes one per row.

extension InfusionRow {
    /// The view, its route and drug read strictly.
    func view(adverseEvents: [String], alsoFor: [String], rateSteps: [RateStep] = []) throws -> InfusionView {
        view(
            adverseEvents: adverseEvents, alsoFor: alsoFor, rateSteps: rateSteps,
            route: try storedWord(route, "the route of \(displayID)"),
            drug: try storedWord(drug, "the drug of \(displayID)"))
    }

    /// The view, with the route and drug (and, from an insert, the medication list) the caller has
    /// typed.
    func view(
        adverseEvents: [String], alsoFor: [String], rateSteps: [RateStep] = [], route: InfusionRoute, drug: Drug,
        medication: [String]? = nil
    ) -> InfusionView {
        InfusionView(
            id: displayID, patient: RecordKind.patient.displayID(patientId), condition: conditionId,
            alsoFor: alsoFor.isEmpty ? nil : alsoFor, on: givenOn, at: givenAt, drug: drug, doseMgPerKg: doseMgPerKg,
            doseMg: doseMg, rateMgPerKgPerHour: rateMgPerKgPerHour,
            rateSteps: rateSteps.isEmpty ? nil : stepViews(rateSteps),
            weightKg: weightKg, totalMg: totalMg, minutes: minutes, route: route,
            bpBefore: pressureText(bpBeforeSystolic, bpBeforeDiastolic),
            bpAfter: pressureText(bpAfterSystolic, bpAfterDiastolic),
            bpDischarge: pressureText(bpDischargeSystolic, bpDischargeDiastolic),
            heartRate: heartRate, spo2: oxygenSaturation, monitoringMinutes: monitoringMinutes,
            readyToLeave: readyToLeaveAt,
            concomitantMedication: medication ?? decodeStringList(concomitantMedication),
            sedation: sedation, dissociation: dissociation, respiratoryDepression: respiratoryDepression,
            adverseEvents: adverseEvents, enteredInError: enteredInError, legacyRanges: legacyRanges)
    }

    /// Each step with its moment on the clock, counted from the infusion's start.
    func stepViews(_ steps: [RateStep]) -> [RateStepView] {
        // Read as the image reads them: a damaged day or time gives its stored words back.
        let time = givenAt.flatMap { try? ClockTime.parse($0, field: "at") }
        guard let day = try? ClinicalDate.parse(givenOn, field: "on"), (givenAt == nil) == (time == nil) else {
            return steps.map {
                RateStepView(at: "+\($0.minute)", minute: $0.minute, rateMgPerKgPerHour: $0.mgPerKgPerHour)
            }
        }
        let start = day.dayNumber * 1440 + (time.map(\.minuteOfDay) ?? 0)
        return steps.map { step in
            // A minute changed behind the program's back past any run is shown, never trapped on.
            let moment = start + min(max(step.minute, 0), 100_000_000)
            // Days before 1970 are negative: divide rounding down.
            let dayNumber = moment >= 0 ? moment / 1440 : -((-moment + 1439) / 1440)
            let minuteOfDay = moment - dayNumber * 1440
            let clock = ClockTime(hour: minuteOfDay / 60, minute: minuteOfDay % 60)!
            return RateStepView(
                at: "\(ClinicalDate(dayNumber: dayNumber))T\(clock)", minute: step.minute,
                rateMgPerKgPerHour: step.mgPerKgPerHour)
        }
    }

    /// The audit image; an insert gives the medication list it has rather than have it read back.
    func auditImage(adverseEvents: [String], alsoFor: [String], rateSteps: [RateStep] = [], medication: [String]? = nil)
        -> String
    {
        var object = JSONObjectWriter(capacity: 512)
        object.strings("adverseEvents", adverseEvents)
        if !alsoFor.isEmpty { object.strings("alsoFor", alsoFor) }
        object.string("at", givenAt)
        object.string("bpAfter", pressureText(bpAfterSystolic, bpAfterDiastolic))
        object.string("bpBefore", pressureText(bpBeforeSystolic, bpBeforeDiastolic))
        object.string("bpDischarge", pressureText(bpDischargeSystolic, bpDischargeDiastolic))
        object.strings("concomitantMedication", medication ?? decodeStringList(concomitantMedication))
        object.string("condition", conditionId)
        object.bool("dissociation", dissociation)
        object.number("doseMg", doseMg)
        object.number("doseMgPerKg", doseMgPerKg)
        object.string("drug", drug)
        object.bool("enteredInError", enteredInError)
        object.int("heartRate", heartRate)
        object.string("id", displayID)
        object.bool("legacyRanges", legacyRanges)
        object.int("minutes", minutes)
        object.int("monitoringMinutes", monitoringMinutes)
        object.string("on", givenOn)
        object.string("patient", RecordKind.patient.displayID(patientId))
        object.number("rateMgPerKgPerHour", rateMgPerKgPerHour)
        if !rateSteps.isEmpty {
            object.objects("rateSteps", stepViews(rateSteps)) { step in
                var member = JSONObjectWriter(capacity: 64)
                member.string("at", step.at)
                member.int("minute", step.minute)
                member.number("rateMgPerKgPerHour", step.rateMgPerKgPerHour)
                return member
            }
        }
        object.string("readyToLeave", readyToLeaveAt)
        object.bool("respiratoryDepression", respiratoryDepression)
        object.string("route", route)
        object.bool("sedation", sedation)
        object.int("spo2", oxygenSaturation)
        object.number("totalMg", totalMg)
        object.number("weightKg", weightKg)
        return object.text
    }

    private var displayID: String { RecordKind.infusion.displayID(id!) }
}

extension InfusionObservationRow {
    /// The view (an observation has no closed set).
    var view: ObservationView {
        ObservationView(
            id: RecordKind.observation.displayID(id!), infusion: RecordKind.infusion.displayID(infusionId),
            patient: RecordKind.patient.displayID(patientId), on: observedOn, at: observedAt,
            bp: pressureText(bpSystolic, bpDiastolic), heartRate: heartRate, spo2: oxygenSaturation,
            sedation: sedation, dissociation: dissociation, respiratoryDepression: respiratoryDepression,
            enteredInError: enteredInError)
    }

    /// The audit image: the view, which judges nothing.
    var auditImage: String { encodeJSON(view) }
}

extension CourseEventRow {
    /// The view, its kinds read strictly.
    func view() throws -> CourseEventView {
        let what = RecordKind.courseEvent.displayID(id!)
        return view(
            kind: try storedWord(kind, "the kind of \(what)"),
            courseKind: try courseKind.map { try storedWord($0, "the course kind of \(what)") })
    }

    /// The view, with the kinds the caller has typed.
    func view(kind: CourseMarker.Kind, courseKind: CourseKind?) -> CourseEventView {
        CourseEventView(
            id: RecordKind.courseEvent.displayID(id!), patient: RecordKind.patient.displayID(patientId),
            condition: conditionId, kind: kind, on: onDate, courseKind: courseKind, reason: reason,
            enteredInError: enteredInError)
    }

    /// The audit image.
    var auditImage: String {
        var object = JSONObjectWriter(capacity: 192)
        object.string("condition", conditionId)
        object.string("courseKind", courseKind)
        object.bool("enteredInError", enteredInError)
        object.string("id", RecordKind.courseEvent.displayID(id!))
        object.string("kind", kind)
        object.string("on", onDate)
        object.string("patient", RecordKind.patient.displayID(patientId))
        object.string("reason", reason)
        return object.text
    }
}

extension AssessmentRow {
    /// The view, its timepoint read strictly.
    func view() throws -> AssessmentView {
        view(timepoint: try storedWord(timepoint, "the timepoint of \(RecordKind.assessment.displayID(id!))"))
    }

    /// The view, with the timepoint the caller has typed.
    func view(timepoint: Timepoint) -> AssessmentView {
        let subscoreValues = storedSubscores
        return AssessmentView(
            id: RecordKind.assessment.displayID(id!), patient: RecordKind.patient.displayID(patientId),
            condition: conditionId, scale: scaleId, scaleVersion: scaleVersion, on: assessedOn,
            timepoint: timepoint, answers: rawAnswers, score: score,
            subscores: subscoreValues.isEmpty ? nil : subscoreValues, band: band,
            flags: decodeStringList(flags), enteredInError: enteredInError)
    }

    /// The audit image.
    var auditImage: String {
        auditImage(answers: rawAnswers, subscores: storedSubscores, flags: decodeStringList(flags))
    }

    /// The audit image, with the answers, subscores and flags the caller has in hand (an insert,
    /// which has just scored them), rather than read back from the row's JSON columns.
    func auditImage(answers: [Int?], subscores: [String: Double], flags: [String]) -> String {
        var object = JSONObjectWriter(capacity: 384)
        object.ints("answers", answers)
        object.string("band", band)
        object.string("condition", conditionId)
        object.bool("enteredInError", enteredInError)
        object.strings("flags", flags)
        object.string("id", RecordKind.assessment.displayID(id!))
        object.string("on", assessedOn)
        object.string("patient", RecordKind.patient.displayID(patientId))
        object.string("scale", scaleId)
        object.string("scaleVersion", scaleVersion)
        object.number("score", score)
        if !subscores.isEmpty {
            var members = JSONObjectWriter(capacity: 64)
            for (name, value) in subscores.sorted(by: { $0.key < $1.key }) {
                members.number(escapingName: name, value)
            }
            object.object("subscores", members)
        }
        object.string("timepoint", timepoint)
        return object.text
    }

    private var storedSubscores: [String: Double] {
        decodeJSONUnlessEmpty([String: Double].self, subscores, empty: "{}") ?? [:]
    }
}

extension AdverseEventRow {
    /// The view, its term and grade read strictly.
    func view() throws -> AdverseEventView {
        let what = RecordKind.adverseEvent.displayID(id!)
        return view(
            term: try storedWord(term, "the term of \(what)"), grade: try storedWord(grade, "the grade of \(what)"))
    }

    /// The view, with the term and grade the caller has typed.
    func view(term: AdverseEventTerm, grade: AdverseEventGrade) -> AdverseEventView {
        AdverseEventView(
            id: RecordKind.adverseEvent.displayID(id!), patient: RecordKind.patient.displayID(patientId),
            infusion: infusionId.map(RecordKind.infusion.displayID), term: term, grade: grade,
            serious: serious, onset: onset, resolvedOn: resolvedOn, enteredInError: enteredInError)
    }

    /// The audit image.
    var auditImage: String {
        var object = JSONObjectWriter(capacity: 192)
        object.bool("enteredInError", enteredInError)
        object.string("grade", grade)
        object.string("id", RecordKind.adverseEvent.displayID(id!))
        object.string("infusion", infusionId.map(RecordKind.infusion.displayID))
        object.string("onset", onset)
        object.string("patient", RecordKind.patient.displayID(patientId))
        object.string("resolvedOn", resolvedOn)
        object.bool("serious", serious)
        object.string("term", term)
        return object.text
    }
}

extension CoInterventionRow {
    /// The view, its kind read strictly.
    func view() throws -> CoInterventionView {
        view(kind: try storedWord(kind, "the kind of \(RecordKind.coIntervention.displayID(id!))"))
    }

    /// The view, with the kind the caller has typed.
    func view(kind: CoInterventionKind) -> CoInterventionView {
        CoInterventionView(
            id: RecordKind.coIntervention.displayID(id!), patient: RecordKind.patient.displayID(patientId),
            kind: kind, from: fromDate, to: toDate, note: note, enteredInError: enteredInError)
    }

    /// The audit image.
    var auditImage: String {
        var object = JSONObjectWriter(capacity: 128)
        object.bool("enteredInError", enteredInError)
        object.string("from", fromDate)
        object.string("id", RecordKind.coIntervention.displayID(id!))
        object.string("kind", kind)
        object.string("note", note)
        object.string("patient", RecordKind.patient.displayID(patientId))
        object.string("to", toDate)
        return object.text
    }
}

/// "128/84", or `nil` unless both numbers are there.
private func pressureText(_ systolic: Int?, _ diastolic: Int?) -> String? {
    guard let systolic, let diastolic else { return nil }
    return "\(systolic)/\(diastolic)"
}
