// The one place that decides whether a change may reach the patient. Every command, patient
// input and protocol rule that would change the state, the step, the level, a parameter or fire
// an event is described as a `ProposedChange` and judged here; the engine's transitions take an
// `Admission`, which only this file can make, so a new command cannot skip these checks.
// The rules are written as numbered invariants in docs/safety.md.

/// Proof that the gate let a change through. Its initialiser is private to this file.
public struct Admission: Sendable {
    fileprivate init() {}
}

/// What an input would do, described by where it leaves the patient.
struct ProposedChange {
    enum Kind {
        /// Level, step, parameter or event; the session state stays as it is.
        case stimulus
        /// Back into exposure from a pause or the safe room.
        case resume
        /// Pause, safe room, step down by safety, end: always allowed while the session is live.
        case calmer
        /// The first step at the session's start: the one change allowed before it is live.
        case start
    }
    var actor: Actor
    var kind: Kind
    /// The therapist confirmed a large rise.
    var confirm = false
    /// Step index before and after, when the step changes.
    var stepChange: (from: Int, to: Int)?
    /// Rise of the level number, and of the stimulus measured through the environment's curves.
    var levelRise = 0.0
    var stimulusRise = 0.0
    var firesEvent = false
    /// A parameter changes that the environment's curves cannot measure (no curve, or no
    /// environment known): it may be a rise, so it is treated as one that needs confirmation.
    var unmeasured = false

    /// The larger of the two rises: a change counts by how much more intense it makes the world.
    var rise: Double { max(0, levelRise, stimulusRise) }
}

/// What the gate needs to know about the session.
struct GateContext {
    var state: EngineState
    var consentGiven: Bool
    var latestFMS: Double?
    var linkDown: Bool
    var poorFrameRate: Bool
    var limits: SafetyLimits
    /// Therapist rises within the escalation window, before this one.
    var recentRises: Double
    /// Rules switched off to prove the exhaustive check notices (tests only; always empty in sessions).
    var weakened: Set<SafetyRule> = []
}

enum SafetyGate {
    /// Admission, or the rule that refuses the change and why.
    static func judge(_ c: ProposedChange, _ x: GateContext) -> Result<Admission, Refusal> {
        let verdict = rules(c, x)
        if case .failure(let r) = verdict, x.weakened.contains(r.rule) { return .success(Admission()) }
        return verdict
    }

    static func rules(_ c: ProposedChange, _ x: GateContext) -> Result<Admission, Refusal> {
        switch (x.state, c.kind) {
        case (.notStarted, .start): return .success(Admission())
        case (_, .start): return .failure(Refusal(.notApplicable, "the session has already started"))
        case (.notStarted, _), (.ended, _):
            return .failure(Refusal(.sessionNotLive, "no session is running (\(x.state))"))
        default: break
        }
        switch c.kind {
        case .start: return .failure(Refusal(.notApplicable, "the session has already started"))
        case .calmer:
            return .success(Admission())
        case .stimulus:
            if !x.state.isRunning {
                if c.rise > 0 || c.unmeasured {
                    return .failure(Refusal(.notRunning, "nothing may raise the stimulus while \(x.state); lowering is allowed and applies on return"))
                }
                if c.firesEvent { return .failure(Refusal(.notRunning, "events are not fired while \(x.state)")) }
                if let s = c.stepChange, s.to >= s.from {
                    return .failure(Refusal(.notRunning, "only a lower step may be chosen while \(x.state)"))
                }
                return .success(Admission())
            }
            if c.unmeasured, c.actor == .therapist, !c.confirm {
                return .failure(Refusal(.escalationLimit, "this change cannot be measured on the environment's curves, so it may be a large rise; send it again with confirm"))
            }
            guard c.rise > 0 else { return .success(Admission()) }
            if c.actor == .therapist, let why = cybersicknessHold(x) { return .failure(why) }
            if c.actor == .therapist, !c.confirm, x.recentRises + c.rise > x.limits.maxIntensityChange {
                let after = x.recentRises > 0 ? " after \(FieldReader.format(x.recentRises)) in the last \(FieldReader.format(x.limits.escalationWindow)) s" : ""
                return .failure(Refusal(.escalationLimit,
                    "a rise of \(FieldReader.format(c.rise.rounded()))\(after) is more than the protocol's limit of \(FieldReader.format(x.limits.maxIntensityChange)) (measured on the stimulus); send it again with confirm"))
            }
            return .success(Admission())
        case .resume:
            if case .safeRoom(_, let cause) = x.state {
                switch cause {
                case .optOut where !x.consentGiven:
                    return .failure(Refusal(.consentNeeded, "the patient opted out; the patient must consent before resuming"))
                case .linkLost where x.linkDown:
                    return .failure(Refusal(.linkDown, "the console link is still down"))
                default: break
                }
            }
            if let why = cybersicknessHold(x) { return .failure(why) }
            return .success(Admission())
        }
    }

    /// Cybersickness signals that keep the session from resuming or rising, whoever asks.
    static func cybersicknessHold(_ x: GateContext) -> Refusal? {
        if let fms = x.latestFMS, fms > x.limits.fmsStop {
            return Refusal(.cybersickness, "the last FMS rating \(FieldReader.format(fms)) is over \(FieldReader.format(x.limits.fmsStop)); ask for FMS again before going on")
        }
        if x.poorFrameRate { return Refusal(.frameRate, "the frame rate is still too low to go on safely") }
        return nil
    }
}

struct Refusal: Error {
    var rule: SafetyRule
    var why: String
    init(_ rule: SafetyRule, _ why: String) { self.rule = rule; self.why = why }
}
