// A record is "live" while its recording process holds an flock on the record's own database file.
// The kernel drops the lock when the process dies however it dies, so a record still marked running
// whose lock can be taken was left by a dead process. The lock is on the file SQLite writes, not on
// a side file, so deleting some other file cannot make a live record look abandoned. (flock locks
// are separate from SQLite's POSIX locks on the same file, so neither disturbs the other.)
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class SessionLock {
    let path: String
    private var fd: Int32

    /// Records this process holds: probing one of them with open/close would drop this process's
    /// own SQLite (POSIX) locks on the file, and flock would refuse it anyway.
    private static let heldLock = NSLock()
    nonisolated(unsafe) private static var held: Set<String> = []

    private init(path: String, fd: Int32) { self.path = path; self.fd = fd }

    /// Creates the record file `path` (which must not exist yet) and locks it.
    static func create(path: String) throws -> SessionLock {
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 {
            if errno == EEXIST { throw RecordError.sessionExists(path: path) }
            throw RecordError.directory(path: path, detail: "cannot create the record: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw RecordError.locked(path: path)
        }
        heldLock.withLock { _ = held.insert(path) }
        return SessionLock(path: path, fd: fd)
    }

    /// Takes the lock of an existing record without waiting; nil if a live process (or this one) holds it.
    static func tryAcquire(path: String) throws -> SessionLock? {
        if heldLock.withLock({ held.contains(path) }) { return nil }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw RecordError.directory(path: path, detail: "cannot open the record to check its lock: \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            return nil
        }
        heldLock.withLock { _ = held.insert(path) }
        return SessionLock(path: path, fd: fd)
    }

    /// Call only after every SQLite connection of this process to the file is closed: closing any
    /// descriptor of a file drops the process's POSIX locks on it.
    func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
        SessionLock.heldLock.withLock { _ = SessionLock.held.remove(path) }
    }

    deinit { release() }
}
