import ArgumentParser
import Foundation
import Recording
import SessionRuntime
import XR

/// `exposure bench session`: the whole frame loop (engine, environment, record, render and submit)
/// on the simulated headset, paced in real time, for each environment at its highest intensity.
struct BenchSession: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "CPU ms per frame of the whole frame loop (median, p99), excluding the waits for the runtime and the GPU, and missed frames, per environment at intensity 100.")

    @Option(help: "Frames per environment.")
    var frames: Int = 120

    @Option(help: "Display rate of the simulated headset, paced in real time.")
    var displayRate: Double = 90

    @Option(help: "Eye image width.") var width: Int = 720
    @Option(help: "Eye image height.") var height: Int = 800
    @Option(help: "MSAA samples.") var samples: Int = 4

    @Option(help: "Environments to measure.")
    var environments: [String] = ["heights", "crowds", "open_spaces", "safe_room"]

    func run() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        var results: [[String: Any]] = []
        for env in environments {
            let dir = work.appendingPathComponent(env)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let protocolFile = dir.appendingPathComponent("bench-\(env).yaml")
            try Self.protocolText(environment: env).write(to: protocolFile, atomically: true, encoding: .utf8)
            var script = SimulatedHeadsetSetup.demoScript(displayRateHz: displayRate, eyeSize: width, minutes: 5, optOutAt: nil,
                                                          captureDirectory: nil, captureFrames: nil,
                                                          logPath: dir.appendingPathComponent("headset.log").path)
            script["height"] = height
            script["realTime"] = true
            script["exitAfterFrames"] = frames
            try SimulatedHeadsetSetup.install(script: script, in: dir)
            var options = SessionOptions(protocolPath: protocolFile.path, participantID: "BENCH-1", sessionsDirectory: dir.path)
            options.sound = false
            var xr = XRConfiguration()
            xr.makeRenderer = XRConfiguration.stereoRenderer(samples: samples)
            let prepared = try PreparedSession(options, runtime: "Exposure Simulated Headset", headset: "simulated",
                                               displayRateHz: displayRate, warn: { _ in })
            let outcome = SessionRunner(session: prepared, loop: OpenXRFrameLoop(configuration: xr)).run()
            if let e = outcome.error { throw ValidationError("\(env): \(e)") }
            let record = try SessionStore(directory: dir).read(prepared.sessionID)
            // The first frames build pipelines and fill the crowd: leave them out of the figures.
            let samples = record.frames.dropFirst(min(10, record.frames.count / 4))
            let cpu = samples.map { Double($0.cpuMs) }.sorted()
            results.append([
                "environment": env, "frames": record.frames.count,
                "cpu_ms_median": Self.percentile(cpu, 0.5), "cpu_ms_p99": Self.percentile(cpu, 0.99),
                "missed_frames": samples.reduce(0) { $0 + Int($1.missedFrames) },
                "instances": prepared.conductor.lastScene.instanceCount,
            ])
        }
        let out: [String: Any] = ["display_rate_hz": displayRate, "eye_width": width, "eye_height": height,
                                  "samples": samples, "budget_ms": 1000 / displayRate, "environments": results]
        let data = try JSONSerialization.data(withJSONObject: out, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let v = sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
        return (v * 1000).rounded() / 1000
    }

    /// One step at the highest intensity, held for the whole run.
    static func protocolText(environment: String) -> String {
        """
        id: bench-\(environment.replacingOccurrences(of: "_", with: "-"))
        title: Benchmark at the highest intensity
        version: "1"
        environment: \(environment)
        session_limits: {max_duration_min: 30}
        safety_limits: {suds_ceiling: 100, fms_stop: 20, heart_rate_over_baseline_percent: 100, link_loss_timeout_s: 600, max_intensity_change: 100}
        steps:
          - id: top
            intensity: 100
            min_duration_s: 1
            max_duration_s: 1500
            progression: {therapist: true}
        """
    }
}
