/// How much was given: a dose per kg of body weight, a fixed dose in mg, or a continuous
/// infusion's rate.
public enum Dosing: Sendable, Hashable {
    /// A bolus or timed infusion: mg per kg of body weight in all.
    case dose(mgPerKg: Double)
    /// A fixed dose in mg: esketamine's devices, or ketamine by mouth, under the tongue, under the
    /// skin, into the nose or a muscle.
    case fixed(mg: Double)
    /// A continuous intravenous infusion: the rate it started at, mg per kg per hour; its
    /// ``RateStep``s change it.
    case rate(mgPerKgPerHour: Double)
}

/// A change of a continuous infusion's rate, as the pump was set.
public struct RateStep: Sendable, Hashable, Comparable {
    /// Minutes after the infusion started: from 1 to the minute before it ended.
    public var minute: Int
    /// The rate from then on, mg/kg/h; 0 is a pause.
    public var mgPerKgPerHour: Double

    /// A step `minute` minutes into the infusion.
    public init(minute: Int, mgPerKgPerHour: Double) {
        self.minute = minute
        self.mgPerKgPerHour = mgPerKgPerHour
    }

    /// Steps in the order of their moments.
    public static func < (lhs: RateStep, rhs: RateStep) -> Bool { lhs.minute < rhs.minute }

    /// The rates a step may set: a pause (0) up to the highest rate a continuous infusion takes.
    public static let rateRange: ClosedRange<Double> = 0...2

    /// One `AT=RATE` (AT: `HH:MM` on the infusion's first day or `YYYY-MM-DDTHH:MM`), its moment
    /// counted from the start of `entry`, which must have a start time.
    public static func parse(_ text: String, of entry: InfusionEntry, field: String) throws(InputError) -> RateStep {
        let parts = text.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let rate = Double(parts[1].trimmedWhitespace), rate.isFinite else {
            throw InputError(
                field: field, got: text, allowed: "AT=RATE, e.g. 14:00=0.3 or 2026-03-03T08:00=0.5 (mg/kg/h)")
        }
        guard let start = entry.time else {
            throw InputError(
                field: field, got: text,
                allowed: "rate changes on an infusion with its start time (at HH:MM): they are timed from it")
        }
        let moment = parts[0].trimmedWhitespace
        let (day, time) = try InfusionObservationEntry.parseMoment(
            moment.contains("T") ? moment : "\(entry.date)T\(moment)", field: field)
        let minute = (day.dayNumber - entry.date.dayNumber) * 1440 + time.minuteOfDay - start.minuteOfDay
        return RateStep(minute: minute, mgPerKgPerHour: rate)
    }
}

/// What a drug may be given as by one route: the doses per kg, the fixed doses in mg, and where
/// the bounds come from. The bounds are wide enough for every published protocol named and
/// narrow enough that a slip of the keyboard (5 for 0.5, 560 for 56) is refused.
public struct RouteDosing: Sendable, Hashable {
    /// The doses per kg accepted; `nil` when the route is not dosed by weight.
    public let mgPerKg: ClosedRange<Double>?
    /// The fixed doses in mg accepted; `nil` when the route is dosed by weight only.
    public let mg: ClosedRange<Double>?
    /// The only fixed doses allowed (esketamine's devices), when there is such a list.
    public let devices: [Double]?
    /// Whether it may run as a continuous infusion, by rate.
    public let continuous: Bool
    /// Where the bounds come from.
    public let source: String

    /// The accepted fixed doses in words: "28, 56 or 84 mg" or "5 to 500 mg".
    public var fixedDoseWords: String? {
        if let devices {
            let words = devices.map(formatScore)
            return words.dropLast().joined(separator: ", ") + " or \(words.last!) mg (whole 28 mg devices)"
        }
        return mg.map { "\(formatScore($0.lowerBound)) to \(formatScore($0.upperBound)) mg" }
    }

    /// Whether `mg` is an accepted fixed dose.
    public func accepts(mg dose: Double) -> Bool {
        if let devices { return devices.contains(dose) }
        return mg?.contains(dose) ?? false
    }
}

extension Drug {
    /// The routes the drug is given by.
    public var routes: [InfusionRoute] {
        switch self {
        case .ketamine: InfusionRoute.allCases
        case .esketamine: [.intranasal]
        }
    }

    /// How the drug may be dosed by a route; `nil` when it is not given that way.
    public func dosing(route: InfusionRoute) -> RouteDosing? {
        switch (self, route) {
        case (.esketamine, .intranasal):
            RouteDosing(
                mgPerKg: nil, mg: 28...84, devices: [28, 56, 84], continuous: false,
                source:
                    "SPRAVATO (esketamine) nasal spray, US prescribing information, section 2: 28 mg a device; 56 or 84 mg a session, 28 mg to start for some patients"
            )
        case (.esketamine, _): nil
        case (.ketamine, .iv):
            RouteDosing(
                mgPerKg: 0.05...2, mg: 1...400, devices: nil, continuous: true,
                source:
                    "0.5 mg/kg over 40 minutes for depression (Zarate 2006); up to 1-2 mg/kg for pain and headache; continuous infusions by rate (Schwenk 2018)"
            )
        case (.ketamine, .im):
            RouteDosing(
                mgPerKg: 0.05...5, mg: 5...500, devices: nil, continuous: false,
                source: "0.5-1 mg/kg for depression (Glue 2011; Chilukuri 2014); bioavailability about 93%")
        case (.ketamine, .intranasal):
            RouteDosing(
                mgPerKg: 0.05...5, mg: 10...250, devices: nil, continuous: false,
                source: "50 mg racemic ketamine for depression (Lapidus 2014); bioavailability about 45%")
        case (.ketamine, .oral):
            RouteDosing(
                mgPerKg: 0.05...5, mg: 5...500, devices: nil, continuous: false,
                source: "1 mg/kg for depression (Domany 2019); oral bioavailability about 20%")
        case (.ketamine, .sublingual):
            RouteDosing(
                mgPerKg: 0.05...5, mg: 5...300, devices: nil, continuous: false,
                source: "10 mg sublingual for depression (Lara 2013); bioavailability about 30%")
        case (.ketamine, .subcutaneous):
            RouteDosing(
                mgPerKg: 0.05...1, mg: 1...100, devices: nil, continuous: false,
                source: "0.1-0.5 mg/kg for depression (Loo 2016; George 2017)")
        }
    }
}

extension InfusionEntry {
    /// The rate in force at each moment of a continuous infusion: `(from minute, rate)` from its
    /// start, in order; empty for a dose.
    public var rateSegments: [(from: Int, rate: Double)] {
        guard case .rate(let start) = dosing else { return [] }
        return [(0, start)] + rateSteps.sorted().map { ($0.minute, $0.mgPerKgPerHour) }
    }

    /// The highest rate a continuous infusion reached; `nil` for a dose.
    public var highestRate: Double? { rateSegments.map(\.rate).max() }

    /// mg per kg given by a continuous infusion in all: the integral of its steps.
    public var mgPerKgByRate: Double {
        let segments = rateSegments
        var total = 0.0
        for (index, segment) in segments.enumerated() {
            let end = index + 1 < segments.count ? segments[index + 1].from : minutes
            total += segment.rate * Double(max(0, end - segment.from)) / 60
        }
        return total
    }
}

extension Drug {
    /// The drug in RxNorm. Ketamine: the ingredient, RxCUI 6130 (OHDSI's vocabulary maps it to
    /// OMOP concept 785649). Esketamine: the clinical drug form "esketamine Nasal Spray", RxCUI
    /// 2201623 (NLM RxNorm, listed at ndclist.com/rxnorm/rxcui/2201623), the form every
    /// esketamine session here is given in.
    public var rxNorm: StandardCode {
        switch self {
        case .ketamine: StandardCode(system: StandardCode.rxNorm, code: "6130", display: "ketamine")
        case .esketamine: StandardCode(system: StandardCode.rxNorm, code: "2201623", display: "esketamine Nasal Spray")
        }
    }
}

extension InfusionRoute {
    /// The route in SNOMED CT, from FHIR's SNOMED CT Route Codes value set
    /// (hl7.org/fhir/R4B/valueset-route-codes.html: descendants of 284009009, Route of
    /// administration values).
    public var snomed: StandardCode {
        let (code, display) =
            switch self {
            case .iv: ("47625008", "Intravenous route")
            case .im: ("78421000", "Intramuscular route")
            case .intranasal: ("46713006", "Nasal route")
            case .oral: ("26643006", "Oral route")
            case .sublingual: ("37839007", "Sublingual route")
            case .subcutaneous: ("34206005", "Subcutaneous route")
            }
        return StandardCode(system: StandardCode.snomed, code: code, display: display)
    }
}
