import Depression
import Foundation
import Migraine
import NeuropathicPain
import PayloadFormat
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

@testable import RegistryExport

let catalog = try! ConditionCatalog([MigraineModule(), DepressionModule(), NeuropathicPainModule()])

/// A consenting depression patient whose PHQ-9 goes from `baseline` to `end` over an induction.
func patient(
    _ row: Int64, age: Int? = 40, sex: Sex = .female, baseline: Int = 18, end: Int? = 8,
    adverse: [PatientHistory.AdverseEvent] = [], coInterventions: [CoInterventionKind] = [], route: InfusionRoute? = nil
) -> ExportPatient {
    let dayZero = ClinicalDate(year: 2026, month: 1, day: 1)!
    func phq9(_ total: Int) -> [Int?] {
        var left = total
        return (0..<9).map { _ in
            let value = min(3, left)
            left -= value
            return value
        }
    }
    var assessments = [
        PatientHistory.Assessment(
            scale: "phq9", date: dayZero.adding(days: -1), timepoint: .baseline, score: Double(baseline))
    ]
    if let end {
        assessments.append(
            PatientHistory.Assessment(
                scale: "phq9", date: dayZero.adding(days: 20), timepoint: .postInfusion, score: Double(end)))
    }
    _ = phq9
    return ExportPatient(
        rowID: row, sex: sex, ageAtDayZero: age,
        history: PatientHistory(
            patient: "P-\(row)", conditions: ["depression"], enrolledOn: dayZero.adding(days: -5),
            infusions: [0, 3, 7, 10, 14, 17].map {
                PatientHistory.Infusion(
                    condition: "depression", date: dayZero.adding(days: $0), minutes: 40,
                    doseMgPerKg: route == nil ? nil : 0.5, route: route)
            },
            assessments: assessments, adverseEvents: adverse, coInterventions: coInterventions))
}

@Suite("Pseudonyms and age bands")
struct PseudonymTests {
    @Test(
        "Pseudonyms and digests are the published HMAC-SHA-256 and SHA-256 in lower-case hex, so releases stay joinable across versions"
    )
    func knownVectors() {
        // Worked out independently with Python's hmac and hashlib.
        #expect(
            Pseudonymizer(secret: Data(repeating: 7, count: 32), endpoint: "net").pseudonym(for: 42)
                == "918d358e4736c4dae92ae1b4e2f245ee")
        // One pseudonymizer used again and again (it copies its keyed state for each id).
        let shared = Pseudonymizer(secret: Data(repeating: 7, count: 32), endpoint: "net")
        for (id, expected) in [
            (1, "a2b9cf776047fba36d647d8a33899be0"), (42, "918d358e4736c4dae92ae1b4e2f245ee"),
            (-5, "88d08b2d3301343141f78fc10a777531"),
            (Int64.max, "8babf2c7cd8ebfb9e1438b041f0a6536"), (1, "a2b9cf776047fba36d647d8a33899be0"),
        ] as [(Int64, String)] {
            #expect(shared.pseudonym(for: id) == expected)
        }
        #expect(sha256Hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            ClinicalDate(year: 2026, month: 3, day: 5)?.description == "2026-03-05"
                && ClinicalDate(year: 1900, month: 12, day: 31)?.description == "1900-12-31")
    }

    @Test("A patient keeps one pseudonym at one endpoint; two endpoints get pseudonyms that cannot be joined")
    func pseudonyms() {
        let secret = Data((0..<32).map { UInt8($0) })
        let network = Pseudonymizer(secret: secret, endpoint: "network")
        let other = Pseudonymizer(secret: secret, endpoint: "other")
        #expect(network.pseudonym(for: 42) == network.pseudonym(for: 42))
        #expect(network.pseudonym(for: 42) != network.pseudonym(for: 43))
        #expect(network.pseudonym(for: 42) != other.pseudonym(for: 42))
        #expect(network.pseudonym(for: 42).count == 32)
        #expect(network.pseudonym(for: 42).allSatisfy { $0.isHexDigit })
        #expect(
            Pseudonymizer(secret: Data(repeating: 7, count: 32), endpoint: "network").pseudonym(for: 42)
                != network.pseudonym(for: 42))
    }

    @Test(
        "Age bands at every boundary; every age above 89 folds into one",
        arguments: [
            (17, "under-18"), (18, "18-24"), (24, "18-24"), (25, "25-34"), (34, "25-34"), (35, "35-44"), (74, "65-74"),
            (75, "75-84"), (84, "75-84"), (85, "85-89"), (89, "85-89"), (90, "90-and-over"), (104, "90-and-over"),
        ])
    func ageBands(age: Int, band: String) {
        #expect(AgeBand.band(for: age) == band)
    }
}

@Suite("Summary profile")
struct SummaryTests {
    func build(_ patients: [ExportPatient], k: Int = 11) -> SummaryPayload {
        SummaryBuilder.build(
            patients: patients, conditions: catalog.conditions, clinic: "Test", period: "2026-11", minimumCellSize: k,
            generator: "test", asOf: testToday)
    }

    @Test("Counts of at least k are shown with their rates")
    func shown() throws {
        // 30 patients: 20 responders (18 -> 8), 10 not (18 -> 12)... 10 is below 11, so met and not-met go together.
        let patients = (1...30).map { patient(Int64($0), end: $0 <= 15 ? 8 : 12) }
        let depression = try #require(build(patients).conditions.first { $0.condition == "depression" })
        #expect(depression.patients == 30)
        let response = try #require(depression.outcomes.first { $0.outcome == "response" && $0.window == .immediate })
        #expect(response.eligible == 30 && response.assessed == 30 && response.met == 15)
        #expect(response.rate == 0.5)
        let baseline = try #require(
            depression.scales.first { $0.scale == "phq9" }?.timepoints.first { $0.timepoint == "baseline" })
        #expect(baseline.patients == 30 && baseline.mean == 18 && baseline.median == 18)
        let end = try #require(
            depression.scales.first { $0.scale == "phq9" }?.timepoints.first { $0.timepoint == "end-of-course" })
        #expect(end.meanChangeFromBaseline == -8)
        #expect(end.q1 == 8 && end.q3 == 12)
        let treatment = try #require(depression.treatment)
        #expect(treatment.infusions == 180 && treatment.medianInfusionsPerPatient == 6)
        // the test patients' infusions name no route
        #expect(treatment.routes == [] && treatment.routesSuppressed == false)
    }

    @Test("A small 'met' cell hides 'met', its complement and every rate; a small 'missing' hides 'assessed' too")
    func complementarySuppression() throws {
        // 25 patients, 5 responders: met 5 is small, so met (and not-met, derivable from assessed) go.
        let few = (1...25).map { patient(Int64($0), end: $0 <= 5 ? 8 : 12) }
        let row = try #require(
            build(few).conditions.first { $0.condition == "depression" }?.outcomes.first {
                $0.outcome == "response" && $0.window == .immediate
            })
        #expect(row.met == nil && row.rate == nil && row.rateMissingAsNonResponse == nil)
        #expect(row.assessed == 25 && row.suppressed)
        // 22 responders of 25: not-met 3 is small, and would be assessed - met: both go.
        let most = (1...25).map { patient(Int64($0), end: $0 <= 22 ? 8 : 12) }
        let other = try #require(
            build(most).conditions.first { $0.condition == "depression" }?.outcomes.first {
                $0.outcome == "response" && $0.window == .immediate
            })
        #expect(other.met == nil && other.rate == nil)
        // 4 of 25 have no end-of-course score: missing is small, so assessed goes with it, and
        // eligible too, in every row of the scale, with the end-of-course patients (which count
        // the assessed again); the baseline stays.
        let missing = (1...25).map { patient(Int64($0), end: $0 <= 4 ? nil : 8) }
        let depression = try #require(build(missing).conditions.first { $0.condition == "depression" })
        let third = try #require(depression.outcomes.first { $0.outcome == "response" && $0.window == .immediate })
        #expect(third.assessed == nil && third.missing == nil && third.met == nil && third.eligible == nil)
        #expect(
            depression.outcomes.allSatisfy {
                $0.eligible == nil && $0.assessed == nil && $0.missing == nil && $0.suppressed
            })
        let points = try #require(depression.scales.first { $0.scale == "phq9" }?.timepoints)
        #expect(points.first { $0.timepoint == "baseline" }?.patients == 25)
        #expect(
            points.first { $0.timepoint == "end-of-course" }.map { $0.patients == nil && $0.suppressed && $0.mean == 8 }
                == true)
    }

    @Test(
        "A shown pair's true parts are both 0 or at least k, and every count shown is a multiple of the rounding base")
    func nothingRecoverable() throws {
        for split in [1, 5, 10, 12, 13, 17, 18, 20, 29] {
            let patients = (1...30).map { patient(Int64($0), end: $0 <= split ? 8 : 12) }
            for row in try #require(build(patients).conditions.first { $0.condition == "depression" }).outcomes
            where row.outcome == "response" && row.window == .immediate {
                // True counts: met is `split`, not met 30 - split.
                // Shown only when all a rounded count could stand for is at least 11: 13 and up.
                if row.met != nil {
                    for part in [split, 30 - split] { #expect(part == 0 || part >= 13, "split \(split): \(row)") }
                }
                for count in [row.eligible, row.assessed, row.missing, row.met].compactMap({ $0 }) {
                    #expect(count % 5 == 0, "split \(split): \(row)")
                }
                if row.met == nil { #expect(row.rate == nil && row.rateMissingAsNonResponse == nil) }
                if let met = row.met, let assessed = row.assessed { #expect(row.rate == roundedRate(met, assessed)) }
            }
        }
    }

    @Test(
        "Counts are rounded to the nearest multiple of 5 (of k below 5), and shown only when all they could stand for is at least k",
        arguments: [
            (11, 5, 12, nil), (11, 5, 13, 15), (11, 5, 17, 15), (11, 5, 18, 20), (5, 5, 7, nil), (5, 5, 8, 10),
            (3, 3, 4, nil), (3, 3, 5, 6),
            (2, 2, 2, nil), (2, 2, 3, 4),
        ] as [(Int, Int, Int, Int?)])
    func rounding(k: Int, base: Int, count: Int, shown: Int?) throws {
        #expect(SummaryBuilder.roundingBase(minimumCellSize: k) == base)
        let condition = try #require(
            build((1...count).map { patient(Int64($0)) }, k: k).conditions.first { $0.condition == "depression" })
        #expect(condition.patients == shown && condition.suppressed == (shown == nil))
        if let shown {
            let baseline = try #require(condition.scales.first?.timepoints.first { $0.timepoint == "baseline" })
            #expect(baseline.patients == shown && baseline.mean == 18)
        }
    }

    @Test("Routes are shown only when no route is a small cell; doses are summarised")
    func routes() throws {
        let all = (1...30).map { patient(Int64($0), route: $0 <= 14 ? .iv : .intranasal) }
        let shown = try #require(build(all).conditions.first { $0.condition == "depression" }?.treatment)
        #expect(
            // 14 and 16, rounded
            shown.routes == [RouteSummary(route: "iv", patients: 15), RouteSummary(route: "intranasal", patients: 15)])
        #expect(shown.medianDoseMgPerKg == 0.5)
        let few = (1...24).map { patient(Int64($0), route: $0 <= 21 ? .iv : .intranasal) }
        let hidden = try #require(build(few).conditions.first { $0.condition == "depression" }?.treatment)
        #expect(hidden.routes.isEmpty && hidden.routesSuppressed)
    }

    @Test("A condition with fewer than k patients is one suppressed cell; adverse events under k are hidden")
    func smallConditions() throws {
        let payload = build((1...5).map { patient(Int64($0)) })
        let depression = try #require(payload.conditions.first { $0.condition == "depression" })
        #expect(depression.suppressed && depression.patients == nil && depression.outcomes.isEmpty)
        let many = (1...20).map {
            patient(
                Int64($0), adverse: $0 <= 3 ? [.init(term: .nausea, grade: .mild, serious: false)] : [],
                coInterventions: $0 <= 13 ? [.yoga] : [])
        }
        let condition = try #require(build(many).conditions.first { $0.condition == "depression" })
        #expect(
            condition.adverseEvents == [
                AdverseEventSummary(
                    term: "nausea", grade: "mild", patients: nil, events: nil, serious: nil, suppressed: true)
            ])
        // 13, rounded
        #expect(condition.coInterventions == [CoInterventionSummary(kind: "yoga", patients: 15, suppressed: false)])
    }
}

@Suite("Records profile")
struct RecordsTests {
    let pseudonyms = Pseudonymizer(secret: Data(repeating: 1, count: 32), endpoint: "network")

    @Test(
        "Groups of at least k are released as they are; smaller ones generalised, then withheld, and the payload says so"
    )
    func kAnonymity() throws {
        var patients = (1...6).map { patient(Int64($0), age: 40, sex: .female) }  // 35-44 female: 6, kept
        patients += (7...9).map { patient(Int64($0), age: 27, sex: .male) }  // 25-34 male: 3 ...
        // 18-24 male: 2 -> with the 3, 18-44 male: 5
        patients += (10...11).map { patient(Int64($0), age: 20, sex: .male) }
        patients += [patient(12, age: 70, sex: .other), patient(13, age: 50, sex: .male)]  // alone: withheld
        let payload = try RecordsBuilder.build(
            patients: patients, catalog: catalog, pseudonyms: pseudonyms, clinic: nil, period: "2026-11", k: 5,
            generator: "t")
        #expect(payload.generalisedPatients == 5)
        #expect(payload.withheldPatients == 2)
        #expect(payload.withheldRows == 2 * (2 + 6))
        let groups = Dictionary(grouping: payload.patients, by: { "\($0.ageBand)|\($0.sex)|\($0.conditions)" })
            .mapValues(\.count)
        #expect(groups.values.allSatisfy { $0 >= 5 })
        #expect(Set(groups.keys) == ["35-44|female|[\"depression\"]", "18-44|male|[\"depression\"]"])
        #expect(payload.generalisation.map(\.patients) == [6, 5, 0, 0, 0, 0, 0])
        #expect(payload.assessments.allSatisfy { $0.patient.count == 32 })
        // Weeks, never days: the baseline on day -1 is in week -1, the last infusion (day 17) in week 2.
        #expect(payload.assessments.compactMap(\.week).min() == -1)
        #expect(payload.infusions.compactMap(\.week).max() == 2)
    }
}

@Suite("Records: everything joinable is shared by k patients")
struct RecordsLinkageTests {
    let pseudonyms = Pseudonymizer(secret: Data(repeating: 2, count: 32), endpoint: "network")

    /// A depression patient with infusions on `days` at `dose` mg/kg for `minutes`.
    func treated(_ row: Int64, days: [Int], dose: Double = 0.5, minutes: Int = 40, age: Int = 40) -> ExportPatient {
        let dayZero = ClinicalDate(year: 2026, month: 1, day: 1)!
        return ExportPatient(
            rowID: row, sex: .female, ageAtDayZero: age,
            history: PatientHistory(
                patient: "P-\(row)", conditions: ["depression"], enrolledOn: dayZero,
                infusions: days.map {
                    PatientHistory.Infusion(
                        condition: "depression", date: dayZero.adding(days: $0), minutes: minutes, doseMgPerKg: dose,
                        route: .iv)
                },
                assessments: [
                    PatientHistory.Assessment(
                        scale: "phq9", date: dayZero, timepoint: .baseline, score: Double(10 + row % 10))
                ]))
    }

    @Test(
        "Each step is taken only by the patients the ones before could not place: as recorded, then without weeks, then treatment withheld"
    )
    func ladder() throws {
        var patients = (1...5).map { treated($0, days: [0, 3, 7, 10, 14, 17]) }  // the same weeks: as recorded
        // six infusions, each in other weeks
        patients += (6...10).map { treated($0, days: [0, 7 * (Int($0) - 4), 70, 71, 72, 90]) }
        // 11 to 15 infusions: only assessments
        patients += (11...15).map { treated($0, days: Array(stride(from: 0, to: Int($0) * 3, by: 3))) }
        patients.append(treated(16, days: [0, 3], dose: 1.5, minutes: 300, age: 90))  // alone at every step
        let payload = try RecordsBuilder.build(
            patients: patients, catalog: catalog, pseudonyms: pseudonyms, clinic: nil, period: "2026-11", k: 5,
            generator: "t")
        #expect(
            payload.generalisation
                == zip(RecordsGeneralisation.steps, [5, 0, 5, 0, 0, 0, 5]).map {
                    GeneralisationCount(step: $0, patients: $1)
                })
        #expect(payload.withheldPatients == 1)
        #expect(payload.withheldRows == 2 + 1 + (11...15).reduce(0) { $0 + $1 })
        let detail = Dictionary(uniqueKeysWithValues: payload.patients.map { ($0.patient, $0.detail) })
        #expect(payload.infusions.allSatisfy { detail[$0.patient] != "treatment-withheld" })
        #expect(payload.infusions.allSatisfy { ($0.week == nil) == (detail[$0.patient] != "as-recorded") })
        #expect(payload.infusions.allSatisfy { $0.doseMgPerKg == "0.5-0.75" && $0.minutes == "1-40" })
        #expect(payload.assessments.count == 15)
        #expect(payload.infusions.count == 5 * 6 + 5 * 6)
    }

    @Test(
        "Bands at their edges: each includes its lower bound",
        arguments: [
            (0.05, "0.05-0.25"), (0.2499, "0.05-0.25"), (0.25, "0.25-0.5"), (0.5, "0.5-0.75"), (0.75, "0.75-1"),
            (1, "1-2"), (1.99, "1-2"), (2, "2-5"), (5, "2-5"),
        ])
    func doseBands(dose: Double, band: String) {
        #expect(RecordsGeneralisation.doseBand(dose) == band)
    }

    @Test("Rate, minutes and week bands at their edges")
    func otherBands() {
        #expect(
            [0.05, 0.25, 0.49, 0.5, 0.99, 1, 2].map(RecordsGeneralisation.rateBand) == [
                "0.05-0.25", "0.25-0.5", "0.25-0.5", "0.5-1", "0.5-1", "1-2", "1-2",
            ])
        #expect(
            [1, 40, 41, 60, 61, 120, 121, 1440, 1441, 10080].map(RecordsGeneralisation.minutesBand)
                == [
                    "1-40", "1-40", "41-60", "41-60", "61-120", "61-120", "121-1440", "121-1440", "1441-10080",
                    "1441-10080",
                ])
        #expect([-8, -7, -1, 0, 6, 7, 13, 14].map(RecordsGeneralisation.week) == [-2, -1, -1, 0, 0, 1, 1, 2])
    }
}
