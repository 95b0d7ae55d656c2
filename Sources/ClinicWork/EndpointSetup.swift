import CurlTransport
import Foundation
import RegistryCore
import RegistryExport
import RegistryStore

/// Setting up a research endpoint: every rule an endpoint must keep before it is stored, for any
/// caller. The privacy limits (minimum cell, k), the name, the timeout and one token source are the
/// store's (`EndpointSettings.validated()`, checked again by `Registry.addEndpoint`); here besides:
/// a URL the transport will send to, a token source that can be read (or an environment variable
/// not set yet, which is only noted), and a readable CA bundle.
public struct EndpointSetup {
    /// The registry the endpoint is stored in.
    public let registry: Registry
    /// Reads an environment variable (the executable's environment), for a token kept in one.
    public let environment: (String) -> String?

    /// The user id a token file must belong to: the program's own.
    public let tokenOwner: UInt32

    /// Setting up endpoints of `registry`, reading token variables through `environment`; token
    /// files must belong to `tokenOwner`.
    public init(registry: Registry, environment: @escaping (String) -> String?, tokenOwner: UInt32) {
        self.registry = registry
        self.environment = environment
        self.tokenOwner = tokenOwner
    }

    /// Stores `settings` as a new endpoint (audited), or refuses it naming the field, with nothing
    /// written. Paths are stored as given: the caller makes them absolute, so that a scheduled run
    /// from another folder finds them. Returns a note for the clinic when the token's environment
    /// variable is not set yet (deliveries fail until it is).
    @discardableResult
    public func add(_ settings: EndpointSettings, actor: String) throws -> String? {
        // The settings' own limits first, so that a mistyped number is named before any file is read.
        let settings = try settings.validated()
        if let problem = CurlHTTPClient.check(url: settings.url) {
            throw InputError(field: "url", got: settings.url, allowed: problem.description)
        }
        var note: String?
        do {
            _ = try TokenSource.read(
                file: settings.tokenFile, environment: settings.tokenFile == nil ? settings.tokenEnvironment : nil,
                lookup: environment, owner: tokenOwner)
        } catch let error as ExportError
            where settings.tokenFile != nil || environment(settings.tokenEnvironment ?? "") != nil
        {
            throw InputError(
                field: settings.tokenFile != nil ? "token-file" : "token-env",
                got: settings.tokenFile ?? settings.tokenEnvironment ?? "", allowed: "a usable token source: \(error)")
        } catch {
            note = "\(error). Set it before exports are delivered."
        }
        if let caFile = settings.caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw InputError(field: "ca-file", got: caFile, allowed: "a readable PEM file of certificate authorities")
        }
        try registry.addEndpoint(settings, actor: actor)
        return note
    }

    /// Builds and sends `endpoint`'s export once in every day, week or month (with a scheduled run).
    public func schedule(endpoint: String, every interval: ExportInterval, actor: String) throws {
        try registry.setSchedule(endpoint: endpoint, every: interval, actor: actor)
    }

    /// The endpoints, each with its schedule when it has one.
    public func list() throws -> [(endpoint: EndpointSettings, schedule: ExportSchedule?)] {
        let schedules = try registry.schedules()
        return try registry.endpoints().map { endpoint in
            (endpoint, schedules.first { $0.endpoint == endpoint.name })
        }
    }

    /// Removes an endpoint: nothing more is built or sent for it; its outbox history stays.
    public func remove(_ name: String, actor: String) throws {
        try registry.removeEndpoint(name, actor: actor)
    }
}
