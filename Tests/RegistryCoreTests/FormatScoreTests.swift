import Foundation
import RegistryCore
import RegistryTestSupport
import Testing

/// Scores, doses and bounds as people read them. `formatScore` works out hundredths itself; printf's
/// `%.2f`, which it stands in for, is the reference.
@Suite("Score text")
struct FormatScoreTests {
    /// The rule written out: printf's two decimals, then no trailing zeros, no bare point and no
    /// negative zero.
    func reference(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
        var text = String(format: "%.2f", value)
        guard text.contains(".") else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    @Test(
        "Hand-worked values: whole numbers, one and two decimals, rounding up into a whole number, ties, signs",
        arguments: [
            (14.0, "14"), (0.0, "0"), (-0.0, "0"), (5.25, "5.25"), (0.5, "0.5"), (2.5, "2.5"), (-3.75, "-3.75"),
            (0.05, "0.05"), (1.0 / 3.0, "0.33"), (2.0 / 3.0, "0.67"), (2.999, "3"), (9.996, "10"), (-0.001, "0"),
            (-0.004, "0"), (-0.006, "-0.01"), (0.125, "0.12"), (0.375, "0.38"), (1.005, "1"), (2.675, "2.67"),
            (123_456.789, "123456.79"), (1e15 + 0.5, "1000000000000000.5"), (.nan, "nan"), (.infinity, "inf"),
            (-.infinity, "-inf"),
        ])
    func handWorked(value: Double, text: String) {
        #expect(formatScore(value) == text, "\(value)")
        #expect(reference(value) == text, "\(value)")
    }

    @Test(
        "Agrees with printf's rounding on 100,000 random values and their neighbours: hundredths, printed ties, binary halves, sevenths, large and tiny"
    )
    func agreesWithPrintf() {
        var random = SeededGenerator(seed: 47)
        for index in 0..<100_000 {
            let value: Double
            switch index % 6 {
            case 0: value = Double(Int.random(in: -100_000...100_000, using: &random)) / 100
            case 1: value = (Double(Int.random(in: -100_000...100_000, using: &random)) + 0.5) / 100  // printed ties
            case 2: value = Double(Int.random(in: -4_000...4_000, using: &random)) / 8  // exact binary halves
            case 3: value = Double(Int.random(in: -7_000...7_000, using: &random)) / 7
            case 4: value = Double.random(in: -2e9...2e9, using: &random)
            default:
                value =
                    Double.random(in: -1...1, using: &random) * pow(10, Double(Int.random(in: -8...12, using: &random)))
            }
            let nudged = [value, value.nextUp, value.nextDown]
            for candidate in nudged {
                #expect(formatScore(candidate) == reference(candidate), "\(candidate)")
            }
        }
    }

    @Test(
        "An id's hyphens read as spaces",
        arguments: [
            ("moderately-severe", "moderately severe"), ("mild", "mild"), ("", ""), ("a-b-c", "a b c"),
            ("week-4-é", "week 4 é"),
        ])
    func hyphens(id: String, words: String) {
        #expect(hyphensAsSpaces(id) == words)
    }
}
