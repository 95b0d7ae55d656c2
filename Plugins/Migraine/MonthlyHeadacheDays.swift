import RegistryCore

/// The number of days with headache (or migraine) in the last month.
public enum MonthlyHeadacheDays {
    /// Monthly headache days (`mhd`): one count of days, 0 to 31, which is the score; no bands.
    public static let scale = StandardScale(
        id: "mhd",
        name: "Monthly headache days",
        version: "1.0",
        items: [ScaleItem(id: "1", label: "days with headache in the last month", response: .number(0...31))],
        range: 0...31,
        licence: Licence(.free, note: "A count, not a published instrument; free to use."),
        scoringDescription:
            "The count of headache days, 0 to 31. No severity bands; response is at least 50% fewer days than at baseline."
    )
}
