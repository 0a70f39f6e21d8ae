import ArgumentParser
import Control
import Foundation

/// `exposure bench control`: command-to-confirmation latency of the control link on loopback,
/// with one therapist and N observers, against the embedded session (90 Hz frame loop).
struct BenchControl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control",
        abstract: "Measure control round-trip latency (command -> ack -> confirming telemetry) on loopback (JSON).")

    @Option(help: "Observer connections besides the therapist.") var observers = 20
    @Option(help: "Commands to time.") var commands = 150
    @Option(help: "Telemetry messages per second (10-30).") var telemetryHz = 15.0
    @Option(help: "Commands sent per second (the server allows 20).") var commandRate = 15.0
    @Option(help: "Observer connections for the frame-rate figure (a real session's frame rate with them vs none); 0 skips it.") var frameObservers = 500
    @Option(help: "Seconds the frame rate is measured, with and without the observers.") var frameSeconds = 5.0

    func validate() throws {
        guard observers >= 0, observers <= 200 else { throw ValidationError("--observers must be 0-200") }
        guard commands >= 1, commands <= 100_000 else { throw ValidationError("--commands must be 1-100000") }
        guard commandRate > 0, commandRate <= 20 else { throw ValidationError("--command-rate must be above 0 and at most 20") }
        guard frameObservers >= 0, frameObservers <= 1000 else { throw ValidationError("--frame-observers must be 0-1000") }
        guard frameSeconds > 0, frameSeconds <= 600 else { throw ValidationError("--frame-seconds must be above 0 and at most 600") }
    }

    func run() throws {
        let outcome = BlockingResult<ControlBenchReport>()
        let (observers, commands, telemetryHz, commandRate) = (self.observers, self.commands, self.telemetryHz, self.commandRate)
        Task {
            do {
                outcome.set(.success(try await ControlBench.run(observers: observers, commands: commands,
                                                                telemetryHz: telemetryHz, commandRate: commandRate)))
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
