import RegistryCore

/// Douleur Neuropathique 4: a ten-item screen for a neuropathic component of pain.
public enum DN4 {
    private static func item(_ number: Int, _ label: String) -> ScaleItem {
        ScaleItem(id: String(number), label: label, response: .yesNo)
    }

    /// DN4 (`dn4`): ten yes/no items, yes scoring 1, summed to 0-10; 4 or more: neuropathic pain
    /// likely.
    public static let scale = StandardScale(
        id: "dn4",
        name: "Douleur Neuropathique 4 (DN4)",
        version: "1.0",
        items: [
            item(1, "interview: burning"),
            item(2, "interview: painful cold"),
            item(3, "interview: electric shocks"),
            item(4, "interview: tingling"),
            item(5, "interview: pins and needles"),
            item(6, "interview: numbness"),
            item(7, "interview: itching"),
            item(8, "examination: hypoaesthesia to touch"),
            item(9, "examination: hypoaesthesia to pinprick"),
            item(10, "examination: pain caused or increased by brushing"),
        ],
        range: 0...10,
        bands: [
            SeverityBand("unlikely", label: "neuropathic pain unlikely", 0...3),
            SeverityBand("likely", label: "neuropathic pain likely", 4...10),
        ],
        licence: Licence(
            .checkBeforeShipping,
            note: "Terms of the published wording to be checked before it is shipped; neutral labels only."),
        scoringDescription:
            "Ten yes/no items (seven interview, three examination), yes = 1; all ten must be answered. 4 or more: neuropathic pain likely. A screening instrument, recorded at baseline."
    )
}
