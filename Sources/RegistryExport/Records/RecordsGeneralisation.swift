import Crypto
import Foundation
import PayloadFormat
import RegistryCore
import RegistryStore

/// The steps a patient's quasi-identifiers are generalised through until at least k patients
/// share them, and the bands used throughout.
public enum RecordsGeneralisation {
    /// What each step keeps and what it gives up, tried in this order (least lost first):
    /// `as-recorded` (weeks, dose, rate and length bands, the narrow age band, sex);
    /// `age-broadened` (18-44, 45-64, 65-and-over); `timing-removed` (no weeks, no hours);
    /// `age-broadened-timing-removed`; `age-broadened-sex-removed` (sex `not-stated`);
    /// `age-broadened-sex-timing-removed`; `treatment-withheld` (all of that, and no infusion or
    /// observation rows: assessments only).
    public static let steps = [
        "as-recorded", "age-broadened", "timing-removed", "age-broadened-timing-removed",
        "age-broadened-sex-removed", "age-broadened-sex-timing-removed", "treatment-withheld",
    ]

    /// What a step generalises: (broad age, no sex, no timing, no treatment rows).
    static func generalises(_ step: Int) -> (age: Bool, sex: Bool, timing: Bool, treatment: Bool) {
        generalisations[step]
    }

    private static let generalisations = steps.map { name in
        let all = name == "treatment-withheld"
        return (
            age: all || name.contains("age-broadened"),
            sex: all || name.contains("sex-removed") || name.contains("sex-timing"),
            timing: all || name.contains("timing-removed"), treatment: all
        )
    }

    /// Dose bands in mg/kg: each includes its lower bound and excludes its upper one, except the
    /// last, which includes 5.
    public static let doseBands = ["0.05-0.25", "0.25-0.5", "0.5-0.75", "0.75-1", "1-2", "2-5"]
    /// Rate bands in mg/kg/h, for continuous infusions: each includes its lower bound and excludes
    /// its upper one, except the last, which includes 2.
    public static let rateBands = ["0.05-0.25", "0.25-0.5", "0.5-1", "1-2"]
    /// Length bands in minutes, each including both its ends: a dose lasts at most 1440 minutes, a
    /// continuous infusion at most 10080.
    public static let minutesBands = ["1-40", "41-60", "61-120", "121-1440", "1441-10080"]

    /// The band of a dose in mg/kg (``doseBands``): below 0.25 is `0.05-0.25`, 2 and above is
    /// `2-5`.
    public static func doseBand(_ dose: Double) -> String {
        switch dose {
        case ..<0.25: return "0.05-0.25"
        case ..<0.5: return "0.25-0.5"
        case ..<0.75: return "0.5-0.75"
        case ..<1: return "0.75-1"
        case ..<2: return "1-2"
        default: return "2-5"
        }
    }

    /// Fixed-dose bands in mg: esketamine's three session doses as they are (28, 56, 84: a dose
    /// of whole devices, shared by every patient on it), ketamine's in bands, each including its
    /// lower bound and excluding its upper one, except the last, which includes 500.
    public static let fixedDoseBands = ["28", "56", "84", "1-25", "25-50", "50-100", "100-200", "200-500"]

    /// The band of a fixed dose in mg of `drug` (``fixedDoseBands``).
    public static func fixedDoseBand(_ mg: Double, drug: Drug) -> String {
        if drug == .esketamine { return formatScore(mg) }
        switch mg {
        case ..<25: return "1-25"
        case ..<50: return "25-50"
        case ..<100: return "50-100"
        case ..<200: return "100-200"
        default: return "200-500"
        }
    }

    /// The band of a rate in mg/kg/h (``rateBands``): below 0.25 is `0.05-0.25`, 1 and above is
    /// `1-2`.
    public static func rateBand(_ rate: Double) -> String {
        switch rate {
        case ..<0.25: return "0.05-0.25"
        case ..<0.5: return "0.25-0.5"
        case ..<1: return "0.5-1"
        default: return "1-2"
        }
    }

    /// The band of an infusion's length in minutes (``minutesBands``): up to 40 is `1-40`, above
    /// 1440 is `1441-10080`.
    public static func minutesBand(_ minutes: Int) -> String {
        switch minutes {
        case ...40: return "1-40"
        case ...60: return "41-60"
        case ...120: return "61-120"
        case ...1440: return "121-1440"
        default: return "1441-10080"
        }
    }

    /// Week of a day counted from day 0, rounding down (day -1 is week -1).
    public static func week(_ day: Int) -> Int { day >= 0 ? day / 7 : -((-day + 6) / 7) }
}
