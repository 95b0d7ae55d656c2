import Foundation
import GRDB
import RegistryCore
import RegistryTestSupport
import Testing

@testable import RegistryStore

@Suite("The operating-system account in audit rows comes from the program")
struct AccountTests {
    @Test(
        "Rows name the account the program gives; a registry given none records none (the store reads no account itself)"
    )
    func givenAccount() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        try fixture.registry.addEndpoint(
            EndpointSettings(
                name: "a", url: "https://research.invalid/", tokenFile: "/t", tokenEnvironment: nil, caFile: nil,
                profile: .summary, minCell: 11, k: 5, timeoutSeconds: 60), actor: "dpo")
        try fixture.registry.operated(byAccount: "clinic-7").addEndpoint(
            EndpointSettings(
                name: "b", url: "https://research.invalid/", tokenFile: "/t", tokenEnvironment: nil, caFile: nil,
                profile: .summary, minCell: 11, k: 5, timeoutSeconds: 60), actor: "dpo")
        let accounts = try fixture.database().read {
            try Row.fetchAll($0, sql: "SELECT entity_id, account FROM audit WHERE entity = 'endpoint' ORDER BY id")
                .map { ($0["entity_id"] as String, $0["account"] as String?) }
        }
        #expect(accounts.count == 2)
        #expect(accounts.first?.1 == nil)
        #expect(accounts.last?.0 == "b" && accounts.last?.1 == "clinic-7")
        #expect(try fixture.registry.verify().intact)
    }
}
