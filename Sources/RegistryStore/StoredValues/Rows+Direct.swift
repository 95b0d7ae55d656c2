import GRDB

/// A stored row read by column position with SQLite's own calls (``DirectCursor``) rather than
/// through GRDB's Codable decoding, whose generic machinery costs a one-patient command (`patient
/// show`) more at start-up than SQLite's work. `selection` lists the columns in the order
/// `init(direct:)` reads them; a test reads every table both ways and compares.
protocol DirectRow {
    static var selection: String { get }
    init(direct row: DirectStatement.Row) throws
}

extension DirectRow {
    /// The rows of `selection` followed by `tail` (a WHERE and ORDER BY clause).
    static func fetchAllDirect(_ db: Database, _ tail: String, arguments: StatementArguments) throws -> [Self] {
        let cursor = try DirectCursor(db, sql: selection + " " + tail, arguments: arguments)
        var rows: [Self] = []
        while let row = try cursor.next() { rows.append(try Self(direct: row)) }
        return rows
    }

    static func fetchOneDirect(_ db: Database, _ tail: String, arguments: StatementArguments) throws -> Self? {
        let cursor = try DirectCursor(db, sql: selection + " " + tail, arguments: arguments)
        return try cursor.next().map { try Self(direct: $0) }
    }
}

extension PatientRow: DirectRow {
    static let selection =
        "SELECT id, sex, enrolled_on, research_consent, consent_withdrawn_on, consent_withdrawal_reason, created_at FROM patient"

    init(direct row: DirectStatement.Row) throws {
        id = try row.required(row.int64, 0)
        sex = try row.required(row.string, 1)
        enrolledOn = try row.required(row.string, 2)
        researchConsent = try row.required(row.bool, 3)
        consentWithdrawnOn = row.string(4)
        consentWithdrawalReason = row.string(5)
        createdAt = try row.required(row.string, 6)
    }
}

extension IdentityRow: DirectRow {
    static let selection =
        "SELECT patient_id, mrn, given_name, family_name, birth_date, phone, email, address FROM patient_identity"

    init(direct row: DirectStatement.Row) throws {
        patientId = try row.required(row.int64, 0)
        mrn = try row.required(row.string, 1)
        givenName = try row.required(row.string, 2)
        familyName = try row.required(row.string, 3)
        birthDate = try row.required(row.string, 4)
        phone = row.string(5)
        email = row.string(6)
        address = row.string(7)
    }
}

extension PriorTreatmentRow: DirectRow {
    static let selection = "SELECT id, patient_id, category, adequate_trials FROM prior_treatment"

    init(direct row: DirectStatement.Row) throws {
        id = try row.required(row.int64, 0)
        patientId = try row.required(row.int64, 1)
        category = try row.required(row.string, 2)
        adequateTrials = row.int(3)
    }
}

extension InfusionRow: DirectRow {
    static let selection = """
        SELECT id, patient_id, condition_id, given_on, given_at, dose_mg_per_kg, rate_mg_per_kg_per_hour, weight_kg, total_mg, minutes, route,
               bp_before_systolic, bp_before_diastolic, bp_after_systolic, bp_after_diastolic, bp_discharge_systolic, bp_discharge_diastolic,
               heart_rate, oxygen_saturation, monitoring_minutes, concomitant_medication, sedation, dissociation, respiratory_depression,
               entered_in_error, legacy_ranges, drug, dose_mg, ready_to_leave_at FROM infusion
        """

    init(direct row: DirectStatement.Row) throws {
        id = try row.required(row.int64, 0)
        patientId = try row.required(row.int64, 1)
        conditionId = try row.required(row.string, 2)
        givenOn = try row.required(row.string, 3)
        givenAt = row.string(4)
        doseMgPerKg = row.double(5)
        rateMgPerKgPerHour = row.double(6)
        weightKg = row.double(7)
        totalMg = row.double(8)
        minutes = try row.required(row.int, 9)
        route = try row.required(row.string, 10)
        bpBeforeSystolic = row.int(11)
        bpBeforeDiastolic = row.int(12)
        bpAfterSystolic = row.int(13)
        bpAfterDiastolic = row.int(14)
        bpDischargeSystolic = row.int(15)
        bpDischargeDiastolic = row.int(16)
        heartRate = row.int(17)
        oxygenSaturation = row.int(18)
        monitoringMinutes = row.int(19)
        concomitantMedication = try row.required(row.string, 20)
        sedation = try row.required(row.bool, 21)
        dissociation = try row.required(row.bool, 22)
        respiratoryDepression = try row.required(row.bool, 23)
        enteredInError = try row.required(row.bool, 24)
        legacyRanges = try row.required(row.bool, 25)
        drug = try row.required(row.string, 26)
        doseMg = row.double(27)
        readyToLeaveAt = row.string(28)
    }
}

extension AdverseEventRow: DirectRow {
    static let selection =
        "SELECT id, patient_id, infusion_id, term, grade, serious, onset, resolved_on, entered_in_error FROM adverse_event"

    init(direct row: DirectStatement.Row) throws {
        id = try row.required(row.int64, 0)
        patientId = try row.required(row.int64, 1)
        infusionId = row.int64(2)
        term = try row.required(row.string, 3)
        grade = try row.required(row.string, 4)
        serious = try row.required(row.bool, 5)
        onset = try row.required(row.string, 6)
        resolvedOn = row.string(7)
        enteredInError = try row.required(row.bool, 8)
    }
}

extension AssessmentRow: DirectRow {
    static let selection = """
        SELECT id, patient_id, condition_id, scale_id, scale_version, assessed_on, timepoint, answers, score, subscores, band, flags,
               entered_in_error FROM assessment
        """

    init(direct row: DirectStatement.Row) throws {
        id = try row.required(row.int64, 0)
        patientId = try row.required(row.int64, 1)
        conditionId = try row.required(row.string, 2)
        scaleId = try row.required(row.string, 3)
        scaleVersion = try row.required(row.string, 4)
        assessedOn = try row.required(row.string, 5)
        timepoint = try row.required(row.string, 6)
        answers = try row.required(row.string, 7)
        score = try row.required(row.double, 8)
        subscores = try row.required(row.string, 9)
        band = row.string(10)
        flags = try row.required(row.string, 11)
        enteredInError = try row.required(row.bool, 12)
    }
}

extension CoInterventionRow: DirectRow {
    static let selection =
        "SELECT id, patient_id, kind, from_date, to_date, entered_in_error, note FROM co_intervention"

    init(direct row: DirectStatement.Row) throws {
        id = try row.required(row.int64, 0)
        patientId = try row.required(row.int64, 1)
        kind = try row.required(row.string, 2)
        fromDate = try row.required(row.string, 3)
        toDate = row.string(4)
        enteredInError = try row.required(row.bool, 5)
        note = row.string(6)
    }
}

extension InfusionObservationRow: DirectRow {
    static let selection = """
        SELECT id, infusion_id, patient_id, observed_on, observed_at, bp_systolic, bp_diastolic, heart_rate, oxygen_saturation,
               sedation, dissociation, respiratory_depression, entered_in_error FROM infusion_observation
        """

    init(direct row: DirectStatement.Row) throws {
        id = try row.required(row.int64, 0)
        infusionId = try row.required(row.int64, 1)
        patientId = try row.required(row.int64, 2)
        observedOn = try row.required(row.string, 3)
        observedAt = try row.required(row.string, 4)
        bpSystolic = row.int(5)
        bpDiastolic = row.int(6)
        heartRate = row.int(7)
        oxygenSaturation = row.int(8)
        sedation = try row.required(row.bool, 9)
        dissociation = try row.required(row.bool, 10)
        respiratoryDepression = try row.required(row.bool, 11)
        enteredInError = try row.required(row.bool, 12)
    }
}

extension CourseEventRow: DirectRow {
    static let selection =
        "SELECT id, patient_id, condition_id, kind, on_date, course_kind, reason, entered_in_error FROM course_event"

    init(direct row: DirectStatement.Row) throws {
        id = try row.required(row.int64, 0)
        patientId = try row.required(row.int64, 1)
        conditionId = try row.required(row.string, 2)
        kind = try row.required(row.string, 3)
        onDate = try row.required(row.string, 4)
        courseKind = row.string(5)
        reason = row.string(6)
        enteredInError = try row.required(row.bool, 7)
    }
}
