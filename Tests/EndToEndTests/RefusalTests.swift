import Foundation
import RegistryTestSupport
import Testing

/// Bad input: each refusal exits 1, names the field and what is allowed, prints nothing on standard
/// output, and leaves every byte of the registry's contents as it was.
@Suite("Refused input leaves the registry unchanged")
struct RefusalTests {
    static let refusals: [(name: String, arguments: [String], message: String)] = [
        (
            "unknown scale",
            [
                "assess", "P-000001", "--scale", "phq-10", "--on", "2026-03-01", "--timepoint", "baseline", "--answers",
                "1",
            ], "unknown scale 'phq-10'; known scales:"
        ),
        (
            "unknown condition",
            [
                "enroll", "--mrn", "N-2", "--given", "A", "--family", "B", "--birth-date", "1980-01-01", "--sex",
                "female", "--condition", "ocd",
            ], "--condition: 'ocd' is not allowed; expected one of migraine, depression, neuropathic-pain, ptsd"
        ),
        (
            "answer out of range",
            [
                "assess", "P-000001", "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline", "--answers",
                "1,1,1,1,1,1,1,1,4",
            ],
            "phq9 item 9 (thoughts of being better off dead or of self-harm): '4' is not allowed; expected a whole number from 0 to 3"
        ),
        (
            "wrong number of answers",
            [
                "assess", "P-000001", "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline", "--answers",
                "1,1,1",
            ], "phq9 has 9 items; got 3 answers"
        ),
        (
            "unanswered required item",
            [
                "assess", "P-000001", "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline", "--answers",
                "1,1,,1,1,1,1,1,1",
            ], "unanswered: item 3"
        ),
        (
            "a value for a many-item scale",
            ["assess", "P-000001", "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline", "--value", "3"],
            "give its answers, one per item, not a single value"
        ),
        (
            "impossible date",
            [
                "assess", "P-000001", "--scale", "phq9", "--on", "2026-02-30", "--timepoint", "baseline", "--answers",
                "1,1,1,1,1,1,1,1,1",
            ], "--on: '2026-02-30' is not allowed; expected a real date as YYYY-MM-DD"
        ),
        (
            "impossible birth date",
            [
                "enroll", "--mrn", "N-3", "--given", "A", "--family", "B", "--birth-date", "1980-13-01", "--sex",
                "female", "--condition", "migraine",
            ], "--birth-date: '1980-13-01' is not allowed"
        ),
        (
            "unknown timepoint",
            [
                "assess", "P-000001", "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "week-2", "--answers",
                "1,1,1,1,1,1,1,1,1",
            ], "--timepoint: 'week-2' is not allowed; expected one of baseline, post-infusion, follow-up"
        ),
        (
            "dose too low",
            ["infusion", "add", "P-000001", "--on", "2026-03-02", "--dose-mg-per-kg", "0.01", "--minutes", "40"],
            "--dose-mg-per-kg: '0.01' is not allowed; expected 0.05 to 2.0 mg/kg for ketamine by the iv route"
        ),
        (
            "dose too high",
            ["infusion", "add", "P-000001", "--on", "2026-03-02", "--dose-mg-per-kg", "6", "--minutes", "40"],
            "--dose-mg-per-kg: '6.0' is not allowed; expected 0.05 to 2.0 mg/kg for ketamine by the iv route"
        ),
        (
            "blood pressure not SYS/DIA",
            [
                "infusion", "add", "P-000001", "--on", "2026-03-02", "--dose-mg-per-kg", "0.5", "--minutes", "40",
                "--bp-before", "120-80",
            ], "--bp-before: '120-80' is not allowed; expected SYS/DIA"
        ),
        (
            "unknown adverse event term",
            [
                "infusion", "add", "P-000001", "--on", "2026-03-02", "--dose-mg-per-kg", "0.5", "--minutes", "40",
                "--adverse", "sneezing",
            ], "--adverse: 'sneezing' is not allowed; expected one of nausea"
        ),
        (
            "unknown route",
            [
                "infusion", "add", "P-000001", "--on", "2026-03-02", "--dose-mg-per-kg", "0.5", "--minutes", "40",
                "--route", "rectal",
            ], "--route: 'rectal' is not allowed; expected one of iv, im, intranasal, oral"
        ),
        (
            "infusion in the future",
            ["infusion", "add", "P-000001", "--on", "2099-01-01", "--dose-mg-per-kg", "0.5", "--minutes", "40"],
            "--on: '2099-01-01' is not allowed; expected a date no later than today"
        ),
        (
            "duplicate MRN",
            [
                "enroll", "--mrn", "M-1", "--given", "Other", "--family", "Person", "--birth-date", "1980-01-01",
                "--sex", "male", "--condition", "migraine",
            ], "--mrn: this MRN is already enrolled as P-000001"
        ),
        (
            "scale of a condition the patient is not enrolled for",
            [
                "assess", "P-000001", "--scale", "hit6", "--on", "2026-03-01", "--timepoint", "baseline", "--answers",
                "0,0,0,0,0,0",
            ], "--scale: hit6 belongs to the condition 'migraine', but P-000001 is enrolled for depression"
        ),
        (
            "unknown patient",
            [
                "assess", "P-000099", "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline", "--answers",
                "1,1,1,1,1,1,1,1,1",
            ], "no patient P-000099 in this registry; see 'ketareg patients'"
        ),
        // The store's refusals name no command; the command line adds its own words for the way out.
        (
            "a flag that does not exist", ["flag", "review", "F-000099", "--action", "called the patient"],
            "ketareg: <flag-id>: no flag F-000099 in this registry; see 'ketareg flag list'"
        ),
        (
            "an observation of an infusion that does not exist",
            ["infusion", "observe", "I-000099", "--at", "2026-03-02T10:00", "--bp", "120/80"],
            "ketareg: <infusion-id>: no infusion I-000099 in this registry; see 'ketareg patient show'"
        ),
        (
            "an MRN enrolled already",
            [
                "enroll", "--mrn", "M-1", "--given", "A", "--family", "B", "--birth-date", "1980-01-01", "--sex",
                "female", "--condition", "depression",
            ], "ketareg: --mrn: this MRN is already enrolled as P-000001"
        ),

        (
            "not a patient id", ["patient", "show", "42"],
            "<id>: '42' is not allowed; expected a patient id such as P-000042"
        ),
        (
            "unknown sex",
            [
                "enroll", "--mrn", "N-4", "--given", "A", "--family", "B", "--birth-date", "1980-01-01", "--sex", "f",
                "--condition", "migraine",
            ], "--sex: 'f' is not allowed; expected one of female, male, other, unknown"
        ),
        (
            "correction with an empty reason",
            ["correct", "A-000001", "--answers", "0,0,0,0,0,0,0,0,0", "--reason", " "], "--reason: '' is not allowed"
        ),
        (
            "correction that changes nothing",
            ["correct", "A-000001", "--answers", "1,1,1,1,1,1,1,1,1", "--reason", "checking"],
            "the correction changes nothing in A-000001"
        ),
        (
            "infusion field on an assessment", ["correct", "A-000001", "--dose-mg-per-kg", "0.5", "--reason", "x"],
            "--dose-mg-per-kg does not apply to A-000001: an assessment takes --answers, --value, --on, --timepoint"
        ),
        (
            "assessment field on an infusion", ["correct", "I-000001", "--answers", "1", "--reason", "x"],
            "--answers does not apply to I-000001: an infusion takes the fields of 'infusion add'"
        ),
        (
            "adverse event resolved before onset",
            ["correct", "AE-000001", "--resolved", "2026-03-01", "--reason", "x"],
            "--resolved: '2026-03-01' is not allowed; expected a date on or after the onset (2026-03-02)"
        ),
        (
            "co-intervention field on an adverse event",
            ["correct", "AE-000001", "--to", "2026-03-05", "--reason", "x"],
            "--to does not apply to AE-000001: an adverse event takes --term, --grade, --serious, --onset, --resolved"
        ),
        (
            "co-intervention ending before it starts",
            ["cointervention", "add", "P-000001", "--kind", "yoga", "--from", "2026-03-05", "--to", "2026-03-01"],
            "--to: '2026-03-01' is not allowed; expected a date on or after the start, "
        ),
        (
            "second consent withdrawal", ["patient", "withdraw-consent", "P-000002", "--reason", "again"],
            "never gave research consent"
        ),
        (
            "a total that contradicts dose x weight",
            [
                "infusion", "add", "P-000001", "--on", "2026-03-02", "--dose-mg-per-kg", "0.5", "--weight-kg", "80",
                "--total-mg", "100", "--minutes", "40",
            ],
            "--total-mg: '100' is not allowed; expected a total within 10% of 0.5 mg/kg x 80 kg = 40 mg"
        ),
        (
            "a dose and a rate at once",
            [
                "infusion", "add", "P-000001", "--on", "2026-03-02", "--dose-mg-per-kg", "0.5",
                "--rate-mg-per-kg-per-hour", "0.5", "--minutes", "40",
            ], "not --dose-mg-per-kg and --rate-mg-per-kg-per-hour"
        ),
        (
            "a continuous infusion that is not iv",
            [
                "infusion", "add", "P-000001", "--on", "2026-03-02", "--rate-mg-per-kg-per-hour", "0.5", "--minutes",
                "600", "--route", "im",
            ], "--route: 'im' is not allowed; expected iv"
        ),
        (
            "a rate too high",
            [
                "infusion", "add", "P-000001", "--on", "2026-03-02", "--rate-mg-per-kg-per-hour", "2.5", "--minutes",
                "600",
            ], "--rate-mg-per-kg-per-hour: '2.5' is not allowed; expected 0.05 to 2.0 mg/kg/h"
        ),
        (
            "a dose given over five days",
            ["infusion", "add", "P-000001", "--on", "2026-03-02", "--dose-mg-per-kg", "0.76", "--minutes", "7200"],
            "a longer, continuous infusion is recorded as a rate in mg/kg/h"
        ),
        (
            "an infusion for a condition the patient does not have",
            [
                "infusion", "add", "P-000001", "--for", "migraine", "--on", "2026-03-02", "--dose-mg-per-kg", "0.5",
                "--minutes", "40",
            ], "--for: P-000001 is not enrolled for 'migraine'; their conditions are depression"
        ),
        (
            "an infusion for a patient with two conditions, without --for",
            ["infusion", "add", "P-000003", "--on", "2026-03-02", "--dose-mg-per-kg", "0.5", "--minutes", "40"],
            "--for: P-000003 is enrolled for depression and migraine; say which condition this is for (depression or migraine)"
        ),
        (
            "an observation outside its infusion",
            ["infusion", "observe", "I-000001", "--at", "2026-03-04T09:00", "--bp", "120/80"],
            "--at: '2026-03-04T09:00' is not allowed; expected a moment during I-000001"
        ),
        (
            "an observation with no reading", ["infusion", "observe", "I-000001", "--at", "2026-03-02T10:00"],
            "expected at least one reading: blood pressure, heart rate"
        ),
        (
            "ending a course that has not started",
            ["course", "end", "P-000003", "--for", "migraine", "--on", "2026-03-02", "--reason", "stopped"],
            "has no migraine course in progress"
        ),
        (
            "ending a course without a reason", ["course", "end", "P-000001", "--on", "2026-03-03", "--reason", " "],
            "--reason"
        ),
    ]

    @Test(
        "Refused with exit 1, the field named, nothing on standard output, the registry unchanged",
        arguments: refusals.indices)
    func refusal(index: Int) throws {
        let (name, arguments, message) = Self.refusals[index]
        let clinic = try Clinic()
        defer { clinic.remove() }
        let patient = try clinic.enroll(mrn: "M-1")
        _ = try clinic.enroll(mrn: "M-2", consent: "no")
        #expect(try clinic.enroll(mrn: "M-3", condition: ["depression", "migraine"]) == "P-000003")
        #expect(patient == "P-000001")
        #expect(
            try clinic.run(
                "assess", patient, "--scale", "phq9", "--on", "2026-03-01", "--timepoint", "baseline", "--answers",
                "1,1,1,1,1,1,1,1,1"
            ).status == 0)
        #expect(
            try clinic.run(
                "infusion", "add", patient, "--on", "2026-03-02", "--dose-mg-per-kg", "0.5", "--minutes", "40",
                "--adverse", "nausea"
            ).status == 0)
        let before = try clinic.dump()

        let outcome = try clinic.run(arguments: arguments + ["--json"])
        #expect(outcome.status == 1, "\(name): exit \(outcome.status), \(outcome.standardError)")
        #expect(outcome.standardError.contains(message), "\(name): \(outcome.standardError)")
        #expect(outcome.standardOutput.isEmpty, "\(name) printed \(outcome.standardOutput)")
        #expect(try clinic.dump() == before, "\(name) changed the registry")
    }
}
