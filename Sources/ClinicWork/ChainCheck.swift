import Foundation
import PayloadFormat
import RegistryCore
import RegistryExport
import RegistryStore

/// `verify` with what anchors the audit chain outside the registry: the hubs' receipts kept at
/// delivery (each checked against its hub's key), the receipts the hubs hold (asked for over the
/// network, unless offline), and anchors written down elsewhere (`audit anchor`). A receipt can only
/// add checks: one that is missing, changed or not signed by the hub is reported.
public struct ChainCheck {
    /// The exporter, for its registry, transport, environment and token owner.
    public let exporter: Exporter

    /// Checks through `exporter`.
    public init(exporter: Exporter) { self.exporter = exporter }

    /// An anchor file's line: `ketareg-anchor/1 rows=N head=HEX ...`, as `audit anchor` prints it.
    public static let anchorFormat = "ketareg-anchor/1"

    /// The line `audit anchor` prints for `anchor`, taken at `at` (ISO 8601).
    public static func anchorLine(_ anchor: ChainAnchor, at: String) -> String {
        "\(anchorFormat) rows=\(anchor.rows) head=\(anchor.head) at=\(at)"
    }

    /// The anchors in an anchor file's text: every line that is not blank or a `#` comment must be
    /// one ``anchorLine(_:at:)`` wrote. The error names the line.
    public static func anchors(inFile text: String, named file: String) throws(InputError) -> [VerifyReport.Anchor] {
        var anchors: [VerifyReport.Anchor] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let words = line.split(separator: " ").map(String.init)
            let fields = Dictionary(
                words.dropFirst().compactMap { word -> (String, String)? in
                    guard let equals = word.firstIndex(of: "=") else { return nil }
                    return (String(word[..<equals]), String(word[word.index(after: equals)...]))
                }, uniquingKeysWith: { first, _ in first })
            guard words.first == anchorFormat, let rows = fields["rows"].flatMap(Int.init),
                (1...Int(Int32.max)).contains(rows),
                let head = fields["head"], ChainAnchor.isHash(head)
            else {
                throw InputError(
                    field: "anchor", got: "\(file) line \(number + 1)",
                    allowed:
                        "anchor lines, as the audit trail's anchor is printed: \(anchorFormat) rows=N head=64-HEX-DIGITS"
                )
            }
            anchors.append(
                VerifyReport.Anchor(
                    source: "the anchor in \(file) (line \(number + 1))", anchor: ChainAnchor(head: head, rows: rows)))
        }
        return anchors
    }

    /// The registry checked with every anchor: `fileAnchors` from anchor files; the kept
    /// receipts; and, unless `offline`, each receipt-giving hub's own list. What could not be asked
    /// is in the report's notes, never a reason to say the registry is intact when it is not.
    public func run(
        fileAnchors: [VerifyReport.Anchor] = [], offline: Bool = false, realToday: ClinicalDate? = nil,
        acceptRestores: Bool = false
    ) throws -> VerifyReport {
        let registry = exporter.registry
        let endpoints = Dictionary(uniqueKeysWithValues: try registry.endpoints().map { ($0.name, $0) })
        var anchors = fileAnchors
        var problems: [VerifyReport.Problem] = []
        var notes: [String] = []
        func problem(_ detail: String, record: String? = nil) {
            problems.append(VerifyReport.Problem(kind: .anchor, record: record, auditRow: nil, detail: detail))
        }
        let kept = try registry.receipts()
        var unkeyed: Set<String> = []
        for stored in kept {
            let source = "the receipt from \(stored.endpoint) for export \(stored.export)"
            guard let receipt = try? JSONDecoder().decode(HubReceipt.self, from: Data(stored.body.utf8)),
                receipt.export == stored.export, receipt.anchor == stored.anchor
            else {
                problem(
                    "\(source) does not match the receipt kept with it: it was changed behind the program's back",
                    record: stored.export)
                continue
            }
            if let text = endpoints[stored.endpoint]?.hubKey, let key = HubPublicKey(text) {
                if let why = receipt.problem(under: key) {
                    problem(
                        "\(source) is not what the hub signed (\(why)): it was changed behind the program's back",
                        record: stored.export)
                    continue
                }
            } else {
                unkeyed.insert(stored.endpoint)
            }
            anchors.append(VerifyReport.Anchor(source: source, anchor: receipt.anchor))
        }
        for endpoint in unkeyed.sorted() {
            notes.append(
                "the receipts from \(endpoint) were not checked against its hub's key: the endpoint has none (give it the hub's public key)"
            )
        }
        if !offline {
            let keptExports = Set(kept.map(\.export))
            let restored = acceptRestores ? try registry.exportsNamedByRestores() : []
            for settings in endpoints.values.sorted(by: { $0.name < $1.name }) {
                guard let text = settings.hubKey, let key = HubPublicKey(text) else { continue }
                switch fetch(settings) {
                case .failure(let why):
                    notes.append("\(settings.name) was not asked for its receipts: \(why)")
                case .success(let receipts):
                    for receipt in receipts {
                        let source = "\(settings.name)'s receipt for export \(receipt.export)"
                        if let why = receipt.problem(under: key) {
                            notes.append(
                                "\(settings.name) answered a receipt its key did not sign (\(why)); it was not used")
                            continue
                        }
                        anchors.append(VerifyReport.Anchor(source: source, anchor: receipt.anchor))
                        if !keptExports.contains(receipt.export), restored.contains(receipt.export) {
                            notes.append(
                                "\(settings.name) holds a receipt for export \(receipt.export), which a restore discarded"
                            )
                        } else if !keptExports.contains(receipt.export) {
                            problem(
                                "\(settings.name) holds a receipt for export \(receipt.export) (audit row \(receipt.auditChainRows), received \(receipt.receivedAt)) that this registry does not keep: the receipt or the export was deleted behind the program's back",
                                record: receipt.export)
                        }
                    }
                }
            }
        }
        var report = try registry.verify(
            anchors: anchors, alsoFound: problems, realToday: realToday, acceptRestores: acceptRestores)
        report.notes = notes + report.notes
        return report
    }

    /// The receipts a hub holds for this clinic (`GET /v1/receipts` beside its `/v1/exports`), or
    /// why they could not be had, in words that never hold the token.
    func fetch(_ settings: EndpointSettings) -> Result<[HubReceipt], ReceiptsUnavailable> {
        guard var url = URLComponents(string: settings.url), url.path.hasSuffix("/exports") else {
            return .failure(
                ReceiptsUnavailable("its URL does not end in /exports, beside which a hub answers /receipts"))
        }
        url.path = String(url.path.dropLast("exports".count)) + "receipts"
        url.query = nil
        let token: String
        do {
            token = try TokenSource.read(
                file: settings.tokenFile, environment: settings.tokenEnvironment, lookup: exporter.environment,
                owner: exporter.tokenOwner)
        } catch {
            return .failure(ReceiptsUnavailable("\(error)"))
        }
        let answer = Exporter.redacting(
            token,
            in: exporter.transport.get(
                url: url.string ?? settings.url, headers: [("Authorization", "Bearer \(token)")],
                caFile: settings.caFile, timeoutSeconds: settings.timeoutSeconds))
        switch answer {
        case .failure(_, let message): return .failure(ReceiptsUnavailable(message))
        case .reply(let status, _, let body):
            guard status == 200, let decoded = try? JSONDecoder().decode(HubAnswer.self, from: body),
                let receipts = decoded.receipts
            else { return .failure(ReceiptsUnavailable("it answered \(status) without its receipts")) }
            return .success(receipts)
        }
    }

    /// Why a hub's receipts could not be had.
    struct ReceiptsUnavailable: Error {
        let why: String
        init(_ why: String) { self.why = escapingControlCharacters(why) }
    }
}
