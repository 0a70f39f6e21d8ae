// Steps a conductor on its own thread like FrameDriver, and hands each frame's scene to a MirrorView
// as XRBridge does in a real session, so the console's mirror image shows what the patient sees.
import Foundation
@testable import SessionRuntime

final class MirroredFrameDriver: @unchecked Sendable {
    let conductor: SessionConductor
    let mirror: MirrorView
    private let lock = NSLock()
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    init(conductor: SessionConductor, mirror: MirrorView) {
        self.conductor = conductor
        self.mirror = mirror
    }

    func start() {
        let thread = Thread { [self] in
            var index = 0
            while !lock.withLock({ stopping }) {
                let moment = FrameDriver.moment(index)
                let scene = conductor.frame(moment)
                mirror.offer(scene, head: moment.head, at: Date().timeIntervalSince1970)
                index += 1
                usleep(4_000)
            }
            finished.signal()
        }
        thread.name = "test-frame-loop-mirrored"
        thread.start()
    }

    /// Stops after the frame in progress; the conductor is not touched afterwards.
    func stop() {
        lock.withLock { stopping = true }
        finished.wait()
    }
}
