import RegistryCore
import Testing

/// The day these tests take as today: fixed, never the machine's clock.
let fixedDay = ClinicalDate(year: 2026, month: 3, day: 10)!

@Suite("Clinical input")
struct ClinicalInputTests {
    @Test(
        "Real dates are read, impossible ones refused with the field named",
        arguments: ["2024-02-29", "2000-02-29", "2026-12-31", "1999-01-01"])
    func realDates(text: String) throws {
        #expect(try ClinicalDate.parse(text, field: "on").description == text)
    }

    @Test(
        "Impossible or malformed dates are refused",
        arguments: [
            "2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-1-5", "26-01-05", "05/01/2026",
            "", "2026-01-05T10:00",
            // Ten bytes, as stored dates are, read by the fast path:
            "2026-0a-01", "+026-01-01", "2026/01/01", "2026-02-30", "9999-01-01", "1899-12-31",
            "2026-01-0\u{0}", "２０２６-01-01", "2026--1-01",
        ])
    func impossibleDates(text: String) {
        #expect(throws: InputError(field: "on", got: text, allowed: "a real date as YYYY-MM-DD")) {
            try ClinicalDate.parse(text, field: "on")
        }
    }

    @Test("Spaces around a date are ignored, whatever its length")
    func paddedDates() throws {
        #expect(try ClinicalDate.parse(" 2026-01-05", field: "on").description == "2026-01-05")
        #expect(try ClinicalDate.parse("2026-01-05\t", field: "on").description == "2026-01-05")
    }

    @Test("'today' and 'yesterday' mean the day the program was given, never the machine's clock")
    func relativeWords() throws {
        #expect(try ClinicalDate.parse("Today", field: "on", today: fixedDay) == fixedDay)
        #expect(try ClinicalDate.parse("yesterday", field: "on", today: fixedDay) == fixedDay.adding(days: -1))
        // A library given no day cannot know what today is.
        #expect(throws: InputError.self) { try ClinicalDate.parse("today", field: "on") }
    }

    @Test("Day arithmetic round-trips and counts across leap days")
    func dayNumbers() throws {
        let date = try ClinicalDate.parse("2024-02-28", field: "d")
        #expect(date.adding(days: 2).description == "2024-03-01")
        #expect(ClinicalDate(dayNumber: 0).description == "1970-01-01")
        #expect(try ClinicalDate.parse("2025-01-01", field: "d").dayNumber - date.dayNumber == 308)
        #expect(
            try ClinicalDate.parse("1980-06-15", field: "d").age(on: ClinicalDate.parse("2026-06-14", field: "d")) == 45
        )
        #expect(
            try ClinicalDate.parse("1980-06-15", field: "d").age(on: ClinicalDate.parse("2026-06-15", field: "d")) == 46
        )
    }

    @Test("A future date is refused for events")
    func future() throws {
        #expect(throws: InputError(field: "on", got: "2026-03-11", allowed: "a date no later than today (2026-03-10)"))
        {
            try fixedDay.adding(days: 1).notInFuture(field: "on", today: fixedDay)
        }
        #expect(try fixedDay.notInFuture(field: "on", today: fixedDay) == fixedDay)
    }

    @Test("Blood pressure is SYS/DIA", arguments: ["128/82", " 90/60 ", "300/200"])
    func bloodPressure(text: String) throws {
        #expect(
            try BloodPressure.parse(text, field: "bp-before").description == text.trimmingCharacters(in: .whitespaces))
    }

    @Test(
        "Blood pressure that is not SYS/DIA, or cannot be real, is refused",
        arguments: ["128", "128-82", "82/128", "128/82/1", "abc/def", "40/20", "128/", "/82"])
    func badBloodPressure(text: String) {
        #expect(throws: InputError.self) { try BloodPressure.parse(text, field: "bp-before") }
    }

    @Test("Vocabulary words forgive case and spaces, and list the allowed words when refused")
    func vocabulary() throws {
        #expect(try CoInterventionKind.parse("Essential Oil", field: "kind") == .essentialOil)
        #expect(
            throws: InputError(
                field: "route", got: "iv drip", allowed: "one of iv, im, intranasal, oral, sublingual, subcutaneous")
        ) {
            try InfusionRoute.parse("iv drip", field: "route")
        }
    }

    @Test(
        "A dose is checked against its route's range: 0.05-2 mg/kg iv, 0.05-5 by the other routes; the boundaries are allowed",
        arguments: [
            (InfusionRoute.iv, 0.05, true), (.iv, 2.0, true), (.iv, 0.049, false), (.iv, 2.01, false), (.iv, 0, false),
            (.im, 2.5, true), (.intranasal, 5.0, true), (.oral, 5.01, false), (.im, 0.049, false),
        ])
    func dose(route: InfusionRoute, value: Double, allowed: Bool) throws {
        let entry = InfusionEntry(date: fixedDay, dosing: .dose(mgPerKg: value), minutes: 40, route: route)
        if allowed {
            _ = try entry.validated(today: fixedDay)
        } else {
            let range = route == .iv ? "0.05 to 2.0" : "0.05 to 5.0"
            #expect(
                throws: InputError(
                    field: "dose-mg-per-kg", got: "\(value)",
                    allowed: "\(range) mg/kg for ketamine by the \(route.rawValue) route")
            ) { try entry.validated(today: fixedDay) }
        }
    }

    @Test(
        "A continuous infusion is given by rate, iv only, 0.05-2 mg/kg/h for up to 7 days",
        arguments: [
            (InfusionRoute.iv, 0.76, 7_200, ""), (.iv, 2.0, 10_080, ""), (.iv, 2.01, 7_200, "rate-mg-per-kg-per-hour"),
            (.iv, 0.04, 7_200, "rate-mg-per-kg-per-hour"), (.iv, 0.76, 10_081, "minutes"), (.im, 0.5, 60, "route"),
        ])
    func rate(route: InfusionRoute, rate: Double, minutes: Int, refusedField: String) throws {
        let entry = InfusionEntry(date: fixedDay, dosing: .rate(mgPerKgPerHour: rate), minutes: minutes, route: route)
        if refusedField.isEmpty {
            _ = try entry.validated(today: fixedDay)
        } else {
            let error = try #require(throws: InputError.self) { try entry.validated(today: fixedDay) }
            #expect(error.field == refusedField)
        }
    }

    @Test("A dose lasts at most a day: longer is a continuous infusion, and the refusal says to give a rate")
    func longDoseIsARate() throws {
        let error = try #require(throws: InputError.self) {
            try InfusionEntry(date: fixedDay, dosing: .dose(mgPerKg: 0.76), minutes: 7_200).validated(today: fixedDay)
        }
        #expect(error.field == "minutes")
        #expect(error.allowed.contains("recorded as a rate in mg/kg/h"))
        _ = try InfusionEntry(date: fixedDay, dosing: .dose(mgPerKg: 1), minutes: 1_440).validated(today: fixedDay)
    }

    @Test("The total dose is computed from weight when not given: dose x weight, or rate x hours x weight")
    func totalDose() throws {
        #expect(
            try InfusionEntry(date: fixedDay, dosing: .dose(mgPerKg: 0.5), weightKg: 73, minutes: 40).validated(
                today: fixedDay
            ).totalMg == 36.5)
        // Schwenk 2018: 0.76 mg/kg/h for five days at 85 kg is about 65 mg/h, 7752 mg in all.
        let continuous = try InfusionEntry(
            date: fixedDay, dosing: .rate(mgPerKgPerHour: 0.76), weightKg: 85, minutes: 7_200
        ).validated(today: fixedDay)
        #expect(continuous.totalMg == 7_752)
    }

    @Test(
        "A total that disagrees with dose x weight by more than 10% is refused, naming both values",
        arguments: [
            (100.0, false), (44.0, true), (36.0, true), (44.01, false), (35.99, false),
        ])
    func contradictoryTotal(total: Double, allowed: Bool) throws {
        let entry = InfusionEntry(
            date: fixedDay, dosing: .dose(mgPerKg: 0.5), weightKg: 80, totalMg: total, minutes: 40)
        if allowed {
            #expect(try entry.validated(today: fixedDay).totalMg == total)
        } else {
            let error = try #require(throws: InputError.self) { try entry.validated(today: fixedDay) }
            #expect(error.field == "total-mg")
            #expect(error.got == formatScore(total))
            #expect(error.allowed.contains("0.5 mg/kg x 80 kg = 40 mg"))
        }
    }

    @Test("A rate's total is checked against rate x hours x weight")
    func contradictoryRateTotal() throws {
        let error = try #require(throws: InputError.self) {
            try InfusionEntry(
                date: fixedDay, dosing: .rate(mgPerKgPerHour: 0.76), weightKg: 85, totalMg: 2_000, minutes: 7_200
            ).validated(today: fixedDay)
        }
        #expect(error.allowed.contains("0.76 mg/kg/h x 120 hours x 85 kg = 7752 mg"))
    }

    @Test("An observation during an infusion needs a reading, a moment as YYYY-MM-DDTHH:MM, and real values")
    func observation() throws {
        let (date, time) = try InfusionObservationEntry.parseMoment("2026-03-02T14:30")
        #expect(date.description == "2026-03-02" && time.description == "14:30")
        #expect(throws: InputError.self) { try InfusionObservationEntry.parseMoment("2026-03-02") }
        #expect(throws: InputError.self) { try InfusionObservationEntry.parseMoment("2026-03-02T25:00") }
        #expect(throws: InputError.self) {
            try InfusionObservationEntry(date: fixedDay, time: time).validated(today: fixedDay)
        }
        #expect(throws: InputError.self) {
            try InfusionObservationEntry(date: fixedDay, time: time, oxygenSaturation: 40).validated(today: fixedDay)
        }
        _ = try InfusionObservationEntry(date: fixedDay, time: time, oxygenSaturation: 88, sedation: true).validated(
            today: fixedDay)
    }

    @Test("Adverse events read TERM[:GRADE][:serious]")
    func adverse() throws {
        let today = fixedDay
        #expect(try AdverseEventEntry.parse("nausea", onset: today).grade == .mild)
        let serious = try AdverseEventEntry.parse("hypertension:severe:serious", onset: today)
        #expect(serious.term == .hypertension && serious.grade == .severe && serious.serious)
        #expect(throws: InputError.self) { try AdverseEventEntry.parse("nausea:awful", onset: today) }
        #expect(throws: InputError.self) { try AdverseEventEntry.parse("sneezing", onset: today) }
        #expect(throws: InputError.self) { try AdverseEventEntry.parse("nausea:mild:yes", onset: today) }
    }

    @Test("Prior treatments read CATEGORY[:TRIALS]")
    func priorTreatment() throws {
        #expect(
            try PriorTreatment.parse("antidepressants:3")
                == PriorTreatment(category: .antidepressants, adequateTrials: 3))
        #expect(try PriorTreatment.parse("ect") == PriorTreatment(category: .ect))
        #expect(throws: InputError.self) { try PriorTreatment.parse("antidepressants:many") }
        #expect(throws: InputError.self) { try PriorTreatment.parse("crystals") }
    }
}
