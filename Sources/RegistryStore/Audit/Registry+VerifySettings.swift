import Crypto
import Foundation
import GRDB
import RegistryCore

/// The settings that decide what leaves the clinic, as the audit trail tells them: each endpoint's
/// settings and schedule, and the release memory's digest after the last export built (or the last
/// restore). `verify` compares them with the registry, and the exporter refuses to build or send
/// when they differ: a minimum cell lowered, a URL changed or a memory emptied with another tool
/// would otherwise decide what leaves.
struct AuditedSettings {
    /// An endpoint as its audit rows tell it.
    struct Endpoint {
        var settings: String?
        var settingsRow: Int64 = 0
        var removed = false
        var schedule: String?
        var scheduleRow: Int64 = 0
    }

    var endpoints: [String: Endpoint] = [:]
    /// The purpose the registry was created with, when not a clinic's (`set-purpose`).
    var purpose: String?
    /// The release memory's digest after the last export built or restore, and that row.
    var memory: (digest: String, row: Int64)?

    /// Takes in one audit row (any row: only the endpoint, export and registry ones count).
    mutating func note(_ row: Row) {
        let entity: String = row["entity"]
        let action: String = row["action"]
        let id: Int64 = row["id"]
        let after = (row["after"] as String?).flatMap(Registry.jsonObject)
        switch entity {
        case "endpoint":
            let name: String = row["entity_id"]
            var told = endpoints[name] ?? Endpoint()
            switch action {
            case "schedule-export":
                if case .string(let every)? = after?["every"] { told.schedule = every }
                told.scheduleRow = id
            case "remove-endpoint":
                (told.settings, told.removed, told.settingsRow) = (nil, true, id)
                (told.schedule, told.scheduleRow) = (nil, id)
            default:
                (told.settings, told.removed, told.settingsRow) = (row["after"], false, id)
            }
            endpoints[name] = told
        case "export" where action == "build-export":
            if case .string(let digest)? = after?["releaseMemorySha256"] { memory = (digest, id) }
        case "registry" where action == "set-purpose":
            if case .string(let value)? = after?["purpose"] { purpose = value }
        case "registry" where action == "restore":
            if case .string(let digest)? = after?["releaseMemorySha256"] { memory = (digest, id) }
        default: break
        }
    }

    /// Reads every audit row that counts, oldest first.
    init(_ db: Database, endpoint: String? = nil) throws {
        var sql = "SELECT id, entity, entity_id, action, after FROM audit WHERE "
        var arguments: StatementArguments = []
        if let endpoint {
            sql += "(entity = 'endpoint' AND entity_id = ?)"
            arguments = [endpoint]
        } else {
            sql += "entity = 'endpoint'"
        }
        let rows = try Row.fetchCursor(db, sql: sql + " ORDER BY id", arguments: arguments)
        while let row = try rows.next() { note(row) }
        let last = try Row.fetchOne(
            db,
            sql: """
                SELECT id, entity, entity_id, action, after FROM audit
                WHERE (entity = 'export' AND action = 'build-export' AND after LIKE '%releaseMemorySha256%')
                   OR (entity = 'registry' AND action = 'restore' AND after LIKE '%releaseMemorySha256%')
                ORDER BY id DESC LIMIT 1
                """)
        if let last { note(last) }
    }

    init() {}

    /// Where the registry differs from what the audit trail says: (what, audit row, why); for one
    /// endpoint, its settings and the release memory (its schedule decides only when a build is
    /// due, never what leaves).
    func problems(_ db: Database, only name: String? = nil) throws -> [(record: String, row: Int64?, detail: String)] {
        var found: [(record: String, row: Int64?, detail: String)] = []
        guard try db.tableExists("endpoint") else { return found }
        var told = endpoints
        let rows = try EndpointRow.filter(name == nil || Column("name") == name).fetchAll(db)
        for row in rows {
            let name = row.name
            guard let audited = told.removeValue(forKey: name) else {
                found.append(
                    (name, nil, "the endpoint \(name) has no audit history: it was written behind the program's back"))
                continue
            }
            if row.removedAt != nil {
                if !audited.removed {
                    found.append(
                        (
                            name, audited.settingsRow,
                            "the endpoint \(name) was removed behind the program's back (its audit trail last set it at row \(audited.settingsRow))"
                        ))
                }
                continue
            }
            guard let text = audited.settings, let before = Registry.jsonObject(text) else {
                found.append(
                    (
                        name, audited.settingsRow,
                        "the endpoint \(name) is in use, but its audit trail removed it at row \(audited.settingsRow): it was brought back behind the program's back"
                    ))
                continue
            }
            guard let settings = try? row.settings(), let now = Registry.jsonObject(encodeJSON(settings)) else {
                found.append((name, audited.settingsRow, "the endpoint \(name) cannot be read as settings"))
                continue
            }
            var differing = Set(before.keys).union(now.keys).filter { before[$0] != now[$0] }
            if before["smallReason"] == nil, now["smallReason"] == .string(EndpointSettings.reasonBeforeReasons) {
                differing.remove("smallReason")
            }
            if !differing.isEmpty {
                found.append(
                    (
                        name, audited.settingsRow,
                        "the endpoint \(name) differs from its audited settings (audit row \(audited.settingsRow)) in \(differing.sorted().joined(separator: ", ")): they were changed behind the program's back"
                    ))
            }
        }
        if name == nil {
            for (name, audited) in told.sorted(by: { $0.key < $1.key }) where !audited.removed {
                found.append(
                    (
                        name, audited.settingsRow,
                        "the endpoint \(name) is in the audit trail (last at row \(audited.settingsRow)) but no longer in the registry: it was deleted behind the program's back"
                    ))
            }
        }
        // Schedules.
        if name == nil, try db.tableExists("export_schedule") {
            var stored: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT endpoint, every FROM export_schedule") {
                stored[row["endpoint"]] = row["every"]
            }
            for endpoint in Set(stored.keys).union(endpoints.keys).sorted() {
                let audited = endpoints[endpoint]
                if stored[endpoint] != audited?.schedule {
                    let said = audited?.schedule.map { "'\($0)'" } ?? "none"
                    let now = stored[endpoint].map { "'\(InputError.quote($0))'" } ?? "none"
                    found.append(
                        (
                            endpoint, audited?.scheduleRow,
                            "the schedule of the endpoint \(endpoint) is \(now), but its audit trail says \(said): it was changed behind the program's back"
                        ))
                }
            }
        }
        // The release memory.
        if let memory, try db.tableExists("summary_cell") {
            let digest = try Registry.releaseMemoryDigest(db)
            if digest != memory.digest {
                found.append(
                    (
                        "release memory", memory.row,
                        "the release memory (what each summary cell was published with) is not the one audit row \(memory.row) recorded: it was changed behind the program's back"
                    ))
            }
        }
        return found
    }
}

extension Registry {
    /// Records dated after the machine's date (`realToday`, as the program read it), and a
    /// purpose that is not the audited one. In a clinic registry a future-dated record is a
    /// problem (the clinic's day was set ahead to write it); in a test or demo one, a note.
    func checkDates(
        _ db: Database, realToday: ClinicalDate, audited: AuditedSettings, problem: (String) -> Void,
        note: (String) -> Void
    ) throws {
        let stored = try String.fetchOne(db, sql: "SELECT value FROM registry_info WHERE key = 'purpose'")
        if stored != audited.purpose {
            problem(
                "the registry's purpose is \(stored.map { "'\(InputError.quote($0))'" } ?? "a clinic's"), but its audit trail says \(audited.purpose.map { "'\($0)'" } ?? "a clinic's"): it was changed behind the program's back"
            )
        }
        let after = realToday.adding(days: 1).description
        var found: [String] = []
        for (table, column, kind) in [
            ("patient", "enrolled_on", RecordKind.patient), ("infusion", "given_on", .infusion),
            ("assessment", "assessed_on", .assessment), ("adverse_event", "onset", .adverseEvent),
            ("co_intervention", "from_date", .coIntervention), ("infusion_observation", "observed_on", .observation),
            ("course_event", "on_date", .courseEvent),
        ] where try db.tableExists(table) {
            let ids = try Int64.fetchAll(
                db, sql: "SELECT id FROM \(table) WHERE \(column) > ? ORDER BY id LIMIT 4", arguments: [after])
            found += ids.prefix(3).map { kind.displayID($0) } + (ids.count > 3 ? ["..."] : [])
        }
        guard !found.isEmpty else { return }
        let words =
            "records are dated after this machine's date (\(realToday)): \(found.joined(separator: ", "))"
        if (audited.purpose.flatMap(RegistryPurpose.init(rawValue:)) ?? .clinic) == .clinic {
            problem(words + ": the clinic's day was set ahead to write them")
        } else {
            note(words + " (a \(audited.purpose ?? "test") registry takes any day)")
        }
    }

    /// The triggers that keep the audit trail append-only, and (once the migration that adds them
    /// has run) those that hold the endpoints above their floors: each there, as written.
    func checkTriggers(_ db: Database, problem: (String) -> Void) throws {
        let triggers = Dictionary(
            uniqueKeysWithValues: try Row.fetchAll(
                db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            )
            .map { ($0["name"] as String, Self.squeezed($0["sql"] as String? ?? "")) })
        let floors = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations").contains(
            Schema.floorsMigration)
        let expected = [
            (Schema.appendOnlyTriggers, "the audit trail can be changed without the program"),
            (floors ? Schema.endpointFloorTriggers : "", "an endpoint can be set below the privacy floors"),
        ]
        for (statements, risk) in expected {
            for statement in statements.components(separatedBy: "END;").map({ $0 + "END" })
            where statement.contains("CREATE TRIGGER") {
                let name = statement.components(separatedBy: .whitespacesAndNewlines).filter { !$0.isEmpty }[2]
                if triggers[name] == nil {
                    problem("the trigger \(name) is missing: \(risk)")
                } else if triggers[name] != Self.squeezed(statement.trimmingCharacters(in: .whitespacesAndNewlines)) {
                    problem("the trigger \(name) was changed")
                }
            }
        }
    }

    /// A digest of the whole release memory, in key order: recorded with each export built.
    static func releaseMemoryDigest(_ db: Database) throws -> String {
        var hasher = SHA256()
        let cells = try Row.fetchCursor(
            db, sql: "SELECT key, cell_values, computed_in, releases FROM summary_cell ORDER BY key")
        while let row = try cells.next() {
            for index in 0..<4 { hasher.update(data: Data(((row[index] as String?) ?? "").utf8) + [0]) }
        }
        hasher.update(data: [1])
        let members = try DirectCursor(
            db,
            sql: "SELECT key, patient, since, COALESCE(until, -1) FROM summary_cell_member ORDER BY key, patient, since"
        )
        while let row = try members.next() {
            hasher.update(
                data: Data(
                    "\(row.string(0) ?? "")|\(row.int64(1) ?? 0)|\(row.int64(2) ?? 0)|\(row.int64(3) ?? 0)\n".utf8))
        }
        return hexString(hasher.finalize())
    }

    /// Why the settings the exporter would use for `endpoint` (its own, and the release memory)
    /// are not what the audit trail says; nil when they are.
    public func settingsProblem(endpoint name: String) throws -> String? {
        try read { db in
            try AuditedSettings(db, endpoint: name).problems(db, only: name).map(\.detail).first
        }
    }

    /// Refuses, naming the difference, when ``settingsProblem(endpoint:)`` finds one.
    public func requireAuditedSettings(endpoint name: String) throws {
        if let problem = try settingsProblem(endpoint: name) {
            throw RegistryError.refused("\(problem); nothing was built or sent", remedies: [.verifyRegistry])
        }
    }
}
