/// A check that raises a flag for clinician review when an assessment is entered (a positive
/// PHQ-9 item 9 raises `suicide-risk`).
///
/// Flags are stored with the assessment, shown when it is entered, on the patient's page and in the
/// outcome report. A flag is a prompt for a clinician, never a diagnosis.
public struct SafetyCheck: Sendable, Hashable {
    /// The flag raised, lower case with hyphens (`suicide-risk`).
    public let flag: String
    /// The scale whose answers are checked.
    public let scale: String
    /// What the clinician should know, in a sentence.
    public let description: String
    /// What raises the flag.
    public let trigger: Trigger

    /// A check on `scale` that raises `flag` when `trigger` fires.
    public init(flag: String, scale: String, description: String, trigger: Trigger) {
        self.flag = flag
        self.scale = scale
        self.description = description
        self.trigger = trigger
    }

    /// What raises a flag.
    public enum Trigger: Sendable, Hashable {
        /// The item with this id scores at least this value (PHQ-9 item 9 at least 1).
        case itemAtLeast(item: String, value: Int)
        /// The headline score is at least this value.
        case scoreAtLeast(Double)
    }

    /// Whether this check raises its flag for these answers to `scale`.
    public func raises(answers: [Int?], result: ScaleResult, scale: any AssessmentScale) -> Bool {
        switch trigger {
        case .itemAtLeast(let itemID, let value):
            guard let index = scale.items.firstIndex(where: { $0.id == itemID }),
                let raw = answers[index]
            else { return false }
            return scale.items[index].scoredValue(ofRawAnswer: raw) >= value
        case .scoreAtLeast(let value):
            return result.score >= value
        }
    }

    /// The trigger in words.
    public var triggerDescription: String {
        switch trigger {
        case .itemAtLeast(let item, let value): "\(scale) item \(item) at \(value) or above"
        case .scoreAtLeast(let value): "\(scale) score at \(formatScore(value)) or above"
        }
    }
}

/// Safety rules on what is recorded during and after an infusion, each raising a flag for clinician
/// review: blood pressure at or above 180 systolic or 110 diastolic, SpO2 below 90, respiratory
/// depression, and a serious adverse event.
///
/// The thresholds are the clinic's to set (`ketareg flag thresholds`), within ``allowed``; these
/// are the defaults.
public struct VitalSafetyRules: Sendable, Hashable, Codable {
    /// A blood pressure with a systolic at or above this, in mmHg, raises `high-blood-pressure` (default 180, allowed
    /// 140-220).
    public var systolicAtLeast = 180
    /// A blood pressure with a diastolic at or above this, in mmHg, raises `high-blood-pressure` (default 110, allowed
    /// 80-130).
    public var diastolicAtLeast = 110
    /// An SpO2 below this percentage raises `low-oxygen-saturation` (default 90, allowed 80-95).
    public var oxygenSaturationBelow = 90

    /// The default thresholds: 180 systolic, 110 diastolic, SpO2 below 90.
    public init() {}

    /// The given thresholds, unchecked; ``validated()`` checks them against ``allowed``.
    public init(systolicAtLeast: Int, diastolicAtLeast: Int, oxygenSaturationBelow: Int) {
        self.systolicAtLeast = systolicAtLeast
        self.diastolicAtLeast = diastolicAtLeast
        self.oxygenSaturationBelow = oxygenSaturationBelow
    }

    /// The default thresholds, in force when the clinic has set none.
    public static let standard = VitalSafetyRules()

    /// The values a clinic may choose, by setting: wide enough for a stricter or a more lenient
    /// protocol, narrow enough that a typing slip (1800, or 9 for 90) is refused.
    public static let allowed = (systolicAtLeast: 140...220, diastolicAtLeast: 80...130, oxygenSaturationBelow: 80...95)

    /// Checks each threshold against ``allowed``, naming the setting and its range.
    public func validated() throws(InputError) -> VitalSafetyRules {
        let checks: [(String, Int, ClosedRange<Int>)] = [
            ("systolic-at-least", systolicAtLeast, Self.allowed.systolicAtLeast),
            ("diastolic-at-least", diastolicAtLeast, Self.allowed.diastolicAtLeast),
            ("spo2-below", oxygenSaturationBelow, Self.allowed.oxygenSaturationBelow),
        ]
        for (field, value, range) in checks where !range.contains(value) {
            throw InputError(
                field: field, got: String(value),
                allowed: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return self
    }

    /// The flags these readings raise, with each rule in words.
    public func raised(bloodPressures: [BloodPressure?], oxygenSaturation: Int?, respiratoryDepression: Bool) -> [(
        flag: String, rule: String
    )] {
        var raised: [(flag: String, rule: String)] = []
        if let high = bloodPressures.compactMap({ $0 }).first(where: {
            $0.systolic >= systolicAtLeast || $0.diastolic >= diastolicAtLeast
        }) {
            raised.append(
                (
                    "high-blood-pressure",
                    "blood pressure \(high.systolic)/\(high.diastolic): at or above \(systolicAtLeast) systolic or \(diastolicAtLeast) diastolic"
                ))
        }
        if let oxygenSaturation, oxygenSaturation < oxygenSaturationBelow {
            raised.append(("low-oxygen-saturation", "SpO2 \(oxygenSaturation)%: below \(oxygenSaturationBelow)%"))
        }
        if respiratoryDepression { raised.append(("respiratory-depression", "respiratory depression recorded")) }
        return raised
    }

    /// The flag an esketamine session monitored for less than the REMS's two hours raises: the
    /// REMS form's total time runs from the first device to the end of monitoring.
    public static func monitoringFlag(_ entry: InfusionEntry) -> (flag: String, rule: String)? {
        guard entry.drug == .esketamine, let total = entry.sessionMinutes,
            total < InfusionEntry.esketamineMonitoringMinutes
        else { return nil }
        return (
            "esketamine-monitoring-under-2-hours",
            "esketamine session monitored for \(total) minutes from the first device: under the 2 hours the REMS requires"
        )
    }

    /// The rules in words, for help and the data dictionary.
    public var descriptions: [String] {
        [
            "high-blood-pressure: any blood pressure at or above \(systolicAtLeast) systolic or \(diastolicAtLeast) diastolic (before, after, at discharge or during an infusion)",
            "low-oxygen-saturation: SpO2 below \(oxygenSaturationBelow)% (with an infusion or during it)",
            "respiratory-depression: respiratory depression recorded with an infusion or during it",
            "serious-adverse-event: any adverse event recorded as serious",
            "esketamine-monitoring-under-2-hours: an esketamine session monitored for less than 2 hours from the first device (SPRAVATO REMS)",
        ]
    }
}
