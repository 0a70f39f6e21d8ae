// Records one running session. The frame thread calls record(...), which only copies the value into a
// preallocated ring under a short mutex and never waits on the disk; a writer thread commits events as
// they arrive and samples at least every `sampleFlushInterval` seconds.
import CSQLite
import Foundation

public struct RecorderStatistics: Sendable, Equatable {
    public var eventsCommitted: Int64 = 0
    public var ratingsCommitted: Int64 = 0
    public var posesCommitted: Int64 = 0
    public var framesCommitted: Int64 = 0
    public var physioCommitted: Int64 = 0
    /// Items refused because a queue was full (the writer fell behind); also stored in the record.
    public var dropped: Int64 = 0
    public var transactions: Int64 = 0
    public var writeFailures: Int64 = 0
}

public final class SessionRecorder: @unchecked Sendable {
    public let metadata: SessionMetadata
    public let path: String
    /// Longest time a sample waits in memory before it is committed.
    public let sampleFlushInterval: Double

    private let db: SQLiteDatabase
    private let lock: SessionLock
    // Heap-allocated so their addresses never move (pthread objects must not be copied).
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    // Guarded by `mutex`.
    private let events: BoundedRing<RecordedEvent>
    private let ratings: BoundedRing<Rating>
    private let poses: BoundedRing<PoseSample>
    private let frames: BoundedRing<FrameSample>
    private let physio: BoundedRing<PhysioSample>
    private var pendingMeta: [String: String] = [:]
    private var nextSequence: Int64 = 1
    private var dropped: Int64 = 0
    private var stopping = false
    private var finished = false
    private var stats = RecorderStatistics()
    /// The first write failure that lost events or ratings (retried failures that recovered are only counted).
    private var lostWriteError: RecordError?

    private let writerDone = DispatchSemaphore(value: 0)
    private let commitHandler: (@Sendable ([Int64]) -> Void)?

    /// Created by `SessionStore.create`. `onCommit` is called on the writer thread with the sequence
    /// numbers of events just made durable.
    init(db: SQLiteDatabase, lock: SessionLock, metadata: SessionMetadata, queueCapacity: Int,
         sampleFlushInterval: Double, onCommit: (@Sendable ([Int64]) -> Void)?) {
        self.db = db; self.lock = lock; self.metadata = metadata; self.path = db.path
        self.sampleFlushInterval = sampleFlushInterval
        self.commitHandler = onCommit
        events = BoundedRing(capacity: max(256, queueCapacity / 4))
        ratings = BoundedRing(capacity: 256)
        poses = BoundedRing(capacity: queueCapacity)
        frames = BoundedRing(capacity: queueCapacity)
        physio = BoundedRing(capacity: queueCapacity)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        // The thread keeps the recorder alive until finish(state:) stops it.
        let t = Thread { self.writerLoop() }
        t.name = "exposure.recorder"
        t.qualityOfService = .utility
        t.start()
    }

    deinit {
        pthread_cond_destroy(wake); wake.deallocate()
        pthread_mutex_destroy(mutex); mutex.deallocate()
    }

    // MARK: frame-thread side (never blocks on I/O)

    /// What only the running frame loop knows (the runtime's display rate and names), written into
    /// the record's metadata by the writer thread.
    public func noteRuntime(displayRateHz: Double?, runtimeName: String? = nil, headsetName: String? = nil) {
        pthread_mutex_lock(mutex)
        if let r = displayRateHz, r.isFinite, r > 0 { pendingMeta["display_rate_hz"] = String(r) }
        if let n = runtimeName, !n.isEmpty { pendingMeta["runtime_name"] = n }
        if let n = headsetName, !n.isEmpty { pendingMeta["headset_name"] = n }
        pthread_cond_signal(wake)
        pthread_mutex_unlock(mutex)
    }

    /// Metadata keys only the running frame loop knows (runtime version, headset, display rate,
    /// view size, reference space, interaction profile); later values replace earlier ones.
    public func noteRuntime(_ fields: [String: String]) {
        guard !fields.isEmpty else { return }
        pthread_mutex_lock(mutex)
        for (k, v) in fields where !v.isEmpty { pendingMeta[k] = v }
        pthread_cond_signal(wake)
        pthread_mutex_unlock(mutex)
    }

    /// Queues an event for immediate commit; returns its sequence number, or 0 if the queue was full.
    @discardableResult
    public func record(_ event: RecordedEvent) -> Int64 {
        pthread_mutex_lock(mutex)
        var e = event
        e.sequence = nextSequence
        let ok = !stopping && events.push(e)
        if ok { nextSequence += 1; pthread_cond_signal(wake) } else { dropped += 1 }
        pthread_mutex_unlock(mutex)
        return ok ? e.sequence : 0
    }

    /// Queues a rating for immediate commit; false if it was dropped.
    @discardableResult
    public func record(_ rating: Rating) -> Bool { enqueue(rating, into: ratings, commitNow: true) }

    /// Samples wait for the next flush (at most `sampleFlushInterval`); false if dropped.
    @discardableResult
    public func record(_ pose: PoseSample) -> Bool { enqueue(pose, into: poses, commitNow: false) }

    @discardableResult
    public func record(_ frame: FrameSample) -> Bool { enqueue(frame, into: frames, commitNow: false) }

    @discardableResult
    public func record(_ sample: PhysioSample) -> Bool { enqueue(sample, into: physio, commitNow: false) }

    /// The one way an item enters a queue: a short critical section, a count when the queue is full.
    private func enqueue<T>(_ item: T, into ring: BoundedRing<T>, commitNow: Bool) -> Bool {
        pthread_mutex_lock(mutex)
        let ok = !stopping && ring.push(item)
        if !ok { dropped += 1 } else if commitNow { pthread_cond_signal(wake) }
        pthread_mutex_unlock(mutex)
        return ok
    }

    public var statistics: RecorderStatistics {
        pthread_mutex_lock(mutex)
        var s = stats
        s.dropped = dropped
        pthread_mutex_unlock(mutex)
        return s
    }

    // MARK: finishing

    /// Commits everything queued, stores the final state and closes the record. Throws the first
    /// write failure seen during the session, after the record has been closed as well as possible.
    /// `endStep` is the 1-based step the session had reached and `stepCount` the protocol's steps,
    /// stored as meta `end_step` and `step_count` when known.
    public func finish(state: SessionState, endStep: Int? = nil, stepCount: Int? = nil,
                       wallClock: Double = Date().timeIntervalSince1970) throws {
        pthread_mutex_lock(mutex)
        if finished { pthread_mutex_unlock(mutex); throw RecordError.alreadyFinished(path: path) }
        finished = true
        stopping = true
        pthread_cond_signal(wake)
        pthread_mutex_unlock(mutex)
        writerDone.wait()

        let s = statistics
        var failure = lostWriteError
        do {
            try db.execute("BEGIN")
            let set = try db.prepare(RecordSchema.setMeta)
            var meta = [("state", state.rawValue), ("end_wall_clock", String(wallClock)),
                        ("dropped_items", String(s.dropped))]
            if let n = endStep { meta.append(("end_step", String(n))) }
            if let n = stepCount { meta.append(("step_count", String(n))) }
            for (k, v) in meta {
                set.reset(); set.bind(1, k); set.bind(2, v); try set.run("set meta \(k)")
            }
            try db.execute("COMMIT")
            try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        } catch let e as RecordError {
            failure = failure ?? e
        } catch {}
        db.close()
        lock.release()
        if let f = failure { throw f }
    }

    // MARK: writer thread

    private func writerLoop() {
        var ev: [RecordedEvent] = [], ra: [Rating] = [], po: [PoseSample] = [], fr: [FrameSample] = []
        var ph: [PhysioSample] = []
        ev.reserveCapacity(events.capacity); ra.reserveCapacity(ratings.capacity)
        po.reserveCapacity(poses.capacity); fr.reserveCapacity(frames.capacity); ph.reserveCapacity(physio.capacity)
        var writer: BatchWriter?
        do { writer = try BatchWriter(db: db) } catch {
            pthread_mutex_lock(mutex)
            stats.writeFailures += 1
            lostWriteError = error as? RecordError ?? .sqlite(call: "prepare statements", path: path, code: -1, message: "\(error)")
            pthread_mutex_unlock(mutex)
        }
        var nextSampleFlush = monotonicNow() + sampleFlushInterval
        var failedAttempts = 0

        while true {
            pthread_mutex_lock(mutex)
            while !stopping && events.isEmpty && ratings.isEmpty && pendingMeta.isEmpty && monotonicNow() < nextSampleFlush {
                var ts = timespec()
                clock_gettime(CLOCK_REALTIME, &ts)
                let wait = min(0.05, max(0.001, nextSampleFlush - monotonicNow()))
                var ns = ts.tv_nsec + Int(wait * 1e9)
                ts.tv_sec += ns / 1_000_000_000; ns %= 1_000_000_000; ts.tv_nsec = ns
                pthread_cond_timedwait(wake, mutex, &ts)
            }
            let exiting = stopping
            events.drain(into: &ev); ratings.drain(into: &ra)
            poses.drain(into: &po); frames.drain(into: &fr); physio.drain(into: &ph)
            let meta = pendingMeta
            pendingMeta.removeAll()
            pthread_mutex_unlock(mutex)
            if !meta.isEmpty, let w = writer {
                do { try w.writeMeta(meta.sorted { $0.key < $1.key }) } catch {
                    pthread_mutex_lock(mutex); stats.writeFailures += 1; pthread_mutex_unlock(mutex)
                }
            }

            nextSampleFlush = monotonicNow() + sampleFlushInterval
            var keepEvents = false
            let batchSize = ev.count + ra.count + po.count + fr.count + ph.count
            if batchSize > 0 && writer == nil {
                pthread_mutex_lock(mutex); dropped += Int64(batchSize); pthread_mutex_unlock(mutex)
            }
            if batchSize > 0, let w = writer {
                do {
                    try w.write(events: ev, ratings: ra, poses: po, frames: fr, physio: ph)
                    pthread_mutex_lock(mutex)
                    stats.eventsCommitted += Int64(ev.count); stats.ratingsCommitted += Int64(ra.count)
                    stats.posesCommitted += Int64(po.count); stats.framesCommitted += Int64(fr.count)
                    stats.physioCommitted += Int64(ph.count); stats.transactions += 1
                    pthread_mutex_unlock(mutex)
                    if let h = commitHandler, !ev.isEmpty { h(ev.map(\.sequence)) }
                    failedAttempts = 0
                } catch {
                    let e = error as? RecordError ?? .sqlite(call: "write batch", path: path, code: -1, message: "\(error)")
                    // A full or busy disk may recover: keep events and ratings for the next round (samples
                    // are let go), up to `maxRetries` rounds.
                    failedAttempts += 1
                    keepEvents = failedAttempts <= Self.maxRetries && !exiting
                    pthread_mutex_lock(mutex)
                    stats.writeFailures += 1
                    dropped += Int64(po.count + fr.count + ph.count + (keepEvents ? 0 : ev.count + ra.count))
                    if !keepEvents && !(ev.isEmpty && ra.isEmpty) && lostWriteError == nil { lostWriteError = e }
                    pthread_mutex_unlock(mutex)
                }
            }
            if !keepEvents { ev.removeAll(keepingCapacity: true); ra.removeAll(keepingCapacity: true) }
            po.removeAll(keepingCapacity: true); fr.removeAll(keepingCapacity: true)
            ph.removeAll(keepingCapacity: true)
            if exiting { break }
        }
        writer = nil
        writerDone.signal()
    }

    /// Rounds a failing batch of events is retried (one per flush interval) before it is dropped.
    static let maxRetries = 40
}

func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
