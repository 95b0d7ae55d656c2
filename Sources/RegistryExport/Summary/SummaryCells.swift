import Foundation
import PayloadFormat
import RegistryCore
import RegistryStore

func round2(_ value: Double) -> Double { (value * 100).rounded() / 100 }
func round1(_ value: Double) -> Double { (value * 10).rounded() / 10 }

/// A condition's counts as computed, before suppression and rounding: what the release memory keeps.
struct ConditionCell: Codable {
    struct Count: Codable {
        var name: String
        var patients: Int
    }
    struct Event: Codable {
        var term: String
        var grade: String
        var patients: Int
        var events: Int
        var serious: Int
    }
    var patients: Int
    var infusions: Int
    var medianInfusionsPerPatient: Double
    var medianDoseMgPerKg: Double?
    var routes: [Count]
    var adverseEvents: [Event]
    var coInterventions: [Count]
}

/// Scores at one point of the course, as computed.
struct TimepointCell: Codable {
    var patients: Int
    var mean: Double?
    var median: Double?
    var q1: Double?
    var q3: Double?
    var meanChange: Double?
    var changePatients: Int
}

/// One outcome row's counts, as computed.
struct OutcomeCell: Codable {
    var eligible: Int
    var assessed: Int
    var missing: Int
    var met: Int
}
