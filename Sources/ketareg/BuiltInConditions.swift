import ArgumentParser
import Depression
import Migraine
import NeuropathicPain
import QualityOfLife
import RegistryCore

/// The compiled condition modules, and the shared one whose scales (WHO-5) every condition's
/// patients may be assessed on. This is the one place where modules are chosen.
let builtInConditions: [any Condition] = [
    MigraineModule(), DepressionModule(), NeuropathicPainModule(), QualityOfLifeModule(),
]

/// Shell completion of scale ids, from the compiled modules.
let scaleCompletion = CompletionKind.custom { _, _, prefix in
    builtInConditions.flatMap { $0.scales.map(\.id) }.filter { $0.hasPrefix(prefix) }
}

/// Shell completion of condition ids, from the compiled modules.
let conditionCompletion = CompletionKind.custom { _, _, prefix in
    builtInConditions.filter { $0.scope == .condition }.map(\.id).filter { $0.hasPrefix(prefix) }
}
