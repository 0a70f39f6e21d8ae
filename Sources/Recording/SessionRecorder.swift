// Records one running session. The frame thread calls record(...), which only copies the value into a
// preallocated ring under a short mutex and never waits on the disk; a writer thread commits events as
// they arrive and samples at least every `sampleFlushInterval` seconds. Whoever must not speak before a
// row is on disk (an `applied` reply to the console) waits for the commit that covers it (`durable`):
// one commit serves every waiter (a group commit), never one commit per command.
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

/// Whether the record is being written now: read as a current value by the console, the terminal
/// and the session runner (a write failure is never only counted).
public struct RecorderHealth: Sendable, Equatable {
    /// Wall clock of the first failed write of the current failure; nil while writes succeed.
    public var failingSince: Double?
    /// Seconds writes have been failing (0 while they succeed).
    public var failingFor: Double = 0
    /// The last write error, in words.
    public var lastError: String?
    /// Rows (events, ratings, samples) lost since writing began to fail.
    public var rowsLost: Int64 = 0
    /// Failures so far, ongoing or over (each one over is a `record_gap` event in the record).
    public var failures: Int = 0
    public var isFailing: Bool { failingSince != nil }
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
    /// The first write failure that lost events or ratings (failures that recovered are marked by a `record_gap` event).
    private var lostWriteError: RecordError?
    /// Highest event sequence number committed, and the ranges given up on (lost to failed writes).
    private var committedThrough: Int64 = 0
    private var lostRanges: [ClosedRange<Int64>] = []
    private var writerExited = false
    private var durableWaiters: [(sequence: Int64, waiter: CheckedContinuation<Bool, Never>)] = []
    private var health = RecorderHealth()
    private var failingSinceMonotonic: Double?
    /// Monotonic window in which writes fail on purpose (tests only).
    private var injectedFailure: (from: Double, until: Double)?
    private var failureFlagPath: String?

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
        failureFlagPath = ProcessInfo.processInfo.environment[Self.failureInjectionVariable].flatMap { $0.isEmpty ? nil : $0 }
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
        let tap = eventTap
        pthread_mutex_unlock(mutex)
        if ok { tap?(e) }
        return ok ? e.sequence : 0
    }

    private var eventTap: (@Sendable (RecordedEvent) -> Void)?
    /// Sees every event queued from now on, with its sequence number, on the thread that records
    /// it and outside the recorder's lock (the session's LSL markers). It must not block.
    public func tapEvents(_ tap: @escaping @Sendable (RecordedEvent) -> Void) {
        pthread_mutex_lock(mutex); eventTap = tap; pthread_mutex_unlock(mutex)
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

    /// The sequence number of the last event queued so far (0 before the first).
    public var lastQueuedSequence: Int64 {
        pthread_mutex_lock(mutex); defer { pthread_mutex_unlock(mutex) }
        return nextSequence - 1
    }

    /// Waits until event `sequence` (and every event before it) is in a committed transaction: true
    /// then, false when it never will be (a write failure lost it, or the record was closed first).
    public func durable(through sequence: Int64) async -> Bool {
        await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            pthread_mutex_lock(mutex)
            let lost = lostRanges.contains { $0.contains(sequence) }
            if !lost && sequence <= committedThrough {
                pthread_mutex_unlock(mutex); c.resume(returning: true); return
            }
            if lost || writerExited {
                pthread_mutex_unlock(mutex); c.resume(returning: false); return
            }
            durableWaiters.append((sequence, c))
            pthread_cond_signal(wake)
            pthread_mutex_unlock(mutex)
        }
    }

    /// Whether writes succeed now; how long and how much they have failed when they do not.
    public var currentHealth: RecorderHealth {
        pthread_mutex_lock(mutex); defer { pthread_mutex_unlock(mutex) }
        var h = health
        if let since = failingSinceMonotonic { h.failingFor = monotonicNow() - since }
        return h
    }

    /// Makes every write fail for `seconds` from now (tests: a full disk on demand).
    func injectWriteFailures(for seconds: Double) {
        let now = monotonicNow()
        pthread_mutex_lock(mutex); injectedFailure = (now, now + seconds); pthread_mutex_unlock(mutex)
    }

    /// Test seam: with `EXPOSURE_TEST_RECORD_FAILURE=PATH`, every record write fails (as on a full
    /// disk) while the file PATH exists. Used by tests only.
    public static let failureInjectionVariable = "EXPOSURE_TEST_RECORD_FAILURE"

    private var injectedFailureNow: Bool {
        if let flag = failureFlagPath, access(flag, F_OK) == 0 { return true }
        pthread_mutex_lock(mutex); defer { pthread_mutex_unlock(mutex) }
        guard let w = injectedFailure else { return false }
        let now = monotonicNow()
        return now >= w.from && now < w.until
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
        // After a failed write the next try waits this long, whatever arrives meanwhile.
        var retryAt = 0.0

        while true {
            pthread_mutex_lock(mutex)
            while !stopping {
                let now = monotonicNow()
                let work = !events.isEmpty || !ratings.isEmpty || !pendingMeta.isEmpty || now >= nextSampleFlush
                if work && now >= retryAt { break }
                let target = now < retryAt ? retryAt : nextSampleFlush
                var ts = timespec()
                clock_gettime(CLOCK_REALTIME, &ts)
                let wait = min(0.05, max(0.001, target - now))
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
            let injected = injectedFailureNow
            if !meta.isEmpty, let w = writer {
                do {
                    if injected { throw Self.injectedError(path) }
                    try w.writeMeta(meta.sorted { $0.key < $1.key })
                } catch {
                    // Metadata is kept for the next round; it replaces nothing newer.
                    pthread_mutex_lock(mutex)
                    stats.writeFailures += 1
                    for (k, v) in meta where pendingMeta[k] == nil { pendingMeta[k] = v }
                    pthread_mutex_unlock(mutex)
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
                    if injected { throw Self.injectedError(path) }
                    try w.write(events: ev, ratings: ra, poses: po, frames: fr, physio: ph)
                    pthread_mutex_lock(mutex)
                    stats.eventsCommitted += Int64(ev.count); stats.ratingsCommitted += Int64(ra.count)
                    stats.posesCommitted += Int64(po.count); stats.framesCommitted += Int64(fr.count)
                    stats.physioCommitted += Int64(ph.count); stats.transactions += 1
                    if let last = ev.last?.sequence { committedThrough = max(committedThrough, last) }
                    let ready = takeWaiters(upTo: committedThrough)
                    if failingSinceMonotonic != nil { noteRecovered() }
                    pthread_mutex_unlock(mutex)
                    for r in ready { r.resume(returning: true) }
                    if let h = commitHandler, !ev.isEmpty { h(ev.map(\.sequence)) }
                } catch {
                    let e = error as? RecordError ?? .sqlite(call: "write batch", path: path, code: -1, message: "\(error)")
                    let now = monotonicNow()
                    pthread_mutex_lock(mutex)
                    if failingSinceMonotonic == nil {
                        failingSinceMonotonic = now
                        health.failingSince = Date().timeIntervalSince1970
                        health.failures += 1
                        health.rowsLost = 0
                    }
                    // A full or busy disk may recover: events and ratings are kept for the next round
                    // (samples are let go) while the failure is younger than `eventRetention`.
                    keepEvents = !exiting && now - (failingSinceMonotonic ?? now) < Self.eventRetention
                    let lostNow = Int64(po.count + fr.count + ph.count + (keepEvents ? 0 : ev.count + ra.count))
                    stats.writeFailures += 1
                    dropped += lostNow
                    health.rowsLost += lostNow
                    health.lastError = e.description
                    var failed: [CheckedContinuation<Bool, Never>] = []
                    if !keepEvents {
                        if !(ev.isEmpty && ra.isEmpty) && lostWriteError == nil { lostWriteError = e }
                        if let first = ev.first?.sequence, let last = ev.last?.sequence {
                            lostRanges.append(first...last)
                            failed = takeWaiters(upTo: last)
                        }
                    }
                    pthread_mutex_unlock(mutex)
                    for f in failed { f.resume(returning: false) }
                    retryAt = now + Self.retryInterval
                }
            }
            if !keepEvents { ev.removeAll(keepingCapacity: true); ra.removeAll(keepingCapacity: true) }
            po.removeAll(keepingCapacity: true); fr.removeAll(keepingCapacity: true)
            ph.removeAll(keepingCapacity: true)
            if exiting {
                // A recovery in the last round queued its record_gap event: one more round writes it.
                pthread_mutex_lock(mutex); let more = !events.isEmpty; pthread_mutex_unlock(mutex)
                if !more { break }
            }
        }
        writer = nil
        pthread_mutex_lock(mutex)
        writerExited = true
        let rest = durableWaiters.map(\.waiter)
        let committed = durableWaiters.map { $0.sequence <= committedThrough }
        durableWaiters.removeAll()
        pthread_mutex_unlock(mutex)
        for (w, ok) in zip(rest, committed) { w.resume(returning: ok) }
        writerDone.signal()
    }

    /// Under `mutex`: removes and returns the waiters for sequences up to `sequence`.
    private func takeWaiters(upTo sequence: Int64) -> [CheckedContinuation<Bool, Never>] {
        guard !durableWaiters.isEmpty else { return [] }
        var ready: [CheckedContinuation<Bool, Never>] = []
        durableWaiters.removeAll { entry in
            if entry.sequence <= sequence { ready.append(entry.waiter); return true }
            return false
        }
        return ready
    }

    /// Under `mutex`, on the first good write after failed ones: the gap goes into the record as a
    /// `record_gap` event (committed on the next round), so a reader knows what is missing and why.
    private func noteRecovered() {
        let seconds = monotonicNow() - (failingSinceMonotonic ?? monotonicNow())
        let since = health.failingSince ?? Date().timeIntervalSince1970
        let now = Date().timeIntervalSince1970
        let why = health.lastError ?? "unknown error"
        var gap = RecordedEvent(sessionTime: max(0, now - metadata.startWallClock), wallClock: now, displayTimeNs: nil,
                                kind: EventKind.recordGap, actor: .system,
                                reason: String(format: "the record could not be written for %.1f s; %lld rows lost: ", seconds, health.rowsLost) + why,
                                payloadJSON: RecordedEvent.payload(["seconds": seconds, "rows_lost": health.rowsLost,
                                                                    "from_wall_clock": since, "error": why]))
        gap.sequence = nextSequence
        if events.push(gap) { nextSequence += 1 } else { dropped += 1 }
        failingSinceMonotonic = nil
        health.failingSince = nil
        health.failingFor = 0
    }

    static func injectedError(_ path: String) -> RecordError {
        .sqlite(call: "sqlite3_step(insert) [\(failureInjectionVariable)]", path: path, code: 13, message: "database or disk is full (injected)")
    }

    /// Seconds a failing write keeps its events and ratings for another try before they are lost.
    public static let eventRetention = 10.0
    /// Seconds between tries while writes fail.
    static let retryInterval = 0.25
}
func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
