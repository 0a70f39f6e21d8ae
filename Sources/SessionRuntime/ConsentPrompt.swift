// When the headset shows the consent panel: while the engine awaits the patient's consent after an
// opt-out, and for a few seconds after it is given (or until the session goes on, whichever comes
// first), so the patient knows the hold worked and that the therapist takes it from there.
import ExposureCore

struct ConsentPrompt {
    /// Long enough to read "Thank you. Your therapist will continue." twice.
    static let thanksSeconds = 5.0
    /// Session time of the first frame that showed the thanks.
    private var thankedAt: Double?

    /// The panel for this frame, or nil. `hold` is the trigger hold's progress (FrameInfo.consentHold).
    mutating func look(engine: ExposureEngine, hold: Double?, at sessionTime: Double) -> ConsentPanel.Look? {
        if engine.isAwaitingConsent {
            thankedAt = nil
            return .asking(hold: hold ?? 0)
        }
        // Still in the opted-out safe room but no longer awaiting: the patient has consented.
        guard case .safeRoom(_, .optOut) = engine.state else {
            thankedAt = nil
            return nil
        }
        let since = thankedAt ?? sessionTime
        thankedAt = since
        return sessionTime - since < Self.thanksSeconds ? .thanks : nil
    }
}
