import XCTest
@testable import ExposureCore

/// The environment table of issue 3 (the same one the CLI uses until the Environments catalog is wired in).
let testVocabulary: EnvironmentVocabulary = {
    func n(_ name: String, _ r: ClosedRange<Double>) -> (String, ParameterSpec) { (name, ParameterSpec(name: name, kind: .number(r))) }
    func c(_ name: String, _ o: [String]) -> (String, ParameterSpec) { (name, ParameterSpec(name: name, kind: .choice(o))) }
    let t: [String: [(String, ParameterSpec)]] = [
        "heights": [n("height_m", 1...200), c("railing", ["full", "low", "none"]), c("floor", ["solid", "grating", "glass"]), n("wind_mps", 0...20)],
        "crowds": [n("density_per_m2", 0...2), n("closest_approach_m", 0.3...10), n("gaze_share", 0...1), n("walking_speed_mps", 0.3...2.5),
                   c("setting", ["plaza", "platform"])],
        "open_spaces": [n("exit_distance_m", 5...500), n("openness", 0...1), n("people_count", 0...60), n("time_alone_s", 0...900)],
        "safe_room": [n("light_level", 0.2...1)],
    ]
    return EnvironmentVocabulary(environments: t.mapValues { Dictionary(uniqueKeysWithValues: $0) })
}()

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A small protocol for engine tests: three steps at 20/40/60, min 10 s, max 100 s.
func makePlan(steps: [ProtocolStep]? = nil, maxMinutes: Double = 30, safety: SafetyLimits? = nil,
              minIntensity: Double = 0, maxIntensity: Double = 100, fmsEvery: Double? = 60) -> ExposureProtocol {
    let defaultSteps = [20.0, 40, 60].enumerated().map { i, v in
        ProtocolStep(id: "s\(i + 1)", title: "Step \(i + 1)", intensity: v, minDuration: 10, maxDuration: 100,
                     progression: .sudsDropPercent(50), sudsEvery: 30)
    }
    return ExposureProtocol(
        id: "test", title: "Test", version: "1", environment: "heights", steps: steps ?? defaultSteps,
        session: SessionLimits(maxDuration: maxMinutes * 60, minIntensity: minIntensity, maxIntensity: maxIntensity, fmsEvery: fmsEvery),
        safety: safety ?? SafetyLimits(sudsCeiling: 85, fmsStop: 10, heartRateOverBaselinePercent: 40,
                                       linkLossTimeout: 30, maxIntensityChange: 20))
}

/// Drives an engine on a virtual clock and keeps every event.
final class Harness {
    let engine: ExposureEngine
    let clock = VirtualClock()
    var events: [EngineEvent] = []
    var lastOutput: EngineOutput?

    init(_ plan: ExposureProtocol = makePlan(), start: Bool = true) {
        engine = ExposureEngine(protocol: plan, parameterSpecs: testVocabulary.parameters(of: plan.environment))
        if start { send(.start); tick() }
    }

    /// Drives a given engine (e.g. one with curves and events in its vocabulary).
    init(engine: ExposureEngine, start: Bool = true) {
        self.engine = engine
        if start { send(.start); tick() }
    }

    func send(_ input: EngineInput) { engine.handle(input, at: clock.now) }

    @discardableResult
    func tick() -> EngineOutput {
        let out = engine.tick(at: clock.now)
        events += out.events
        lastOutput = out
        return out
    }

    /// Advances `seconds` in 1 s ticks.
    @discardableResult
    func run(_ seconds: Double, step: Double = 1) -> [EngineOutput] {
        var outs: [EngineOutput] = []
        var left = seconds
        while left > 1e-9 {
            let dt = min(step, left)
            clock.advance(by: dt); left -= dt
            outs.append(tick())
        }
        return outs
    }

    func events(_ match: (EngineEvent.Kind) -> Bool) -> [EngineEvent] { events.filter { match($0.kind) } }
    var rejections: [EngineEvent] { events { if case .rejected = $0 { return true }; return false } }
    var state: EngineState { engine.state }
}
