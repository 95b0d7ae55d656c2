/// The versioned JSON Schemas (draft 2020-12) of every payload that leaves the clinic, one copy
/// each: the files in `Sources/PayloadFormat/Schemas/`, compiled into the programs (SwiftPM's
/// `embedInCode`, so an installed binary needs no resource folder). Each schema is a whitelist:
/// every object forbids properties it does not name, so a field added by mistake (a name, a date)
/// fails validation before the payload can enter the outbox, and again at the hub.
public enum PayloadSchemas {
    /// The names payloads give their schema, with its version. The clinic builds them
    /// (RegistryExport) and the research network's hub reads them (HubCore): both take the names
    /// and the schemas from here.
    public static let summaryID = "ketareg-summary/6"
    /// The summary before it carried the number of audit rows its chain head closes
    /// (`auditChainRows`, which the hub signs into its receipt): no clinic builds it any more, and
    /// a hub still accepts it (with no receipt's row count).
    public static let summaryV5ID = "ketareg-summary/5"
    /// The summary before the routes were six (sublingual and subcutaneous): no clinic builds it
    /// any more, and a hub still accepts it.
    public static let summaryV4ID = "ketareg-summary/4"
    /// The summary before outcome rows named their protocol: no clinic builds it any more, and a
    /// hub still accepts it from a clinic not yet updated (its rows are read as of no named
    /// protocol).
    public static let summaryV3ID = "ketareg-summary/3"
    /// See ``summaryID``.
    public static let recordsID = "ketareg-records/5"
    /// The records before they carried `auditChainRows` (see ``summaryV5ID``): no clinic builds
    /// it any more, and a hub still accepts it.
    public static let recordsV4ID = "ketareg-records/4"
    /// The records before an infusion named its drug and fixed dose and the routes were six: no
    /// clinic builds it any more, and a hub still accepts it (its infusions read as ketamine).
    public static let recordsV3ID = "ketareg-records/3"
    /// See ``summaryID``.
    public static let fhirID = "ketareg-fhir/1"

    /// File name, schema name and text of each schema.
    public static let all: [(file: String, id: String, text: String)] = [
        ("ketareg-summary-6.schema.json", summaryID, text(PackageResources.ketareg_summary_6_schema_json)),
        ("ketareg-summary-5.schema.json", summaryV5ID, text(PackageResources.ketareg_summary_5_schema_json)),
        ("ketareg-summary-4.schema.json", summaryV4ID, text(PackageResources.ketareg_summary_4_schema_json)),
        ("ketareg-summary-3.schema.json", summaryV3ID, text(PackageResources.ketareg_summary_3_schema_json)),
        ("ketareg-records-5.schema.json", recordsID, text(PackageResources.ketareg_records_5_schema_json)),
        ("ketareg-records-4.schema.json", recordsV4ID, text(PackageResources.ketareg_records_4_schema_json)),
        ("ketareg-records-3.schema.json", recordsV3ID, text(PackageResources.ketareg_records_3_schema_json)),
        ("ketareg-fhir-1.schema.json", fhirID, text(PackageResources.ketareg_fhir_1_schema_json)),
    ]

    /// The text of the schema a payload names, or nil for a name this version does not know.
    public static func text(for id: String) -> String? { all.first { $0.id == id }?.text }

    /// A file's bytes as text, without the newline that ends the file.
    private static func text(_ bytes: [UInt8]) -> String {
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
