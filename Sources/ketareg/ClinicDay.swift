import Foundation
import RegistryCore

/// The clinic's day. The program reads the clock here, once, and passes the day down: no library
/// reads the time of day. `KETAREG_TODAY=YYYY-MM-DD` sets it, for demos, tests and re-running a
/// report as it stood on a past day.
enum ClinicDay {
    private static let reading: Result<ClinicalDate, InputError> = {
        if let text = environmentVariable("KETAREG_TODAY"), !text.isEmpty {
            do throws(InputError) { return .success(try ClinicalDate.parse(text, field: "$KETAREG_TODAY")) } catch { return .failure(error) }
        }
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return .success(ClinicalDate(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday))!)
    }()

    /// Today at the clinic: `$KETAREG_TODAY`, else the machine's local date.
    static func today() throws -> ClinicalDate { try reading.get() }

    /// A date as typed (`YYYY-MM-DD`, `today`, `yesterday`).
    static func parse(_ text: String, field: String) throws -> ClinicalDate {
        try ClinicalDate.parse(text, field: field, today: today())
    }
}
