// swift-tools-version:6.0
// The start-up floor for `ketareg`: a program that parses its command line with ArgumentParser, as
// `ketareg` does, and does nothing else. Built the way the README builds `ketareg` (release, the
// Swift runtime and the C++ runtime linked in), its `--version` is what any ArgumentParser command
// line costs to start on this machine before it does any work of its own.
// `Benchmarks/registry_benchmark.py --floor` builds it with `Scripts/build-release`, as `ketareg` is
// built, and times it beside `ketareg --version`.
import PackageDescription

let package = Package(
    name: "StartupFloor",
    dependencies: [.package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")],
    targets: [
        .executableTarget(
            name: "startup-floor", dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
            // Linked as the release ketareg is (its Package.swift says why).
            linkerSettings: [
                .unsafeFlags(
                    [
                        "-L", Context.packageDirectory + "/../../Link/static-libstdc++", "-Xlinker",
                        "--no-export-dynamic",
                        "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                    ],
                    .when(platforms: [.linux], configuration: .release))
            ]
        )
    ]
)
