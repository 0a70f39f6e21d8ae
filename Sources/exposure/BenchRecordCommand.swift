// `exposure bench record`: what recording costs the frame thread, and the sustained rate the writer
// keeps up with, as JSON. `exposure record-soak` (hidden) records a synthetic session for the kill test.
import ArgumentParser
import Foundation
import Recording

private func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

private func syntheticPose(frame i: Int, rate: Double, wall: Double) -> PoseSample {
    let t = Double(i) / rate
    let yaw = Float(sin(t * 0.7)) * 0.8
    return PoseSample(displayTimeNs: Int64(t * 1e9) + 1_000_000_000, wallClock: wall,
                      position: SIMD3(Float(sin(t)) * 0.05, 1.6, 0),
                      orientation: SIMD4(0, sin(yaw / 2), 0, cos(yaw / 2)))
}

private func benchMetadata(_ id: String, rate: Double) -> SessionMetadata {
    SessionMetadata(sessionID: id, participantID: "P-BENCH-0", protocolID: "synthetic", protocolVersion: "0",
                    protocolHash: "none", softwareVersion: SoftwareVersion.string, seed: 1, runtimeName: "none",
                    headsetName: "none", displayRateHz: rate)
}

struct BenchRecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Measure the frame-thread cost of recording (90 Hz pose + events) and the sustained sample rate (JSON).")

    @Option(help: "Seconds of paced 90 Hz recording.") var seconds: Double = 5
    @Option(help: "Display rate in Hz.") var rate: Double = 90

    struct Paced: Encodable {
        var rate_hz: Double, seconds: Double
        var frame_cost_ms_mean: Double, frame_cost_ms_p99: Double, frame_cost_ms_max: Double
        var poses_committed: Int, frames_committed: Int, events_committed: Int, transactions: Int, dropped: Int
    }
    struct FlatOut: Encodable {
        var poses_per_s: Double, offered: Int, dropped: Int, seconds: Double
    }
    struct Report: Encodable {
        var paced: Paced
        var flat_out: FlatOut
        var targets: String
    }

    func validate() throws {
        guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be between 0 and 3600 (got \(seconds))") }
        guard rate >= 1, rate <= 1000 else { throw ValidationError("--rate must be between 1 and 1000 Hz (got \(rate))") }
    }

    private func round4(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }

    func run() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SessionStore(directory: dir)

        // 1. Paced: what one frame pays for pose + frame timing + an event every 10th frame.
        let rec = try store.create(benchMetadata("bench-paced", rate: rate))
        let frames = max(1, Int(seconds * rate))
        var costs: [Double] = []
        costs.reserveCapacity(frames)
        let period = 1 / rate
        var next = now()
        for i in 0..<frames {
            let wall = Date().timeIntervalSince1970
            let pose = syntheticPose(frame: i, rate: rate, wall: wall)
            let t0 = now()
            rec.record(pose)
            rec.record(FrameSample(index: Int64(i), displayTimeNs: pose.displayTimeNs, cpuMs: 3, missedFrames: 0))
            if i % 10 == 0 {
                rec.record(RecordedEvent(sessionTime: Double(i) / rate, wallClock: wall, displayTimeNs: pose.displayTimeNs,
                                         kind: EventKind.parameter, actor: .protocol, reason: "bench"))
            }
            costs.append((now() - t0) * 1000)
            next += period
            let wait = next - now()
            if wait > 0 { usleep(useconds_t(wait * 1e6)) }
        }
        try rec.finish(state: .completed)
        let stats = rec.statistics
        costs.sort()
        let mean = costs.reduce(0, +) / Double(costs.count)
        let p99 = costs[min(costs.count - 1, Int(Double(costs.count) * 0.99))]
        let paced = Paced(rate_hz: rate, seconds: seconds, frame_cost_ms_mean: round4(mean), frame_cost_ms_p99: round4(p99),
                          frame_cost_ms_max: round4(costs.last ?? 0), poses_committed: Int(stats.posesCommitted),
                          frames_committed: Int(stats.framesCommitted), events_committed: Int(stats.eventsCommitted),
                          transactions: Int(stats.transactions), dropped: Int(stats.dropped))

        // 2. Flat out: how many pose samples per second the writer sustains.
        let burst = try store.create(benchMetadata("bench-burst", rate: rate), queueCapacity: 65536)
        let start = now(), wall = Date().timeIntervalSince1970
        var i = 0
        while now() - start < min(seconds, 3) {
            burst.record(syntheticPose(frame: i, rate: rate, wall: wall))
            i += 1
            if i % 1000 == 0 { usleep(1000) }
        }
        try burst.finish(state: .completed)
        let elapsed = now() - start
        let b = burst.statistics
        let report = Report(paced: paced,
                            flat_out: FlatOut(poses_per_s: (Double(b.posesCommitted) / elapsed).rounded(), offered: i,
                                              dropped: Int(b.dropped), seconds: round4(elapsed)),
                            targets: "frame-thread cost < 0.1 ms per frame; no samples dropped when paced")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}

/// Hidden: records a synthetic 90 Hz session until killed or `--seconds` pass, printing
/// "committed <sequence>" once each event is durable. The kill test SIGKILLs it.
struct RecordSoakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record-soak", abstract: "Record a synthetic session (for the kill test).", shouldDisplay: false)

    @Option(name: .customLong("sessions")) var directory: String
    @Option var seconds: Double = 10
    @Option(name: .customLong("session-id")) var sessionID: String = "soak-\(getpid())"
    @Option var rate: Double = 90

    func run() throws {
        let store = try SessionStore(directory: URL(fileURLWithPath: directory))
        let out = FileHandle.standardOutput
        let rec = try store.create(benchMetadata(sessionID, rate: rate)) { seqs in
            out.write(Data(seqs.map { "committed \($0)\n" }.joined().utf8))
        }
        out.write(Data("started \(sessionID)\n".utf8))
        let start = now(), t0 = Date().timeIntervalSince1970
        var next = start
        var i = 0
        let kinds = [EventKind.intensity, EventKind.command, EventKind.parameter, EventKind.annotation, EventKind.safety]
        while now() - start < seconds {
            let wall = Date().timeIntervalSince1970
            let pose = syntheticPose(frame: i, rate: rate, wall: wall)
            rec.record(pose)
            rec.record(FrameSample(index: Int64(i), displayTimeNs: pose.displayTimeNs, cpuMs: 2, missedFrames: 0))
            if i % 7 == 0 {
                rec.record(RecordedEvent(sessionTime: wall - t0, wallClock: wall, displayTimeNs: pose.displayTimeNs,
                                         kind: kinds[(i / 7) % kinds.count], actor: .system, reason: "soak",
                                         payloadJSON: RecordedEvent.payload(["frame": i])))
            }
            if i % Int(rate) == 0 {
                rec.record(PhysioSample(kind: "heart_rate_bpm", value: 70, sessionTime: wall - t0, wallClock: wall))
            }
            i += 1
            next += 1 / rate
            let wait = next - now()
            if wait > 0 { usleep(useconds_t(wait * 1e6)) }
        }
        try rec.finish(state: .completed)
        out.write(Data("finished\n".utf8))
    }
}
