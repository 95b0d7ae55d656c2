import Foundation
import RegistryTestSupport
import Testing

/// What `ketareg-hub` does before it needs a database: no PostgreSQL here.
@Suite("ketareg-hub's command line")
struct HubCommandLineTests {
    @Test(
        "Help and version are written and checked: on a full disk exit status 3 and a message, never 0 with the text lost"
    )
    func helpAndVersionIntoAFullDisk() throws {
        for arguments in ["--help", "--version", "outcomes --help", "help serve"] {
            let written = try runProcess("/bin/sh", ["-c", "exec \"$0\" \(arguments)", hubBinary])
            #expect(written.status == 0, "\(arguments): \(written.status) \(written.standardError)")
            #expect(!written.standardOutput.isEmpty, "\(arguments) prints its text")
            #expect(written.standardError.isEmpty, "\(arguments): \(written.standardError)")

            let full = try runProcess("/bin/sh", ["-c", "exec \"$0\" \(arguments) > /dev/full", hubBinary])
            #expect(full.status == 3, "\(arguments): \(full.status) \(full.standardError)")
            #expect(
                full.standardError.contains("could not write standard output: No space left on device"),
                "\(arguments): \(full.standardError)")
        }
        // A usage error still goes to standard error with status 2, whatever standard output is.
        let usage = try runProcess("/bin/sh", ["-c", "exec \"$0\" outcomes --no-such-option > /dev/full", hubBinary])
        #expect(usage.status == 2, "\(usage.status) \(usage.standardError)")
        #expect(usage.standardError.contains("--no-such-option"), "\(usage.standardError)")
    }
}
