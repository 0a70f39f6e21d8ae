import ArgumentParser
import Control
import Foundation
import SceneModel
import SessionRuntime

/// `exposure bench control`: command-to-confirmation latency of the control link on loopback,
/// with one therapist and N observers, against the embedded session (90 Hz frame loop); then the
/// same on the real session path (PreparedSession, engine, recorder, ControlBridge), where `applied`
/// waits for the record's commit: that added wait is `record_wait_ms_*`.
struct BenchControl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control",
        abstract: "Measure control round-trip latency (command -> ack -> confirming telemetry) on loopback (JSON).")

    @Option(help: "Observer connections besides the therapist.") var observers = 20
    @Option(help: "Commands to time.") var commands = 150
    @Option(help: "Telemetry messages per second (10-30).") var telemetryHz = 15.0
    @Option(help: "Commands sent per second (the server allows 20).") var commandRate = 15.0
    @Option(help: "Protocol for the real-session measurement (recorded in a temporary directory).")
    var sessionProtocol = "Protocols/heights-graded.yaml"
    @Option(help: "Observer connections for the frame-rate figure (a real session's frame rate with them vs none); 0 skips it.") var frameObservers = 500
    @Option(help: "Seconds the frame rate is measured, with and without the observers.") var frameSeconds = 5.0

    func validate() throws {
        guard observers >= 0, observers <= 200 else { throw ValidationError("--observers must be 0-200") }
        guard commands >= 1, commands <= 100_000 else { throw ValidationError("--commands must be 1-100000") }
        guard commandRate > 0, commandRate <= 20 else { throw ValidationError("--command-rate must be above 0 and at most 20") }
        guard FileManager.default.fileExists(atPath: sessionProtocol) else {
            throw ValidationError("--session-protocol \(sessionProtocol): no such file (run from the package folder, or name a protocol)")
        }
        guard frameObservers >= 0, frameObservers <= 1000 else { throw ValidationError("--frame-observers must be 0-1000") }
        guard frameSeconds > 0, frameSeconds <= 600 else { throw ValidationError("--frame-seconds must be above 0 and at most 600") }
    }

    func run() throws {
        let outcome = BlockingResult<ControlBenchReport>()
        let (observers, commands, telemetryHz, commandRate) = (self.observers, self.commands, self.telemetryHz, self.commandRate)
        let protocolPath = sessionProtocol
        Task {
            do {
                var report = try await ControlBench.run(observers: observers, commands: commands,
                                                        telemetryHz: telemetryHz, commandRate: commandRate)
                try await ControlBench.runSession(protocolPath: protocolPath, commands: min(commands, 200),
                                                  telemetryHz: telemetryHz, commandRate: commandRate, into: &report)
                outcome.set(.success(report))
            } catch {
                outcome.set(.failure(error))
            }
        }
        var report = try outcome.wait()
        report.frame_rate = try ObserverFrameRateBench.blocking(observers: frameObservers, seconds: frameSeconds, telemetryHz: telemetryHz)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}

struct ControlBenchReport: Encodable {
    var observers: Int
    var commands: Int
    var command_rate_per_s: Double
    var telemetry_hz: Int
    var frame_loop_hz: Int
    var seconds: Double
    var ack_ms_median: Double
    var ack_ms_p99: Double
    var confirmed_ms_median: Double
    var confirmed_ms_p99: Double
    /// Telemetry messages per second each observer received; nil without observers.
    var observer_telemetry_per_s_min: Double?
    var observer_telemetry_per_s_median: Double?
    /// The real session path (engine on a 90 Hz frame thread, the record on disk): pause/resume
    /// commands timed from send to `applied`, which waits for the record's commit.
    var session_commands = 0
    var session_ack_ms_median = 0.0
    var session_ack_ms_p99 = 0.0
    /// Of that, the wait for the record: from the engine's decision to the commit holding the
    /// command and its effect (the latency "applied means recorded" adds).
    var record_wait_ms_median = 0.0
    var record_wait_ms_p99 = 0.0
    var session_record_transactions: Int64 = 0
    /// A real session's frame rate with `--frame-observers` viewers vs none (nil with 0).
    var frame_rate: ObserverFrameRateReport?
}

enum ControlBench {
    static func run(observers observerCount: Int, commands: Int, telemetryHz: Double, commandRate: Double) async throws -> ControlBenchReport {
        let session = EmbeddedControlledSession(intensity: 20, stepLimit: 15)
        session.startFrameLoop(hz: 90)
        let server = try ControlServer(session: session, configuration: ControlServerConfiguration(port: 0, telemetryHz: telemetryHz))
        let port = try await server.start()
        defer { session.stopFrameLoop() }
        let url = "ws://127.0.0.1:\(port)/v1/ws"

        var watchers: [Task<Int, Never>] = []
        var observerClients: [ControlClient] = []
        for _ in 0..<observerCount {
            let client = try await ControlClient.connect(url: url)
            try await client.hello(token: server.keys.observerToken)
            observerClients.append(client)
            watchers.append(Task {
                var received = 0
                while let message = try? await client.next(timeout: .seconds(30)) {
                    if case .telemetry = message { received += 1 }
                }
                return received
            })
        }
        let therapist = try await ControlClient.connect(url: url)
        try await therapist.hello(token: server.keys.therapistToken)

        var ackTimes: [Double] = [], appliedTimes: [Double] = []
        var highestApplied: UInt64 = 0
        let gap = Duration.nanoseconds(Int64(1e9 / commandRate))
        let started = ContinuousClock.now
        for index in 0..<commands {
            let sent = ContinuousClock.now
            let id = try await therapist.sendCommand(kind: "set_intensity", fields: ["value": index % 2 == 0 ? 30 : 20])
            var sequence: UInt64?
            while sequence.map({ highestApplied < $0 }) ?? true {
                let message = try await therapist.next(timeout: .seconds(10))
                switch message {
                case .applied(let ackId, let seq, _) where ackId == id:
                    sequence = seq
                    ackTimes.append(milliseconds(ContinuousClock.now - sent))
                case .error(let error) where error.id == id:
                    throw error
                case .telemetry(_, let telemetry):
                    highestApplied = max(highestApplied, telemetry.lastAppliedCommandSeq)
                default:
                    break
                }
            }
            appliedTimes.append(milliseconds(ContinuousClock.now - sent))
            // Jittered spacing: a fixed cadence would lock to the telemetry ticks and measure
            // one phase only.
            let next = sent + gap * Double.random(in: 0.5...1.5)
            if next > .now { try await Task.sleep(until: next, clock: .continuous) }
        }
        let seconds = milliseconds(ContinuousClock.now - started) / 1000
        await therapist.close()
        for client in observerClients { await client.close() }
        var observerTelemetry: [Int] = []
        for watcher in watchers { observerTelemetry.append(await watcher.value) }
        await server.stop()

        let rates = observerTelemetry.map { Double($0) / seconds }
        func r2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
        return ControlBenchReport(
            observers: observerCount, commands: commands, command_rate_per_s: commandRate,
            telemetry_hz: Int(min(30, max(1, telemetryHz))), frame_loop_hz: 90, seconds: r2(seconds),
            ack_ms_median: r2(percentile(ackTimes, 0.5)), ack_ms_p99: r2(percentile(ackTimes, 0.99)),
            confirmed_ms_median: r2(percentile(appliedTimes, 0.5)), confirmed_ms_p99: r2(percentile(appliedTimes, 0.99)),
            observer_telemetry_per_s_min: rates.min().map(r2), observer_telemetry_per_s_median: rates.isEmpty ? nil : r2(percentile(rates, 0.5)))
    }

    static func runSession(protocolPath: String, commands: Int, telemetryHz: Double, commandRate: Double,
                           into report: inout ControlBenchReport) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-bench-control-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = SessionOptions(protocolPath: protocolPath, participantID: "P-0000", sessionsDirectory: dir.path)
        options.sound = false
        options.sessionID = "bench-control"
        let session = try PreparedSession(options, runtime: "bench", headset: "none", displayRateHz: 90, warn: { _ in })
        let frames = BenchFrameThread(session: session)
        frames.start()
        let bridge = ControlBridge(session: session, mirror: nil)
        let server = try ControlServer(session: bridge, configuration: ControlServerConfiguration(port: 0, telemetryHz: telemetryHz))
        let port = try await server.start()
        let therapist = try await ControlClient.connect(url: "ws://127.0.0.1:\(port)/v1/ws")
        try await therapist.hello(token: server.keys.therapistToken)
        let before = session.recorder.statistics.transactions
        var ackTimes: [Double] = []
        let gap = Duration.nanoseconds(Int64(1e9 / commandRate))
        for index in 0..<commands {
            let sent = ContinuousClock.now
            let id = try await therapist.sendCommand(kind: index % 2 == 0 ? "pause" : "resume")
            if case .applied = try await therapist.reply(to: id, timeout: .seconds(10)) {
                ackTimes.append(milliseconds(ContinuousClock.now - sent))
            }
            let next = sent + gap * Double.random(in: 0.5...1.5)
            if next > .now { try await Task.sleep(until: next, clock: .continuous) }
        }
        await therapist.close()
        await server.stop()
        frames.stop()
        report.session_record_transactions = session.recorder.statistics.transactions - before
        _ = try? session.finish()
        let waits = bridge.recordWaitsMs
        func r2(_ x: Double) -> Double { x.isFinite ? (x * 100).rounded() / 100 : 0 }
        report.session_commands = ackTimes.count
        report.session_ack_ms_median = r2(percentile(ackTimes, 0.5)); report.session_ack_ms_p99 = r2(percentile(ackTimes, 0.99))
        report.record_wait_ms_median = r2(percentile(waits, 0.5)); report.record_wait_ms_p99 = r2(percentile(waits, 0.99))
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// Nearest-rank percentile.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}

/// Carries an async result back to a synchronous command (the CLI root is not async).
final class BlockingResult<Value>: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var result: Result<Value, Error>?

    func set(_ value: Result<Value, Error>) {
        result = value
        semaphore.signal()
    }

    func wait() throws -> Value {
        semaphore.wait()
        guard let result else { throw CancellationError() }
        return try result.get()
    }
}

/// Steps a prepared session's conductor at 90 Hz on its own thread, as the frame loop does (no
/// headset, no rendering): the engine, the record and the snapshot are the real ones.
final class BenchFrameThread: @unchecked Sendable {
    private let session: PreparedSession
    private let lock = NSLock()
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    init(session: PreparedSession) { self.session = session }

    func start() {
        let thread = Thread { [self] in
            let period: Int64 = 11_111_111
            let start = DispatchTime.now().uptimeNanoseconds
            var index = 0
            while !lock.withLock({ stopping }) {
                _ = session.conductor.frame(FrameMoment(index: index, displayTimeNs: 1_000_000_000 + Int64(index) * period,
                                                        periodNs: period, head: Pose(position: Vec3(0, 1.6, 0))))
                index += 1
                let due = start + UInt64(index) * UInt64(period)
                let now = DispatchTime.now().uptimeNanoseconds
                if due > now { usleep(useconds_t((due - now) / 1000)) }
            }
            finished.signal()
        }
        thread.name = "bench-frame-loop"
        thread.start()
    }

    func stop() {
        lock.withLock { stopping = true }
        finished.wait()
    }
}
