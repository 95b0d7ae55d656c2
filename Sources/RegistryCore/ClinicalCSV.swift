/// The long CSV format clinics use to bring in what they kept in spreadsheets, and to take their own
/// data out for local analysis: one row per patient event, patients referred to by MRN.
///
/// Columns are named as the command line's options (`dose-mg-per-kg`, `bp-before`, ...); a file
/// may use any subset in any order, as long as `record` and `mrn` are there. `record` is one of
/// `enrolment`, `infusion`, `assessment`, `adverse-event`, `co-intervention`, `course-start`,
/// `course-end` (`kind` is then the kind of course a start opens, and `reason` why). `on` is the event's
/// date (enrolment date, infusion date, assessment date, adverse event onset, co-intervention
/// start). Lists (`condition`, `prior-treatment`, `concomitant`) are separated by `;`; `answers`
/// are as for `--answers`, separated by `,` (quote the field) or `;`. Yes/no columns take
/// `yes`/`no`, `1`/`0` or nothing (no). An infusion row gives `dose-mg-per-kg` or
/// `rate-mg-per-kg-per-hour` (not both), and `for`, the condition it was given for, when the patient
/// has more than one.
public enum ClinicalCSV {
    /// Every column, in the order an export writes them.
    public static let columns = [
        "record", "mrn", "on", "given", "family", "birth-date", "sex", "condition", "research-consent",
        "prior-treatment",
        "for", "at", "dose-mg-per-kg", "rate-mg-per-kg-per-hour", "weight-kg", "total-mg", "minutes", "route",
        "bp-before", "bp-after", "bp-discharge",
        "heart-rate", "spo2", "monitoring-minutes", "concomitant", "sedation", "dissociation", "respiratory-depression",
        "scale", "timepoint", "answers", "term", "grade", "serious", "resolved", "kind", "to", "reason", "note",
        "drug", "dose-mg", "rate-steps", "ready-to-leave",
    ]

    /// The columns by number: `Column.birthDate.rawValue` is the position of `birth-date` in
    /// ``columns`` (a test checks every one), so that a row's values are read by position rather
    /// than looked up by name.
    public enum Column: Int, CaseIterable, Sendable {
        /// The record type, the patient's MRN, the event's date, and the enrolment's columns.
        case record, mrn, on, given, family, birthDate, sex, condition, researchConsent, priorTreatment
        /// The infusion's columns: its condition, time, dose or rate, weight, total, minutes, route and blood
        /// pressures.
        case `for`, at, doseMgPerKg, rateMgPerKgPerHour, weightKg, totalMg, minutes, route, bpBefore, bpAfter,
            bpDischarge
        /// The infusion's monitoring columns: heart rate, SpO2, monitoring time, concomitant medication and what was
        /// observed.
        case heartRate, spo2, monitoringMinutes, concomitant, sedation, dissociation, respiratoryDepression
        /// The columns of assessments, adverse events, co-interventions and course markers.
        case scale, timepoint, answers, term, grade, serious, resolved, kind, to, reason
        /// A co-intervention's note.
        case note
        /// The infusion's drug, fixed dose, rate steps (`AT=RATE;...`) and the time the patient
        /// was ready to leave.
        case drug, doseMg, rateSteps, readyToLeave

        /// The column's name in a file.
        public var name: String { ClinicalCSV.columns[rawValue] }

        /// The column with this name (lowercase, as a file's header is read).
        public init?(name: String) {
            guard let column = Column.byName[name] else { return nil }
            self = column
        }

        private static let byName = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })
    }

    /// One row's values by column, each trimmed of spaces and tabs, a spreadsheet's formula
    /// guard (`'`) taken off, and an empty value read as no value.
    public struct Fields: Sendable {
        fileprivate var values: [String?]
        /// Columns this format does not have that hold a value, by name (only a row given by name
        /// can have them; a file's header is checked first).
        fileprivate var unknown: [String] = []

        /// A file's row: `header[i]` is the column of `fields[i]`.
        public init(header: [Column], fields: [String]) {
            values = Array(repeating: nil, count: Column.allCases.count)
            for (column, text) in zip(header, fields) where !text.isEmpty {
                values[column.rawValue] = Fields.normalised(text)
            }
        }

        /// A row given as column name to text.
        public init(_ row: [String: String]) {
            values = Array(repeating: nil, count: Column.allCases.count)
            for (name, text) in row {
                if let column = Column(name: name) {
                    values[column.rawValue] = Fields.normalised(text)
                } else if Fields.normalised(text) != nil {
                    unknown.append(name)
                }
            }
            unknown.sort()
        }

        /// The row's value in `column`, trimmed; `nil` when it is empty.
        public subscript(column: Column) -> String? { values[column.rawValue] }

        private static func normalised(_ text: String) -> String? {
            let text = text.trimmedSpaces
            guard !text.isEmpty else { return nil }
            // `export-csv` writes a value a spreadsheet would run as a formula with a leading `'`.
            if text.utf8.first == UInt8(ascii: "'"), let next = text.dropFirst().first, "=+-@".contains(next) {
                return String(text.dropFirst())
            }
            return text
        }
    }

    /// The record types and the columns each one takes (`record` and `mrn` aside), required first.
    public static let recordColumns: [String: (required: [String], optional: [String])] = [
        "enrolment": (
            ["on", "given", "family", "birth-date", "sex", "condition"], ["research-consent", "prior-treatment"]
        ),
        "infusion": (
            ["on", "minutes"],
            [
                "for", "dose-mg-per-kg", "rate-mg-per-kg-per-hour", "at", "weight-kg", "total-mg", "route", "bp-before",
                "bp-after", "bp-discharge",
                "heart-rate", "spo2", "monitoring-minutes", "concomitant", "sedation", "dissociation",
                "respiratory-depression", "drug", "dose-mg", "rate-steps", "ready-to-leave",
            ]
        ),
        "assessment": (["on", "scale", "timepoint", "answers"], []),
        "adverse-event": (["on", "term", "grade"], ["serious", "resolved"]),
        "co-intervention": (["on", "kind"], ["to", "note"]),
        "course-start": (["on"], ["for", "kind", "reason"]),
        "course-end": (["on", "reason"], ["for"]),
    ]

    /// One row, read and checked.
    public enum Record: Sendable {
        /// An enrolment: the patient's identity, sex, conditions, consent and prior treatments, checked against the
        /// catalog.
        case enrolment(Enrollment)
        /// An infusion of the patient with this MRN, checked.
        case infusion(mrn: String, InfusionEntry)
        /// A scored assessment of the patient with this MRN, with its date (never in the future) and timepoint.
        case assessment(mrn: String, ScoredAssessment, on: ClinicalDate, timepoint: Timepoint)
        /// An adverse event of the patient with this MRN, checked.
        case adverseEvent(mrn: String, AdverseEventEntry)
        /// A co-intervention of the patient with this MRN, checked.
        case coIntervention(mrn: String, CoInterventionEntry)
        /// `ketareg course start|end`: the condition (`nil`: the patient's only one), the day, the
        /// kind of course a start opens, and why.
        case courseMarker(
            mrn: String, CourseMarker.Kind, condition: String?, on: ClinicalDate, courseKind: CourseKind?,
            reason: String?)
    }

    /// Why a row was refused: the column and the sentence.
    public struct RowError: Error, Sendable, Hashable {
        /// The column at fault, as a file names it (`dose-mg-per-kg`, `record`).
        public let column: String
        /// What is wrong, in a sentence (`'abc' is not allowed; expected a number`).
        public let message: String
    }

    /// Reads one row (column name to text) into a checked record, with the same validation as the
    /// single commands.
    public static func record(_ row: [String: String], catalog: ConditionCatalog, today: ClinicalDate) throws(RowError)
        -> Record
    {
        try record(Fields(row), catalog: catalog, today: today)
    }

    /// Reads one row into a checked record, with the same validation as the single commands.
    public static func record(_ row: Fields, catalog: ConditionCatalog, today: ClinicalDate) throws(RowError) -> Record
    {
        func value(_ column: Column) -> String? { row[column] }
        let kind = (value(.record) ?? "").lowercased()
        let type = kind == "enrollment" ? "enrolment" : kind
        guard let spec = recordColumns[type], let layout = layouts[type] else {
            throw RowError(
                column: "record",
                message:
                    "'\(InputError.quote(kind))' is not a record type; expected one of \(recordColumns.keys.sorted().joined(separator: ", "))"
            )
        }
        guard let mrn = value(.mrn) else { throw RowError(column: "mrn", message: "every row needs the patient's MRN") }
        for column in layout.required where value(column) == nil {
            throw RowError(
                column: column.name,
                message:
                    "a\(type.first == "a" || type.first == "e" || type.first == "i" ? "n" : "") \(type) row needs a value here"
            )
        }
        // The first column with a value that this record type does not take, in column order.
        if let stray = Column.allCases.first(where: { !layout.allowed[$0.rawValue] && value($0) != nil })?.name
            ?? row.unknown.first
        {
            throw RowError(
                column: stray,
                message:
                    "does not apply to \(type) rows; leave it empty (\(type) rows take \((spec.required + spec.optional).joined(separator: ", ")))"
            )
        }

        do {
            let date = try ClinicalDate.parse(value(.on)!, field: "on")
            switch type {
            case "enrolment":
                let consent = try yesNo(value(.researchConsent), column: "research-consent")
                let enrollment = Enrollment(
                    identity: PatientIdentity(
                        mrn: mrn, givenName: value(.given)!, familyName: value(.family)!,
                        birthDate: try ClinicalDate.parse(value(.birthDate)!, field: "birth-date")),
                    sex: try Sex.parse(value(.sex)!, field: "sex"),
                    conditions: list(value(.condition)).map { $0.lowercased() },
                    enrolledOn: date, researchConsent: consent,
                    priorTreatments: try list(value(.priorTreatment)).map { text throws(InputError) in
                        try PriorTreatment.parse(text)
                    })
                return .enrolment(try enrollment.validated(against: catalog, today: today))
            case "infusion":
                let dosing: Dosing
                let given = [Column.doseMgPerKg, .doseMg, .rateMgPerKgPerHour].filter { value($0) != nil }
                guard given.count == 1 else {
                    throw RowError(
                        column: given.count > 1 ? given[1].name : "dose-mg-per-kg",
                        message:
                            "an infusion row needs one of dose-mg-per-kg (a dose by weight), dose-mg (a fixed dose) or rate-mg-per-kg-per-hour (a continuous infusion)"
                            + (given.count > 1 ? ", not \(given.map(\.name).joined(separator: " and "))" : ""))
                }
                let amount = try number(value(given[0])!, column: given[0].name)
                switch given[0] {
                case .doseMg: dosing = .fixed(mg: amount)
                case .rateMgPerKgPerHour: dosing = .rate(mgPerKgPerHour: amount)
                default: dosing = .dose(mgPerKg: amount)
                }
                // `for` lists the conditions (`depression;neuropathic-pain`): the first, then the
                // others it was given for as well.
                let conditions = (value(.for) ?? "").split(separator: ";").map {
                    String($0).trimmedWhitespace.lowercased()
                }
                .filter { !$0.isEmpty }
                var entry = InfusionEntry(
                    condition: conditions.first, date: date, dosing: dosing,
                    minutes: try wholeNumber(value(.minutes)!, column: "minutes"))
                entry.alsoFor = Array(conditions.dropFirst())
                entry.time = try value(.at).map { text throws(InputError) in try ClockTime.parse(text, field: "at") }
                entry.weightKg = try value(.weightKg).map { text throws(RowError) in
                    try number(text, column: "weight-kg")
                }
                entry.totalMg = try value(.totalMg).map { text throws(RowError) in try number(text, column: "total-mg")
                }
                if let drug = value(.drug) {
                    entry.drug = try Drug.parse(drug, field: "drug")
                    if entry.drug == .esketamine { entry.route = .intranasal }
                }
                if let route = value(.route) { entry.route = try InfusionRoute.parse(route, field: "route") }
                entry.rateSteps = try list(value(.rateSteps)).map { text throws(InputError) in
                    try RateStep.parse(text, of: entry, field: "rate-steps")
                }
                entry.readyToLeave = try value(.readyToLeave).map { text throws(InputError) in
                    try ClockTime.parse(text, field: "ready-to-leave")
                }
                entry.bloodPressureBefore = try value(.bpBefore).map { text throws(InputError) in
                    try BloodPressure.parse(text, field: "bp-before")
                }
                entry.bloodPressureAfter = try value(.bpAfter).map { text throws(InputError) in
                    try BloodPressure.parse(text, field: "bp-after")
                }
                entry.bloodPressureAtDischarge = try value(.bpDischarge).map { text throws(InputError) in
                    try BloodPressure.parse(text, field: "bp-discharge")
                }
                entry.heartRate = try value(.heartRate).map { text throws(RowError) in
                    try wholeNumber(text, column: "heart-rate")
                }
                entry.oxygenSaturation = try value(.spo2).map { text throws(RowError) in
                    try wholeNumber(text, column: "spo2")
                }
                entry.monitoringMinutes = try value(.monitoringMinutes).map { text throws(RowError) in
                    try wholeNumber(text, column: "monitoring-minutes")
                }
                entry.concomitantMedication = list(value(.concomitant))
                entry.sedation = try yesNo(value(.sedation), column: "sedation")
                entry.dissociation = try yesNo(value(.dissociation), column: "dissociation")
                entry.respiratoryDepression = try yesNo(value(.respiratoryDepression), column: "respiratory-depression")
                return .infusion(mrn: mrn, try entry.validated(today: today))
            case "assessment":
                let scaleID = value(.scale)!.lowercased()
                guard let scale = catalog.scale(scaleID) else {
                    throw RowError(
                        column: "scale",
                        message: CatalogError.noSuchScale(id: scaleID, known: catalog.scaleIDs).description)
                }
                let text = value(.answers)!
                let answers: [Int?]
                do {
                    answers = try scale.parseAnswers(text)
                } catch {
                    throw RowError(column: "answers", message: error.description)
                }
                let scored: ScoredAssessment
                do { scored = try catalog.assess(scale: scaleID, answers: answers) } catch {
                    throw RowError(column: "answers", message: "\(error)")
                }
                return .assessment(
                    mrn: mrn, scored, on: try date.notInFuture(field: "on", today: today),
                    timepoint: try Timepoint.parse(value(.timepoint)!, field: "timepoint"))
            case "adverse-event":
                let entry = AdverseEventEntry(
                    term: try AdverseEventTerm.parse(value(.term)!, field: "term"),
                    grade: try AdverseEventGrade.parse(value(.grade)!, field: "grade"),
                    serious: try yesNo(value(.serious), column: "serious"), onset: date,
                    resolvedOn: try value(.resolved).map { text throws(InputError) in
                        try ClinicalDate.parse(text, field: "resolved")
                    })
                return .adverseEvent(mrn: mrn, try entry.validated(today: today))
            case "course-start", "course-end":
                var courseKind: CourseKind?
                if type == "course-start", let kind = value(.kind) {
                    guard let parsed = CourseKind(rawValue: kind.lowercased()) else {
                        throw RowError(
                            column: "kind",
                            message: "'\(InputError.quote(kind))' is not allowed; expected induction or re-treatment")
                    }
                    courseKind = parsed
                }
                return .courseMarker(
                    mrn: mrn, type == "course-start" ? .start : .end, condition: value(.for)?.lowercased(),
                    on: try date.notInFuture(field: "on", today: today), courseKind: courseKind, reason: value(.reason))
            default:
                let entry = CoInterventionEntry(
                    kind: try CoInterventionKind.parse(value(.kind)!, field: "kind"), from: date,
                    to: try value(.to).map { text throws(InputError) in try ClinicalDate.parse(text, field: "to") },
                    note: value(.note))
                return .coIntervention(mrn: mrn, try entry.validated(today: today))
            }
        } catch let error as InputError {
            // The single commands' field names, as this format's columns.
            let column =
                ["enrolled-on": "on", "onset": "on", "from": "on", "given": "given", "family": "family"][error.field]
                ?? error.field
            throw RowError(
                column: column, message: error.refusal)
        } catch let error as RowError {
            throw error
        } catch {
            throw RowError(column: "record", message: "\(error)")
        }
    }

    /// Each record type's required columns, and whether it takes each column (`record` and `mrn`
    /// included): worked out once.
    private static let layouts: [String: (required: [Column], allowed: [Bool])] = recordColumns.mapValues { spec in
        var allowed = Array(repeating: false, count: Column.allCases.count)
        for name in ["record", "mrn"] + spec.required + spec.optional { allowed[Column(name: name)!.rawValue] = true }
        return (spec.required.map { Column(name: $0)! }, allowed)
    }

    private static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ";").map { $0.trimmedSpaces }.filter { !$0.isEmpty }
    }

    private static func yesNo(_ text: String?, column: String) throws(RowError) -> Bool {
        switch (text ?? "").lowercased() {
        case "", "no", "n", "0", "false": return false
        case "yes", "y", "1", "true": return true
        default:
            throw RowError(column: column, message: "'\(InputError.quote(text!))' is not allowed; expected yes or no")
        }
    }

    private static func number(_ text: String, column: String) throws(RowError) -> Double {
        guard let value = Double(text), value.isFinite else {
            throw RowError(column: column, message: "'\(InputError.quote(text))' is not allowed; expected a number")
        }
        return value
    }

    /// A whole number that fits an `Int`: `1e30` is refused here rather than trapping on conversion.
    private static func wholeNumber(_ text: String, column: String) throws(RowError) -> Int {
        guard let value = Double(text), value.isFinite, value == value.rounded(), abs(value) <= 1e9 else {
            throw RowError(
                column: column, message: "'\(InputError.quote(text))' is not allowed; expected a whole number")
        }
        return Int(value)
    }
}
