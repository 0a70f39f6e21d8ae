// Typed errors for the session record: each names the file, the SQLite call or table, and what to do.

public enum RecordError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAPseudonym(reason: String)
    case invalidSessionID(String)
    case sessionExists(path: String)
    case sessionNotFound(id: String, directory: String)
    case directory(path: String, detail: String)
    /// A SQLite call failed: which call, on which file, with SQLite's own message.
    case sqlite(call: String, path: String, code: Int32, message: String)
    /// The file is not a session record at all (bad header, wrong schema, or empty).
    case notARecord(path: String, detail: String)
    /// One part of the record is damaged; the rest may still be readable.
    case damaged(path: String, part: String, detail: String)
    case alreadyFinished(path: String)
    case locked(path: String)
    case export(path: String, detail: String)

    public var description: String {
        switch self {
        case let .notAPseudonym(reason):
            return "participant id refused: \(reason). Records hold pseudonymous ids only."
        case let .invalidSessionID(id):
            return "session id '\(id)' is not usable as a file name: use letters, digits, '-' and '_' (at most 64)."
        case let .sessionExists(path):
            return "\(path): a session record with this id already exists; choose a new session id."
        case let .sessionNotFound(id, dir):
            return "no session record '\(id)' in \(dir); run `exposure sessions --sessions \(dir)` to list them."
        case let .directory(path, detail):
            return "\(path): \(detail)"
        case let .sqlite(call, path, code, message):
            return "\(path): \(call) failed (SQLite \(code)): \(message)"
        case let .notARecord(path, detail):
            return "\(path) is not a readable session record: \(detail)"
        case let .damaged(path, part, detail):
            return "\(path): \(part) is damaged (\(detail)); the other parts are still exported."
        case let .alreadyFinished(path):
            return "\(path): the session is already finished; records are append-only while running."
        case let .locked(path):
            return "\(path): another live process is recording this session."
        case let .export(path, detail):
            return "export to \(path) failed: \(detail)"
        }
    }
}
