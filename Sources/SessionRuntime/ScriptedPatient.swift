// A patient played from a script (the same format `exposure simulate` reads), for the demo session
// and for end-to-end tests: answers the engine's rating prompts from the script's traces and sends
// the scripted actions at their times. Answers arrive on the frame after the prompt, as in a headset.
import ExposureCore

public final class ScriptedPatient {
    public let script: PatientScript
    private var nextAction = 0
    private var lastHeartRate = -Double.infinity
    private var linkDown = false
    private var poorFrames = false

    public init(script: PatientScript) { self.script = script }

    /// Inputs for session time `t`, given the prompts of the previous tick and the current step.
    public func inputs(at t: Double, prompts: [Prompt], step: Int?, stepStart: Double) -> [EngineInput] {
        var out: [EngineInput] = []
        let actions = script.actions
        while nextAction < actions.count, actions[nextAction].at <= t {
            out.append(actions[nextAction].input)
            nextAction += 1
        }
        let wantLinkDown = script.linkLoss.contains { $0.contains(t) }
        if wantLinkDown != linkDown { out.append(.therapistLink(connected: !wantLinkDown)); linkDown = wantLinkDown }
        let wantPoor = script.poorFrameRate.contains { $0.contains(t) }
        if wantPoor != poorFrames { out.append(.frameRate(healthy: !wantPoor)); poorFrames = wantPoor }
        let s = step ?? 0
        // Heart rate at about 1 Hz, as a chest strap would send it.
        if t - lastHeartRate >= 1, let hr = script.heartRate?.value(at: t, step: s, stepStart: stepStart) {
            out.append(.heartRate(bpm: hr)); lastHeartRate = t
        }
        for prompt in prompts {
            switch prompt {
            case .suds: if let v = script.suds?.value(at: t, step: s, stepStart: stepStart) { out.append(.suds(v.rounded())) }
            case .fms: if let v = script.fms?.value(at: t, step: s, stepStart: stepStart) { out.append(.fms(v.rounded())) }
            case .expectancyBefore: if let v = script.expectancyBefore { out.append(.expectancy(v, .before)) }
            case .expectancyAfter: if let v = script.expectancyAfter { out.append(.expectancy(v, .after)) }
            }
        }
        return out
    }
}
