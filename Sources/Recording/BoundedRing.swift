// Fixed-capacity FIFO storage allocated once up front, so pushing never allocates.
// Not thread-safe by itself: SessionRecorder guards its rings with one short mutex.

final class BoundedRing<Element> {
    let capacity: Int
    private let storage: UnsafeMutablePointer<Element>
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) {
        precondition(capacity > 0, "ring capacity must be positive")
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit {
        var i = head
        for _ in 0..<count { (storage + i).deinitialize(count: 1); i = (i + 1) % capacity }
        storage.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    /// Appends unless full; returns false when the element was not stored.
    @inline(__always)
    func push(_ e: Element) -> Bool {
        if count == capacity { return false }
        var tail = head + count
        if tail >= capacity { tail -= capacity }
        (storage + tail).initialize(to: e)
        count += 1
        return true
    }

    /// Moves every element, oldest first, to the end of `out`.
    func drain(into out: inout [Element]) {
        out.reserveCapacity(out.count + count)
        while count > 0 {
            out.append((storage + head).move())
            head += 1
            if head == capacity { head = 0 }
            count -= 1
        }
        head = 0
    }
}
