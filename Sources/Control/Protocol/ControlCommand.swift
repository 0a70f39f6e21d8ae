// Commands a therapist can send. Field limits are checked by CommandValidator before a
// command reaches the session.

public enum ControlCommand: Sendable, Equatable {
    /// Set exposure intensity 0-100. `confirmed` is the therapist's explicit confirmation,
    /// required when the change is larger than the protocol's step limit.
    case setIntensity(value: Double, confirmed: Bool, reason: String?)
    /// Set one environment parameter by name: a number in the environment's own units, or one of
    /// its options. A rise beyond the step limit (measured on the stimulus) needs `confirmed`.
    case setParameter(name: String, value: ParameterSetting, confirmed: Bool)
    /// Let a parameter the therapist holds follow the level again. The value it returns to may be
    /// a rise, which is judged like any other (beyond the step limit it needs `confirmed`).
    case releaseParameter(name: String, confirmed: Bool)
    /// Move on one step; a harsher next step needs `confirmed` like a large level change.
    case nextStep(confirmed: Bool)
    case previousStep
    /// Go to a step of the hierarchy by number (1-based).
    case goToStep(number: Int, confirmed: Bool)
    /// The patient said aloud that they are ready to go on after opting out.
    case recordConsent
    /// Fire a named scripted event ("crowd_arrives").
    case fireEvent(name: String)
    /// Ask the patient for a SUDS rating now.
    case requestSUDS
    case pause
    case resume
    case end(reason: String?)
    /// A short text shown to the patient in the headset.
    case showMessage(text: String)
    /// The therapist's master volume for the patient's headphones, 0...1. Not a safety control:
    /// the session applies it at once, without waiting for a frame.
    case setVolume(Double)
    /// Silence (true) or restore (false) the patient's sound; the volume is kept.
    case setMuted(Bool)
    /// A rating the therapist enters for the patient (their spoken answer, or a whole SSQ).
    case enterRating(ConsoleRating)

    /// The wire name of the command.
    public var kind: String {
        switch self {
        case .setIntensity: return "set_intensity"
        case .setParameter: return "set_parameter"
        case .releaseParameter: return "release_parameter"
        case .nextStep: return "next_step"
        case .previousStep: return "previous_step"
        case .goToStep: return "go_to_step"
        case .recordConsent: return "record_consent"
        case .fireEvent: return "fire_event"
        case .requestSUDS: return "request_suds"
        case .pause: return "pause"
        case .resume: return "resume"
        case .end: return "end"
        case .showMessage: return "message"
        case .setVolume: return "set_volume"
        case .setMuted: return "mute"
        case .enterRating: return "enter_rating"
        }
    }

    public static let allKinds = [
        "set_intensity", "set_parameter", "release_parameter", "next_step", "previous_step", "go_to_step", "record_consent", "fire_event",
        "request_suds", "pause", "resume", "end", "message", "set_volume", "mute",
        "enter_rating",
    ]
}

/// A parameter's value: a number in its unit, or one of its options. The console sends one with
/// `set_parameter`; telemetry's `world` shows the live ones (a JSON number or string).
public enum ParameterSetting: Sendable, Equatable {
    case number(Double)
    case option(String)
}
