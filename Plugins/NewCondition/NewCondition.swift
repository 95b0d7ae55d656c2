import Foundation
import PackagePlugin

/// `swift package --allow-writing-to-package-directory new-condition ID` scaffolds a compiled
/// condition module in Plugins/NAME and its test target in Tests/NAMETests, which checks the module
/// with the conformance kit, and prints the lines to add to Package.swift.
@main
struct NewCondition: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) throws {
        guard let id = arguments.first(where: { !$0.hasPrefix("-") }) else {
            throw ScaffoldError(
                "give the new condition's id: swift package --allow-writing-to-package-directory new-condition ocd")
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard !id.isEmpty, id.allSatisfy(allowed.contains), id.first!.isLetter, id.last != "-" else {
            throw ScaffoldError(
                "'\(id)' is not a condition id: use lower-case letters, digits and inner hyphens, starting with a letter (ocd, social-anxiety)"
            )
        }
        let name = id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        let root = context.package.directoryURL
        let moduleFolder = root.appendingPathComponent("Plugins/\(name)")
        let testFolder = root.appendingPathComponent("Tests/\(name)Tests")
        for folder in [moduleFolder, testFolder] where FileManager.default.fileExists(atPath: folder.path) {
            throw ScaffoldError("\(folder.path) exists already; choose another id or remove it")
        }
        try FileManager.default.createDirectory(at: moduleFolder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: testFolder, withIntermediateDirectories: true)
        try module(id: id, name: name).write(
            to: moduleFolder.appendingPathComponent("\(name)Module.swift"), atomically: true, encoding: .utf8)
        try scale(id: id, name: name).write(
            to: moduleFolder.appendingPathComponent("\(name)ExampleScale.swift"), atomically: true, encoding: .utf8)
        try tests(id: id, name: name).write(
            to: testFolder.appendingPathComponent("\(name)Tests.swift"), atomically: true, encoding: .utf8)
        print(
            """
            Created Plugins/\(name)/\(name)Module.swift, Plugins/\(name)/\(name)ExampleScale.swift and Tests/\(name)Tests/\(name)Tests.swift.

            Add these two lines to the targets in Package.swift:

                    .target(name: "\(name)", dependencies: ["RegistryCore"], path: "Plugins/\(name)"),
                    .testTarget(name: "\(name)Tests", dependencies: ["\(name)", "RegistryCore", "ConditionTesting"]),

            Then replace the example scale with your instruments, run 'swift test --filter \(name)Tests', and to
            use the module in ketareg add "\(name)" to the ketareg target's dependencies and \(name)Module()
            to Sources/ketareg/BuiltInConditions.swift. See docs/adding-a-condition.md.
            """)
    }

    func module(id: String, name: String) -> String {
        """
        import RegistryCore

        /// \(name): describe what the module covers, for the clinician and the researcher.
        ///
        /// Outcome rules and the course below are placeholders: replace them with the published
        /// definitions you follow, and cite them here.
        public struct \(name)Module: Condition {
            /// The module, as the catalog loads it.
            public init() {}

            /// The condition's id in the registry (`--condition`, exports).
            public let id = "\(id)"
            /// The condition's name, for people.
            public let name = "\(name)"
            /// The module's version: raise it when a rule changes.
            public let version = "0.1"
            /// What the module records, in a sentence.
            public let summary =
                "\(name) treated with ketamine: replace this with what the module records."
            /// The scale outcomes are judged on first.
            public let primaryScale = \(name)ExampleScale.scale.id

            /// The module's own scales.
            public var scales: [any AssessmentScale] { [\(name)ExampleScale.scale] }

            /// When a course counts as a response: replace with the published definition you follow.
            public var outcomeRules: [OutcomeRule] {
                [
                    OutcomeRule(
                        id: "response", scale: \(name)ExampleScale.scale.id,
                        criterion: .percentImprovement(atLeast: 50))
                ]
            }

            /// The induction course and its follow-up visits: replace with the clinic's protocol.
            public var course: Course {
                Course(
                    description: "six infusions within two weeks", infusions: 6, withinDays: 14,
                    endOfCourseWindowDays: 7,
                    followUps: [
                        FollowUpVisit(id: "visit-1", name: "1-month visit", targetDay: 30, earliestDay: 21, latestDay: 45)
                    ])
            }
        }

        """
    }

    func scale(id: String, name: String) -> String {
        """
        import RegistryCore

        /// An example five-item scale: replace it with a published instrument, its items (neutral
        /// labels for copyrighted wording), scoring, range and bands.
        public enum \(name)ExampleScale {
            /// The scale: items, scoring, range, bands, licence and subscores.
            public static let scale = StandardScale(
                id: "\(id)-example",
                name: "\(name) example scale",
                version: "0.1",
                items: (1...5).map { ScaleItem(id: String($0), label: "item \\($0)", response: .number(0...4)) },
                range: 0...20,
                bands: [
                    SeverityBand("mild", 0...6),
                    SeverityBand("moderate", 7...13),
                    SeverityBand("severe", 14...20),
                ],
                licence: Licence(.checkBeforeShipping, note: "Replace with the instrument's licence."),
                scoringDescription: "The sum of five items, 0 to 4 each; all five must be answered.",
                // Parts scored on their own (Y-BOCS obsessions 1-5, compulsions 6-10): by the
                // scale's own method unless one is given (.sum, .mean, .proratedSum), with the
                // range worked out from the items. Delete the list if the instrument has none.
                subscores: [
                    .init("first-two", items: ["1", "2"]),
                    .init("last-three", items: ["3", "4", "5"]),
                ]
            )
        }

        """
    }

    func tests(id: String, name: String) -> String {
        """
        \(["ConditionTesting", "RegistryCore", "Testing", name].sorted().map { "import " + $0 }.joined(separator: "\n"))

        @Suite("\(name) module")
        struct \(name)Tests {
            @Test("The module passes the conformance kit")
            func conformance() {
                #expect(ConditionConformance.problems(in: \(name)Module()) == [])
            }

            @Test("Hand-worked example: replace with one from the instrument's published scoring rules")
            func handWorked() throws {
                let result = try \(name)ExampleScale.scale.score([1, 2, 3, 4, 0])
                #expect(result.score == 10)
                #expect(result.band?.id == "moderate")
                #expect(result.subscore("first-two") == 3 && result.subscore("last-three") == 7)
            }
        }

        """
    }
}

struct ScaffoldError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
