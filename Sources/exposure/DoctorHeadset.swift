import Environments
import ExposureCore
import Foundation
import SceneModel
import XR

/// The headset part of `exposure doctor`: whether the active OpenXR runtime starts (XR's
/// `OpenXRRuntimeProbe` creates an instance with XR_KHR_vulkan_enable2 and finds a headset),
/// whether a session runs on it at the display's rate (SessionDoctor), and whether the simulated
/// headset the tests use was built.
enum HeadsetDoctor {
    static func checks() -> [DoctorCheck] {
        let runtime = runtimeCheck(OpenXRRuntimeProbe.probe())
        // A session is tried only on a runtime that starts; otherwise the runtime line says why.
        return [runtime] + (runtime.ok ? [SessionDoctor.check()] : []) + [simulatedHeadsetCheck()]
    }

    static func runtimeCheck(_ report: OpenXRRuntimeReport) -> DoctorCheck {
        let selected = report.manifestPath.map { " selected by \($0)" + (report.manifestSource.map { " (\($0))" } ?? "") } ?? ""
        if report.ok, let name = report.runtimeName {
            return .pass("OpenXR runtime", "\(name) \(report.runtimeVersion ?? ""),\(selected); starts with XR_KHR_vulkan_enable2 and a headset",
                         for: .headset)
        }
        let problem = report.problem ?? "the runtime did not report its name"
        return .fail("OpenXR runtime", problem + (selected.isEmpty ? "" : " (\(selected.dropFirst()))") + " Headset sessions cannot start; desktop mode still works.",
                     fix: report.advice ?? "install and select an OpenXR runtime: Monado (`sudo apt-get install monado-service`) or SteamVR",
                     for: .headset)
    }

    /// The tests load libSimulatedHeadset.so from the build folder as an OpenXR runtime.
    static func simulatedHeadsetCheck() -> DoctorCheck {
        let exe = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
        let library = exe.deletingLastPathComponent().appendingPathComponent("libSimulatedHeadset.so").path
        if FileManager.default.fileExists(atPath: library) {
            return .pass("Simulated headset", "\(library) (the OpenXR runtime the tests use)", for: .development)
        }
        return .fail("Simulated headset", "no libSimulatedHeadset.so next to \(exe.path) (needed only by the tests)",
                     fix: "build it: `swift build --product SimulatedHeadset` (in the same configuration as exposure)", for: .development)
    }
}

/// The frame-rate part of `exposure doctor`: starts and ends a real OpenXR session (so a runtime
/// whose compositor cannot start is reported, not "ready"), renders the heaviest bundled
/// environment at the runtime's recommended view size for a few seconds, and says whether this
/// machine holds the display's rate, with the measured figure.
enum SessionDoctor {
    static let warmupSeconds = 1.0
    static let measureSeconds = 3.0
    static let warmupFrames = 2
    static let measureFrames = 10
    /// A session that never renders, or a display slower than 1 Hz, stops here.
    static let longestSeconds = 20.0

    static func check() -> DoctorCheck {
        let name = "OpenXR session"
        let catalog: EnvironmentCatalog
        do { catalog = try EnvironmentCatalog.bundled() } catch {
            return .fail(name, "the bundled environments could not be loaded: \(error)", fix: "reinstall exposure with its Environments folder", for: .headset)
        }
        let (environment, target) = heaviest(catalog)
        var xr = XRConfiguration()
        xr.appName = "exposure-doctor"
        xr.makeRenderer = XRConfiguration.stereoRenderer(samples: 4)   // as `exposure session` draws
        let loop = OpenXRFrameLoop(configuration: xr)
        let probe = FrameRateProbe(world: EnvironmentWorld(catalog: catalog, seed: 1), target: target,
                                   stopAfter: longestSeconds) { [weak loop] in loop?.requestStop() }
        let done = DispatchSemaphore(value: 0)
        let failure = LockedError()
        let thread = Thread {
            do { try loop.run(delegate: probe) } catch { failure.set(error) }
            done.signal()
        }
        thread.start()
        // A runtime that never lets the session run (no READY) gets a deadline, then a stop.
        if done.wait(timeout: .now() + longestSeconds + 10) == .timedOut {
            loop.requestStop()
            if done.wait(timeout: .now() + 10) == .timedOut {
                return .fail(name, "the runtime did not run or end a session within \(Int(longestSeconds + 20)) s",
                             fix: "check the runtime's own log (Monado: monado-service output); a headset must be connected and its compositor able to start",
                             for: .headset)
            }
        }
        if let error = failure.error {
            return .fail(name, "a session could not start: \(error)",
                         fix: "the runtime loads but cannot start a compositor: check its service and log (Monado: monado-service output; SteamVR: its web console)",
                         for: .headset)
        }
        let facts = loop.facts
        let size = "\(facts.recommendedWidth)x\(facts.recommendedHeight) per eye"
        guard let m = probe.measurement(displayRateHz: loop.timing.knownRateHz) else {
            return .fail(name, "the session started but showed no frames (state never reached VISIBLE) within \(Int(longestSeconds)) s",
                         fix: "check that the headset is on and the runtime's compositor runs", for: .headset)
        }
        let figure = String(format: "%.1f frames/s measured against the display's %.1f Hz (%d of %d refreshes missed)",
                            m.framesPerSecond, m.displayRateHz, m.missed, m.missed + m.frames)
        let what = "\(environment) at \(size) on \(facts.systemName.isEmpty ? "the headset" : facts.systemName): "
        if m.holds {
            return .pass(name, what + figure + "; this machine holds the display rate", for: .headset)
        }
        return .fail(name, what + figure + "; this machine cannot hold the display rate, and sessions would pause for poor frame rate",
                     fix: "use a machine with a GPU (a software Vulkan device such as lavapipe cannot hold a headset's rate), or lower the headset's refresh rate",
                     for: .headset)
    }

    /// The bundled environment with the most to draw at full intensity.
    static func heaviest(_ catalog: EnvironmentCatalog) -> (String, EnvironmentTarget) {
        var cases = catalog.names.map { ($0, EnvironmentTarget(environment: $0, intensity: 100)) }
        if catalog.names.contains("crowds") {
            cases.append(("crowds/platform", EnvironmentTarget(environment: "crowds", intensity: 100, overrides: ["setting": .choice("platform")])))
        }
        var best = cases[0], most = -1
        for c in cases {
            let world = EnvironmentWorld(catalog: catalog, seed: 1)
            var scene = Scene()
            for _ in 0..<72 { scene = world.update(target: c.1, dt: 1.0 / 72) }
            if scene.instanceCount > most { most = scene.instanceCount; best = c }
        }
        return best
    }
}

/// Shows one environment on every frame and measures how the machine keeps up after a warm-up.
final class FrameRateProbe: FrameDelegate {
    struct Measurement { var frames: Int; var missed: Int; var framesPerSecond: Double; var displayRateHz: Double; var holds: Bool }

    private let world: EnvironmentWorld
    private let target: EnvironmentTarget
    private let stopAfter: Double
    private let stop: () -> Void
    private var start: Double?
    private var measuredFrom: Double?
    private var lastWall = 0.0
    private var frames = 0
    private var rendered = 0
    private var missed = 0
    private var refreshPeriod: Int64 = 0

    init(world: EnvironmentWorld, target: EnvironmentTarget, stopAfter: Double, stop: @escaping () -> Void) {
        self.world = world; self.target = target; self.stopAfter = stopAfter; self.stop = stop
    }

    func frame(_ f: FrameInfo, input: [InputEvent]) -> Scene {
        let now = Date().timeIntervalSince1970
        if start == nil { start = now }
        let elapsed = now - (start ?? now)
        if f.shouldRender {
            // The first frames build pipelines and buffers: the warm-up lasts a second and at
            // least that many rendered frames, however slow the display.
            rendered += 1
            if measuredFrom == nil {
                if elapsed >= SessionDoctor.warmupSeconds, rendered > SessionDoctor.warmupFrames { measuredFrom = now }
            } else {
                frames += 1; missed += f.missedFrames
            }
            lastWall = now
            refreshPeriod = f.refreshPeriod
        }
        // Enough refreshes to judge by (one late frame in six is not a verdict), unless the
        // session never renders.
        let measured = measuredFrom.map { now - $0 } ?? 0
        if (measured >= SessionDoctor.measureSeconds && frames >= SessionDoctor.measureFrames) || elapsed >= stopAfter { stop() }
        return world.update(target: target, dt: Double(max(f.refreshPeriod, 1)) / 1e9)
    }

    func stateChanged(_ state: XRSessionState) {}

    /// Frames per second on the wall clock (a runtime paces xrWaitFrame to the display, so a
    /// machine that keeps up shows the display's rate) and the refreshes the runtime says were missed.
    func measurement(displayRateHz known: Double?) -> Measurement? {
        guard let from = measuredFrom, frames >= 2, lastWall > from, refreshPeriod > 0 else { return nil }
        let rate = known ?? 1e9 / Double(refreshPeriod)
        let fps = Double(frames) / (lastWall - from)
        let missedShare = Double(missed) / Double(frames + missed)
        return Measurement(frames: frames, missed: missed, framesPerSecond: fps, displayRateHz: rate,
                           holds: fps >= rate * 0.9 && missedShare <= 0.1)
    }
}

private final class LockedError: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?
    func set(_ e: Error) { lock.lock(); stored = e; lock.unlock() }
    var error: Error? { lock.lock(); defer { lock.unlock() }; return stored }
}
