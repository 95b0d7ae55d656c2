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
        .library(name: "QualityOfLife", targets: ["QualityOfLife"]),
        .library(name: "ConditionTesting", targets: ["ConditionTesting"]),
        .library(name: "DeclarativeConditions", targets: ["DeclarativeConditions"]),
        .plugin(name: "NewCondition", targets: ["NewCondition"]),
        .library(name: "RegistryExport", targets: ["RegistryExport"]),
        .library(name: "PayloadFormat", targets: ["PayloadFormat"]),
        .library(name: "CurlTransport", targets: ["CurlTransport"]),
        // hub:begin (Scripts/check-new-condition builds its copy without the lines between these markers)
        .executable(name: "ketareg-hub", targets: ["ketareg-hub"]),
        .library(name: "HubCore", targets: ["HubCore"]),
        .library(name: "HubStore", targets: ["HubStore"]),
        // hub:end
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        // hub:begin
        // The research network's receiver (ketareg-hub) only: HTTP and PostgreSQL.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
        // Hummingbird's header types (already one of its own dependencies), named for Idempotency-Key.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        // NIOPosix (already under Hummingbird and PostgresNIO): the hub's quick "is anything
        // listening" check before it waits on a connection pool.
        .package(url: "https://github.com/apple/swift-nio", from: "2.60.0"),
        // hub:end
    ],
    targets: [
        // The domain: condition and scale protocols, scoring, bands, outcome rules. Foundation only.
        .target(name: "RegistryCore"),

        // Condition modules: each imports RegistryCore and nothing else.
        .target(name: "Migraine", dependencies: ["RegistryCore"], path: "Plugins/Migraine"),
        .target(name: "Depression", dependencies: ["RegistryCore"], path: "Plugins/Depression"),
        .target(name: "NeuropathicPain", dependencies: ["RegistryCore"], path: "Plugins/NeuropathicPain"),
        // Scales for every condition (WHO-5): a module whose scope is every condition.
        .target(name: "QualityOfLife", dependencies: ["RegistryCore"], path: "Plugins/QualityOfLife"),

        // One SQLite file per clinic, through GRDB over the system libsqlite3; SHA-256 (swift-crypto)
        // chains the audit trail. GRDBSQLite (GRDB's own module for the system libsqlite3) lets the
        // import bind and step its per-row statements directly (DirectStatement.swift).
        .target(
            name: "RegistryStore",
            dependencies: [
                "RegistryCore", "CSQLiteSettings", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // SQLite's process-wide settings, through a C wrapper: sqlite3_config is variadic.
        .target(name: "CSQLiteSettings", linkerSettings: [.linkedLibrary("sqlite3")]),

        // libcurl, seen from Swift: a module map and typed wrappers for its variadic calls.
        .target(
            name: "CCurl",
            // libcurl is opened with dlopen when a transfer is made (see include/ccurl.h), so that
            // commands that send nothing do not load it and its 28 libraries at start-up. Its
            // header still comes from libcurl4-openssl-dev.
            linkerSettings: [.linkedLibrary("dl")]
        ),
        // The only code that talks to the network; it knows nothing of patients.
        .target(name: "CurlTransport", dependencies: ["CCurl"]),

        // Anonymisation, payloads, their schemas, the outbox and schedules. No network code: it
        // hands bytes to a transport it defines.
        .target(
            name: "RegistryExport",
            dependencies: [
                "RegistryCore", "RegistryStore", "PayloadFormat", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // What a clinic and the research network exchange, in one place for both sides: the
        // Codable payload types, their JSON Schemas (one copy each, compiled in) and the validator.
        // Crypto: the hub's receipts are Ed25519 signatures, made by the hub and checked by the clinic.
        .target(
            name: "PayloadFormat",
            dependencies: ["RegistryCore", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.embedInCode("Schemas")]
        ),

        // The clinic's use cases, for every front door: enrolment, the day sheet, the due list,
        // recording an assessment or treatment, corrections, endpoints, export runs.
        .target(
            name: "ClinicWork",
            dependencies: ["RegistryCore", "RegistryStore", "RegistryExport", "PayloadFormat", "CurlTransport"]),

        // The demo's synthetic clinic and its in-memory research network: invented patients for
        // `ketareg demo` and Scripts/hub, kept out of the commands' own code.
        .target(name: "DemoClinic", dependencies: ["RegistryCore", "RegistryStore", "RegistryExport"]),

        // The command line: the one place that wires the modules and the store together.
        .executableTarget(
            name: "ketareg",
            dependencies: [
                "RegistryCore", "RegistryStore", "RegistryExport", "PayloadFormat", "ClinicWork", "DemoClinic",
                "CurlTransport",
                "DeclarativeConditions",
                "Migraine", "Depression", "NeuropathicPain", "QualityOfLife",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Release builds start every command faster (README, Performance): the C++ runtime is
            // linked in from GCC's static archive (Link/static-libstdc++ says how); the program's
            // own symbols are not exported, so the dynamic loader's table holds hundreds of symbols,
            // not 16,000; and its 100,000 relative relocations are packed (RELR, which needs lld, the
            // toolchain's own linker, and glibc 2.36 where it runs: the Swift runtime already asks
            // for 2.36's arc4random). Debug builds, which load the Swift runtime as shared
            // libraries, are as SwiftPM makes them.
            linkerSettings: [
                .unsafeFlags(
                    [
                        "-L", Context.packageDirectory + "/Link/static-libstdc++", "-Xlinker", "--no-export-dynamic",
                        "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                    ],
                    .when(platforms: [.linux], configuration: .release))
            ]
        ),

        // Declarative condition modules: YAML files a researcher writes, read into the same
        // Condition values as the compiled modules.
        .target(
            name: "DeclarativeConditions",
            dependencies: ["RegistryCore", .product(name: "Yams", package: "Yams")]
        ),

        // hub:begin
        // The research network's side. HubCore: what arrives (payloads checked against the published
        // schemas and unpacked into rows) and what is published from it (random-effects pooling,
        // the network's minimum cell size, forest plots). No I/O; never the clinic's store.
        .target(
            name: "HubCore",
            dependencies: ["RegistryCore", "PayloadFormat", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The hub's PostgreSQL: migrations, received payloads and their unpacked tables.
        .target(
            name: "HubStore",
            dependencies: [
                "HubCore", "PayloadFormat", "RegistryCore", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // ketareg-hub: the receiver (Hummingbird 2) and the network's commands.
        .executableTarget(
            name: "ketareg-hub",
            dependencies: [
                "HubCore", "HubStore", "PayloadFormat", "RegistryCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // hub:end

        // The conformance kit every condition module's tests use.
        .target(name: "ConditionTesting", dependencies: ["RegistryCore"]),

        // `swift package --allow-writing-to-package-directory new-condition ID` scaffolds a module.
        .plugin(
            name: "NewCondition",
            capability: .command(
                intent: .custom(
                    verb: "new-condition",
                    description: "Scaffold a compiled condition module and its conformance-tested test target"),
                permissions: [.writeToPackageDirectory(reason: "It creates Plugins/NAME and Tests/NAMETests.")]
            ),
            path: "Plugins/NewCondition"
        ),

        .testTarget(
            name: "RegistryCoreTests",
            dependencies: [
                "RegistryCore", "ConditionTesting", "Depression", "Migraine", "NeuropathicPain", "RegistryTestSupport",
            ]),
        .testTarget(
            name: "ClinicWorkTests",
            dependencies: [
                "ClinicWork", "RegistryStore", "RegistryCore", "RegistryExport", "DemoClinic", "Depression",
                "RegistryTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "DeclarativeConditionsTests",
            dependencies: [
                "DeclarativeConditions", "RegistryCore", "ConditionTesting", "Depression", "RegistryTestSupport",
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "MigraineTests", dependencies: ["Migraine", "RegistryCore", "ConditionTesting"]),
        .testTarget(name: "DepressionTests", dependencies: ["Depression", "RegistryCore", "ConditionTesting"]),
        .testTarget(
            name: "NeuropathicPainTests", dependencies: ["NeuropathicPain", "RegistryCore", "ConditionTesting"]),
        .testTarget(
            name: "QualityOfLifeTests",
            dependencies: ["QualityOfLife", "Depression", "RegistryCore", "ConditionTesting"]),
        // Temporary folders and whole-database dumps for the store and end-to-end tests.
        .target(
            name: "RegistryTestSupport",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/RegistryTestSupport"
        ),
        .testTarget(
            name: "RegistryStoreTests",
            dependencies: [
                "RegistryStore", "RegistryCore", "Depression", "Migraine", "NeuropathicPain",
                "RegistryTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            // A registry file made by the code of 2026-11-26, for the migration test.
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "RegistryExportTests",
            dependencies: [
                "RegistryExport", "PayloadFormat", "RegistryStore", "RegistryCore", "CurlTransport", "Depression",
                "Migraine",
                "NeuropathicPain", "QualityOfLife", "RegistryTestSupport",
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "ketareg", "RegistryTestSupport", "RegistryStore", "RegistryCore", "Migraine", "Depression",
                "NeuropathicPain", "QualityOfLife", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // hub:begin
        .testTarget(
            name: "HubTests",
            dependencies: [
                "HubCore", "HubStore", "PayloadFormat", "ketareg-hub", "RegistryCore", "RegistryTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            // The independent implementation the pooling is checked against (Python, statsmodels).
            exclude: ["statsmodels_pool.py"]
        ),
        // hub:end
    ],
    swiftLanguageModes: [.v6]
)
