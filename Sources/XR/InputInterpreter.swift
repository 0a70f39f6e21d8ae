// Turns raw controller readings into the patient's requests: opt-out (hold both grips, or a chosen
// button, for a configurable time), pause, consent to go on after an opt-out (hold the trigger),
// and a SUDS rating from a thumbstick/trackpad slider.
// Pure and time-driven (XrTime in ns), so tests step it frame by frame.

public struct InputSettings: Equatable, Sendable {
    /// How long the opt-out gesture must be held. One second avoids accidental opt-outs.
    public var optOutHoldSeconds: Double = 1.0
    /// A grip counts as held above this value (0...1).
    public var gripThreshold: Float = 0.8
    /// Optional extra opt-out button per interaction profile, e.g.
    /// ["/interaction_profiles/oculus/touch_controller": "/user/hand/right/input/b/click"].
    public var optOutButtons: [String: String] = [:]
    /// Full stick deflection moves the SUDS slider this many points per second.
    public var sudsPointsPerSecond: Double = 60
    /// The slider starts here when the patient first touches it.
    public var sudsStart: Int = 50
    /// How long the trigger must be held to say "ready to go on" after an opt-out. As long as the
    /// opt-out hold, so consent is as deliberate as stopping was.
    public var consentHoldSeconds: Double = 1.0
    /// A trigger counts as held above this value (0...1).
    public var triggerThreshold: Float = 0.8
    public init() {}
}

/// One frame's controller readings (zero when input is inactive).
public struct ControllerReading: Equatable, Sendable {
    public var leftGrip: Float = 0
    public var rightGrip: Float = 0
    public var optOutButton = false
    public var pause = false
    /// Thumbstick or trackpad y, -1...1 (up is positive).
    public var sudsAxis: Float = 0
    /// Trigger (or select button) of each hand, 0...1.
    public var leftTrigger: Float = 0
    public var rightTrigger: Float = 0
    public init(leftGrip: Float = 0, rightGrip: Float = 0, optOutButton: Bool = false, pause: Bool = false, sudsAxis: Float = 0,
                leftTrigger: Float = 0, rightTrigger: Float = 0) {
        self.leftGrip = leftGrip; self.rightGrip = rightGrip; self.optOutButton = optOutButton
        self.pause = pause; self.sudsAxis = sudsAxis
        self.leftTrigger = leftTrigger; self.rightTrigger = rightTrigger
    }
}

public struct InputInterpreter: Sendable {
    public var settings: InputSettings
    private var holdStart: Int64?
    private var optOutFired = false
    private var pauseWasDown = false
    private var lastTime: Int64?
    private var slider: Double?
    private var sliderMoved = false
    private var consentStart: Int64?
    /// Set once a trigger hold has given consent, or was part of the opt-out gesture: nothing more
    /// from this hold until the trigger is let go.
    private var consentSpent = false

    /// How far the consent hold has come (0...1) while the trigger is held; nil otherwise.
    public private(set) var consentHold: Double?

    /// Overrides `settings.sudsStart` for the next time the slider is first touched (FrameDelegate.ratingSliderStart).
    public var sliderStart: Int?

    public init(settings: InputSettings = InputSettings()) { self.settings = settings }

    /// The slider value while the patient is adjusting it.
    public var sudsSlider: Int? { slider.map { Int($0.rounded()) } }

    /// Forget held gestures (focus lost: the runtime stops sending input mid-gesture).
    public mutating func reset() {
        holdStart = nil; optOutFired = false; pauseWasDown = false; lastTime = nil
        consentStart = nil; consentSpent = false; consentHold = nil
        if sliderMoved, slider != nil { slider = nil; sliderMoved = false }
    }

    public mutating func update(time: Int64, reading r: ControllerReading) -> [InputEvent] {
        var events: [InputEvent] = []
        let dt = lastTime.map { Double(time - $0) / 1e9 } ?? 0
        lastTime = time

        let gesture = (r.leftGrip >= settings.gripThreshold && r.rightGrip >= settings.gripThreshold) || r.optOutButton
        if gesture {
            if holdStart == nil { holdStart = time }
            if !optOutFired, let start = holdStart, Double(time - start) / 1e9 >= settings.optOutHoldSeconds - 1e-6 {
                optOutFired = true
                events.append(.optOut)
            }
        } else {
            holdStart = nil
            optOutFired = false
        }

        if let consent = updateConsent(time: time, reading: r, optOutGesture: gesture) { events.append(consent) }

        if r.pause && !pauseWasDown { events.append(.pauseRequest) }
        pauseWasDown = r.pause

        // Slider: deflect to move, let go to commit the rating.
        let deadZone: Float = 0.2
        if abs(r.sudsAxis) > deadZone {
            let current = slider ?? Double(min(100, max(0, sliderStart ?? settings.sudsStart)))
            let moved = current + Double(r.sudsAxis) * settings.sudsPointsPerSecond * dt
            slider = min(100, max(0, moved))
            sliderMoved = true
        } else if sliderMoved, let value = slider {
            events.append(.sudsRating(Int(value.rounded())))
            slider = nil
            sliderMoved = false
        }
        return events
    }

    /// The trigger on either hand, held for `consentHoldSeconds`, gives consent once per hold. A
    /// hold that overlaps the opt-out gesture never does: on simple controllers the grips are the
    /// select buttons too, and letting go of one after opting out must not read as consent.
    private mutating func updateConsent(time: Int64, reading r: ControllerReading, optOutGesture: Bool) -> InputEvent? {
        consentHold = nil
        guard max(r.leftTrigger, r.rightTrigger) >= settings.triggerThreshold else {
            consentStart = nil; consentSpent = false
            return nil
        }
        if optOutGesture { consentStart = nil; consentSpent = true }
        guard !consentSpent else { return nil }
        let start = consentStart ?? time
        consentStart = start
        let held = Double(time - start) / 1e9
        guard held >= settings.consentHoldSeconds - 1e-6 else {
            consentHold = settings.consentHoldSeconds > 0 ? held / settings.consentHoldSeconds : 1
            return nil
        }
        consentStart = nil; consentSpent = true
        return .consent
    }
}
