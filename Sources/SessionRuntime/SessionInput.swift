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
    }
    public var input: EngineInput
    public var origin: Origin
    /// The console's command id, echoed in telemetry once the command was applied.
    public var commandID: String?
    public init(_ input: EngineInput, from origin: Origin, commandID: String? = nil) {
        self.input = input; self.origin = origin; self.commandID = commandID
    }
}
