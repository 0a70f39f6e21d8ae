// How a console command's fate travels back from the frame thread: the bridge posts the command
// and waits here; the frame thread claims it before applying it and settles it with the engine's
// decision (applied, with what changed, or rejected, with the rule). A command the frame loop did
// not reach in time is expired: the frame thread then skips it, so the therapist is never told
// "not applied" about something that later happens.
import Foundation
import ExposureCore

public final class DecisionLedger: @unchecked Sendable {
    private enum Entry {
        case waiting(CheckedContinuation<Decision?, Never>)
        case claimed(CheckedContinuation<Decision?, Never>)
        case expired
    }
    /// The timers of commands still waiting, cancelled once decided (a flood leaves no sleepers).
    private var timers: [String: Task<Void, Never>] = [:]
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    public init() {}

    /// Waits for the decision on command `id` (posted after `register`); nil when it expired.
    public func decision(for id: String, timeout: Double, post: () -> Bool) async -> Decision? {
        await withCheckedContinuation { (c: CheckedContinuation<Decision?, Never>) in
            lock.withLock { entries[id] = .waiting(c) }
            guard post() else {
                lock.withLock { entries[id] = nil }
                c.resume(returning: .rejected(.flood, why: "the session is receiving too many commands; try again in a moment"))
                return
            }
            let timer = Task {
                try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                if !Task.isCancelled { self.expire(id) }
            }
            lock.withLock {
                // Decided already (a fast frame): no timer needed.
                if entries[id] == nil { timer.cancel() } else { timers[id] = timer }
            }
        }
    }

    private func expire(_ id: String) {
        let waiter: CheckedContinuation<Decision?, Never>? = lock.withLock {
            timers[id] = nil
            guard case .waiting(let c)? = entries[id] else { return nil }
            entries[id] = .expired
            return c
        }
        waiter?.resume(returning: nil)
    }

    /// Frame thread, before applying command `id`: false when its sender stopped waiting (skip it).
    public func claim(_ id: String) -> Bool {
        lock.withLock {
            switch entries[id] {
            case .waiting(let c)?: entries[id] = .claimed(c); return true
            case .expired?: entries[id] = nil; return false
            case .claimed?, nil: return true
            }
        }
    }

    /// Frame thread, after applying command `id`.
    public func settle(_ id: String, _ decision: Decision) {
        let waiter: CheckedContinuation<Decision?, Never>? = lock.withLock {
            timers.removeValue(forKey: id)?.cancel()
            guard case .claimed(let c)? = entries[id] else { return nil }
            entries[id] = nil
            return c
        }
        waiter?.resume(returning: decision)
    }
}
