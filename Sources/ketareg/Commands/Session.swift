import ArgumentParser
import ClinicWork
import Foundation
import RegistryCore
import RegistryStore

struct SessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "An esketamine session's monitoring form, for the SPRAVATO REMS.",
        subcommands: [Form.self]
    )

    struct Form: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "form",
            abstract: "Print a session's monitoring form: every field the REMS form asks for, and what is missing.",
            discussion: """
                The fields follow the SPRAVATO REMS Patient Monitoring Form (outpatient use), filled \
                from the registry: the patient, concomitant medication, who monitored, the clinic, \
                the dose and times, the three blood pressures, sedation, dissociation and \
                respiratory depression, and adverse events. Fields the registry does not hold (the \
                lot number, always) are listed as missing, to be completed on the form, which the \
                clinic files within 7 days. The form names the patient: it stays at the clinic and \
                is never exported. It works for a ketamine infusion too, as a monitoring record.

                Examples:
                  ketareg session form I-000012
                  ketareg session form I-000012 --html session.html
                """
        )

        @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
        @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
        @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
        @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
        @Argument(help: ArgumentHelp("The session's infusion id, e.g. I-000012.", valueName: "infusion-id"))
        var infusion: String
        @Option(help: ArgumentHelp("Write the form as a page for printing to this new file.", valueName: "file.html"))
        var html: String?

        func run() throws {
            let form = try SessionForm.build(registry: try global.openRegistry(), infusion: try infusionID(infusion))
            if let html {
                try writeNewFile(html, Data(Self.page(form).utf8), field: "html", command: "session form")
                return print("Wrote \(html).")
            }
            if json { return try printJSON(form) }
            var lines = [Self.title(form)]
            var section = ""
            for field in form.fields {
                if field.section != section {
                    section = field.section
                    lines.append("\n" + section.prefix(1).uppercased() + section.dropFirst())
                }
                lines.append("  \(field.label): \(field.value ?? "MISSING")")
            }
            lines.append("")
            lines.append(Self.verdict(form))
            if !form.missing.isEmpty { lines.append("Missing: " + form.missing.joined(separator: "; ") + ".") }
            try writeStandardOutput(Data((lines.joined(separator: "\n") + "\n").utf8))
        }

        static func title(_ form: SessionForm) -> String {
            form.drug == .esketamine
                ? "SPRAVATO REMS patient monitoring form: \(form.infusion), \(form.patient)"
                : "Monitoring record (ketamine; not a REMS form): \(form.infusion), \(form.patient)"
        }

        static func verdict(_ form: SessionForm) -> String {
            guard form.drug == .esketamine else { return "Ketamine: the REMS's 2-hour rule is esketamine's." }
            return switch form.monitoredTwoHours {
            case true?: "Monitored for at least 2 hours from the first device."
            case false?: "MONITORED FOR LESS THAN 2 HOURS from the first device: a flag was raised for review."
            case nil: "Monitoring time not recorded: the REMS requires at least 2 hours from the first device."
            }
        }

        static func page(_ form: SessionForm) -> String {
            var body = "<h1>\(escapeHTML(title(form)))</h1>\n"
            var section = ""
            for field in form.fields {
                if field.section != section {
                    if !section.isEmpty { body += "</table>\n" }
                    section = field.section
                    body += "<h2>\(escapeHTML(section.prefix(1).uppercased() + section.dropFirst()))</h2>\n<table>\n"
                }
                body +=
                    "<tr><th>\(escapeHTML(field.label))</th><td>"
                    + (field.value.map(escapeHTML) ?? "<span class=\"flag\">missing</span> ________________")
                    + "</td></tr>\n"
            }
            if !section.isEmpty { body += "</table>\n" }
            body += "<p class=\"note\">\(escapeHTML(verdict(form)))</p>\n"
            return htmlPage(title: title(form), body: body)
        }
    }
}
