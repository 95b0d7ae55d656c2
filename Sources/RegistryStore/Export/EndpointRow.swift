import Foundation
import GRDB
import RegistryCore

struct EndpointRow: SnakeCaseRecord {
    static let databaseTableName = "endpoint"
    var name: String
    var url: String
    var tokenFile: String?
    var tokenEnvironment: String?
    var caFile: String?
    var profile: String
    var minCell: Int
    var k: Int
    var timeoutSeconds: Int
    var createdAt: String
    var removedAt: String?
    /// The hub's public key for its receipts (since the receipts migration).
    var hubKey: String?
    /// Why the endpoint may have a minimum cell or k below 5 (since the floors migration).
    var smallReason: String?

    /// The endpoint as the exporter uses it. A profile this version does not know (a file
    /// changed outside KetaReg, or written by a newer one) is refused, never built as another.
    func settings() throws -> EndpointSettings {
        guard let known = ExportProfile(rawValue: profile) else {
            throw RegistryError.storage(
                "the endpoint '\(name)' has the profile '\(InputError.quote(profile))', which this version does not know (\(ExportProfile.allowed))"
            )
        }
        var settings = EndpointSettings(
            name: name, url: url, tokenFile: tokenFile, tokenEnvironment: tokenEnvironment, caFile: caFile,
            profile: known, minCell: minCell, k: k, timeoutSeconds: timeoutSeconds)
        settings.hubKey = hubKey
        settings.smallReason = smallReason
        return settings
    }
}
