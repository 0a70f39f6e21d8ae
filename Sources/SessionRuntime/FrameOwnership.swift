// The frame state (engine, world, conductor) has one owner at a time: the frame thread while it
// runs a frame, the watchdog while no frames run. Ownership is a lock that knows its holder, so
// code that touches frame state can check it holds it (`assertHeld`) instead of trusting a rule.
import Foundation

public final class FrameOwnership: @unchecked Sendable {
    private let lock = NSRecursiveLock()
    private let holderLock = NSLock()
    private var holder: pthread_t?
    private var depth = 0

    public init() {}

    /// Runs `body` as the owner, waiting for the current owner to hand over (at most one
    /// watchdog tick or one frame's conductor work).
    public func hold<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        holderLock.withLock { holder = pthread_self(); depth += 1 }
        defer {
            holderLock.withLock { depth -= 1; if depth == 0 { holder = nil } }
            lock.unlock()
        }
        return try body()
    }

    /// Whether the calling thread owns the frame state now.
    public var isHeldByCurrentThread: Bool {
        holderLock.withLock { holder.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    /// Stops the process if the caller does not own the frame state: two owners would race.
    public func assertHeld(_ what: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
        precondition(isHeldByCurrentThread, "\(what()) touched the frame state without owning it", file: file, line: line)
    }
}
