/// Sex as recorded at enrolment.
public enum Sex: String, Vocabulary {
    /// Female, male, another sex, or not known.
    case female, male, other, unknown
}

/// When in a course an assessment was taken.
public enum Timepoint: String, Vocabulary {
    /// Before the first infusion of a course.
    case baseline
    /// After an infusion or at the end of a course.
    case postInfusion = "post-infusion"
    /// At a visit after the course ended.
    case followUp = "follow-up"
}

/// How ketamine or esketamine was given.
public enum InfusionRoute: String, Vocabulary {
    /// Intravenous, intramuscular, intranasal, oral, sublingual (a lozenge or drops held under the
    /// tongue) or subcutaneous.
    case iv, im, intranasal, oral, sublingual, subcutaneous
}

/// The drug given.
public enum Drug: String, Vocabulary {
    /// Racemic ketamine, by any route; or esketamine (Spravato), a nasal spray in 28 mg devices.
    case ketamine, esketamine
}

/// Adverse event terms, after the clinic norm in the esketamine monitoring form.
public enum AdverseEventTerm: String, Vocabulary {
    /// Nausea, vomiting or dizziness.
    case nausea, vomiting, dizziness
    /// Double or blurred vision.
    case diplopiaBlurredVision = "diplopia-blurred-vision"
    /// Sedation, dissociation, hypertension, headache, anxiety, hallucinations, or another event.
    case sedation, dissociation, hypertension, headache, anxiety, hallucinations, other
}

/// How severe an adverse event was.
public enum AdverseEventGrade: String, Vocabulary {
    /// The grade the clinic records: mild, moderate or severe.
    case mild, moderate, severe
}

/// Treatments alongside ketamine during a course, recorded because they confound outcomes.
public enum CoInterventionKind: String, Vocabulary {
    /// A change of diet, or magnesium.
    case diet, magnesium
    /// Essential oils.
    case essentialOil = "essential-oil"
    /// Acupuncture or acupressure.
    case acupuncture
    /// Yoga, or massage.
    case yoga, massage
    /// Psychotherapy alongside ketamine, not in its sessions.
    case psychotherapy
    /// Ketamine-assisted psychotherapy: therapy during or integrating the ketamine sessions.
    case ketamineAssistedPsychotherapy = "ketamine-assisted-psychotherapy"
    /// Another treatment, named in the co-intervention's note.
    case other
}

/// Treatments tried and failed before ketamine, recorded at enrolment.
public enum PriorTreatmentCategory: String, Vocabulary {
    /// Antidepressants, with the number of adequate trials.
    case antidepressants
    /// Psychotherapy.
    case psychotherapy
    /// Electroconvulsive therapy.
    case ect
    /// Preventive migraine drugs.
    case migrainePreventives = "migraine-preventives"
    /// Drugs for neuropathic pain (gabapentinoids, tricyclics, SNRIs, ...).
    case neuropathicPainDrugs = "neuropathic-pain-drugs"
    /// Holistic and complementary treatments.
    case holistic
    /// Any other treatment.
    case other
}

/// A treatment tried before ketamine: its category and, for antidepressants, the number of adequate
/// trials.
public struct PriorTreatment: Sendable, Hashable, Codable {
    /// What kind of treatment it was.
    public let category: PriorTreatmentCategory
    /// How many adequate trials were given (0 to 50 as parsed), for antidepressants; `nil` when not recorded.
    public let adequateTrials: Int?

    /// A prior treatment, with its number of adequate trials when known.
    public init(category: PriorTreatmentCategory, adequateTrials: Int? = nil) {
        self.category = category
        self.adequateTrials = adequateTrials
    }

    /// Reads `CATEGORY[:TRIALS]` (`antidepressants:3`, `ect`).
    public static func parse(_ text: String, field: String = "prior-treatment") throws(InputError) -> PriorTreatment {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let category = try PriorTreatmentCategory.parse(parts.first ?? "", field: field)
        guard parts.count == 2 else { return PriorTreatment(category: category) }
        guard let trials = Int(parts[1]), (0...50).contains(trials) else {
            throw InputError(
                field: field, got: text,
                allowed: "CATEGORY or CATEGORY:TRIALS with TRIALS a whole number from 0 to 50 (antidepressants:3)")
        }
        return PriorTreatment(category: category, adequateTrials: trials)
    }

    /// The treatment in words: `antidepressants (3 adequate trials)`, or the category alone (`ect`).
    public var description: String {
        adequateTrials.map { "\(category.rawValue) (\($0) adequate trial\($0 == 1 ? "" : "s"))" } ?? category.rawValue
    }
}

/// A blood pressure reading in mmHg.
public struct BloodPressure: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The systolic pressure in mmHg (50 to 300 as parsed, above the diastolic).
    public let systolic: Int
    /// The diastolic pressure in mmHg (20 to 200 as parsed).
    public let diastolic: Int

    /// A reading as given, unchecked; use ``parse(_:field:)`` for input.
    public init(systolic: Int, diastolic: Int) {
        self.systolic = systolic
        self.diastolic = diastolic
    }

    /// Reads `SYS/DIA` (`128/82`), refusing readings that cannot be real.
    public static func parse(_ text: String, field: String) throws(InputError) -> BloodPressure {
        let parts = text.trimmedSpaces.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let systolic = Int(parts[0].trimmedSpaces),
            let diastolic = Int(parts[1].trimmedSpaces),
            (50...300).contains(systolic), (20...200).contains(diastolic), systolic > diastolic
        else {
            throw InputError(
                field: field, got: text,
                allowed: "SYS/DIA in mmHg, systolic 50-300 above diastolic 20-200 (e.g. 128/82)")
        }
        return BloodPressure(systolic: systolic, diastolic: diastolic)
    }

    /// The reading as `SYS/DIA` (`128/82`).
    public var description: String { "\(systolic)/\(diastolic)" }
}

/// A time of day, HH:MM, 24-hour clock.
public struct ClockTime: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The hour, 0 to 23.
    public let hour: Int
    /// The minute, 0 to 59.
    public let minute: Int

    /// A time of day, or `nil` when the hour is outside 0-23 or the minute outside 0-59.
    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.hour = hour
        self.minute = minute
    }

    /// Reads `HH:MM` on the 24-hour clock (`09:30`), the minutes always two digits, throwing ``InputError`` naming
    /// `field` otherwise.
    public static func parse(_ text: String, field: String) throws(InputError) -> ClockTime {
        let parts = text.trimmedSpaces.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...23).contains(hour), (0...59).contains(minute)
        else {
            throw InputError(field: field, got: text, allowed: "a time as HH:MM on the 24-hour clock (e.g. 09:30)")
        }
        return ClockTime(hour: hour, minute: minute)!
    }

    /// Minutes since midnight.
    public var minuteOfDay: Int { hour * 60 + minute }

    /// The time as `HH:MM` with two-digit hours and minutes (`09:30`).
    public var description: String {
        (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }
}
