// Shared pieces of the end-to-end session tests: the simulated headset selected through the real
// Khronos loader (runtime manifest + headset script + env vars, as Tests/XRTests does it), the
// OpenXR core validation layer writing to a file the test reads, pixel checks against the scene's
// sky colours, and small bridges between async tests and blocking runtime calls.
import ExposureCore
import Foundation
import PNG
import SceneModel
import XCTest
@testable import SessionRuntime

enum E2E {
    /// The package folder (this file is Tests/SessionRuntimeTests/E2ESupport.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Candidate folders of the built products: next to the test bundle, else .build/debug.
    static func productDirectories() -> [URL] {
        var dirs: [URL] = []
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 { dirs.append(dir); dir.deleteLastPathComponent() }
        dirs.append(Bundle.main.bundleURL)
        if let exe = Bundle.main.executableURL { dirs.append(exe.deletingLastPathComponent()) }
        dirs.append(packageRoot.appendingPathComponent(".build/debug"))
        return dirs
    }

    /// The `exposure` binary built with the tests (`swift build --build-tests`); EXPOSURE_BINARY overrides.
    static func binary() throws -> URL {
        var candidates = productDirectories().map { $0.appendingPathComponent("exposure") }
        if let explicit = ProcessInfo.processInfo.environment["EXPOSURE_BINARY"], !explicit.isEmpty {
            candidates.insert(URL(fileURLWithPath: explicit), at: 0)
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("the exposure binary is not built (looked in \(candidates.map(\.path))): run `swift build --build-tests`")
        }
        return found
    }

    static func simulatedHeadsetLibrary() -> String? {
        productDirectories().map { $0.appendingPathComponent("libSimulatedHeadset.so").path }
            .first { FileManager.default.fileExists(atPath: $0) }
    }
}

/// The simulated headset for one test: a fresh directory with the runtime manifest, the headset
/// script (docs/simulated-headset.md), its log, captured frames and the core validation output.
struct HeadsetFixture {
    let directory: URL
    let manifestURL: URL
    let configURL: URL
    /// Whether this process's loader variables point at this fixture (undone by `cleanUp`).
    let selectedInProcess: Bool
    var captureDirectory: URL { directory.appendingPathComponent("frames") }
    var logURL: URL { directory.appendingPathComponent("runtime.log") }
    var coreValidationURL: URL { directory.appendingPathComponent("core_validation.txt") }
    /// The simulated runtime's clock: frame N is displayed at epoch + (N + 1) * period.
    static let epoch: Int64 = 1_000_000_000

    /// Writes the files. `selectInProcess` also sets the loader's env vars in this process (for an
    /// in-process frame loop); a subprocess gets them from `environment` instead.
    init(_ name: String, script: [String: Any], selectInProcess: Bool = true) throws {
        guard let lib = E2E.simulatedHeadsetLibrary() else {
            throw XCTSkip("libSimulatedHeadset.so not built; run swift build --build-tests")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var config = script
        config["logPath"] = directory.appendingPathComponent("runtime.log").path
        if config["captureDirectory"] == nil { config["captureDirectory"] = directory.appendingPathComponent("frames").path }
        configURL = directory.appendingPathComponent("headset.json")
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted]).write(to: configURL)
        manifestURL = directory.appendingPathComponent("runtime.json")
        let manifest: [String: Any] = ["file_format_version": "1.0.0",
                                       "runtime": ["name": "Exposure Simulated Headset", "library_path": lib]]
        try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
        selectedInProcess = selectInProcess
        if selectInProcess {
            for (key, value) in loaderVariables { setenv(key, value, 1) }
        }
    }

    /// What the loader and the headset read: the runtime, its script, and core validation to a file.
    var loaderVariables: [String: String] {
        ["XR_RUNTIME_JSON": manifestURL.path,
         "EXPOSURE_SIMHEADSET_CONFIG": configURL.path,
         "XR_ENABLE_API_LAYERS": "XR_APILAYER_LUNARG_core_validation",
         "XR_CORE_VALIDATION_EXPORT_TYPE": "text",
         "XR_CORE_VALIDATION_FILE_NAME": coreValidationURL.path]
    }

    /// This process's environment with the headset selected, for a subprocess.
    var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(loaderVariables) { _, new in new }
    }

    func runtimeLog() -> [String] {
        (try? String(contentsOf: logURL, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    /// Lines the core validation layer wrote that report a problem (it writes only when it finds one).
    func coreValidationProblems() -> [String] {
        let text = (try? String(contentsOf: coreValidationURL, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init).filter {
            $0.contains("VUID") || $0.localizedCaseInsensitiveContains("error") || $0.localizedCaseInsensitiveContains("warning")
        }
    }

    /// The runtime's frame number for a display time (how captured PNGs are named).
    static func frameIndex(displayTime: Int64, period: Int64) -> Int { Int((displayTime - epoch) / period) - 1 }
    /// Script seconds of a display time.
    static func seconds(displayTime: Int64) -> Double { Double(displayTime - epoch) / 1e9 }

    func framePath(_ index: Int, eye: Int) -> String {
        captureDirectory.appendingPathComponent(String(format: "frame-%06d-eye%d.png", index, eye)).path
    }

    func cleanUp() {
        if selectedInProcess { for key in loaderVariables.keys { unsetenv(key) } }
        try? FileManager.default.removeItem(at: directory)
    }
}

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
