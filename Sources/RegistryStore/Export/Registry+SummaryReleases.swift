import Foundation
import GRDB

/// What every summary cell was published with, kept in the clinic's file and never sent.
///
/// Two summaries built before and after one patient joined a cell would reveal that patient by
/// subtraction (a count goes up by one, a mean times its count by the patient's score). So a cell
/// is published with new values only when its patients differ, by at least the minimum cell size,
/// from *every* set of patients it was published for before; otherwise its earlier values are
/// published again. Any two releases then differ, cell by cell, by nothing or by the patients of
/// a group at least that large.
public struct SummaryReleaseMemory: Sendable {
    /// Each cell's last release, by cell key.
    public var cells: [String: SummaryCellRelease]
    /// The number the next release will have: one more than any so far.
    public let nextRelease: Int

    /// A memory of `cells`, whose next release is numbered `nextRelease`; by default empty, as for
    /// a clinic that has published nothing.
    public init(cells: [String: SummaryCellRelease] = [:], nextRelease: Int = 1) {
        self.cells = cells
        self.nextRelease = nextRelease
    }
}

/// One summary cell as it was last published.
public struct SummaryCellRelease: Sendable {
    /// The cell's key: `condition|ID`, `timepoint|COND|SCALE|POINT` or
    /// `outcome|COND|OUTCOME|SCALE|SUBSCORE|WINDOW|VISIT`.
    public let key: String
    /// The cell's values as the builder encoded them.
    public let values: Data
    /// The period of the release that computed these values.
    public let computedIn: String
    /// The releases that published new values for this cell, in order.
    public let releases: [Int]
    /// Who the cell counted: each patient row with the releases it was a member from and until
    /// (exclusive; `nil`: still a member at the last release).
    public let members: [(patient: Int64, since: Int, until: Int?)]

    /// A cell as it was last published, with its releases and the patients it counted in each.
    public init(
        key: String, values: Data, computedIn: String, releases: [Int],
        members: [(patient: Int64, since: Int, until: Int?)]
    ) {
        self.key = key
        self.values = values
        self.computedIn = computedIn
        self.releases = releases
        self.members = members
    }

    /// The smallest number of patients by which `patients` differs (joined plus left) from any
    /// set of patients this cell was published for.
    public func smallestDifference(from patients: Set<Int64>) -> Int {
        smallestDifference(count: patients.count, contains: patients.contains)
    }

    /// The same for patients given as row ids in increasing order, each once.
    public func smallestDifference(fromSorted patients: [Int64]) -> Int {
        smallestDifference(count: patients.count) { patient in
            var low = 0
            var high = patients.count
            while low < high {
                let middle = (low + high) / 2
                if patients[middle] < patient { low = middle + 1 } else { high = middle }
            }
            return low < patients.count && patients[low] == patient
        }
    }

    private func smallestDifference(count: Int, contains: (Int64) -> Bool) -> Int {
        guard !releases.isEmpty else { return Int.max }
        // For each earlier release r: |published(r)| and |published(r) ∩ patients|, by adding
        // each membership interval to the releases it covers.
        var size = [Int](repeating: 0, count: releases.count + 1)
        var shared = [Int](repeating: 0, count: releases.count + 1)
        func index(_ release: Int) -> Int { releases.firstIndex { $0 >= release } ?? releases.count }
        for member in members {
            let from = index(member.since)
            let to = member.until.map(index) ?? releases.count
            guard from < to else { continue }
            size[from] += 1
            size[to] -= 1
            if contains(member.patient) {
                shared[from] += 1
                shared[to] -= 1
            }
        }
        var smallest = Int.max
        var runningSize = 0
        var runningShared = 0
        for position in 0..<releases.count {
            runningSize += size[position]
            runningShared += shared[position]
            smallest = min(smallest, count + runningSize - 2 * runningShared)
        }
        return smallest
    }
}

/// A cell a new summary publishes with new values: stored with the export that carries it.
public struct SummaryCellUpdate: Sendable {
    /// The cell's key, as in ``SummaryCellRelease/key``.
    public let key: String
    /// The cell's new values, as the builder encoded them.
    public let values: Data
    /// The period of the summary that computed them (`YYYY-MM` of its build day).
    public let computedIn: String
    private let members: @Sendable () -> [Int64]

    /// The cell's patients' row ids, in increasing order, each once.
    public var patients: [Int64] { members() }

    /// A cell published with new values, counting `patients` (row ids, in increasing order, each
    /// once).
    public init(key: String, values: Data, computedIn: String, patients: [Int64]) {
        self.init(key: key, values: values, computedIn: computedIn) { patients }
    }

    /// With the patients worked out only when the outbox remembers them: a summary of a large
    /// clinic publishes dozens of cells of tens of thousands of patients each, and a preview
    /// never needs them.
    public init(key: String, values: Data, computedIn: String, patients: @escaping @Sendable () -> [Int64]) {
        self.key = key
        self.values = values
        self.computedIn = computedIn
        self.members = patients
    }
}

extension Registry {
    func summaryReleaseMemory(_ db: Database) throws -> SummaryReleaseMemory {
        var members: [String: [(patient: Int64, since: Int, until: Int?)]] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT key, patient, since, until FROM summary_cell_member")
        while let row = try rows.next() {
            members[row["key"], default: []].append((row["patient"], row["since"], row["until"]))
        }
        var cells: [String: SummaryCellRelease] = [:]
        var last = 0
        for row in try Row.fetchAll(db, sql: "SELECT key, cell_values, computed_in, releases FROM summary_cell") {
            let key: String = row["key"]
            let releases = (row["releases"] as String).split(separator: ",").compactMap { Int($0) }
            last = max(last, releases.last ?? 0)
            cells[key] = SummaryCellRelease(
                key: key, values: Data((row["cell_values"] as String).utf8), computedIn: row["computed_in"],
                releases: releases, members: members[key] ?? [])
        }
        return SummaryReleaseMemory(cells: cells, nextRelease: last + 1)
    }

    /// What summary cells have been published with so far.
    public func summaryReleaseMemory() throws -> SummaryReleaseMemory {
        try read { try summaryReleaseMemory($0) }
    }

    /// Records the cells a stored summary publishes with new values, as the next release.
    func remember(_ updates: [SummaryCellUpdate], _ db: Database) throws {
        guard !updates.isEmpty else { return }
        let release =
            1 + (try Int.fetchOne(db, sql: "SELECT MAX(MAX(since, COALESCE(until, 0))) FROM summary_cell_member") ?? 0)
        for update in updates {
            let values = String(decoding: update.values, as: UTF8.self)
            if let releases = try String.fetchOne(
                db, sql: "SELECT releases FROM summary_cell WHERE key = ?", arguments: [update.key])
            {
                try db.execute(
                    sql: "UPDATE summary_cell SET cell_values = ?, computed_in = ?, releases = ? WHERE key = ?",
                    arguments: [values, update.computedIn, releases + ",\(release)", update.key])
            } else {
                try db.execute(
                    sql: "INSERT INTO summary_cell (key, cell_values, computed_in, releases) VALUES (?, ?, ?, ?)",
                    arguments: [update.key, values, update.computedIn, String(release)])
            }
            let current = Set(
                try Int64.fetchAll(
                    db, sql: "SELECT patient FROM summary_cell_member WHERE key = ? AND until IS NULL",
                    arguments: [update.key]))
            let leave = try db.makeStatement(
                sql: "UPDATE summary_cell_member SET until = ? WHERE key = ? AND patient = ? AND until IS NULL")
            let patients = update.patients
            for patient in current.subtracting(patients) {
                try leave.execute(arguments: [release, update.key, patient])
            }
            let join = try db.makeStatement(
                sql: "INSERT INTO summary_cell_member (key, patient, since, until) VALUES (?, ?, ?, NULL)")
            for patient in patients where !current.contains(patient) {
                try join.execute(arguments: [update.key, patient, release])
            }
        }
    }
}
