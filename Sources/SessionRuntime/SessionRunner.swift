// Runs one prepared session on a frame loop: the loop gets its own thread (it owns OpenXR and
// Vulkan), the calling thread waits, Ctrl-C and SIGTERM end the session as aborted (through the
// engine, on the frame thread), and the record is closed whatever happens.
import Foundation
import Dispatch
import ExposureCore
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
        thread.start()
        done.wait()
        stops.cancel()
        mirror?.stop()
        var state = "aborted"
        var error = failureBox.error.map { "\($0)" }
        do { state = try session.finish().rawValue } catch let e { error = (error.map { $0 + "; " } ?? "") + "closing the record: \(e)" }
        return SessionOutcome(state: state, frames: bridge.framesSeen, recordPath: session.recordPath, error: error,
                              signal: stops.first, endStep: session.endStep, stepCount: session.plan.steps.count)
    }

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

/// The frame thread's error, read after the thread has signalled that it finished.
private final class FailureBox: @unchecked Sendable { var error: Error? }
