import ArgumentParser
import Foundation
import ExposureCore
import Environments

/// `exposure bench environments`: CPU cost of the environments, per frame, on one core: update + scene build of each
/// environment at intensity 100, and the crowd step per agent. Build with `-c release`.
struct BenchEnvironments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "environments",
        abstract: "Print CPU milliseconds per frame to update and build each environment at its highest intensity (JSON).")

    @Option(help: "Frames measured per environment.") var frames: Int = 300
    @Option(help: "Environments directory (default: the bundled Environments/).") var environments: String?

    struct Timing: Codable { var median_ms: Double; var p99_ms: Double; var instances: Int; var people: Int? }
    struct CrowdStep: Codable { var setting: String; var agents: Int; var median_us_per_agent: Double; var p99_us_per_agent: Double }
    struct Report: Codable {
        var frame_update_ms: [String: Timing]
        var crowd_step: [CrowdStep]
        var build: String
        var targets: String
    }

    func run() throws {
        guard frames > 0 else { throw ValidationError("--frames must be positive") }
        let catalog: EnvironmentCatalog
        if let environments { catalog = try EnvironmentCatalog.load(directory: environments) } else { catalog = try EnvironmentCatalog.bundled() }
        var report = Report(frame_update_ms: [:], crowd_step: [], build: Self.buildKind,
                            targets: "scene update < 2 ms per frame; crowd step <= 1.8 us per agent")
        let dt = 1.0 / 72
        // Every environment at intensity 100, and the crowds' station platform as well as its plaza.
        var cases = catalog.names.map { ($0, EnvironmentTarget(environment: $0, intensity: 100)) }
        if catalog.names.contains("crowds") {
            cases.append(("crowds/platform", EnvironmentTarget(environment: "crowds", intensity: 100, overrides: ["setting": .choice("platform")])))
        }
        for (name, target) in cases {
            let world = EnvironmentWorld(catalog: catalog)
            for _ in 0..<144 { _ = world.update(target: target, dt: dt) }
            var samples: [Double] = []
            var instances = 0
            for _ in 0..<frames {
                let start = Self.cpuNow()
                let scene = world.update(target: target, dt: dt)
                samples.append((Self.cpuNow() - start) * 1000)
                instances = scene.instanceCount
            }
            report.frame_update_ms[name] = Timing(median_ms: Self.percentile(samples, 0.5), p99_ms: Self.percentile(samples, 0.99),
                                                  instances: instances, people: world.crowd?.presentCount)
        }
        for agents in [300, 1000] {
            // One person per square metre outside a 1 m personal space.
            let half = Float((Double(agents) + .pi).squareRoot() / 2)
            report.crowd_step.append(stepCost(CrowdSimulation(halfSize: half, maxPeople: agents, seed: 1), agents: agents, setting: "plaza", dt: dt))
        }
        // The platform's walkway holds about 270 people at one per square metre.
        report.crowd_step.append(stepCost(CrowdSimulation(platform: PlatformArea(), maxPeople: 300, seed: 1), agents: 300, setting: "platform", dt: dt))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }

    /// CPU microseconds per present agent of one crowd step, after the crowd has settled.
    func stepCost(_ crowd: CrowdSimulation, agents: Int, setting: String, dt: Double) -> CrowdStep {
        let settings = CrowdSettings(count: agents, closestApproach: 1, gazeShare: 0.5, walkingSpeed: 1.3)
        crowd.fill(settings)
        for _ in 0..<72 { crowd.step(settings, dt: dt) }
        var samples: [Double] = []
        for _ in 0..<frames {
            let start = Self.cpuNow()
            crowd.step(settings, dt: dt)
            samples.append((Self.cpuNow() - start) * 1_000_000 / Double(max(1, crowd.presentCount)))
        }
        return CrowdStep(setting: setting, agents: crowd.presentCount, median_us_per_agent: Self.percentile(samples, 0.5),
                         p99_us_per_agent: Self.percentile(samples, 0.99))
    }

    static var buildKind: String {
        #if DEBUG
        return "debug (figures are several times slower than release: use swift build -c release)"
        #else
        return "release"
        #endif
    }

    /// CPU time of this thread in seconds (not wall time: other processes do not count).
    static func cpuNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func percentile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
    }
}
