import Foundation
import GRDB
import RegistryCore

/// What an import did (or, in a dry run, would do).
public struct ImportSummary: Sendable, Codable {
    /// The path of the file imported, as given.
    public let file: String
    /// Whether this was a dry run: every row was checked and written, then rolled back, so nothing
    /// was kept.
    public let dryRun: Bool
    /// Records read from the file, the header and blank lines not counted.
    public let rows: Int
    /// Patients enrolled by `enrolment` rows.
    public let enrolments: Int
    /// Infusions recorded by `infusion` rows.
    public let infusions: Int
    /// Assessments scored and recorded by `assessment` rows.
    public let assessments: Int
    /// Adverse events recorded by `adverse-event` rows.
    public let adverseEvents: Int
    /// Co-interventions recorded by `co-intervention` rows.
    public let coInterventions: Int
    /// Courses started or ended by hand.
    public let courseMarkers: Int
    /// How many safety flags the rows raised (in a dry run, would raise), for clinician review.
    public let flagsRaisedCount: Int
    /// The first of those flags, oldest first, up to ``Registry/importFlagsListed``: a file of
    /// years of history can raise hundreds of thousands, which `ketareg flag list --open` lists.
    /// In a dry run, those the rows would raise (their ids and record ids are then only what they
    /// would have been).
    public let flagsRaised: [SafetyFlagView]
}

/// Why an import was refused: the file, line and column, and what is wrong there. Nothing was
/// written.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    /// The file's name, without its folder.
    public let file: String
    /// The line of the file the refused record starts on; the header is line 1.
    public let line: Int
    /// The column at fault, by its name in the header; `nil` when the fault is the whole record or
    /// the file.
    public let column: String?
    /// What is wrong there, for the person who made the file.
    public let message: String

    /// The file, line, column and message in one sentence ending "nothing was imported": control
    /// characters escaped, a message over 600 characters cut short.
    public var description: String {
        // The column's name and the message come from the file: quoted short, control characters escaped.
        let said = escapingControlCharacters(message)
        return "\(file) line \(line)" + (column.map { ", column \(InputError.quote($0))" } ?? "") + ": "
            + (said.count > 600 ? String(said.prefix(597)) + "..." : said) + "; nothing was imported"
    }
}

extension Registry {
    /// The page cache of an import, in KiB: memory bounded whatever the file's size.
    static let importCacheKiB = 64 * 1024

    /// How many of the flags an import raised its summary lists.
    public static let importFlagsListed = 1_000

    /// Imports a long-format CSV file (``ClinicalCSV``) all or nothing, in one transaction, with
    /// the same validation, audit rows and safety flags as the single commands. Rows are read and
    /// written one at a time, so memory does not grow with the file. A dry run checks and writes
    /// everything, then rolls back. `progress` is called every `progressEvery` rows with the number
    /// done; the summary lists at most `listingFlagsUpTo` of the flags raised.
    ///
    /// Throws ``ImportError`` (file, line and column) for the first header or record refused, and
    /// ``RegistryError`` when the file cannot be read or the registry cannot be written; nothing is
    /// kept when it throws.
    public func importCSV(
        path: String, catalog: ConditionCatalog, actor: String, dryRun: Bool,
        listingFlagsUpTo flagLimit: Int = importFlagsListed,
        progressEvery: Int = 10_000, progress: (Int) -> Void = { _ in }
    ) throws -> ImportSummary {
        var reader = try CSVReader(path: path)
        let file = (path as NSString).lastPathComponent
        func fail(_ line: Int, _ column: String?, _ message: String) -> ImportError {
            ImportError(file: file, line: line, column: column, message: message)
        }
        let header: [String]
        do {
            guard let first = try reader.next() else {
                throw fail(1, nil, "the file is empty; the first line must name the columns")
            }
            header = first.fields.map { $0.trimmedWhitespace.lowercased() }
        } catch let error as CSVReaderError {
            throw fail(error.line, nil, error.message)
        }
        for column in header where !ClinicalCSV.columns.contains(column) {
            throw fail(1, column, "unknown column; the columns are \(ClinicalCSV.columns.joined(separator: ", "))")
        }
        for column in ["record", "mrn"] where !header.contains(column) {
            throw fail(1, column, "the header must include '\(column)'")
        }
        if let duplicate = header.first(where: { column in header.filter { $0 == column }.count > 1 }) {
            throw fail(1, duplicate, "the column appears twice")
        }
        let columns = header.compactMap(ClinicalCSV.Column.init(name:))

        var counts = [String: Int]()
        var rows = 0
        // Patients by MRN: their row id and conditions. Grows with patients, not with rows.
        var patients: [String: (id: Int64, conditions: [String])] = [:]
        var flagsRaised: [SafetyFlagView] = []
        var flagsRaisedCount = 0
        do {
            try pool.writeWithoutTransaction { db in
                // A larger page cache while the import runs. With SQLite's default (2 MiB), rows
                // that go to patients here and there (a file in date order, say) dirty index pages
                // all over, and the cache spills them to the WAL again and again before the commit.
                let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
                try db.execute(sql: "PRAGMA cache_size = -\(Self.importCacheKiB)")
                defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
                // The audit chain's head and the statements are kept in memory while this
                // transaction writes (``ImportTransaction``).
                try db.inTransaction {
                    try ImportTransaction.$current.withValue(ImportTransaction(db)) {
                        let lastFlag = try Int64.fetchOne(db, sql: "SELECT max(id) FROM safety_flag") ?? 0
                        let lastInfusion = try Int64.fetchOne(db, sql: "SELECT max(id) FROM infusion") ?? 0
                        let rules = try vitalRules(db)
                        func patient(_ mrn: String, line: Int) throws -> (id: Int64, conditions: [String]) {
                            if let known = patients[mrn] { return known }
                            guard
                                let id = try Int64.fetchOne(
                                    db, sql: "SELECT patient_id FROM patient_identity WHERE mrn = ?", arguments: [mrn])
                            else {
                                throw fail(
                                    line, "mrn",
                                    "no patient with this MRN is enrolled, in the registry or earlier in the file (enrol them with an enrolment row first)"
                                )
                            }
                            let found = (id, try conditions(db, patient: id))
                            patients[mrn] = found
                            return found
                        }
                        while let (line, fields) = try reader.next() {
                            guard fields.count == header.count else {
                                throw fail(
                                    line, nil,
                                    "\(fields.count) field\(fields.count == 1 ? "" : "s") where the header has \(header.count)"
                                )
                            }
                            let record: ClinicalCSV.Record
                            do {
                                record = try ClinicalCSV.record(
                                    ClinicalCSV.Fields(header: columns, fields: fields), catalog: catalog, today: today)
                            } catch let error as ClinicalCSV.RowError {
                                throw fail(line, error.column, error.message)
                            }
                            do {
                                switch record {
                                case .enrolment(let enrollment):
                                    let id = try insertEnrollment(db, enrollment, actor: actor)
                                    patients[enrollment.identity.mrn] = (id, enrollment.conditions)
                                    counts["enrolment", default: 0] += 1
                                case .infusion(let mrn, let entry):
                                    let found = try patient(mrn, line: line)
                                    _ = try insertInfusion(
                                        db, entry, patient: found.id, actor: actor, conditions: found.conditions,
                                        rules: rules, refreshingAge: false)
                                    counts["infusion", default: 0] += 1
                                case .assessment(let mrn, let scored, let date, let timepoint):
                                    let found = try patient(mrn, line: line)
                                    _ = try insertAssessment(
                                        db, scored, patient: found.id, enrolledFor: found.conditions, on: date,
                                        timepoint: timepoint, actor: actor)
                                    counts["assessment", default: 0] += 1
                                case .adverseEvent(let mrn, let entry):
                                    _ = try insertAdverseEvent(
                                        db, entry, patient: patient(mrn, line: line).id, infusion: nil, actor: actor)
                                    counts["adverse-event", default: 0] += 1
                                case .coIntervention(let mrn, let entry):
                                    _ = try insertCoIntervention(
                                        db, entry, patient: patient(mrn, line: line).id, actor: actor)
                                    counts["co-intervention", default: 0] += 1
                                case .courseMarker(
                                    let mrn, let kind, let condition, let date, let courseKind, let reason):
                                    _ = try insertCourseMarker(
                                        db, kind, patient: patient(mrn, line: line).id, condition: condition, on: date,
                                        courseKind: courseKind, reason: reason, catalog: catalog, actor: actor)
                                    counts["course-marker", default: 0] += 1
                                }
                            } catch let error as RegistryError where error.kind == .refused {
                                // A field of the shared inserts is this format's column of that name.
                                var column: String?
                                if case .field(let name) = error.subject { column = name }
                                throw fail(line, column, error.message + error.remedies.map { "; \($0)" }.joined())
                            }
                            rows += 1
                            if rows % progressEvery == 0 { progress(rows) }
                        }
                        try refreshAgeAtDayZero(db, patientsWithInfusionsAfter: lastInfusion)
                        flagsRaisedCount =
                            try Int.fetchOne(
                                db, sql: "SELECT count(*) FROM safety_flag WHERE id > ?", arguments: [lastFlag]) ?? 0
                        flagsRaised = try Self.flagViews(
                            db, "WHERE id > ? ORDER BY id LIMIT ?", arguments: [lastFlag, max(0, flagLimit)])
                        return dryRun ? .rollback : .commit
                    }
                }
            }
        } catch let error as CSVReaderError {
            throw fail(error.line, nil, error.message)
        } catch let error as DatabaseError {
            throw RegistryError.storage(
                "cannot write to the registry at \(self.path): \(error.message ?? "\(error)"); nothing was imported")
        }
        return ImportSummary(
            file: path, dryRun: dryRun, rows: rows, enrolments: counts["enrolment"] ?? 0,
            infusions: counts["infusion"] ?? 0,
            assessments: counts["assessment"] ?? 0, adverseEvents: counts["adverse-event"] ?? 0,
            coInterventions: counts["co-intervention"] ?? 0, courseMarkers: counts["course-marker"] ?? 0,
            flagsRaisedCount: flagsRaisedCount, flagsRaised: flagsRaised)
    }

    /// Writes the clinic's records, identity included, in the long CSV format: an enrolment row
    /// per patient, then their events by date. Records entered in error are left out. Returns the
    /// number of rows written (without the header).
    public func exportCSV(catalog: ConditionCatalog, write: (String) throws -> Void) throws -> Int {
        try write(ClinicalCSV.columns.joined(separator: ",") + "\n")
        var count = 0
        func emit(_ values: [String: String]) throws {
            try write(ClinicalCSV.columns.map { csvField(values[$0] ?? "") }.joined(separator: ",") + "\n")
            count += 1
        }
        let ids = try read { try Int64.fetchAll($0, sql: "SELECT id FROM patient ORDER BY id") }
        for id in ids {
            // The history is built too, only to read every value it computes with as strictly as
            // outcomes and exports do: a damaged value stops the file rather than enter it.
            let page = try patientPageAndHistory(RecordID(kind: .patient, row: id)).page
            try emit([
                "record": "enrolment", "mrn": page.mrn, "on": page.enrolledOn, "given": page.givenName,
                "family": page.familyName,
                "birth-date": page.birthDate, "sex": page.sex.rawValue,
                "condition": page.conditions.joined(separator: ";"),
                "research-consent": page.researchConsent ? "yes" : "no",
                "prior-treatment": page.priorTreatments.map {
                    $0.category.rawValue + ($0.adequateTrials.map { ":\($0)" } ?? "")
                }.joined(separator: ";"),
            ])
            var events: [(date: String, order: Int, values: [String: String])] = []
            for infusion in page.infusions where !infusion.enteredInError {
                var values = [
                    "record": "infusion", "mrn": page.mrn,
                    "for": ([infusion.condition] + (infusion.alsoFor ?? [])).joined(separator: ";"), "on": infusion.on,
                    "minutes": String(infusion.minutes), "route": infusion.route.rawValue,
                    "sedation": infusion.sedation ? "yes" : "", "dissociation": infusion.dissociation ? "yes" : "",
                    "respiratory-depression": infusion.respiratoryDepression ? "yes" : "",
                    "concomitant": infusion.concomitantMedication.joined(separator: ";"),
                ]
                values["at"] = infusion.at
                values["dose-mg-per-kg"] = infusion.doseMgPerKg.map(formatScore)
                values["rate-mg-per-kg-per-hour"] = infusion.rateMgPerKgPerHour.map(formatScore)
                values["dose-mg"] = infusion.doseMg.map(formatScore)
                values["drug"] = infusion.drug == .ketamine ? nil : infusion.drug.rawValue
                values["rate-steps"] = infusion.rateSteps.map {
                    $0.map { "\($0.at)=\($0.rateMgPerKgPerHour)" }.joined(separator: ";")
                }
                values["ready-to-leave"] = infusion.readyToLeave
                values["weight-kg"] = infusion.weightKg.map(formatScore)
                values["total-mg"] = infusion.totalMg.map(formatScore)
                values["bp-before"] = infusion.bpBefore
                values["bp-after"] = infusion.bpAfter
                values["bp-discharge"] = infusion.bpDischarge
                values["heart-rate"] = infusion.heartRate.map(String.init)
                values["spo2"] = infusion.spo2.map(String.init)
                values["monitoring-minutes"] = infusion.monitoringMinutes.map(String.init)
                events.append((infusion.on, 0, values))
            }
            for event in page.adverseEvents where !event.enteredInError {
                var values = [
                    "record": "adverse-event", "mrn": page.mrn, "on": event.onset, "term": event.term.rawValue,
                    "grade": event.grade.rawValue,
                    "serious": event.serious ? "yes" : "no",
                ]
                values["resolved"] = event.resolvedOn
                events.append((event.onset, 1, values))
            }
            for assessment in page.assessments where !assessment.enteredInError {
                let scale = catalog.scale(assessment.scale)
                let answers = assessment.answers.enumerated().map { index, raw in
                    raw.map { scale?.items[index].display(rawAnswer: $0) ?? String($0) } ?? ""
                }
                events.append(
                    (
                        assessment.on, 2,
                        [
                            "record": "assessment", "mrn": page.mrn, "on": assessment.on, "scale": assessment.scale,
                            "timepoint": assessment.timepoint.rawValue, "answers": answers.joined(separator: ";"),
                        ]
                    ))
            }
            for item in page.coInterventions where !item.enteredInError {
                var values = [
                    "record": "co-intervention", "mrn": page.mrn, "on": item.from, "kind": item.kind.rawValue,
                ]
                values["to"] = item.to
                values["note"] = item.note
                events.append((item.from, 3, values))
            }
            for marker in page.courseEvents where !marker.enteredInError {
                var values = [
                    "record": "course-\(marker.kind.rawValue)", "mrn": page.mrn, "on": marker.on,
                    "for": marker.condition,
                ]
                values["kind"] = marker.courseKind?.rawValue
                values["reason"] = marker.reason
                // A course starts before that day's infusions and ends after them.
                events.append((marker.on, marker.kind == .start ? -1 : 4, values))
            }
            for event in events.sorted(by: { ($0.date, $0.order) < ($1.date, $1.order) }) { try emit(event.values) }
        }
        return count
    }
}
