// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "KetaReg",
    products: [
        .executable(name: "ketareg", targets: ["ketareg"]),
        .library(name: "RegistryCore", targets: ["RegistryCore"]),
        .library(name: "RegistryStore", targets: ["RegistryStore"]),
        .library(name: "Migraine", targets: ["Migraine"]),
        .library(name: "Depression", targets: ["Depression"]),
        .library(name: "NeuropathicPain", targets: ["NeuropathicPain"]),
        .library(name: "ConditionTesting", targets: ["ConditionTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // The domain: condition and scale protocols, scoring, bands, outcome rules. Foundation only.
        .target(name: "RegistryCore"),

        // Condition modules: each imports RegistryCore and nothing else.
        .target(name: "Migraine", dependencies: ["RegistryCore"], path: "Plugins/Migraine"),
        .target(name: "Depression", dependencies: ["RegistryCore"], path: "Plugins/Depression"),
        .target(name: "NeuropathicPain", dependencies: ["RegistryCore"], path: "Plugins/NeuropathicPain"),

        // One SQLite file per clinic, through GRDB over the system libsqlite3.
        .target(
            name: "RegistryStore",
            dependencies: ["RegistryCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),

        // The command line: the one place that wires the modules and the store together.
        .executableTarget(
            name: "ketareg",
            dependencies: [
                "RegistryCore", "RegistryStore", "Migraine", "Depression", "NeuropathicPain",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // The conformance kit every condition module's tests use.
        .target(name: "ConditionTesting", dependencies: ["RegistryCore"]),

        .testTarget(name: "RegistryCoreTests", dependencies: ["RegistryCore", "ConditionTesting"]),
        .testTarget(name: "MigraineTests", dependencies: ["Migraine", "RegistryCore", "ConditionTesting"]),
        .testTarget(name: "DepressionTests", dependencies: ["Depression", "RegistryCore", "ConditionTesting"]),
        .testTarget(name: "NeuropathicPainTests", dependencies: ["NeuropathicPain", "RegistryCore", "ConditionTesting"]),
        // Temporary folders and whole-database dumps for the store and end-to-end tests.
        .target(
            name: "RegistryTestSupport",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/RegistryTestSupport"
        ),
        .testTarget(
            name: "RegistryStoreTests",
            dependencies: ["RegistryStore", "RegistryCore", "Depression", "Migraine", "NeuropathicPain",
                           "RegistryTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["ketareg", "RegistryTestSupport", "RegistryStore", "RegistryCore", "Migraine", "Depression",
                           "NeuropathicPain", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
