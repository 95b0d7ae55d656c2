import Foundation
import GRDB

/// A fresh folder under the system's temporary directory, removed by the caller when done.
public func makeTemporaryFolder(_ prefix: String = "ketareg-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Every row of every table of a SQLite file, as text: equal dumps mean equal contents.
public func dumpDatabase(_ path: String) throws -> String {
    let queue = try DatabaseQueue(path: path, configuration: {
        var configuration = Configuration()
        configuration.readonly = true
        return configuration
    }())
    return try queue.read { db in
        var lines: [String] = []
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        for table in tables {
            lines.append("TABLE \(table)")
            for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier) ORDER BY rowid") {
                lines.append(row.description)
            }
        }
        for schema in try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name") {
            lines.append(schema)
        }
        return lines.joined(separator: "\n")
    }
}
