// The OpenXR session lifecycle as a pure value: feed it the states the runtime reports, and it says
// what the frame loop must do. No OpenXR calls here, so every transition is unit-tested.

public enum XRSessionState: String, Equatable, Sendable {
    case unknown, idle, ready, synchronized, visible, focused, stopping, lossPending, exiting
}

public struct SessionStateMachine: Equatable, Sendable {
    /// What the frame loop does in response to a state change.
    public enum Action: Equatable, Sendable {
        case beginSession          // READY: xrBeginSession
        case endSession            // STOPPING: xrEndSession
        case recreate              // LOSS_PENDING: destroy session and instance, recreate with backoff
        case exit                  // EXITING: destroy everything and return
        case focusLost             // left FOCUSED (headset off, dashboard): pause the exposure
        case focusRegained
    }

    public private(set) var state: XRSessionState = .unknown
    /// Between xrBeginSession and xrEndSession: the frame calls must run.
    public private(set) var running = false
    /// Focus was had and lost: coming back to FOCUSED is a "regained" (the first FOCUSED is not).
    private var focusWasLost = false

    public init() {}

    /// Input is read only while focused (the runtime gives the app no input otherwise).
    public var inputEnabled: Bool { state == .focused }

    public mutating func apply(_ new: XRSessionState) -> [Action] {
        let old = state
        state = new
        var actions: [Action] = []
        if old == .focused && new != .focused {
            focusWasLost = true
            actions.append(.focusLost)
        }
        if old != .focused && new == .focused && focusWasLost {
            focusWasLost = false
            actions.append(.focusRegained)
        }
        switch new {
        case .ready where !running:
            running = true
            actions.append(.beginSession)
        case .stopping where running:
            running = false
            actions.append(.endSession)
        case .lossPending:
            running = false
            actions.append(.recreate)
        case .exiting:
            running = false
            actions.append(.exit)
        default:
            break
        }
        return actions
    }
}
