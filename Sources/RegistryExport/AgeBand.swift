/// Age in bands at day 0, after Safe Harbor: every age above 89 folds into one band.
///
/// EXPORT.md lists "18-24, 25-34, 35-44, ... 80-89": ten-year bands from 25 end at 75-84, so the
/// band before 90 is 85-89.
public enum AgeBand {
    /// under-18, 18-24, 25-34, ..., 75-84, 85-89, 90-and-over; `unknown` without an age.
    public static func band(for age: Int?) -> String {
        guard let age else { return "unknown" }
        switch age {
        case ..<18: return "under-18"
        case 18...24: return "18-24"
        case 85...89: return "85-89"
        case 90...: return "90-and-over"
        default:
            let lower = (age - 25) / 10 * 10 + 25
            return "\(lower)-\(lower + 9)"
        }
    }

    /// The wider band a narrow one generalises to when a group is too small.
    public static func broad(_ band: String) -> String {
        switch band {
        case "under-18", "unknown": return band
        case "18-24", "25-34", "35-44": return "18-44"
        case "45-54", "55-64": return "45-64"
        default: return "65-and-over"
        }
    }

    /// Every narrow band, for the schema.
    public static let all = [
        "under-18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75-84", "85-89", "90-and-over", "unknown",
    ]
    /// Every broad band, for the schema.
    public static let broadBands = ["under-18", "18-44", "45-64", "65-and-over", "unknown"]
}
