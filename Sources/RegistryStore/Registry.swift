import CSQLiteSettings
import Foundation
import GRDB
import RegistryCore
import Synchronization

/// One clinic's registry: a single SQLite file, opened in WAL mode with foreign keys on.
///
/// Every change to clinical data is written in one transaction with its audit row; input that
/// breaks a rule is refused before anything is written.
public struct Registry: Sendable {
    /// Where the file is.
    public let path: String
    /// The clinic's day, read once by the program: nothing dated later is accepted.
    public let today: ClinicalDate
    /// The time of day for audit rows, leases and retries, given by the program: the store never
    /// reads the clock itself.
    public let clock: any WallClock
    /// Where the registry's random numbers come from (export ids; a new registry's secret), as the
    /// program gave it.
    public let random: any RandomSource
    /// The operating-system account running the program, recorded in every audit row beside the
    /// actor: the program reads it and gives it (``operated(byAccount:)``); nil until then.
    public private(set) var account: String?
    /// One connection, in WAL mode: a command is one thread, and other processes read while it
    /// writes. (A `DatabasePool` would open a second connection, and SQLite would read the schema
    /// for each: a few milliseconds on every command.)
    let pool: any DatabaseWriter

    private init(
        path: String, pool: any DatabaseWriter, today: ClinicalDate, clock: any WallClock, random: any RandomSource
    ) {
        self.path = path
        self.pool = pool
        self.today = today
        self.clock = clock
        self.random = random
    }

    /// The same registry, its audit rows naming `account` as the operating-system account that ran
    /// the change.
    public func operated(byAccount account: String) -> Registry {
        var copy = self
        copy.account = account
        return copy
    }

    /// Now, by the registry's clock, as an audit row's timestamp.
    func timestamp() -> String { isoTimestamp(clock.now()) }

    /// Connections a command line keeps until it ends: see ``keepUntilExit()``.
    private static let kept = Mutex<[DatabaseQueue]>([])

    /// For a program that ends after its command: the connection is closed by ``closeKept()``
    /// when the program ends, not when the last copy of the registry goes, and the closed queue
    /// is never deallocated. GRDB's deallocation (its NotificationCenter bookkeeping, touched for
    /// the first time in the run) costs more than closing: 0.8M instructions, a fortieth of a
    /// `patient show`.
    public func keepUntilExit() -> Registry {
        if let queue = pool as? DatabaseQueue { Self.kept.withLock { $0.append(queue) } }
        return self
    }

    /// Closes every connection kept by ``keepUntilExit()``: SQLite checkpoints the WAL and removes
    /// it, as when the last connection to a file closes. A close that fails leaves the file as a
    /// crash would, which SQLite recovers on the next open.
    public static func closeKept() {
        for queue in kept.withLock({ $0 }) {
            do { try queue.close() } catch { continue }
        }
    }

    /// Creates a new registry file (mode 0600, its folder 0700 when the folder is created), with a
    /// fresh pseudonym secret. Refuses to overwrite an existing file.
    public static func create(
        at path: String, clinic: String?, purpose: RegistryPurpose = .clinic, today: ClinicalDate,
        clock: any WallClock, random: any RandomSource
    ) throws(RegistryError) -> Registry {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700])
            } catch {
                throw .storage("cannot create the folder \(folder): \(error.localizedDescription)")
            }
        }
        // O_EXCL: never overwrite, even if another process creates the file at the same moment.
        let descriptor = Foundation.open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST {
                throw .refused(
                    "a registry already exists at \(path); a new registry never overwrites one",
                    remedies: [.chooseAnotherRegistry])
            }
            throw .storage("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        do {
            let pool = try openPool(path, whenWaiting: nil)
            try Schema.migrator(courseDays: [:], clock: clock).migrate(pool)
            try pool.write { db in
                let created = isoTimestamp(clock.now())
                try db.execute(
                    sql: "INSERT INTO registry_info (key, value) VALUES ('created-at', ?)", arguments: [created])
                if let clinic {
                    try db.execute(
                        sql: "INSERT INTO registry_info (key, value) VALUES ('clinic', ?)", arguments: [clinic])
                }
                let secret = Data(random.bytes(32))
                try db.execute(sql: "INSERT INTO pseudonym_secret (id, secret) VALUES (1, ?)", arguments: [secret])
                if purpose != .clinic {
                    // In the chain, so that a clinic registry cannot be turned into a test one
                    // (which takes future days) behind the program's back: `verify` compares.
                    try db.execute(
                        sql: "INSERT INTO registry_info (key, value) VALUES ('purpose', ?)",
                        arguments: [purpose.rawValue])
                    var row = AuditRow(
                        id: nil, at: created, actor: "ketareg", action: "set-purpose", entity: "registry",
                        entityId: "purpose", patient: nil, before: nil,
                        after: "{\"purpose\":\"\(purpose.rawValue)\"}", reason: nil, account: nil)
                    try row.insertFast(db)
                }
            }
            return Registry(path: path, pool: pool, today: today, clock: clock, random: random)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw .storage("cannot initialise the registry at \(path): \(error)")
        }
    }

    /// How long a command waits for another one's write (an import, say) before giving up.
    public static let waitLimitSeconds = 600.0
    static let busyPollMilliseconds = 20.0

    /// Opens an existing registry and brings its schema up to date. The catalog's courses decide, in
    /// an old registry, which condition each infusion of a patient with several was given for.
    /// `whenWaiting` is called once when a write has to wait for another process's (an import,
    /// say): the command line says so on a terminal.
    public static func open(
        at path: String, today: ClinicalDate, clock: any WallClock, random: any RandomSource,
        catalog: ConditionCatalog, whenWaiting: (@Sendable () -> Void)? = nil
    ) throws(RegistryError) -> Registry {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .storage(
                "no registry at \(path)", remedies: [.createRegistry, .chooseAnotherRegistry])
        }
        do {
            let pool = try openPool(path, whenWaiting: whenWaiting)
            // Asked of SQLite directly: GRDB's tableExists loads its whole schema cache first, and
            // its migrator reads the applied migrations through generic fetches that cost more
            // than the rest of opening, on every command. The migrator runs only when one is missing.
            let applied = try pool.read { db -> [String]? in
                let tables = "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)"
                guard try db.firstValue(tables, arguments: ["registry_info"], { $0.bool(0) }) ?? false else {
                    return nil
                }
                guard try db.firstValue(tables, arguments: ["grdb_migrations"], { $0.bool(0) }) ?? false else {
                    return []
                }
                var identifiers: [String] = []
                let cursor = try DirectCursor(db, sql: "SELECT identifier FROM grdb_migrations")
                while let row = try cursor.next() {
                    if let identifier = row.string(0) { identifiers.append(identifier) }
                }
                return identifiers
            }
            guard let applied else {
                throw RegistryError.storage("\(path) is not a KetaReg registry")
            }
            let courseDays = Dictionary(uniqueKeysWithValues: catalog.conditions.map { ($0.id, $0.course.withinDays) })
            let migrator = Schema.migrator(courseDays: courseDays, clock: clock)
            if !migrator.migrations.allSatisfy(applied.contains) {
                try migrator.migrate(pool)
            }
            return Registry(path: path, pool: pool, today: today, clock: clock, random: random)
        } catch let error as RegistryError {
            throw error
        } catch {
            throw .storage("cannot open the registry at \(path): \(error)")
        }
    }

    /// Opens an existing registry as it is, without migrating it or writing anything: for
    /// verifying, which must see a tampered or out-of-date file as it is.
    public static func inspect(
        at path: String, today: ClinicalDate, clock: any WallClock, random: any RandomSource
    ) throws(RegistryError) -> Registry {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .storage("no registry at \(path)")
        }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.label = "ketareg"
            let pool = try DatabaseQueue(path: path, configuration: configuration)
            guard try pool.read({ try $0.tableExists("registry_info") }) else {
                throw RegistryError.storage("\(path) is not a KetaReg registry")
            }
            return Registry(path: path, pool: pool, today: today, clock: clock, random: random)
        } catch let error as RegistryError {
            throw error
        } catch {
            throw .storage("cannot open the registry at \(path): \(error)")
        }
    }

    /// SQLite's process-wide settings, made once, before the process's first connection (the
    /// registry's, in the command line): its memory statistics are off (see sqlite_settings.h). With
    /// them on, taking and releasing their global mutex was 3.5% of the import's instructions and
    /// about 5% of its time.
    private static let sqliteSettings: Void = { _ = ketareg_sqlite_disable_memory_statistics() }()

    private static func openPool(_ path: String, whenWaiting: (@Sendable () -> Void)?) throws -> any DatabaseWriter {
        _ = sqliteSettings
        var configuration = Configuration()
        // WAL, set here rather than by GRDB's `.wal` set-up, which also writes to the file (a
        // table created and dropped) whenever the -wal file is absent or empty: on nearly every
        // command, since SQLite removes it when the last connection closes.
        configuration.prepareDatabase { db in
            if try db.firstValue("PRAGMA journal_mode", { $0.string(0) }) != "wal" {
                guard try db.firstValue("PRAGMA journal_mode = WAL", { $0.string(0) }) == "wal" else {
                    throw RegistryError.storage("cannot put \(path) in WAL mode")
                }
            }
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        configuration.foreignKeysEnabled = true
        // Another command may hold the write lock for a while (an import writes all its rows in one
        // transaction): wait for it, saying so once, for up to waitLimitSeconds.
        configuration.busyMode = .callback { tries in
            if tries == 0 { whenWaiting?() }
            usleep(UInt32(busyPollMilliseconds * 1_000))
            return tries < Int(waitLimitSeconds * 1_000 / busyPollMilliseconds)
        }
        configuration.label = "ketareg"
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// The clinic's name as given at init.
    public func clinicName() throws -> String? {
        try read { try String.fetchOne($0, sql: "SELECT value FROM registry_info WHERE key = 'clinic'") }
    }

    // MARK: - Transactions

    /// Reads, turning database failures into storage errors.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let error as DatabaseError {
            throw RegistryError.storage("cannot read the registry at \(path): \(error.message ?? "\(error)")")
        }
    }

    /// Writes in one transaction: any error thrown by `body` rolls everything back.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let error as DatabaseError {
            throw RegistryError.storage("cannot write to the registry at \(path): \(error.message ?? "\(error)")")
        }
    }

    func audit<Before: Encodable, After: Encodable>(
        _ db: Database, actor: String, action: String, record: RecordID, patient: RecordID?,
        before: Before?, after: After?, reason: String? = nil
    ) throws {
        try audit(
            db, actor: actor, action: action, record: record, patient: patient, beforeImage: before.map(encodeJSON),
            afterImage: after.map(encodeJSON), reason: reason)
    }

    /// An audit row whose before and after are given as the JSON to keep (a record row's audit image).
    func audit(
        _ db: Database, actor: String, action: String, record: RecordID, patient: RecordID?,
        beforeImage: String?, afterImage: String?, reason: String? = nil
    ) throws {
        var row = AuditRow(
            id: nil, at: timestamp(), actor: actor, action: action, entity: record.kind.noun,
            entityId: record.description, patient: patient?.description,
            before: beforeImage, after: afterImage, reason: reason, account: account)
        try row.insertFast(db)
    }

    func requirePatient(_ db: Database, _ id: RecordID) throws -> PatientRow {
        guard id.kind == .patient else {
            throw RegistryError.refused("'\(id)' is not a patient id; patient ids look like P-000042")
        }
        guard let row = try PatientRow.fetchOneDirect(db, "WHERE id = ?", arguments: [id.row]) else {
            throw RegistryError.refused("no patient \(id) in this registry", remedies: [.listPatients])
        }
        return row
    }

    /// The condition an infusion or course marker is for: the one named (it must be one of the
    /// patient's), or the patient's only condition.
    /// `known` is the patient's conditions when the caller has them (an import keeps each patient's).
    func condition(_ db: Database, named: String?, patient: Int64, known: [String]? = nil)
        throws -> String
    {
        let own = try known ?? conditions(db, patient: patient)
        if let named, own.contains(named) { return named }
        let patientID = RecordKind.patient.displayID(patient)
        guard let named else {
            guard own.count == 1 else {
                throw RegistryError.refused(
                    "\(patientID) is enrolled for \(own.joined(separator: " and ")); say which condition this is for (\(own.joined(separator: " or ")))",
                    about: .field("for"))
            }
            return own[0]
        }
        let wanted = named.trimmedWhitespace.lowercased()
        guard own.contains(wanted) else {
            throw RegistryError.refused(
                "\(patientID) is not enrolled for '\(InputError.quote(named))'; their conditions are \(own.joined(separator: ", "))",
                about: .field("for"))
        }
        return wanted
    }

    func conditions(_ db: Database, patient: Int64) throws -> [String] {
        // Read for every row of an import: bound and read directly.
        var statement = try DirectStatement(
            db, sql: "SELECT condition_id FROM patient_condition WHERE patient_id = ? ORDER BY rowid")
        statement.bind(patient)
        var found: [String] = []
        try statement.forEachRow { row in found.append(row.string(0) ?? "") }
        return found
    }
}

/// An instant as an ISO 8601 UTC timestamp for audit rows (`yyyy-mm-ddThh:mm:ss.mmmZ`).
///
/// Written by hand rather than with `ISO8601DateFormatter`, which costs more than the rest of an
/// audited insert together.
func isoTimestamp(_ date: Date) -> String {
    var now = timespec()
    let interval = date.timeIntervalSince1970
    now.tv_sec = Int(interval.rounded(.down))
    now.tv_nsec = Int((interval - interval.rounded(.down)) * 1_000_000_000)
    var seconds = now.tv_sec
    var parts = tm()
    gmtime_r(&seconds, &parts)
    let year = Int(parts.tm_year) + 1900
    guard (0...9999).contains(year) else {
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
    // yyyy-mm-ddThh:mm:ss.mmmZ, digit by digit: every audit row takes one.
    return String(unsafeUninitializedCapacity: 24) { buffer in
        var at = 0
        func put(_ value: Int, _ width: Int) {
            var value = value
            for position in stride(from: at + width - 1, through: at, by: -1) {
                buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
            at += width
        }
        func put(_ character: Unicode.Scalar) {
            buffer[at] = UInt8(ascii: character)
            at += 1
        }
        put(year, 4)
        put("-")
        put(Int(parts.tm_mon) + 1, 2)
        put("-")
        put(Int(parts.tm_mday), 2)
        put("T")
        put(Int(parts.tm_hour), 2)
        put(":")
        put(Int(parts.tm_min), 2)
        put(":")
        put(Int(parts.tm_sec), 2)
        put(".")
        put(min(999, max(0, now.tv_nsec / 1_000_000)), 3)
        put("Z")
        return at
    }
}

/// What a registry is kept for: a clinic's (the default), or a test's or a demo's, which take a
/// clinic day after the machine's date (`$KETAREG_TODAY`) and whose future-dated records `verify`
/// only notes.
public enum RegistryPurpose: String, Sendable, Codable, CaseIterable {
    case clinic, test, demo
}

extension Registry {
    /// The registry's purpose, as `registry_info` holds it (absent: a clinic's). A value this
    /// version does not know counts as a clinic's.
    public func purpose() throws -> RegistryPurpose {
        try read { db in
            try String.fetchOne(db, sql: "SELECT value FROM registry_info WHERE key = 'purpose'")
                .flatMap(RegistryPurpose.init(rawValue:)) ?? .clinic
        }
    }
}
