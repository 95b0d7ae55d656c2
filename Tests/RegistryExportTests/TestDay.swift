import Depression
import Migraine
import NeuropathicPain
import RegistryCore

/// The day these tests run "on": fixed, so that no test depends on the real date. The binary gets
/// the same day through KETAREG_TODAY.
let testToday = ClinicalDate(year: 2026, month: 11, day: 26)!

/// The compiled modules, as the command line builds them.
let testCatalog = try! ConditionCatalog([MigraineModule(), DepressionModule(), NeuropathicPainModule()])
