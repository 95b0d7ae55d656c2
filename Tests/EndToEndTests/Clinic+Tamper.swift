import GRDB

extension Clinic {
    /// Changes the registry file behind the program's back, as someone with `sqlite3` would: the
    /// statements run outside any transaction (so a `PRAGMA` among them takes effect).
    func tamper(_ sql: String) throws {
        let queue = try DatabaseQueue(path: registry)
        try queue.writeWithoutTransaction { try $0.execute(sql: sql) }
        try queue.close()
    }
}
