import Foundation
import RegistryCore
import RegistryStore

/// The clinic's day and time of day. The program reads the clock here and passes it down: no
/// library reads it. `KETAREG_NOW` (an ISO 8601 instant, `2026-03-02T09:30:00Z`) stops the clock
/// at one moment, and `KETAREG_TODAY=YYYY-MM-DD` sets the day, for demos, tests and re-running a
/// report as it stood on a past day. With only `KETAREG_NOW`, today is that moment's local date.
enum ClinicDay {
    /// On a terminal, a command that must wait for another's write (an import, say) says so, once.
    static let whenWaiting: (@Sendable () -> Void)? = {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        return { @Sendable in note("Waiting for another ketareg command to finish writing (an import?) ...") }
    }()

    /// `$KETAREG_NOW` as a stopped clock, or the machine's clock.
    private static let clockReading: Result<any WallClock, InputError> = {
        guard let text = environmentVariable("KETAREG_NOW"), !text.isEmpty else { return .success(SystemClock()) }
        guard let fixed = FixedClock.parse(text) else {
            return .failure(
                InputError(
                    field: "$KETAREG_NOW", got: text,
                    allowed: "an ISO 8601 instant such as 2026-03-02T09:30:00Z (or with an offset, +01:00)"))
        }
        return .success(fixed)
    }()

    private static let reading: Result<ClinicalDate, InputError> = {
        if let text = environmentVariable("KETAREG_TODAY"), !text.isEmpty {
            do throws(InputError) { return .success(try ClinicalDate.parse(text, field: "$KETAREG_TODAY")) } catch {
                return .failure(error)
            }
        }
        let clock: any WallClock
        switch clockReading {
        case .success(let found): clock = found
        case .failure(let error): return .failure(error)
        }
        return .success(localDate(clock.now()))
    }()

    /// A moment's date on this machine's local calendar.
    private static func localDate(_ moment: Date) -> ClinicalDate {
        var now = time_t(moment.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        localtime_r(&now, &parts)
        return ClinicalDate(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday))!
    }

    /// Today at the clinic: `$KETAREG_TODAY`, else the local date of `$KETAREG_NOW`, else the
    /// machine's local date.
    static func today() throws -> ClinicalDate { try reading.get() }

    /// The machine's own local date, whatever `$KETAREG_TODAY` and `$KETAREG_NOW` say: read once.
    /// A clinic registry records nothing dated after it (see ``GlobalOptions/openRegistry()``).
    static let machineToday = localDate(SystemClock().now())

    /// Refuses a clinic's day set (by `$KETAREG_TODAY` or `$KETAREG_NOW`) after the machine's date
    /// for a registry kept for a clinic: events would be recorded in the future. Test and demo
    /// registries take any day.
    static func requireHonestDay(for registry: Registry) throws {
        let today = try today()
        guard today > machineToday.adding(days: 1), try registry.purpose() == .clinic else { return }
        let set = (environmentVariable("KETAREG_TODAY") ?? "").isEmpty ? "$KETAREG_NOW" : "$KETAREG_TODAY"
        throw InputError(
            field: set, got: today.description,
            allowed:
                "a day up to this machine's date (\(machineToday)): a clinic registry records nothing dated in the future (a registry made with 'ketareg init --purpose test', or by 'ketareg demo', takes any day)"
        )
    }

    /// The time of day for the libraries: `$KETAREG_NOW` stopped, else the machine's clock.
    static func clock() throws -> any WallClock { try clockReading.get() }

    /// Random numbers for the libraries: the operating system's generator.
    static let random: any RandomSource = SystemRandom()

    /// A date as typed (`YYYY-MM-DD`, `today`, `yesterday`).
    static func parse(_ text: String, field: String) throws -> ClinicalDate {
        try ClinicalDate.parse(text, field: field, today: today())
    }

    /// This process as a holder of delivery leases: `pid@host`; a holder on this machine whose
    /// process no longer exists is known to have died.
    static let leaseHolder: LeaseHolder = {
        let host = machineName()
        return LeaseHolder(name: "\(getpid())@\(host)") { owner in
            let parts = owner.split(separator: "@", maxSplits: 1)
            guard parts.count == 2, let pid = Int32(parts[0]), String(parts[1]) == host else { return true }
            return kill(pid, 0) == 0 || errno != ESRCH
        }
    }()

    /// The effective user id of this program: token files must belong to it.
    static let userID: UInt32 = geteuid()

    /// The operating-system account running this program, for the audit rows beside `--actor`.
    static let account: String = {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(geteuid())"
    }()

    /// This machine's name from gethostname(2): no name lookup, so no wait for a network.
    private static func machineName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: name, as: UTF8.self)
    }
}

/// The machine's clock: the one place the command line reads the time of day.
struct SystemClock: WallClock {
    func now() -> Date {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Date(timeIntervalSince1970: Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000)
    }
}

/// The operating system's generator (getrandom(2) through the standard library): the one place the
/// command line reads randomness.
struct SystemRandom: RandomSource {
    func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
