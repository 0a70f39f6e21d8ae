// Runs a protocol against a scripted patient on a virtual clock, so a therapist can see what a
// protocol will do before a session. Same engine, same inputs as a real session.

public struct SimulationResult: Equatable, Sendable {
    public var events: [EngineEvent]
    public var finalState: EngineState
    public var endTime: Double
    /// Seconds spent running in each step (index = step).
    public var timeInStep: [Double]
    public var highestStep: Int?
    public var peakSUDS: Double?
}

public enum Simulator {
    public static func run(_ plan: ExposureProtocol, script: PatientScript,
                           parameterSpecs: [String: ParameterSpec]? = nil, eventNames: [String]? = nil) -> SimulationResult {
        let engine = ExposureEngine(protocol: plan, parameterSpecs: parameterSpecs, eventNames: eventNames)
        let clock = VirtualClock()
        let duration = script.duration ?? plan.session.maxDuration + 60
        let tick = max(0.05, script.tick)
        var events: [EngineEvent] = []
        var timeInStep = Array(repeating: 0.0, count: plan.steps.count)
        var highest: Int?
        var peakSUDS: Double?
        var stepStart = 0.0
        var lastStep: Int?
        var actions = script.actions[...]
        var linkDown = false, framesPoor = false

        if let base = script.heartRateBaseline { engine.handle(.heartRateBaseline(bpm: base), at: 0) }
        engine.handle(.start, at: 0)
        var ticks = 0
        let maxTicks = Int(duration / tick) + 1
        while ticks <= maxTicks {
            let t = clock.now
            while let a = actions.first, a.at <= t {
                engine.handle(a.input, at: t)
                actions = actions.dropFirst()
            }
            let wantLinkDown = script.linkLoss.contains { $0.contains(t) }
            if wantLinkDown != linkDown { engine.handle(.therapistLink(connected: !wantLinkDown), at: t); linkDown = wantLinkDown }
            let wantPoor = script.poorFrameRate.contains { $0.contains(t) }
            if wantPoor != framesPoor { engine.handle(.frameRate(healthy: !wantPoor), at: t); framesPoor = wantPoor }
            let step = engine.currentStepIndex ?? 0
            if let hr = script.heartRate?.value(at: t, step: step, stepStart: stepStart) { engine.handle(.heartRate(bpm: hr), at: t) }

            let out = engine.tick(at: t)
            events += out.events
            if let s = out.state.step, s != lastStep { stepStart = t; lastStep = s }
            if case .running(let s) = out.state {
                highest = max(highest ?? s, s)
                if ticks > 0 { timeInStep[s] += tick }
            }
            for prompt in out.prompts {
                let s = out.state.step ?? 0
                switch prompt {
                case .suds:
                    if let v = script.suds?.value(at: t, step: s, stepStart: stepStart) {
                        let rounded = v.rounded()
                        peakSUDS = max(peakSUDS ?? rounded, rounded)
                        engine.handle(.suds(rounded), at: t)
                    }
                case .fms:
                    if let v = script.fms?.value(at: t, step: s, stepStart: stepStart) { engine.handle(.fms(v.rounded()), at: t) }
                case .expectancyBefore:
                    if let v = script.expectancyBefore { engine.handle(.expectancy(v, .before), at: t) }
                case .expectancyAfter:
                    if let v = script.expectancyAfter { engine.handle(.expectancy(v, .after), at: t) }
                }
            }
            if case .ended = out.state { break }
            ticks += 1
            clock.advance(by: tick)
        }
        // Flush what the last answers produced.
        let last = engine.tick(at: clock.now)
        events += last.events
        return SimulationResult(events: events, finalState: engine.state, endTime: last.time, timeInStep: timeInStep,
                                highestStep: highest, peakSUDS: peakSUDS)
    }
}
