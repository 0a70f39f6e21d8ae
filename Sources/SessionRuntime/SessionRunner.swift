// Runs one prepared session on a frame loop: the loop gets its own thread (it owns OpenXR and
// Vulkan), the calling thread waits, Ctrl-C and SIGTERM end the session as aborted (through the
// engine, on the frame thread), and the record is closed whatever happens.
import Foundation
import Dispatch
import ExposureCore
import Recording
import XR

public struct SessionOutcome: Sendable {
    /// The record's final state (SessionState raw value: completed, ended_by_therapist, time_limit,
    /// patient_stopped, safety_stop, aborted).
    public var state: String
    public var frames: Int
    public var recordPath: String
    public var error: String?
    /// SIGINT or SIGTERM when a signal stopped the session.
    public var signal: Int32? = nil
    /// The 1-based step reached, and the protocol's steps.
    public var endStep: Int? = nil
    public var stepCount: Int = 0
    /// Why the session was ended because its record could not be kept (state `interrupted`).
    public var recordLost: String? = nil
}

public final class SessionRunner {
    public let session: PreparedSession
    public let loop: FrameLoop
    public let bridge: XRBridge
    public let mirror: MirrorView?

    public init(session: PreparedSession, loop: FrameLoop, mirror: MirrorView? = nil) {
        self.session = session; self.loop = loop; self.mirror = mirror
        bridge = XRBridge(session: session, mirror: mirror)
        bridge.onEnded = { [loop] in loop.requestStop() }
        if let xr = loop as? OpenXRFrameLoop { bridge.runtimeName = { [unowned xr] in xr.runtimeName } }
    }

    public func run() -> SessionOutcome {
        mirror?.start()
        let done = DispatchSemaphore(value: 0)
        let failureBox = FailureBox()
        let thread = Thread { [loop, bridge] in
            do { try loop.run(delegate: bridge) } catch { failureBox.error = error }
            done.signal()
        }
        thread.name = "frame-loop"
        thread.stackSize = 8 << 20
        // Ctrl-C, SIGTERM (systemctl stop): end the session cleanly. The engine ends it as aborted on
        // the next frame, the loop stops as for any end, and the record is closed as aborted, not
        // left running. A loop that does not take frames any more is stopped after a grace period;
        // a second signal stops it at once.
        let stops = SignalStops(signals: [SIGINT, SIGTERM]) { [session, loop] signo, count in
            if count == 1 {
                let name = signo == SIGINT ? "SIGINT" : "SIGTERM"
                session.conductor.mailbox.post(SessionInput(.abort(reason: "stopped by \(name)"), from: .system))
                DispatchQueue.global().asyncAfter(deadline: .now() + SessionRunner.signalGrace) { loop.requestStop() }
            } else {
                loop.requestStop()
            }
        }
        let watch = RecordWatch(session: session, loop: loop, report: report)
        thread.start()
        done.wait()
        watch.stop()
        stops.cancel()
        mirror?.stop()
        var state = "aborted"
        var error = failureBox.error.map { "\($0)" }
        let lost = watch.givenUp
        do {
            state = try session.finish(as: lost == nil ? nil : .interrupted).rawValue
        } catch let e {
            if lost != nil { state = SessionState.interrupted.rawValue }
            // A record that could not be kept cannot be closed either; its ending is the outcome.
            else { error = (error.map { $0 + "; " } ?? "") + "closing the record: \(e)" }
        }
        return SessionOutcome(state: state, frames: bridge.framesSeen, recordPath: session.recordPath, error: error,
                              signal: stops.first, endStep: session.endStep, stepCount: session.plan.steps.count, recordLost: lost)
    }

    /// Where the record watch's lines go (the terminal's stderr by default).
    public var report: @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }

    /// Seconds a signalled session has to end through the engine before the loop is stopped.
    public static let signalGrace: Double = 10
}

/// SIGINT/SIGTERM handled on a dispatch queue while a session runs (the default action is ignored
/// meanwhile and restored by `cancel`). `first` is the first signal received.
final class SignalStops: @unchecked Sendable {
    private let lock = NSLock()
    private var sources: [DispatchSourceSignal] = []
    private var count = 0
    private var firstSignal: Int32?
    private let signals: [Int32]

    init(signals: [Int32], handler: @escaping (Int32, Int) -> Void) {
        self.signals = signals
        for signo in signals {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.lock()
                self.count += 1
                if self.firstSignal == nil { self.firstSignal = signo }
                let n = self.count
                self.lock.unlock()
                handler(signo, n)
            }
            source.resume()
            sources.append(source)
        }
    }

    var first: Int32? { lock.lock(); defer { lock.unlock() }; return firstSignal }

    func cancel() {
        for s in sources { s.cancel() }
        sources.removeAll()
        for signo in signals { signal(signo, SIG_DFL) }
    }
}

/// Reads the recorder's health four times a second while the session runs: a failing write is said
/// on the terminal within a second (and in the console's telemetry, by ControlBridge), its end is
/// said too, and a record that cannot be kept ends the session (interrupted) after
/// `SessionRecorder.eventRetention` seconds of failing writes, or at the first one when the
/// protocol sets `stop_on_record_failure`.
final class RecordWatch: @unchecked Sendable {
    private let timer: DispatchSourceTimer
    private let lock = NSLock()
    private var failing = false
    private var reason: String?

    init(session: PreparedSession, loop: FrameLoop, report: @escaping @Sendable (String) -> Void) {
        let limit = session.plan.safety.stopOnRecordFailure ? 0 : SessionRecorder.eventRetention
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        timer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250))
        let recorder = session.recorder
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            let h = recorder.currentHealth
            let (wasFailing, done) = self.lock.withLock { (self.failing, self.reason != nil) }
            if h.isFailing && !wasFailing {
                report("warning: the session record cannot be written: \(h.lastError ?? "unknown error")"
                       + (limit > 0 ? String(format: "; the session ends as interrupted if this lasts %.0f s", limit) : "; the protocol stops the session at the first failure"))
            } else if !h.isFailing && wasFailing {
                report("note: the session record is written again; the gap is marked in the record (record_gap)")
            }
            self.lock.withLock { self.failing = h.isFailing }
            guard h.isFailing, !done, h.failingFor >= limit else { return }
            let why = String(format: "the session record could not be written for %.1f s (", h.failingFor) + (h.lastError ?? "unknown error") + ")"
                + (limit == 0 ? "; the protocol stops at the first record failure" : "")
            self.lock.withLock { self.reason = why }
            report("error: \(why): ending the session as interrupted")
            session.conductor.mailbox.post(SessionInput(.abort(reason: why), from: .system))
            // Without frames the engine cannot end it: stop the loop after the grace period.
            DispatchQueue.global().asyncAfter(deadline: .now() + SessionRunner.signalGrace) { loop.requestStop() }
        }
        timer.resume()
    }

    /// Why the session was ended for its record; nil when it was not.
    var givenUp: String? { lock.withLock { reason } }

    func stop() { timer.cancel() }
}

/// The frame thread's error, read after the thread has signalled that it finished.
private final class FailureBox: @unchecked Sendable { var error: Error? }
