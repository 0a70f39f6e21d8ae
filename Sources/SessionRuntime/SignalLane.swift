// Safety-relevant conditions that other threads (the console, signal handlers, the frame loop's
// state callbacks) state and the frame thread reads as current values once per frame, or the
// watchdog while no frames run. Unlike the mailbox this cannot fill up: each condition is one
// slot that the writer overwrites, so a flood of commands can never crowd out a lost link.
import Foundation

public final class SignalLane: @unchecked Sendable {
    private let lock = NSLock()
    private var link: Bool?
    /// A loss seen since the last read, kept even if the link came back before anyone read it,
    /// so a short drop still reaches the engine (and the record).
    private var linkLostSinceRead = false
    private var abortReason: String?
    private var abortTaken = false
    private var headsetLost = false

    public init() {}

    /// What the reader applies; `linkBlip` says a loss happened since the last read.
    public struct Reading: Equatable, Sendable {
        public var link: Bool?
        public var linkBlip: Bool
        public var abort: String?
        public var headsetLost: Bool
    }

    /// The therapist's console is connected (true) or unreachable (false).
    public func therapistLink(connected: Bool) {
        lock.withLock {
            link = connected
            if !connected { linkLostSinceRead = true }
        }
    }

    /// The session must end as aborted (a signal at the terminal); the first reason wins.
    public func abort(_ reason: String) {
        lock.withLock { if abortReason == nil { abortReason = reason } }
    }

    /// The runtime is losing (or has lost) the XR session: the patient sees nothing.
    public func headset(lost: Bool) { lock.withLock { headsetLost = lost } }

    /// Current values; an abort is handed out once.
    func read() -> Reading {
        lock.withLock {
            let r = Reading(link: link, linkBlip: linkLostSinceRead, abort: abortTaken ? nil : abortReason, headsetLost: headsetLost)
            linkLostSinceRead = false
            if abortReason != nil { abortTaken = true }
            return r
        }
    }
}

/// The conductor's inbox: ordinary inputs wait in the bounded mailbox (a full one refuses and
/// counts); link changes and aborts go to `SignalLane`, which cannot drop them.
public final class SessionMailbox: @unchecked Sendable {
    public let signals: SignalLane
    private let ordinary: Mailbox<SessionInput>

    public init(capacity: Int = 1024, signals: SignalLane = SignalLane()) {
        ordinary = Mailbox(capacity: capacity)
        self.signals = signals
    }

    public var capacity: Int { ordinary.capacity }
    /// Ordinary inputs refused because the mailbox was full, since the session began.
    public var dropped: Int { ordinary.dropped }
    public var waiting: Int { ordinary.waiting }

    /// False when an ordinary input was refused (mailbox full). Safety signals are always taken.
    @discardableResult
    public func post(_ input: SessionInput) -> Bool {
        if input.origin == .system {
            switch input.input {
            case .therapistLink(let connected)?: signals.therapistLink(connected: connected); return true
            case .abort(let reason)?: signals.abort(reason); return true
            default: break
            }
        }
        return ordinary.post(input)
    }

    public func drain() -> [SessionInput] { ordinary.drain() }
}
