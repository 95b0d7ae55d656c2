import ArgumentParser
import Foundation
import RegistryCore
import RegistryExport
import RegistryStore

struct FhirCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fhir",
        abstract:
            "FHIR R4: a scale as a Questionnaire, a patient's assessments as a Bundle for the clinic's own record.",
        discussion: """
            Codes come from the modules (LOINC for scores, forms and items; SNOMED CT and ICD-10 \
            for conditions); where a module has none, KetaReg's own urn:ketareg: systems name the \
            thing, so that nothing is guessed. Item texts are neutral labels: the published wording \
            of a licensed instrument is never shipped.
            """,
        subcommands: [Questionnaire.self, Export.self]
    )

    struct Questionnaire: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "questionnaire",
            abstract: "Print a scale's FHIR Questionnaire: items, answer options with their scores, codes, licence.",
            discussion:
                "Nothing is opened or stored. Example: ketareg fhir questionnaire phq9 > phq9-questionnaire.json"
        )
        @Argument(
            help: ArgumentHelp("The scale id, e.g. phq9 (see 'ketareg conditions').", valueName: "scale"),
            completion: scaleCompletion)
        var scale: String
        @OptionGroup var modules: CatalogOptions

        func run() throws {
            let catalog = try modules.load()
            let found = try catalog.scale(named: scale)
            try printJSON(FHIRResources.questionnaire(found))
        }
    }

    struct Export: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract:
                "Write a patient's FHIR Bundle: Patient, Conditions, and each assessment as a QuestionnaireResponse and an Observation.",
            discussion: """
                THE BUNDLE IDENTIFIES THE PATIENT (name, MRN, birth date, contact details, exact \
                dates). It is for the clinic's own electronic record and must stay at the clinic. With \
                --output it is written to a new file readable by you alone (mode 0600); an existing \
                file is never overwritten. Without --output it is printed. Assessments entered in \
                error are left out.

                Example: ketareg fhir export P-000042 --output p42.fhir.json
                """
        )
        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("The patient's registry id (P-000042) or MRN.", valueName: "id")) var id: String
        @Option(
            name: .customLong("output"),
            help: ArgumentHelp("The file to write (created with mode 0600; never overwritten).", valueName: "file.json")
        ) var outputFile: String?

        func run() throws {
            let catalog = try global.catalog()
            let registry = try global.openRegistry()
            let patient = try patientID(id, field: "id", registry: registry)
            // With the history, so every stored value is read as strictly as outcomes read it: a
            // damaged one stops the bundle, naming the record, rather than enter it.
            let page = try registry.patientPageAndHistory(patient).page
            let timestamp = ISO8601DateFormatter().string(from: try ClinicDay.clock().now())
            let bundle = FHIRResources.patientBundle(page, catalog: catalog, timestamp: timestamp)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(bundle)
            guard let outputFile else {
                try writeStandardOutput(data + Data("\n".utf8))
                return
            }
            try writeNewFile(outputFile, data + Data("\n".utf8), field: "output", command: "fhir export")
            guard case .object(let object) = bundle, case .array(let entries) = object["entry"] ?? .null else { return }
            var counts: [String: Int] = [:]
            for case .object(let entry) in entries {
                if case .object(let resource) = entry["resource"] ?? .null,
                    case .string(let type) = resource["resourceType"] ?? .null
                {
                    counts[type, default: 0] += 1
                }
            }
            if json {
                return try printJSON([
                    "file": JSONValue.string(outputFile),
                    "resources": .object(counts.mapValues { .number(Double($0)) }),
                ])
            }
            print(
                "Wrote \(outputFile) (mode 0600; it identifies the patient: keep it at the clinic): "
                    + counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + ".")
        }
    }
}
