/// A code in a vocabulary research networks map data with: what a condition, a scale, an item or a
/// band *is* in SNOMED CT, ICD-10 or LOINC. Carried by `scale show --json`, the data dictionary,
/// exports and FHIR resources.
///
/// Modules ship only codes checked against a published source, cited beside them; a code that
/// could not be checked is left out rather than guessed.
public struct StandardCode: Sendable, Hashable, Codable {
    /// The vocabulary as a FHIR system URI (``loinc``, ``snomed``, ``icd10``) or any other URI.
    public let system: String
    /// The code within its system (`44261-6`, `35489007`, `F32`).
    public let code: String
    /// The vocabulary's own name for it, when given.
    public let display: String?

    /// A code in `system`, optionally with the system's own name for it.
    public init(system: String, code: String, display: String? = nil) {
        self.system = system
        self.code = code
        self.display = display
    }

    /// The FHIR system URI of LOINC.
    public static let loinc = "http://loinc.org"
    /// The FHIR system URI of SNOMED CT.
    public static let snomed = "http://snomed.info/sct"
    /// The FHIR system URI of RxNorm.
    public static let rxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm"
    /// The FHIR system URI of ICD-10.
    public static let icd10 = "http://hl7.org/fhir/sid/icd-10"

    /// A LOINC code (`44261-6`), with its display name when given.
    public static func loinc(_ code: String, _ display: String? = nil) -> StandardCode {
        .init(system: loinc, code: code, display: display)
    }
    /// A SNOMED CT concept id (`35489007`), with its display name when given.
    public static func snomed(_ code: String, _ display: String? = nil) -> StandardCode {
        .init(system: snomed, code: code, display: display)
    }
    /// An ICD-10 code (`F32`, `F43.1`), with its display name when given.
    public static func icd10(_ code: String, _ display: String? = nil) -> StandardCode {
        .init(system: icd10, code: code, display: display)
    }

    /// The short names a module file may use for the common systems.
    public static let systemNames = ["loinc": loinc, "snomed": snomed, "icd-10": icd10]

    /// What is wrong with the code's shape, or nil: a LOINC code with its check digit (Mod 10), a
    /// LOINC answer code (LA…), a SNOMED CT id with its Verhoeff check digit, an ICD-10 code
    /// (letter, two digits, optional decimals), and for any other system an absolute URI and a
    /// code without spaces at either end.
    public var shapeProblem: String? {
        switch system {
        case Self.loinc:
            if code.hasPrefix("LA") {
                return code.dropFirst(2).split(separator: "-").map(String.init).count == 2
                    && code.dropFirst(2).allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") })
                    ? nil : "LOINC answer code '\(code)' is not of the form LA1234-5"
            }
            let parts = code.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, (1...7).contains(parts[0].count), parts[1].count == 1,
                (parts[0] + parts[1]).allSatisfy({ $0.isASCII && $0.isNumber })
            else { return "LOINC code '\(code)' is not of the form 12345-6" }
            return Self.loincCheckDigit(parts[0]) == Int(parts[1])!
                ? nil : "LOINC code '\(code)' has the wrong check digit (expected \(Self.loincCheckDigit(parts[0])))"
        case Self.snomed:
            guard (6...18).contains(code.count), code.allSatisfy({ $0.isASCII && $0.isNumber }), code.first != "0"
            else {
                return "SNOMED CT id '\(code)' is not 6 to 18 digits"
            }
            return Self.verhoeffValid(code) ? nil : "SNOMED CT id '\(code)' fails its Verhoeff check digit"
        case Self.icd10:
            let characters = Array(code)
            let valid =
                characters.count >= 3 && characters[0].isASCII && characters[0].isUppercase
                && characters[1...2].allSatisfy { $0.isASCII && $0.isNumber }
                && (characters.count == 3
                    || (characters[3] == "." && characters.count > 4
                        && characters[4...].allSatisfy { $0.isASCII && ($0.isNumber || $0.isUppercase) }))
            return valid ? nil : "ICD-10 code '\(code)' is not of the form F32 or F43.1"
        default:
            guard let colon = system.firstIndex(of: ":"), system[..<colon].allSatisfy({ $0.isASCII && $0.isLetter }),
                !system.contains(" ")
            else {
                return "system '\(system)' is not a URI (e.g. http://loinc.org) or one of loinc, snomed, icd-10"
            }
            return code.isEmpty || code != code.trimmedWhitespace
                ? "code '\(code)' is empty or has spaces at its ends" : nil
        }
    }

    /// LOINC's Mod 10 check digit: from the right, odd positions doubled, digits summed.
    static func loincCheckDigit(_ digits: String) -> Int {
        var sum = 0
        for (position, character) in digits.reversed().enumerated() {
            let digit = Int(String(character))!
            if position % 2 == 0 {
                let doubled = digit * 2
                sum += doubled / 10 + doubled % 10
            } else {
                sum += digit
            }
        }
        return (10 - sum % 10) % 10
    }

    /// Whether a number passes the Verhoeff check (its last digit the check digit), as SNOMED CT
    /// identifiers do.
    static func verhoeffValid(_ number: String) -> Bool {
        let d: [[Int]] = [
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
            [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
            [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
            [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
        ]
        let p: [[Int]] = [
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
            [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
            [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
        ]
        var check = 0
        for (position, character) in number.reversed().enumerated() {
            check = d[check][p[position % 8][Int(String(character))!]]
        }
        return check == 0
    }
}
