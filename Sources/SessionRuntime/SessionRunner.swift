// Runs one prepared session on a frame loop: the loop gets its own thread (it owns OpenXR and
// Vulkan), the calling thread waits, Ctrl-C asks the loop to stop, and the record is closed
// whatever happens.
import Foundation
import Dispatch
import XR

public struct SessionOutcome: Sendable {
    public var state: String
    public var frames: Int
    public var recordPath: String
    public var error: String?
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
        // Ctrl-C: end the session cleanly (the record is closed as aborted, not left running).
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupt.setEventHandler { [loop] in loop.requestStop() }
        interrupt.resume()
        thread.start()
        done.wait()
        interrupt.cancel()
        signal(SIGINT, SIG_DFL)
        mirror?.stop()
        var state = "aborted"
        var error = failureBox.error.map { "\($0)" }
        do { state = try session.finish().rawValue } catch let e { error = (error.map { $0 + "; " } ?? "") + "closing the record: \(e)" }
        return SessionOutcome(state: state, frames: bridge.framesSeen, recordPath: session.recordPath, error: error)
    }
}

/// The frame thread's error, read after the thread has signalled that it finished.
private final class FailureBox: @unchecked Sendable { var error: Error? }
