import Foundation

/// Encodes one telemetry message per tick and hands it to every authenticated connection.
/// Each connection keeps only the newest message, so a slow client skips frames instead of
/// slowing the others or growing a queue.
final class TelemetryHub: @unchecked Sendable {
    private let session: any ControlledSession
    private let interval: Duration
    private let lock = NSLock()
    private var subscribers: [Int: AsyncStream<String>.Continuation] = [:]
    private var seq: UInt64 = 0
    private var latest: String?
    private var ticker: Task<Void, Never>?

    init(session: any ControlledSession, hz: Double) {
        self.session = session
        self.interval = .nanoseconds(Int64(1e9 / hz))
    }

    /// Ticks at the configured rate, and also sends as soon as a command that was just
    /// acknowledged has been applied, so the therapist sees the effect within a frame or two
    /// instead of waiting up to a whole telemetry period.
    func start() {
        ticker = Task { [weak self] in
            var lastPublish = ContinuousClock.now
            while !Task.isCancelled, let self {
                let now = ContinuousClock.now
                if now - lastPublish >= self.interval || self.confirmationReady() {
                    self.publish()
                    lastPublish = now
                }
                try? await Task.sleep(for: Self.pollInterval)
            }
        }
    }

    static let pollInterval = Duration.milliseconds(5)
    private var awaitedSequence: UInt64 = 0

    /// A command with this sequence was accepted; publish once it has been applied.
    func awaitConfirmation(of sequence: UInt64) {
        lock.withLock { awaitedSequence = max(awaitedSequence, sequence) }
    }

    private func confirmationReady() -> Bool {
        guard lock.withLock({ awaitedSequence }) > 0 else { return false }
        let applied = session.latestTelemetry().lastAppliedCommandSeq
        return lock.withLock {
            guard awaitedSequence > 0, applied >= awaitedSequence else { return false }
            awaitedSequence = 0
            return true
        }
    }

    func stop() {
        ticker?.cancel()
        lock.lock()
        let all = subscribers.values
        subscribers.removeAll()
        lock.unlock()
        all.forEach { $0.finish() }
    }

    /// Takes a snapshot now and sends it to everyone.
    func publish() {
        let telemetry = session.latestTelemetry()
        lock.lock()
        seq += 1
        let text = ServerMessage.telemetry(seq: seq, telemetry).jsonText()
        latest = text
        let targets = Array(subscribers.values)
        lock.unlock()
        for continuation in targets { continuation.yield(text) }
    }

    /// The stream starts with the latest message, so a new console shows the state at once.
    func subscribe(connectionId: Int) -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1))
        lock.lock()
        subscribers[connectionId] = continuation
        let first = latest
        lock.unlock()
        if let first { continuation.yield(first) }
        return stream
    }

    func unsubscribe(connectionId: Int) {
        lock.lock()
        let continuation = subscribers.removeValue(forKey: connectionId)
        lock.unlock()
        continuation?.finish()
    }
}

/// Counts live therapist connections and reports the link going up (first one) and down
/// (last one gone) to the session exactly once per change.
final class TherapistPresence: @unchecked Sendable {
    private let session: any ControlledSession
    private let lock = NSLock()
    private var count = 0

    init(session: any ControlledSession) { self.session = session }

    func joined() {
        // Called under the lock so "up" and "down" reach the session in the order they happened.
        lock.lock()
        defer { lock.unlock() }
        count += 1
        if count == 1 { session.therapistLinkChanged(connected: true) }
    }

    /// Nobody is connected yet, and that counts as a lost link (under the same lock as joined and
    /// left, so a therapist connecting at this moment is never overtaken by it).
    func reportUnwatchedIfNobodyIsHere() {
        lock.lock()
        defer { lock.unlock() }
        if count == 0 { session.therapistLinkChanged(connected: false) }
    }

    func left() {
        lock.lock()
        defer { lock.unlock() }
        count -= 1
        if count == 0 { session.therapistLinkChanged(connected: false) }
    }
}
