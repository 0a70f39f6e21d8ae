// What goes into the engine (ratings, commands, patient actions, health signals) and what comes
// out of it each tick (target, events with who and why, prompts, state).

/// Who caused a change. Every event names one.
public enum Actor: String, Equatable, Hashable, Sendable {
    case patient, therapist
    /// A progression rule or timed event written in the protocol.
    case protocolRule = "protocol"
    /// The safety supervisor.
    case safety
    /// The runtime itself (clock, frame rate, link).
    case system
}

public enum TherapistCommand: Equatable, Sendable {
    /// Rises larger than the protocol's `max_intensity_change` need `confirm: true`.
    case setIntensity(Double, confirm: Bool = false)
    /// A rise measured through the environment's curve counts against the same limit.
    /// The therapist holds the parameter at this value until the step changes or safety steps down.
    case setParameter(String, ParameterValue, confirm: Bool = false)
    /// The parameter follows the level again (a rise when the level's value is more intense).
    case releaseParameter(String, confirm: Bool = false)
    case nextStep(confirm: Bool = false)
    case previousStep
    /// Index 0-based.
    case goToStep(Int, confirm: Bool = false)
    case fireEvent(String)
    case pause, resume, end
    /// The patient said aloud that they are ready to go on after an opt-out; the therapist records it.
    case recordVerbalConsent
}

extension TherapistCommand {
    /// Plain words for timelines and rejection events.
    public var name: String {
        func confirmed(_ c: Bool) -> String { c ? " (confirmed)" : "" }
        switch self {
        case .setIntensity(let v, let confirm): return "set intensity \(v.isFinite ? FieldReader.format(v) : "\(v)")\(confirmed(confirm))"
        case .setParameter(let n, let v, let confirm): return "set \(n.prefix(40)) \(v.description.prefix(40))\(confirmed(confirm))"
        case .releaseParameter(let n, let confirm): return "let \(n.prefix(40)) follow the level\(confirmed(confirm))"
        case .nextStep(let confirm): return "next step\(confirmed(confirm))"
        case .previousStep: return "previous step"
        case .goToStep(let i, let confirm): return "go to step \(i + 1)\(confirmed(confirm))"
        case .fireEvent(let e): return "fire event \(e.prefix(40))"
        case .pause: return "pause"
        case .resume: return "resume"
        case .end: return "end"
        case .recordVerbalConsent: return "record the patient's spoken consent"
        }
    }
}

public enum PatientAction: String, Equatable, Sendable {
    /// "Stop": the safe room at once; resuming needs the patient's consent.
    case optOut = "opt_out"
    case pause, resume
    /// The patient agrees to carry on after an opt-out.
    case consentToResume = "consent"
}

public enum TrialMoment: String, Equatable, Sendable { case before, after }

public enum EngineInput: Equatable, Sendable {
    case start
    case suds(Double)
    case fms(Double)
    case expectancy(Double, TrialMoment)
    case heartRate(bpm: Double)
    /// A resting heart rate measured before the session; otherwise the first minute's mean is used.
    case heartRateBaseline(bpm: Double)
    case therapist(TherapistCommand)
    case patient(PatientAction)
    case therapistLink(connected: Bool)
    /// Whether the renderer keeps its frame rate; dropped frames make people sick in VR.
    case frameRate(healthy: Bool)
    /// The process is being stopped (Ctrl-C, SIGTERM): the session ends as aborted.
    case abort(reason: String)
}

public enum Prompt: String, Equatable, Hashable, Sendable {
    case suds, fms
    case expectancyBefore = "expectancy_before"
    case expectancyAfter = "expectancy_after"
}

public enum SafeRoomCause: String, Equatable, Hashable, Sendable {
    case optOut = "opt_out"
    case linkLost = "link_lost"
}

/// How a session ended: distinct outcomes for the record, the report, the console and the exit status.
public enum EndReason: String, Equatable, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The protocol's last step was done.
    case completed
    /// The therapist ended it (the record keeps the step reached).
    case therapist = "ended_by_therapist"
    /// The session time limit came first.
    case timeLimit = "time_limit"
    /// The patient opted out and the session ended without them going back.
    case patientStopped = "patient_stopped"
    /// It ended while a safety rule held it (paused for cybersickness or frame rate, safe room after link loss).
    case safetyStop = "safety_stop"
    /// The process was stopped (Ctrl-C, SIGTERM).
    case aborted
    public var description: String {
        switch self {
        case .completed: return "the last step was completed"
        case .therapist: return "the therapist ended the session"
        case .timeLimit: return "the session time limit was reached"
        case .patientStopped: return "the patient opted out and did not go back"
        case .safetyStop: return "it ended while a safety rule held the session"
        case .aborted: return "the runtime was stopped"
        }
    }
}

/// The rule behind a refusal, by name: the console shows it and the record keeps it.
public enum SafetyRule: String, Equatable, Hashable, Sendable, CaseIterable {
    /// Nothing happens before the start or after the end.
    case sessionNotLive = "session_not_live"
    /// While paused or in the safe room nothing raises the stimulus.
    case notRunning = "not_running"
    /// Back from an opt-out only with the patient's consent.
    case consentNeeded = "consent_needed"
    /// Back from a link-loss safe room only with the console connected.
    case linkDown = "link_down"
    /// Rises beyond `max_intensity_change` within the window need `confirm`.
    case escalationLimit = "escalation_limit"
    /// No resume or rise while the latest FMS is over `fms_stop`.
    case cybersickness
    /// No resume or rise while the frame rate is poor.
    case frameRate = "frame_rate"
    /// The value or name is not valid for this protocol or environment.
    case invalid
    /// More commands than the engine takes in a second.
    case flood
    /// The command makes no sense in this state (already at the last step, nothing to resume...).
    case notApplicable = "not_applicable"
}

/// What became of one input: applied with what changed, or rejected with the rule that refused it.
public enum Decision: Equatable, Sendable {
    case applied(changes: [String])
    case rejected(SafetyRule, why: String)
    public var isApplied: Bool { if case .applied = self { return true }; return false }
}

public enum EngineState: Equatable, Hashable, Sendable, CustomStringConvertible {
    case notStarted
    case running(step: Int)
    case paused(step: Int, by: Actor)
    case safeRoom(step: Int, cause: SafeRoomCause)
    case ended(EndReason)

    public var step: Int? {
        switch self {
        case .running(let s), .paused(let s, _), .safeRoom(let s, _): return s
        default: return nil
        }
    }
    public var isRunning: Bool { if case .running = self { return true }; return false }
    public var isEnded: Bool { if case .ended = self { return true }; return false }
    public var description: String {
        switch self {
        case .notStarted: return "not started"
        case .running(let s): return "running step \(s + 1)"
        case .paused(let s, let by): return "paused by \(by.rawValue) at step \(s + 1)"
        case .safeRoom(let s, let cause): return "in the safe room (\(cause.rawValue)) from step \(s + 1)"
        case .ended(let r): return "ended: \(r)"
        }
    }
}

public enum RatingKind: String, Equatable, Sendable {
    case suds, fms
    case expectancyBefore = "expectancy_before"
    case expectancyAfter = "expectancy_after"
    case heartRate = "heart_rate"
    case heartRateBaseline = "heart_rate_baseline"
}

public struct EngineEvent: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case sessionStarted
        case stepChanged(from: Int?, to: Int)
        /// `from == to` when a step-down found nothing lower to go to (the event still records why).
        case intensityChanged(from: Double, to: Double)
        case parameterChanged(name: String, from: ParameterValue?, to: ParameterValue?)
        /// An environment event (e.g. `crowd_arrives`) the environment reacts to.
        case environmentEvent(String)
        case paused, resumed, safeRoomEntered, consentGiven
        case ended(EndReason)
        case ratingRecorded(RatingKind, Double)
        /// An input that was refused; the text names it, the rule says why.
        case rejected(String, rule: SafetyRule = .notApplicable)
        /// Moving up was held back (link lost, poor frame rate).
        case escalationHeld
        case linkChanged(connected: Bool)
        case frameRateChanged(healthy: Bool)
        /// The clock jumped by this many seconds (negative: backwards, ignored).
        case clockJump(Double)
    }
    /// Session time in seconds (clock time of the tick or input).
    public var time: Double
    public var actor: Actor
    public var kind: Kind
    /// Plain words a clinician reads.
    public var reason: String
    /// Step index (0-based) current when it happened.
    public var step: Int?

    public init(time: Double, actor: Actor, kind: Kind, reason: String, step: Int?) {
        self.time = time; self.actor = actor; self.kind = kind; self.reason = reason; self.step = step
    }

    public var description: String { "\(FieldReader.format(time)) \(actor.rawValue) \(kind): \(reason)" }
    /// The rule that refused an input, for a `rejected` event.
    public var rejectionRule: SafetyRule? { if case .rejected(_, let rule) = kind { return rule }; return nil }
}

public struct EngineOutput: Equatable, Sendable {
    public var time: Double
    public var state: EngineState
    public var target: EnvironmentTarget
    /// Everything that happened since the previous tick, in order.
    public var events: [EngineEvent]
    /// Ratings to ask for now.
    public var prompts: [Prompt]
}
