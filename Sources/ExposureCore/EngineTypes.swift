// What goes into the engine (ratings, commands, patient actions, health signals) and what comes
// out of it each tick (target, events with who and why, prompts, state).

/// Who caused a change. Every event names one.
public enum Actor: String, Equatable, Sendable {
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
    case setParameter(String, ParameterValue)
    case nextStep(confirm: Bool = false)
    case previousStep
    case fireEvent(String)
    case pause, resume, end
}

extension TherapistCommand {
    /// Plain words for timelines and rejection events.
    public var name: String {
        switch self {
        case .setIntensity(let v, let confirm): return "set intensity \(v.isFinite ? FieldReader.format(v) : "\(v)")\(confirm ? " (confirmed)" : "")"
        case .setParameter(let n, let v): return "set \(n.prefix(40)) \(v.description.prefix(40))"
        case .nextStep(let confirm): return "next step\(confirm ? " (confirmed)" : "")"
        case .previousStep: return "previous step"
        case .fireEvent(let e): return "fire event \(e.prefix(40))"
        case .pause: return "pause"
        case .resume: return "resume"
        case .end: return "end"
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
}

public enum Prompt: String, Equatable, Sendable {
    case suds, fms
    case expectancyBefore = "expectancy_before"
    case expectancyAfter = "expectancy_after"
}

public enum SafeRoomCause: String, Equatable, Sendable {
    case optOut = "opt_out"
    case linkLost = "link_lost"
}

public enum EndReason: String, Equatable, Sendable, CustomStringConvertible {
    case completed
    case therapist
    case timeLimit = "time_limit"
    public var description: String {
        switch self {
        case .completed: return "the last step was completed"
        case .therapist: return "the therapist ended the session"
        case .timeLimit: return "the session time limit was reached"
        }
    }
}

public enum EngineState: Equatable, Sendable, CustomStringConvertible {
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
        /// An input that was refused; the text names it.
        case rejected(String)
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
