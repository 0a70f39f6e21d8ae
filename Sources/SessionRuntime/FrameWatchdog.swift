// Ticks the session's safety rules while no frames run (runtime idle, XR session being
// recreated, a stalled wait): without it a lost link or the therapist's End would wait for the
// next frame, which may never come. A timer on its own queue; it takes the frame state's
// ownership for each tick, so it and the frame thread never touch the engine at once.
import Foundation

public final class FrameWatchdog: @unchecked Sendable {
    public struct Settings: Sendable {
        /// How often it looks.
        public var interval = 0.25
        /// How long without a frame before it stands in when the loop did not say frames stopped
        /// (a stalled wait): far longer than a slow frame (a debug build on a software renderer
        /// draws one in about 0.35 s) or a test's pause between frames it steps itself.
        public var staleAfter = 5.0
        /// How long after the loop said frames stopped (XR session idle, stopping, lost): a
        /// normal exit or a quick recreation is over by then and needs no stand-in.
        public var haltedAfter = 1.0
        public init(interval: Double = 0.25, staleAfter: Double = 5.0, haltedAfter: Double = 1.0) {
            self.interval = interval; self.staleAfter = staleAfter; self.haltedAfter = haltedAfter
        }
    }

    private let queue = DispatchQueue(label: "exposure.frame-watchdog")
    private let timer: DispatchSourceTimer
    private let lock = NSLock()
    private var stopped = false

    init(conductor: SessionConductor, settings: Settings, onEnded: @escaping () -> Void) {
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + settings.interval, repeating: settings.interval, leeway: .milliseconds(20))
        var reported = false
        timer.setEventHandler { [weak self, weak conductor] in
            guard let self, let conductor, !self.lock.withLock({ self.stopped }) else { return }
            conductor.ownership.hold {
                if conductor.watchdogTick(now: MonotonicClock.now(), staleAfter: settings.staleAfter,
                                          haltedAfter: settings.haltedAfter), !reported {
                    reported = true
                    onEnded()
                }
            }
        }
    }

    func start() { timer.resume() }

    /// No tick runs after this returns.
    func stop() {
        let first = lock.withLock { () -> Bool in defer { stopped = true }; return !stopped }
        guard first else { return }
        timer.cancel()
        queue.sync {}
    }
}
