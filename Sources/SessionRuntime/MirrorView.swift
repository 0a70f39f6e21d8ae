// What the therapist sees of the patient's view: a small, low-rate image of one eye, rendered
// off the frame thread with its own Vulkan device from the latest scene and head pose. The frame
// thread only hands over a scene value (arrays are shared, not copied) at most a few times a second.
import Foundation
import PNG
import Render
import SceneModel

public final class MirrorView: @unchecked Sendable {
    public let width: Int
    public let height: Int
    public let interval: Double
    private let lock = NSLock()
    private var pending: (scene: Scene, head: Pose)?
    private var png: [UInt8]?
    private var lastOffer = -Double.infinity
    private var thread: Thread?
    private var stopping = false
    private let wake = DispatchSemaphore(value: 0)
    public private(set) var failure: String?

    public init(width: Int = 192, height: Int = 192, framesPerSecond: Double = 2) {
        self.width = width; self.height = height; self.interval = 1 / max(0.1, framesPerSecond)
    }

    /// Called by the frame thread every frame; keeps only what the next mirror frame needs.
    public func offer(_ scene: Scene, head: Pose, at time: Double) {
        guard time - lastOffer >= interval else { return }
        lastOffer = time
        lock.lock(); pending = (scene, head); lock.unlock()
        wake.signal()
    }

    /// The latest mirror image as PNG bytes, if one was rendered.
    public var latestPNG: [UInt8]? { lock.lock(); defer { lock.unlock() }; return png }

    public func start() {
        let t = Thread { [weak self] in self?.loop() }
        t.name = "mirror-view"
        thread = t
        t.start()
    }

    public func stop() {
        lock.lock(); stopping = true; lock.unlock()
        wake.signal()
    }

    private func loop() {
        let renderer: StereoRenderer
        do {
            let context = try VulkanContext(applicationName: "exposure-mirror", validation: false)
            renderer = try StereoRenderer(context: context, width: width, height: height, samples: 1)
        } catch {
            lock.lock(); failure = "mirror view unavailable: \(error)"; lock.unlock()
            return
        }
        while true {
            wake.wait()
            lock.lock()
            let job = pending; pending = nil
            let done = stopping
            lock.unlock()
            if done { return }
            guard let job else { continue }
            let view = EyeView(pose: job.head, fov: .symmetric(horizontalDegrees: 90, verticalDegrees: 90))
            do {
                guard let image = try renderer.renderOffscreen(scene: job.scene, views: [view]).first else { continue }
                let bytes = try PNG.encode(image, compressionLevel: 3)
                lock.lock(); png = bytes; lock.unlock()
            } catch {
                lock.lock(); failure = "mirror view stopped: \(error)"; lock.unlock()
                return
            }
        }
    }
}
