// The one way into the frame thread: other threads post, the frame thread drains once per frame
// right after the runtime's wait returns. Bounded, so a flood cannot grow memory; the lock is held
// only to append or swap the array, never while work is done.
import Foundation

public final class Mailbox<Message>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Message] = []
    private var spare: [Message] = []
    public let capacity: Int
    private var refused = 0

    public init(capacity: Int = 1024) {
        self.capacity = capacity
        items.reserveCapacity(capacity)
        spare.reserveCapacity(capacity)
    }

    /// False when the mailbox is full (the message is dropped and counted).
    @discardableResult
    public func post(_ message: Message) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard items.count < capacity else { refused += 1; return false }
        items.append(message)
        return true
    }

    /// Messages refused because the mailbox was full, ever.
    public var dropped: Int { lock.withLock { refused } }

    /// Messages waiting for the next drain.
    public var waiting: Int { lock.withLock { items.count } }

    /// Everything posted since the last drain, in order.
    public func drain() -> [Message] {
        lock.lock()
        swap(&items, &spare)
        lock.unlock()
        let out = spare
        spare.removeAll(keepingCapacity: true)
        return out
    }
}
