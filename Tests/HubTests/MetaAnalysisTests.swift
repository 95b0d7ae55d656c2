import Foundation
import HubCore
import Testing

/// The hub's pooling against an independent implementation: statsmodels' combine_effects with
/// method_re="dl" (Tests/HubTests/statsmodels_pool.py), on sets of clinics a reviewer would try.
@Suite("Random-effects pooling equals statsmodels")
struct MetaAnalysisTests {
    /// (events, total) per clinic.
    static let sets: [(name: String, clinics: [(Int, Int)])] = [
        ("homogeneous", [(30, 60), (28, 55), (33, 64), (25, 51)]),
        ("heterogeneous", [(10, 80), (45, 60), (20, 40), (70, 90), (12, 100)]),
        ("one clinic with none", [(0, 25), (12, 40), (18, 44)]),
        ("one clinic with all", [(30, 30), (20, 35), (15, 31)]),
        ("none and all together", [(0, 15), (15, 15), (7, 14)]),
        ("two clinics", [(40, 100), (55, 100)]),
        ("Q below its degrees of freedom: tau^2 truncated at 0", [(50, 100), (50, 100), (51, 100)]),
        ("large and small", [(900, 2000), (6, 11), (13, 20), (400, 1000)]),
        ("twelve clinics", (1...12).map { i in (5 + (i * 7) % 23, 30 + (i * 11) % 40) }),
    ]

    @Test("Fixed effect, random effects, CIs, tau^2, I^2 and Q agree to 1e-9 on every set")
    func againstStatsmodels() throws {
        let expected =
            try python(
                "Tests/HubTests/statsmodels_pool.py",
                input: [
                    "sets": Self.sets.map { $0.clinics.map { [$0.0, $0.1] } },
                    "wilson": [[0, 20], [20, 20], [7, 31], [412, 1000]],
                ]) as? [String: Any]
        let sets = try #require(expected?["sets"] as? [[String: Any]])
        try #require(sets.count == Self.sets.count)
        func close(_ a: Double, _ b: Double, _ what: String, _ set: String) {
            #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(set): \(what) is \(a), statsmodels says \(b)")
        }
        for (index, set) in Self.sets.enumerated() {
            let proportions = set.clinics.map { Proportion(events: $0.0, total: $0.1)! }
            let analysis = try #require(MetaAnalysis(proportions))
            let theirs = sets[index]
            let fixed = try #require(theirs["fixed"] as? [String: Double])
            let random = try #require(theirs["random"] as? [String: Double])
            close(analysis.fixed.logit, fixed["logit"]!, "fixed logit", set.name)
            close(analysis.fixed.standardError, fixed["se"]!, "fixed SE", set.name)
            close(analysis.random.logit, random["logit"]!, "random logit", set.name)
            close(analysis.random.standardError, random["se"]!, "random SE", set.name)
            // The interval is built on the logit scale and back-transformed.
            close(analysis.random.ciLow, MetaAnalysis.expit(random["low"]!), "random CI low", set.name)
            close(analysis.random.ciHigh, MetaAnalysis.expit(random["high"]!), "random CI high", set.name)
            close(analysis.fixed.ciLow, MetaAnalysis.expit(fixed["low"]!), "fixed CI low", set.name)
            close(analysis.fixed.ciHigh, MetaAnalysis.expit(fixed["high"]!), "fixed CI high", set.name)
            close(analysis.tau2, try #require(theirs["tau2"] as? Double), "tau2", set.name)
            close(analysis.i2, try #require(theirs["i2"] as? Double), "I2", set.name)
            close(analysis.q, try #require(theirs["q"] as? Double), "Q", set.name)
        }
        // Both kinds are covered: sets where DerSimonian-Laird's tau^2 is truncated at 0, and sets where it is not.
        #expect(Set(sets.compactMap { $0["truncated"] as? Bool }) == [true, false])
        let wilson = try #require(expected?["wilson"] as? [[String: Double]])
        for (index, pair) in [(0, 20), (20, 20), (7, 31), (412, 1000)].enumerated() {
            let crude = try #require(CrudeProportion([Proportion(events: pair.0, total: pair.1)!]))
            close(crude.ciLow, wilson[index]["low"]!, "Wilson low", "\(pair)")
            close(crude.ciHigh, wilson[index]["high"]!, "Wilson high", "\(pair)")
        }
    }

    @Test("The sets test what they claim: heterogeneity, truncation, correction")
    func setsCoverTheEdges() throws {
        let analyses = Self.sets.map { MetaAnalysis($0.clinics.map { Proportion(events: $0.0, total: $0.1)! })! }
        #expect(analyses[1].i2 > 0.8 && analyses[1].tau2 > 0.5, "the heterogeneous set is heterogeneous")
        #expect(analyses[6].tau2 == 0 && analyses[6].i2 == 0, "Q below df truncates tau^2 and I^2 at 0")
        #expect(analyses[6].random == analyses[6].fixed, "with tau^2 = 0 random effects equal the fixed effect")
        // 0 of 25: log(0.5 / 25.5), variance 1/0.5 + 1/25.5, by hand.
        let none = Proportion(events: 0, total: 25)!.logit
        #expect(abs(none.effect - log(0.5 / 25.5)) < 1e-15 && abs(none.variance - (2 + 1 / 25.5)) < 1e-15)
        // 12 of 40 is not corrected: log(12/28), 1/12 + 1/28.
        let some = Proportion(events: 12, total: 40)!.logit
        #expect(abs(some.effect - log(12.0 / 28)) < 1e-15 && abs(some.variance - (1.0 / 12 + 1.0 / 28)) < 1e-15)
    }

    @Test("One clinic: its own estimate, tau^2, Q and I^2 zero; no clinic: nothing")
    func oneAndNone() throws {
        let one = try #require(MetaAnalysis([Proportion(events: 12, total: 40)!]))
        #expect(one.q == 0 && one.tau2 == 0 && one.i2 == 0)
        #expect(abs(one.random.rate - 0.3) < 1e-12 && one.random == one.fixed)
        #expect(MetaAnalysis([]) == nil)
        #expect(CrudeProportion([]) == nil)
    }

    @Test(
        "Impossible counts make no proportion, so no arithmetic sees them",
        arguments: [(-1, 10), (11, 10), (0, 0), (5, -3), (Int.max, 10)])
    func impossibleCounts(events: Int, total: Int) {
        #expect(Proportion(events: events, total: total) == nil)
    }
}
