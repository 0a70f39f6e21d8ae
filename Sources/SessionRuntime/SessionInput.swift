import ExposureCore

/// An engine input and where it came from, so the record says who sent it.
public struct SessionInput: Sendable {
    public enum Origin: Equatable, Sendable {
        /// The patient, through the headset's controllers or panel.
        case headset
        /// The desktop-mode keyboard.
        case keyboard
        /// A therapist console connection (a role label such as "therapist-1", never a name).
        case therapist(String)
        /// The runtime itself (focus changes, frame health, link state).
        case system
        /// A scripted patient (demo and simulation).
        case script
        public var label: String {
            switch self {
            case .headset: return "headset"
            case .keyboard: return "keyboard"
            case .therapist(let who): return who
            case .system: return "system"
            case .script: return "script"
            }
        }
        /// The record's rating source: ratings typed in by a therapist say "console".
        public var ratingSource: String {
            if case .therapist = self { return RatingSource.console.rawValue }
            return label
        }
    }
    /// What is asked: an engine input, or a therapist request the engine does not judge.
    public enum Action: Sendable {
        case engine(EngineInput)
        /// Ask the patient for a SUDS rating now (the headset shows the rating panel).
        case askSUDS
        /// A short text for the patient.
        case showMessage(String)
        /// A whole SSQ (16 answers 0-3, standard order) given before or after exposure. The engine
        /// does not judge it; the conductor scores and records it.
        case ssq(items: [Int], moment: TrialMoment)
    }
    public var action: Action
    public var origin: Origin
    /// The console's command id, echoed in telemetry once the command was applied.
    public var commandID: String?
    public init(_ input: EngineInput, from origin: Origin, commandID: String? = nil) {
        self.action = .engine(input); self.origin = origin; self.commandID = commandID
    }
    public init(request: Action, from origin: Origin, commandID: String? = nil) {
        self.action = request; self.origin = origin; self.commandID = commandID
    }
    public var input: EngineInput? { if case .engine(let i) = action { return i }; return nil }
}
