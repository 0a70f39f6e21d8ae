// A record is "live" while its recording process holds an flock on the record's lock file. The kernel
// drops the lock when the process dies however it dies, so a record still marked running whose lock
// can be taken was left by a dead process. (A pid alone could be reused by another process.)
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class SessionLock {
    let path: String
    private var fd: Int32

    private init(path: String, fd: Int32) { self.path = path; self.fd = fd }

    /// Takes the lock without waiting; nil if another live process (or this one) holds it.
    static func tryAcquire(path: String) throws -> SessionLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw RecordError.directory(path: path, detail: "cannot open lock file: \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            return nil
        }
        // The pid is informational (for a human looking at the directory); the flock decides.
        let text = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { write(fd, $0, strlen($0)) }
        return SessionLock(path: path, fd: fd)
    }

    func release() {
        guard fd >= 0 else { return }
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
