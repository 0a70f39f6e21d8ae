// The seam between the frame loop and the session runtime.
import Foundation
import SceneModel

public protocol FrameDelegate: AnyObject {
    /// Called once per frame on the frame thread right after the runtime's wait returns.
    /// Returns the scene to draw. Must not block on network or disk.
    func frame(_ frame: FrameInfo, input: [InputEvent]) -> Scene
    func stateChanged(_ state: XRSessionState)
    /// Where the rating slider starts when the patient first touches it (0-100), if not at
    /// `InputSettings.sudsStart`: a cybersickness rating starts at "none", not mid-scale. Read on
    /// the frame thread before each frame's input.
    var ratingSliderStart: Int? { get }
    /// What the runtime says about itself and the headset; called when a session starts and again
    /// when something changes (interaction profile, measured display rate). Frame thread.
    func runtimeDescribed(_ facts: RuntimeFacts)
    /// Validation messages (OpenXR, Vulkan) not reported before, each text once. Frame thread.
    func validationMessages(_ messages: [String])
}

extension FrameDelegate {
    public var ratingSliderStart: Int? { nil }
    public func runtimeDescribed(_ facts: RuntimeFacts) {}
    public func validationMessages(_ messages: [String]) {}
}

public struct FrameInfo: Equatable, Sendable {
    /// Counts frames waited by this loop, from 0, across session recreations.
    public var index: Int
    /// OpenXR predicted display time (ns). In desktop mode: nanoseconds since the loop started.
    public var predictedDisplayTime: Int64
    /// The runtime's `predictedDisplayPeriod`: on some runtimes a placeholder or the app's own cadence.
    public var displayPeriod: Int64
    /// The display's refresh period (ns), as DisplayTiming knows it: use this to count missed frames.
    public var refreshPeriod: Int64
    /// Display refreshes missed between the previous frame of this session and this one.
    public var missedFrames: Int
    /// GPU milliseconds the previous frame's rendering took (timestamps); nil when not rendered or not measured.
    public var previousGPUMilliseconds: Double?
    /// false when the runtime will not show the frame (not VISIBLE): the delegate may skip heavy work.
    public var shouldRender: Bool
    public var headPose: Pose
    public var views: [EyeView]
    /// Seconds since 1970 when the frame's wait returned.
    public var wallClock: Double
    /// The in-headset SUDS slider while the patient is moving it (0-100), nil otherwise: draw the panel.
    public var sudsSlider: Int?
    /// How far the consent hold has come (0...1) while the trigger is held, nil otherwise: the
    /// consent panel fills its bar with it.
    public var consentHold: Double?

    public init(index: Int, predictedDisplayTime: Int64, displayPeriod: Int64, shouldRender: Bool, headPose: Pose,
                views: [EyeView], wallClock: Double, sudsSlider: Int? = nil, consentHold: Double? = nil,
                refreshPeriod: Int64? = nil, missedFrames: Int = 0, previousGPUMilliseconds: Double? = nil) {
        self.previousGPUMilliseconds = previousGPUMilliseconds
        self.index = index; self.predictedDisplayTime = predictedDisplayTime; self.displayPeriod = displayPeriod
        self.refreshPeriod = refreshPeriod ?? displayPeriod; self.missedFrames = missedFrames
        self.shouldRender = shouldRender; self.headPose = headPose; self.views = views
        self.wallClock = wallClock; self.sudsSlider = sudsSlider; self.consentHold = consentHold
    }
}

public enum InputEvent: Equatable, Sendable {
    case optOut
    case pauseRequest
    /// The trigger held for `InputSettings.consentHoldSeconds`: "ready to go on" after an opt-out.
    case consent
    case sudsRating(Int)   // 0...100
    case focusLost
    case focusRegained
    case key(String)
}

public protocol FrameLoop: AnyObject {
    /// Runs frames until the session ends; blocks the thread it runs on.
    func run(delegate: FrameDelegate) throws
    /// Asks the loop to end cleanly (OpenXR: xrRequestExitSession). Safe from any thread.
    func requestStop()
}

/// Thread-safe mailbox of input injected from outside the frame thread (keyboard, tests).
final class InputMailbox: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [InputEvent] = []
    private var stop = false
    func post(_ e: InputEvent) { lock.lock(); events.append(e); lock.unlock() }
    func drain() -> [InputEvent] { lock.lock(); defer { lock.unlock() }; let e = events; events = []; return e }
    func requestStop() { lock.lock(); stop = true; lock.unlock() }
    var stopRequested: Bool { lock.lock(); defer { lock.unlock() }; return stop }
}
