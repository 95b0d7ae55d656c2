import Foundation

/// A calendar day, as clinics write it (YYYY-MM-DD), with no time zone.
public struct ClinicalDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The year: 1900 to 2999 for any date parsed or built from its parts.
    public let year: Int
    /// The month, 1 (January) to 12.
    public let month: Int
    /// The day of the month, from 1 to the month's last day in that year.
    public let day: Int

    /// A date that is known to exist; use ``parse(_:field:)`` for input.
    public init?(year: Int, month: Int, day: Int) {
        guard (1900...2999).contains(year), (1...12).contains(month),
            (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Reads `YYYY-MM-DD`, refusing dates that do not exist (2026-02-30). With `today` (the clinic's
    /// day, read once by the program), also `today` and `yesterday`.
    public static func parse(_ text: String, field: String, today: ClinicalDate? = nil) throws(InputError)
        -> ClinicalDate
    {
        // The form every stored date has, read without splitting: reports read dates by the million.
        if let date = Self.parseDigits(text) { return date }
        let trimmed = text.trimmedSpaces.lowercased()
        if let today, trimmed == "today" { return today }
        if let today, trimmed == "yesterday" { return today.adding(days: -1) }
        let parts = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            let date = ClinicalDate(year: year, month: month, day: day)
        else {
            throw InputError(
                field: field, got: text,
                allowed: today == nil ? "a real date as YYYY-MM-DD" : "a real date as YYYY-MM-DD (or today)")
        }
        return date
    }

    /// Exactly ten ASCII bytes `DDDD-DD-DD` naming a real date, else nil (and ``parse`` decides).
    static func parseDigits(_ text: String) -> ClinicalDate? {
        var text = text
        return text.withUTF8 { bytes -> ClinicalDate? in
            guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var value = 0
                for index in range {
                    let digit = Int(bytes[index]) - 48
                    guard (0...9).contains(digit) else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
            return ClinicalDate(year: year, month: month, day: day)
        }
    }

    /// The date as `YYYY-MM-DD` (`2026-03-02`), the form the registry stores and prints.
    public var description: String {
        // By hand: String(format:) costs tens of thousands of instructions a call, and dates are
        // written for every row an import stores.
        // (Years are 1900-2999, so four digits.)
        func twoDigits(_ value: Int) -> String { value < 10 ? "0" + String(value) : String(value) }
        return String(year) + "-" + twoDigits(month) + "-" + twoDigits(day)
    }

    /// Days since 1970-01-01 (civil calendar arithmetic, no time zone).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }

    /// The date from a day number (inverse of ``dayNumber``).
    public init(dayNumber: Int) {
        let z = dayNumber + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let dayOfEra = z - era * 146097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// The date `days` days later, or earlier for a negative number.
    public func adding(days: Int) -> ClinicalDate { ClinicalDate(dayNumber: dayNumber + days) }

    /// Whole days from this date to `other` (positive when `other` is later).
    public func days(until other: ClinicalDate) -> Int { other.dayNumber - dayNumber }

    /// Age in whole years on `date`.
    public func age(on date: ClinicalDate) -> Int {
        var age = date.year - year
        if (date.month, date.day) < (month, day) { age -= 1 }
        return age
    }

    /// Calendar order, without working out day numbers (dates are compared by the million).
    public static func < (lhs: ClinicalDate, rhs: ClinicalDate) -> Bool {
        lhs.year != rhs.year ? lhs.year < rhs.year : lhs.month != rhs.month ? lhs.month < rhs.month : lhs.day < rhs.day
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Reads a date encoded as `YYYY-MM-DD` text, throwing `DecodingError.dataCorrupted` when it is not a real date.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try Self.parse(text, field: "date") } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// Encodes the date as `YYYY-MM-DD` text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension ClinicalDate {
    /// Refuses a date after `today`: nothing in a registry happens in the future.
    public func notInFuture(field: String, today: ClinicalDate) throws(InputError) -> ClinicalDate {
        guard self <= today else {
            throw InputError(field: field, got: description, allowed: "a date no later than today (\(today))")
        }
        return self
    }
}
