// Shared pieces of the end-to-end session tests: the simulated headset (from HeadsetTestSupport,
// shared with Tests/XRTests), pixel checks against the scene's sky colours, and small bridges
// between async tests and blocking runtime calls.
import ExposureCore
import Foundation
import HeadsetTestSupport
import PNG
import SceneModel
import XCTest
@testable import SessionRuntime

/// The session tests' names for the built products (HeadsetTestSupport.BuiltProducts).
enum E2E {
    static let packageRoot = BuiltProducts.packageRoot
    static func productDirectories() -> [URL] { BuiltProducts.directories() }
    /// The `exposure` binary built with the tests; EXPOSURE_BINARY overrides; XCTSkip when not built.
    static func binary() throws -> URL { try BuiltProducts.exposureBinary() }
    static func simulatedHeadsetLibrary() -> String? { try? BuiltProducts.simulatedHeadsetLibrary() }
}

/// The simulated headset for one session test (fresh folder, manifest, script, core validation).
typealias HeadsetFixture = SimulatedHeadsetFixture

/// Sky pixels as the renderer draws them: sRGB bytes of the gradient from the sky's horizon colour
/// to its zenith colour (sky.frag mixes the two in linear light).
struct SkyPalette {
    private var samples: [(Int, Int, Int)] = []
    let tolerance: Int

    init(_ sky: Sky, tolerance: Int = 6) {
        self.tolerance = tolerance
        for i in 0...128 {
            let s = Float(i) / 128
            let c = sky.horizon + (sky.zenith - sky.horizon) * s
            samples.append((Self.srgbByte(c.x), Self.srgbByte(c.y), Self.srgbByte(c.z)))
        }
    }

    func isSky(_ p: (r: UInt8, g: UInt8, b: UInt8, a: UInt8)) -> Bool {
        samples.contains { abs($0.0 - Int(p.r)) <= tolerance && abs($0.1 - Int(p.g)) <= tolerance && abs($0.2 - Int(p.b)) <= tolerance }
    }

    /// Fraction of the image's pixels that are sky.
    func skyFraction(_ image: RGBAImage) -> Double {
        var n = 0
        for y in 0..<image.height { for x in 0..<image.width where isSky(image[x, y]) { n += 1 } }
        return Double(n) / Double(max(1, image.width * image.height))
    }

    static func srgbByte(_ linear: Float) -> Int {
        let l = max(0, min(1, linear))
        let c = l <= 0.0031308 ? l * 12.92 : 1.055 * pow(l, 1 / 2.4) - 0.055
        return Int((c * 255).rounded())
    }
}

/// Runs a blocking call on its own thread, so an async test never blocks the cooperative pool
/// (ConsoleHost.start/stop wait on a semaphore for a Task).
func onThread<T>(_ body: @escaping () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
        let thread = Thread { c.resume(with: Result { try body() }) }
        thread.start()
    }
}

/// Polls `condition` until it holds or `timeout` passes; for effects that arrive on other threads.
func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// Steps a conductor on its own thread, as the frame loop would: display times of a 72 Hz
/// runtime, a few milliseconds of wall time per frame so telemetry and commands flow.
final class FrameDriver: @unchecked Sendable {
    let conductor: SessionConductor
    private let lock = NSLock()
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)
    static let periodNs: Int64 = 13_888_889

    /// The index of the next frame; read it after `stop` to carry on from the test's thread.
    private(set) var nextIndex = 0

    init(conductor: SessionConductor) { self.conductor = conductor }

    static func moment(_ i: Int) -> FrameMoment {
        FrameMoment(index: i, displayTimeNs: 1_000_000_000 + Int64(i) * periodNs, periodNs: periodNs,
                    head: Pose(position: Vec3(0, 1.6, 0)))
    }

    /// Starts stepping (again), from frame `index` when given.
    func start(at index: Int? = nil) {
        lock.withLock { stopping = false }
        if let index { nextIndex = index }
        let thread = Thread { [self] in
            while !lock.withLock({ stopping }) {
                _ = conductor.frame(Self.moment(nextIndex))
                nextIndex += 1
                usleep(4_000)
            }
            finished.signal()
        }
        thread.name = "test-frame-loop"
        thread.start()
    }

    /// Stops after the frame in progress; the conductor is not touched afterwards.
    func stop() {
        lock.withLock { stopping = true }
        finished.wait()
    }
}

/// A heights session in `directory` with no sound, for tests that drive the conductor frame by
/// frame (the console, ratings and volume tests share it).
enum TestSession {
    static func heights(in directory: URL, participant: String = "P-0001", idPrefix: String,
                        script: PatientScript? = nil) throws -> PreparedSession {
        var o = SessionOptions(protocolPath: E2E.packageRoot.appendingPathComponent("Protocols/heights-graded.yaml").path,
                               participantID: participant, sessionsDirectory: directory.path)
        o.sound = false
        o.patientScript = script
        o.sessionID = "\(idPrefix)-\(UUID().uuidString.prefix(8))"
        return try PreparedSession(o, runtime: "test", headset: "none", displayRateHz: 72, warn: { _ in })
    }
}
