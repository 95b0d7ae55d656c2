import Depression
import Foundation
import Migraine
import NeuropathicPain
import RegistryCore

/// The day these tests run "on": fixed, so that no test depends on the real date. The binary gets
/// the same day through KETAREG_TODAY.
let testToday = ClinicalDate(year: 2026, month: 11, day: 26)!

/// The moment these tests run "at": noon UTC on ``testToday``, a stopped clock. The binary gets a
/// moment, when a test wants one, through KETAREG_NOW.
let testClock = FixedClock(Date(timeIntervalSince1970: 1_795_694_400))  // 2026-11-26T12:00:00Z
/// The tests' random numbers: the same every run.
let testRandom = SeededRandom(seed: 20_261_126)

/// The compiled modules, as the command line builds them.
let testCatalog = try! ConditionCatalog([MigraineModule(), DepressionModule(), NeuropathicPainModule()])
