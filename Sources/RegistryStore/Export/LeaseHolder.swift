/// The process that claims exports for delivery, as the program describes it: its name in the
/// outbox's lease column, and how to tell whether another holder is still alive. The program
/// reads its process id and host name; the store reads neither.
public struct LeaseHolder: Sendable {
    /// The name written as the lease's owner (the command line uses `pid@host`).
    public let name: String
    /// Whether the owner of another lease may still be delivering: false only when it is known to
    /// have died (a process of this machine that no longer exists), so its lease is void.
    public let thinksAlive: @Sendable (_ owner: String) -> Bool

    /// A holder called `name`, judging other owners with `thinksAlive`.
    public init(name: String, thinksAlive: @escaping @Sendable (_ owner: String) -> Bool) {
        self.name = name
        self.thinksAlive = thinksAlive
    }
}
