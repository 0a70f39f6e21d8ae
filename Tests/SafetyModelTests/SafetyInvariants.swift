// The invariants of docs/safety.md as checks on one transition of the engine: the memory before,
// the letter applied, the memory after, the decision and the events. The checker keeps its own
// view of what the session was told (latest FMS, frame rate, link, consent, where the patient
// opted out, the therapist's rises) from the inputs themselves, not from the engine's bookkeeping.
@testable import ExposureCore

/// What the checker remembers between transitions, from the inputs alone.
struct Observer: Hashable {
    var latestFMS: Double?
    var framePoor = false
    var linkDown = false
    /// Consent given since the latest opt-out (the patient, or the therapist recording it aloud).
    var consent = false
    /// Step and level the patient opted out from.
    var optOutStep: Int?
    var optOutLevel: Double?
    /// The lowest level the therapist set while the patient was opted out.
    var therapistLowest: Double?
    /// Therapist rises (time, amount), for the escalation window.
    var rises: [TimedRise] = []
}

struct Violation: Error, CustomStringConvertible {
    var rule: Int
    var text: String
    var description: String { "invariant \(rule): \(text)" }
}

struct Transition {
    var before: EngineMemory
    var after: EngineMemory
    var letter: Letter
    var input: EngineInput?
    var decision: Decision?
    var events: [EngineEvent]
}

struct InvariantChecker {
    let plan: ExposureProtocol
    let stimulus: StimulusModel
    let model: IntensityModel

    init(plan: ExposureProtocol, specs: [String: ParameterSpec]?) {
        self.plan = plan
        self.stimulus = StimulusModel(specs: specs)
        self.model = IntensityModel(protocol: plan, specs: specs)
    }

    /// The physical world a memory shows (the same model the engine resolves through).
    func world(_ m: EngineMemory) -> [String: ParameterValue] {
        model.resolve(level: m.intensity, step: m.state.step ?? m.lastStep, therapist: m.therapistPins)
    }

    /// How much more intense `after` is than `before` (level number or stimulus, whichever is more).
    func rise(_ a: EngineMemory, _ b: EngineMemory) -> Double {
        max(0, b.intensity - a.intensity, stimulus.rise(from: world(a), to: world(b)))
    }

    func check(_ t: Transition, _ o: Observer) throws {
        let b = t.before, a = t.after
        let r = rise(b, a)
        let fail = { (rule: Int, text: String) in Violation(rule: rule, text: "\(text) [\(t.letter.name) from \(b.state) level \(b.intensity)]") }

        // 5: every happening says who and why; a refusal changes nothing the patient meets.
        for e in t.events where e.reason.isEmpty { throw fail(5, "event \(e.kind) has no reason") }
        if case .rejected? = t.decision {
            if a.state != b.state || a.intensity != b.intensity || world(a) != world(b) {
                throw fail(5, "a rejected input changed the session: \(a.state) level \(a.intensity)")
            }
        }
        if a.state != b.state, !t.events.contains(where: { Self.isStateEvent($0.kind) }) {
            throw fail(5, "state changed to \(a.state) without an event")
        }
        if a.intensity != b.intensity, !t.events.contains(where: { if case .intensityChanged = $0.kind { return true }; return false }) {
            throw fail(5, "level changed without an event")
        }
        if world(a) != world(b), !t.events.contains(where: { if case .parameterChanged = $0.kind { return true }; return false }) {
            throw fail(5, "a parameter changed without an event")
        }
        if let d = t.decision, case .applied = d, t.events.contains(where: { $0.rejectionRule != nil }) {
            throw fail(5, "an applied input also produced a rejection")
        }

        // 6: nothing happens after the end.
        if b.state.isEnded {
            if a.state != b.state || a.intensity != b.intensity || world(a) != world(b) { throw fail(6, "the ended session changed") }
            if let e = t.events.first(where: { $0.rejectionRule == nil }) { throw fail(6, "\(e.kind) after the end") }
            return
        }

        let wasCalm = !b.state.isRunning && b.state != .notStarted
        // 2: while paused or opted out nothing raises the stimulus, no step up or sideways, no event.
        // (A resume out of an opt-out returns to a lower step of the hierarchy: rule 1 judges it.)
        if wasCalm {
            if r > 1e-9, !(t.letter.isResume && a.state.isRunning) { throw fail(2, "the stimulus rose by \(r) while \(b.state)") }
            if let sb = b.state.step, let sa = a.state.step, sa > sb { throw fail(2, "step \(sb + 1) -> \(sa + 1) while \(b.state)") }
            if t.events.contains(where: { if case .environmentEvent = $0.kind { return true }; return false }) {
                throw fail(2, "an environment event fired while \(b.state)")
            }
        }

        // 1: out of an opt-out only by consent then resume, at least a step lower, not above the therapist's lower level.
        if t.events.contains(where: { $0.kind == .consentGiven }) {
            switch t.input {
            case .patient(.consentToResume)?, .patient(.resume)?, .therapist(.recordVerbalConsent)?: break
            default: throw fail(1, "consent recorded without the patient giving it")
            }
        }
        if case .safeRoom(_, .optOut) = b.state, a.state.isRunning {
            guard t.letter.isResume else { throw fail(1, "left the opt-out without a resume") }
            if !o.consent && !t.letter.isPatientResume { throw fail(1, "resumed without the patient's consent") }
            if let left = o.optOutStep, let now = a.state.step {
                let lower = now < left || (left == 0 && now == 0 && (a.intensity < (o.optOutLevel ?? 0) || a.intensity <= plan.session.minIntensity))
                if !lower { throw fail(1, "came back at step \(now + 1) level \(a.intensity), not below step \(left + 1) level \(o.optOutLevel ?? -1)") }
            }
            if let ceiling = o.therapistLowest, a.intensity > ceiling + 1e-9 {
                throw fail(1, "came back at level \(a.intensity), above the \(ceiling) the therapist set meanwhile")
            }
        }

        // 4: no way back into exposure, and no therapist rise, while FMS is over the stop or frames drop.
        let sick = (o.latestFMS ?? 0) > plan.safety.fmsStop || o.framePoor
        if wasCalm, a.state.isRunning, sick { throw fail(4, "resumed with FMS \(o.latestFMS ?? -1) / poor frame rate \(o.framePoor)") }
        if t.letter.actor == .therapist, !t.letter.isResume, r > 1e-9, sick { throw fail(4, "the therapist raised the stimulus with FMS \(o.latestFMS ?? -1) / poor frame rate \(o.framePoor)") }

        // 3: rises beyond the limit within the window need confirm, measured on the stimulus.
        if t.letter.actor == .therapist, !t.letter.confirm, !t.letter.isResume, r > 1e-9 {
            let now = b.now ?? 0
            let recent = o.rises.filter { now - $0.time < plan.safety.escalationWindow }.reduce(0) { $0 + $1.amount }
            if recent + r > plan.safety.maxIntensityChange + 1e-9 {
                throw fail(3, "an unconfirmed rise of \(r) after \(recent) in the window (limit \(plan.safety.maxIntensityChange))")
            }
        }
        // Protocol rules and patient inputs never raise the stimulus while the link is down or frames drop,
        // and a patient's input never raises it at all.
        if t.letter.actor == .patient, !t.letter.isResume, r > 1e-9 { throw fail(2, "a patient input raised the stimulus by \(r)") }
        if o.linkDown || o.framePoor, t.events.contains(where: {
            if case .stepChanged(let from?, let to) = $0.kind { return $0.actor == .protocolRule && to > from }; return false
        }) { throw fail(3, "the protocol moved up while held (link \(o.linkDown), frames \(o.framePoor))") }
    }

    static func isStateEvent(_ k: EngineEvent.Kind) -> Bool {
        switch k {
        case .paused, .resumed, .safeRoomEntered, .ended, .stepChanged, .sessionStarted: return true
        default: return false
        }
    }

    /// The checker's view after the transition.
    func update(_ o: Observer, _ t: Transition) -> Observer {
        var o = o
        let b = t.before, a = t.after
        guard !b.state.isEnded else { return o }
        let now = a.now ?? 0
        switch t.input {
        case .fms(let v)? where t.decision?.isApplied == true: o.latestFMS = v
        case .frameRate(let healthy)?: o.framePoor = !healthy
        case .therapistLink(let connected)?: o.linkDown = !connected
        default: break
        }
        let optedOutBefore: Bool
        if case .safeRoom(_, .optOut) = b.state { optedOutBefore = true } else { optedOutBefore = false }
        if case .safeRoom(_, .optOut) = a.state {
            if !optedOutBefore {
                o.optOutStep = b.state.step; o.optOutLevel = b.intensity; o.consent = false; o.therapistLowest = nil
            }
            // A resume the cybersickness rule holds back still records the patient's consent.
            switch t.input {
            case .patient(.consentToResume)?, .patient(.resume)?, .therapist(.recordVerbalConsent)?:
                if t.events.contains(where: { $0.kind == .consentGiven }) { o.consent = true }
            default: break
            }
            if case .patient(.optOut)? = t.input, optedOutBefore { o.consent = false }
            if t.letter.actor == .therapist, a.intensity < b.intensity { o.therapistLowest = min(o.therapistLowest ?? a.intensity, a.intensity) }
        } else if optedOutBefore {
            o.optOutStep = nil; o.optOutLevel = nil; o.consent = false; o.therapistLowest = nil
        }
        if t.letter.actor == .therapist, !t.letter.isResume {
            let r = rise(b, a)
            o.rises.removeAll { now - $0.time >= plan.safety.escalationWindow }
            if r > 1e-9 { o.rises.append(TimedRise(time: b.now ?? 0, amount: r)) }
        }
        return o
    }
}
