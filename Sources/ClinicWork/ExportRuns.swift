import RegistryCore
import RegistryExport
import RegistryStore

/// Sending to research endpoints: an export made now and delivered, or whatever the schedules and
/// the outbox call for. The exporter keeps the rules (what is built, when it is due, how an answer
/// is judged); this puts the steps in their order for any front door, with the delivering process
/// as the program names it.
public struct ExportRuns {
    /// What a run made now did.
    public struct Run: Sendable {
        /// Whether a new export was built, a waiting one sent again, or nothing changed.
        public enum Action: String, Sendable {
            /// A new export was built and stored in the outbox.
            case built
            /// The last export had not been delivered: it is sent again under its own key.
            case resumed
            /// Nothing changed since the last delivered export: nothing was built or sent.
            case unchanged
        }

        /// What was done.
        public let action: Action
        /// The export built, resumed, or (unchanged) the last one delivered.
        public let entry: OutboxEntry
        /// This run's delivery attempt of `entry`; nil when nothing was sent (unchanged, or the
        /// export is not due again yet).
        public let attempt: Exporter.Attempt?

        /// Where the export stands after the run.
        public var state: DeliveryState {
            action == .unchanged ? .delivered : attempt?.state ?? .pending
        }
    }

    /// What a run of the schedules and the outbox did.
    public struct Due: Sendable {
        /// The exports the schedules called for, built in this run.
        public let built: [OutboxEntry]
        /// Every delivery attempt made in this run, built now or waiting from before.
        public let attempts: [Exporter.Attempt]
        /// Why the schedules could not be built from (a schedule damaged behind the program's back,
        /// say), when they could not; what was waiting was delivered all the same.
        public var buildFailure: (any Error)? = nil

        /// True when an export failed for good in this run.
        public var anyFailed: Bool { attempts.contains { $0.state == .failed } }
    }

    /// The exporter, with its registry, catalog and transport.
    public let exporter: Exporter
    /// The delivering process, as the program names it (leases are held in its name).
    public let holder: LeaseHolder

    /// Runs through `exporter`, delivering as `holder`.
    public init(exporter: Exporter, holder: LeaseHolder) {
        self.exporter = exporter
        self.holder = holder
    }

    /// Makes an export for `endpoint` now (unless nothing changed since the last delivery, or one
    /// is still waiting, which is resumed instead) and delivers it if it is due.
    public func runNow(endpoint: String, actor: String) throws -> Run {
        let (action, entry): (Run.Action, OutboxEntry)
        switch try exporter.run(endpoint: endpoint, actor: actor) {
        case .built(let built): (action, entry) = (.built, built)
        case .resumed(let waiting): (action, entry) = (.resumed, waiting)
        case .unchanged(let delivered): return Run(action: .unchanged, entry: delivered, attempt: nil)
        }
        let attempt = try exporter.deliverDue(endpoint: endpoint, holder: holder).first { $0.id == entry.id }
        return Run(action: action, entry: entry, attempt: attempt)
    }

    /// Builds what the schedules call for in the current period, then delivers every export that is
    /// due, each under a lease: safe to run from a timer, two at once send nothing twice. When the
    /// schedules cannot be built from, what is already waiting is delivered all the same, and
    /// ``Due/buildFailure`` says why nothing was built.
    public func runDue() throws -> Due {
        var built: [OutboxEntry] = []
        var failure: (any Error)?
        do { built = try exporter.buildScheduled() } catch { failure = error }
        return Due(built: built, attempts: try exporter.deliverDue(holder: holder), buildFailure: failure)
    }
}
