import RegistryCore
import Testing

@Suite("Clinical input")
struct ClinicalInputTests {
    @Test("Real dates are read, impossible ones refused with the field named", arguments: ["2024-02-29", "2000-02-29", "2026-12-31", "1999-01-01"])
    func realDates(text: String) throws {
        #expect(try ClinicalDate.parse(text, field: "on").description == text)
    }

    @Test("Impossible or malformed dates are refused", arguments: ["2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-1-5", "26-01-05", "05/01/2026", "", "2026-01-05T10:00"])
    func impossibleDates(text: String) {
        #expect(throws: InputError(field: "on", got: text, allowed: "a real date as YYYY-MM-DD (or today)")) {
            try ClinicalDate.parse(text, field: "on")
        }
    }

    @Test("Day arithmetic round-trips and counts across leap days")
    func dayNumbers() throws {
        let date = try ClinicalDate.parse("2024-02-28", field: "d")
        #expect(date.adding(days: 2).description == "2024-03-01")
        #expect(ClinicalDate(dayNumber: 0).description == "1970-01-01")
        #expect(try ClinicalDate.parse("2025-01-01", field: "d").dayNumber - date.dayNumber == 308)
        #expect(try ClinicalDate.parse("1980-06-15", field: "d").age(on: ClinicalDate.parse("2026-06-14", field: "d")) == 45)
        #expect(try ClinicalDate.parse("1980-06-15", field: "d").age(on: ClinicalDate.parse("2026-06-15", field: "d")) == 46)
    }

    @Test("A future date is refused for events")
    func future() {
        #expect(throws: InputError.self) { try ClinicalDate.today.adding(days: 1).notInFuture(field: "on") }
    }

    @Test("Blood pressure is SYS/DIA", arguments: ["128/82", " 90/60 ", "300/200"])
    func bloodPressure(text: String) throws {
        #expect(try BloodPressure.parse(text, field: "bp-before").description == text.trimmingCharacters(in: .whitespaces))
    }

    @Test("Blood pressure that is not SYS/DIA, or cannot be real, is refused", arguments: ["128", "128-82", "82/128", "128/82/1", "abc/def", "40/20", "128/", "/82"])
    func badBloodPressure(text: String) {
        #expect(throws: InputError.self) { try BloodPressure.parse(text, field: "bp-before") }
    }

    @Test("Vocabulary words forgive case and spaces, and list the allowed words when refused")
    func vocabulary() throws {
        #expect(try CoInterventionKind.parse("Essential Oil", field: "kind") == .essentialOil)
        #expect(throws: InputError(field: "route", got: "iv drip", allowed: "one of iv, im, intranasal, oral")) {
            try InfusionRoute.parse("iv drip", field: "route")
        }
    }

    @Test("Doses outside 0.05-5 mg/kg are refused; the boundaries are allowed", arguments: [(0.05, true), (5.0, true), (0.049, false), (5.01, false), (0, false)])
    func dose(value: Double, allowed: Bool) throws {
        let entry = InfusionEntry(date: ClinicalDate.today, doseMgPerKg: value, minutes: 40)
        if allowed {
            _ = try entry.validated()
        } else {
            #expect(throws: InputError(field: "dose-mg-per-kg", got: "\(value)", allowed: "0.05 to 5.0 mg/kg")) { try entry.validated() }
        }
    }

    @Test("The total dose is computed from weight when not given")
    func totalDose() throws {
        let entry = try InfusionEntry(date: ClinicalDate.today, doseMgPerKg: 0.5, weightKg: 73, minutes: 40).validated()
        #expect(entry.totalMg == 36.5)
    }

    @Test("Adverse events read TERM[:GRADE][:serious]")
    func adverse() throws {
        let today = ClinicalDate.today
        #expect(try AdverseEventEntry.parse("nausea", onset: today).grade == .mild)
        let serious = try AdverseEventEntry.parse("hypertension:severe:serious", onset: today)
        #expect(serious.term == .hypertension && serious.grade == .severe && serious.serious)
        #expect(throws: InputError.self) { try AdverseEventEntry.parse("nausea:awful", onset: today) }
        #expect(throws: InputError.self) { try AdverseEventEntry.parse("sneezing", onset: today) }
        #expect(throws: InputError.self) { try AdverseEventEntry.parse("nausea:mild:yes", onset: today) }
    }

    @Test("Prior treatments read CATEGORY[:TRIALS]")
    func priorTreatment() throws {
        #expect(try PriorTreatment.parse("antidepressants:3") == PriorTreatment(category: .antidepressants, adequateTrials: 3))
        #expect(try PriorTreatment.parse("ect") == PriorTreatment(category: .ect))
        #expect(throws: InputError.self) { try PriorTreatment.parse("antidepressants:many") }
        #expect(throws: InputError.self) { try PriorTreatment.parse("crystals") }
    }
}
