import Depression
import Migraine
import NeuropathicPain
import RegistryCore

/// The compiled condition modules. This is the one place where modules are chosen.
let builtInConditions: [any Condition] = [MigraineModule(), DepressionModule(), NeuropathicPainModule()]
