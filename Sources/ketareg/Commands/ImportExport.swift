import ArgumentParser
import Foundation
import RegistryCore
import RegistryStore

struct Import: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a long-format CSV file, all or nothing.",
        discussion: """
            One row per patient event; the first line names the columns, which are the command \
            line's option names: record (enrolment, infusion, assessment, adverse-event, \
            co-intervention), mrn, on (the event's date), and the columns of that kind of record, \
            e.g. given, family, birth-date, sex, condition for an enrolment; dose-mg-per-kg, \
            minutes, bp-before for an infusion; scale, timepoint, answers for an assessment. Lists \
            are separated by ';'. 'ketareg export-csv' writes the same format; the README lists \
            every column.

            Every row goes through the same checks and the same audit trail as the single \
            commands. One bad row refuses the whole file, naming its line, column and reason, and \
            nothing is written. --dry-run checks everything and writes nothing.

            Rows that meet a safety rule raise flags as the single commands do. The import says \
            how many and lists the first \(Self.flagsShown) (--json: flagsRaisedCount, and the first \
            \(Registry.importFlagsListed) as flagsRaised); 'ketareg flag list --open' lists every one. \
            A dry run does the same for those it would raise.
            """
    )

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Flag(name: .long, help: OutputOptions.jsonHelp) var json = false
    @Argument(help: ArgumentHelp("The CSV file.", valueName: "file.csv")) var file: String
    @Flag(name: .customLong("dry-run"), help: "Check every row and report what would be imported; write nothing.")
    var dryRun = false

    func run() throws {
        let catalog = try global.catalog()
        let registry = try global.openRegistry()
        let terminal = isatty(STDERR_FILENO) == 1
        let started = Date()
        defer { if terminal { writeStandardError("\r\u{1B}[K") } }
        let summary = try registry.importCSV(path: file, catalog: catalog, actor: global.actorName, dryRun: dryRun) {
            rows in
            guard terminal else { return }
            let rate = Int(Double(rows) / max(Date().timeIntervalSince(started), 0.001))
            writeStandardError("\r  \(rows) rows checked (\(rate) rows/s)...")
        }
        if json { return try printJSON(summary) }
        let what =
            "\(counted(summary.rows, "row")): "
            + [
                counted(summary.enrolments, "enrolment"), counted(summary.infusions, "infusion"),
                counted(summary.assessments, "assessment"), counted(summary.adverseEvents, "adverse event"),
                counted(summary.coInterventions, "co-intervention"),
            ].joined(separator: ", ")
            + (summary.courseMarkers > 0 ? ", " + counted(summary.courseMarkers, "course marker") : "")
        print(summary.dryRun ? "Dry run: \(what) would be imported; nothing was written." : "Imported \(what).")
        let raised = summary.flagsRaised.prefix(Self.flagsShown)
        let total = summary.flagsRaisedCount
        let more = total - raised.count
        if summary.dryRun, total > 0 {
            print(
                "The import would raise \(counted(total, "safety flag")) for clinician review\(more > 0 ? "; the first \(raised.count)" : ""):"
            )
            print(table(raised.map { [$0.patient, $0.flag, "on \($0.raisedOn)", $0.rule] }, indent: "  "))
            if more > 0 { print("  ... and \(more) more.") }
        } else if total > 0 {
            print(
                "The import raised \(counted(total, "safety flag")) for clinician review\(more > 0 ? "; the first \(raised.count)" : ""):"
            )
            print(
                table(
                    raised.map { [$0.id, $0.patient, $0.flag, "from \($0.source) on \($0.raisedOn)", $0.rule] },
                    indent: "  "))
            if more > 0 { print("  ... and \(more) more: 'ketareg flag list --open' lists every one.") }
            print("Review each with 'ketareg flag review F-... --action \"...\"'.")
        }
    }

    /// How many of the flags an import raised it prints (oldest first); `--json` lists more.
    static let flagsShown = 20
}

struct ExportCSV: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-csv",
        abstract: "Write the clinic's own records, identity included, as long-format CSV for local analysis.",
        discussion: """
            THIS FILE IDENTIFIES PATIENTS (names, MRNs, birth dates, exact dates). It is for the \
            clinic's own use and must stay at the clinic: it is not an anonymised export. The file \
            is created readable by you alone (mode 0600) and an existing file is never overwritten. \
            Records entered in error are left out. 'ketareg import' reads the same format. A \
            stored value damaged outside KetaReg stops the export, naming the record, and no file \
            is left behind ('ketareg correct RECORD --entered-in-error' takes a damaged record out).

            It is not a backup: contact details, the history of consent decisions and of \
            conditions added or ended, observations during infusions, safety flags and their \
            reviews, and the audit trail are not in it (the consent and conditions in force are). \
            'ketareg backup' copies everything.
            """
    )

    @Option(name: .long, help: GlobalOptions.registryHelp) var registry: String?
    @Option(name: .long, help: GlobalOptions.actorHelp) var actor: String?
    @Option(name: .long, help: CatalogOptions.conditionsHelp) var conditions: String?
    @Argument(help: ArgumentHelp("The file to create, or - for standard output.", valueName: "file.csv")) var file:
        String

    func run() throws {
        let catalog = try global.catalog()
        let registry = try global.openRegistry()
        let handle: FileHandle
        if file == "-" {
            handle = FileHandle.standardOutput
        } else {
            handle = try createNewFile(file, field: "<file>", command: "export-csv")
        }
        let rows: Int
        do {
            let place = file == "-" ? "standard output" : file
            rows = try registry.exportCSV(catalog: catalog) { text in
                try writeAll(Data(text.utf8), toDescriptor: handle.fileDescriptor, place: place)
            }
        } catch {
            // A record that does not read, or a full disk, stops the export part-way: the file it
            // created is removed, not left behind holding some patients' identities.
            if file != "-" {
                try? handle.close()
                unlink(file)
            }
            throw error
        }
        if file != "-" {
            try handle.close()
            note("Wrote \(rows) rows to \(file). It identifies patients: keep it at the clinic.")
        }
    }
}
