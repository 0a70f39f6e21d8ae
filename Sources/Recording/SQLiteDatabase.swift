// A thin wrapper over the SQLite C API: every failing call becomes a RecordError naming the call.
import CSQLite
import Foundation

final class SQLiteDatabase {
    let path: String
    private(set) var handle: OpaquePointer?

    init(path: String, readOnly: Bool = false, create: Bool = false) throws {
        self.path = path
        var flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if create { flags |= SQLITE_OPEN_CREATE }
        flags |= SQLITE_OPEN_NOMUTEX
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        if rc != SQLITE_OK {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw RecordError.sqlite(call: "sqlite3_open_v2", path: path, code: rc, message: msg)
        }
        handle = db
        sqlite3_busy_timeout(db, 2000)
    }

    deinit { close() }

    func close() {
        if let h = handle { sqlite3_close_v2(h) }
        handle = nil
    }

    var lastMessage: String { handle.map { String(cString: sqlite3_errmsg($0)) } ?? "closed" }

    func error(_ call: String, _ rc: Int32) -> RecordError {
        .sqlite(call: call, path: path, code: rc, message: lastMessage)
    }

    func execute(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(err)
            throw RecordError.sqlite(call: "sqlite3_exec(\(sql.prefix(40)))", path: path, code: rc, message: msg)
        }
    }

    func prepare(_ sql: String) throws -> Statement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let s = stmt else { throw error("sqlite3_prepare_v2(\(sql.prefix(40)))", rc) }
        return Statement(db: self, stmt: s)
    }
}

/// A prepared statement. Bind indices are 1-based, column indices 0-based, as in SQLite.
final class Statement {
    unowned let db: SQLiteDatabase
    let stmt: OpaquePointer

    init(db: SQLiteDatabase, stmt: OpaquePointer) { self.db = db; self.stmt = stmt }
    deinit { sqlite3_finalize(stmt) }

    func reset() { sqlite3_reset(stmt); sqlite3_clear_bindings(stmt) }

    func bind(_ i: Int32, _ v: Double) { sqlite3_bind_double(stmt, i, v) }
    func bind(_ i: Int32, _ v: Int64) { sqlite3_bind_int64(stmt, i, v) }
    func bind(_ i: Int32, _ v: Int64?) {
        if let v = v { sqlite3_bind_int64(stmt, i, v) } else { sqlite3_bind_null(stmt, i) }
    }
    func bind(_ i: Int32, _ v: String) { sqlite3_bind_text(stmt, i, v, -1, exposure_sqlite_transient()) }

    /// Runs a statement that returns no rows.
    func run(_ call: String) throws {
        let rc = sqlite3_step(stmt)
        sqlite3_reset(stmt)
        if rc != SQLITE_DONE && rc != SQLITE_ROW { throw db.error("sqlite3_step(\(call))", rc) }
    }

    /// Steps once: true for a row, false when done.
    func step(_ call: String) throws -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw db.error("sqlite3_step(\(call))", rc)
    }

    func double(_ c: Int32) -> Double { sqlite3_column_double(stmt, c) }
    func int64(_ c: Int32) -> Int64 { sqlite3_column_int64(stmt, c) }
    func isNull(_ c: Int32) -> Bool { sqlite3_column_type(stmt, c) == SQLITE_NULL }
    func optionalInt64(_ c: Int32) -> Int64? { isNull(c) ? nil : int64(c) }
    func string(_ c: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, c) else { return "" }
        return String(cString: p)
    }
}
