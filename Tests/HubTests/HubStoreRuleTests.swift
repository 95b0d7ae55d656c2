import Foundation
import HubCore
import HubStore
import Logging
import RegistryTestSupport
import Testing

/// The hub's rules hold for any caller of its store, not only for its command line.
@Suite(
    "The hub's store keeps the network's rules", .serialized,
    .enabled(if: postgresURL != nil || requirePostgres, "\(postgresMissing)"))
struct HubStoreRuleTests {
    @Test("A minimum cell size outside 1 to 1000 is refused by the store itself, and nothing is written")
    func minimumCellSize() async throws {
        let hub = try TestHub()
        defer { hub.remove() }
        #expect(try hub.run("init").status == 0)
        let location = try DatabaseLocation(url: hub.url, environment: [:])
        try await HubDatabase.with(location, logger: Logger(label: "test")) { db in
            var refused = 0
            for size in [0, -1, 1001, Int.max] {
                await #expect(throws: HubError.self) { try await db.setMinimumCellSize(size) }
                refused += 1
            }
            #expect(refused == 4)
            #expect(try await db.minimumCellSize() == Pooling.defaultMinimumCellSize)
            try await db.setMinimumCellSize(1000)
            #expect(try await db.minimumCellSize() == 1000)
        }
    }
}
