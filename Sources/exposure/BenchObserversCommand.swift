import Control
import Foundation
import SceneModel
import SessionRuntime

/// The frame rate of a real session (conductor, engine, heights at intensity 100, record, console)
/// paced at 90 Hz, first with nobody watching, then with `observers` observer connections taking
/// telemetry: telemetry fan-out runs off the frame thread, so the two rates should agree (issue
/// #14 asks within 5 %). The caps on connections are raised for the run so every observer is let in.
struct ObserverFrameRateReport: Encodable {
    var observers_connected: Int
    var seconds_each: Double
    var paced_hz: Int
    var fps_without_observers: Double
    var fps_with_observers: Double
    /// fps_with / fps_without.
    var fps_ratio: Double
    var frame_cpu_ms_median_without: Double
    var frame_cpu_ms_median_with: Double
    var observer_telemetry_per_s_median: Double?
}

enum ObserverFrameRateBench {
    static let pacedHz = 90.0

    /// For the synchronous command; nil when `observers` is 0.
    static func blocking(observers: Int, seconds: Double, telemetryHz: Double) throws -> ObserverFrameRateReport? {
        guard observers > 0 else { return nil }
        let outcome = BlockingResult<ObserverFrameRateReport>()
        Task {
            do { outcome.set(.success(try await run(observers: observers, seconds: seconds, telemetryHz: telemetryHz))) }
            catch { outcome.set(.failure(error)) }
        }
        return try outcome.wait()
    }

    static func run(observers: Int, seconds: Double, telemetryHz: Double) async throws -> ObserverFrameRateReport {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-bench-observers-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let protocolFile = work.appendingPathComponent("bench-heights.yaml")
        try BenchSession.protocolText(environment: "heights").write(to: protocolFile, atomically: true, encoding: .utf8)
        var options = SessionOptions(protocolPath: protocolFile.path, participantID: "BENCH-1", sessionsDirectory: work.path)
        options.sound = false
        let session = try PreparedSession(options, runtime: "bench", headset: "none", displayRateHz: pacedHz, warn: { _ in })
        var console = ConsoleOptions()
        console.port = 0
        console.telemetryHz = telemetryHz
        console.supervised = false
        console.connectionCap = observers + 8
        let host = try ConsoleHost(session: session, mirror: nil, options: console)
        let port = try await onOwnThread { try host.start() }
        let frames = PacedFrames(conductor: session.conductor, hz: pacedHz)
        frames.start()
        defer { frames.stop(); _ = try? session.finish() }

        try await Task.sleep(for: .seconds(1))   // the crowd fills and pipelines settle
        let without = try await frames.measure(seconds: seconds)

        let url = "ws://127.0.0.1:\(port)/v1/ws"
        var clients: [ControlClient] = []
        var watchers: [Task<Int, Never>] = []
        var joined: [ContinuousClock.Instant] = []
        for _ in 0..<observers {
            let client = try await ControlClient.connect(url: url)
            try await client.hello(token: host.server.keys.observerToken, timeout: .seconds(60))   // 500 hellos on a loaded machine
            clients.append(client)
            joined.append(.now)
            // Counted, not decoded: the viewers' own cost stays small beside the session's.
            watchers.append(Task { await client.countUntilClosed(containing: "\"telemetry\"") })
        }
        try await Task.sleep(for: .seconds(1))
        let with = try await frames.measure(seconds: seconds)
        let left = ContinuousClock.now
        for client in clients { await client.close() }
        var received: [Double] = []
        for (watcher, since) in zip(watchers, joined) {
            received.append(Double(await watcher.value) / (ControlBench.milliseconds(left - since) / 1000))
        }
        try await onOwnThread { host.stop() }

        func r2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
        return ObserverFrameRateReport(
            observers_connected: clients.count, seconds_each: seconds, paced_hz: Int(pacedHz),
            fps_without_observers: r2(without.fps), fps_with_observers: r2(with.fps),
            fps_ratio: (with.fps / max(without.fps, 1e-9) * 1000).rounded() / 1000,
            frame_cpu_ms_median_without: r2(without.cpuMedian), frame_cpu_ms_median_with: r2(with.cpuMedian),
            observer_telemetry_per_s_median: received.isEmpty ? nil : r2(ControlBench.percentile(received, 0.5)))
    }

    /// ConsoleHost.start/stop wait on a semaphore: never on the cooperative pool.
    static func onOwnThread<T>(_ body: @escaping () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
            Thread { c.resume(with: Result { try body() }) }.start()
        }
    }
}

/// A frame thread paced to a display rate, as a runtime's wait would pace it.
private final class PacedFrames: @unchecked Sendable {
    private let conductor: SessionConductor
    private let period: Double
    private let lock = NSLock()
    private var stopping = false
    private var count = 0
    private var cpu: [Double] = []
    private let done = DispatchSemaphore(value: 0)

    init(conductor: SessionConductor, hz: Double) { self.conductor = conductor; period = 1 / hz }

    func start() {
        let thread = Thread { [self] in
            let periodNs = Int64(period * 1e9)
            var index = 0
            var next = MonotonicClock.now()
            while !lock.withLock({ stopping }) {
                _ = conductor.frame(FrameMoment(index: index, displayTimeNs: 1_000_000_000 + Int64(index) * periodNs, periodNs: periodNs,
                                                head: Pose(position: Vec3(0, 1.6, 0))))
                let ms = conductor.lastFrameCPUMs
                lock.withLock { count += 1; cpu.append(ms) }
                index += 1
                next += period
                let wait = next - MonotonicClock.now()
                if wait > 0 { usleep(useconds_t(wait * 1e6)) } else { next = MonotonicClock.now() }
            }
            done.signal()
        }
        thread.name = "bench-frame-loop"
        thread.start()
    }

    func measure(seconds: Double) async throws -> (fps: Double, cpuMedian: Double) {
        let (c0, i0) = lock.withLock { (count, cpu.count) }
        let t0 = MonotonicClock.now()
        try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        let (c1, slice) = lock.withLock { (count, Array(cpu[i0...])) }
        return (Double(c1 - c0) / (MonotonicClock.now() - t0), ControlBench.percentile(slice, 0.5))
    }

    func stop() {
        guard !lock.withLock({ defer { stopping = true }; return stopping }) else { return }
        done.wait()
    }
}
