// The seam between the frame loop (OpenXR or desktop) and the session: frame timing and the
// patient's headset inputs go in, the scene to draw comes out. Runs on the frame thread.
import Foundation
import ExposureCore
import Recording
import SceneModel
import XR

public final class XRBridge: FrameDelegate {
    public let session: PreparedSession
    public let mirror: MirrorView?
    /// Called once when the engine has ended the session, so the loop can exit cleanly (from the
    /// frame thread, or from the watchdog when the session ended while no frames ran).
    public var onEnded: (() -> Void)?
    /// A stdin line that is no key (desktop mode reads stdin as keys), e.g. `codes`; called off
    /// the frame thread so what it does (print, take a lock) never holds a frame up.
    public var onTerminalLine: ((String) -> Void)?
    /// The watchdog that applies the safety rules while no frames run; started at the first frame.
    public var watchdog = FrameWatchdog.Settings()
    private var ownership: FrameOwnership { session.conductor.ownership }
    /// The runtime's name once the loop has an instance (OpenXR: XrInstanceProperties), for the record.
    public var runtimeName: (() -> String)?
    public private(set) var framesSeen = 0
    public private(set) var lastState: XRSessionState = .unknown
    private var lastDisplayNs: Int64?
    /// Whether the frame loop described its runtime (OpenXR does; desktop mode does not).
    private var described = false
    /// Print validation messages to stderr as they arrive (`--validation`).
    public var printsValidation = true
    private var lastCPU = ThreadCPUClock.now()
    private var endedReported = false
    /// Where XR's slider starts when first touched for SUDS (InputSettings.sudsStart): the prompt shows it.
    public var sliderStart = InputSettings().sudsStart
    /// Where it starts for FMS: at 0 ("no sickness at all"), so the patient is not anchored
    /// mid-scale, which would also sit right at the usual FMS stop threshold (10).
    public var fmsSliderStart = 0
    /// The frame loop starts the slider where the panel shows it (FrameDelegate).
    public var ratingSliderStart: Int? {
        ownership.hold { (sliderRating ?? pending.asking) == .fms ? fmsSliderStart : sliderStart }
    }
    private var pending: PendingRatings { session.conductor.pendingRatings }
    /// The rating the moving slider gives, fixed when the patient first moves it so the release
    /// sends what the panel showed even if the request changed meanwhile.
    private var sliderRating: HeadsetRating?
    /// What the rating panel showed on the last frame; nil when it was hidden.
    public private(set) var panelShown: (rating: HeadsetRating, value: Int, asking: Bool)?

    /// The therapist's message the headset showed on the last frame; nil when none was showing.
    public private(set) var messageShown: PatientMessage?

    /// The consent panel the headset showed on the last frame; nil when none was showing.
    private(set) var consentShown: ConsentPanel.Look?
    private var consentPrompt = ConsentPrompt()

    /// The rating the headset is asking the patient for now, if any.
    public var asking: HeadsetRating? { pending.asking }

    public init(session: PreparedSession, mirror: MirrorView? = nil) {
        self.session = session; self.mirror = mirror
    }

    public func frame(_ f: FrameInfo, input: [InputEvent]) -> Scene {
        ownership.hold { ownedFrame(f, input: input) }
    }

    private func ownedFrame(_ f: FrameInfo, input: [InputEvent]) -> Scene {
        // CPU spent on this thread since the last frame: render and submit included, waits excluded.
        let now = ThreadCPUClock.now()
        let cpuMs = (now - lastCPU) * 1000
        lastCPU = now
        // Missed frames are counted against the display's refresh period (DisplayTiming), never the
        // runtime's predictedDisplayPeriod, which some runtimes stretch to a slow app's cadence.
        lastDisplayNs = f.predictedDisplayTime
        framesSeen += 1
        if framesSeen == 1, !described {
            // A frame loop that does not describe its runtime (desktop mode): its own period is the display's.
            session.recorder.noteRuntime(displayRateHz: 1e9 / Double(max(1, f.refreshPeriod)), runtimeName: runtimeName?())
        }
        let moment = FrameMoment(index: f.index, displayTimeNs: f.predictedDisplayTime, periodNs: f.refreshPeriod,
                                 wallClock: f.wallClock, head: f.headPose, previousCPUMs: framesSeen > 1 ? cpuMs : 0,
                                 missedFrames: f.missedFrames)
        // The slider gives the rating the panel was showing: FMS when only FMS is asked, else SUDS.
        let givenRating = sliderRating ?? pending.asking ?? .suds
        if f.sudsSlider != nil, sliderRating == nil { sliderRating = givenRating }
        // A trigger hold means "ready to go on" only while that is asked; otherwise it would only
        // fill the record with refusals of a consent nobody asked for.
        let awaitingConsent = session.conductor.engine.isAwaitingConsent
        let headset = input.filter { $0 != .consent || awaitingConsent }.compactMap { Self.sessionInput($0, rating: givenRating) }
        if let onTerminalLine {
            for case .key(let k) in input where Self.keyboard(k) == nil { DispatchQueue.global().async { onTerminalLine(k) } }
        }
        if f.sudsSlider == nil { sliderRating = nil }
        var scene = session.conductor.frame(moment, headset: headset)
        // The consent panel takes the rating panel's place in the opted-out safe room (ratings are
        // not what is wanted there), so the two never overlap.
        consentShown = session.conductor.isEnded ? nil
            : consentPrompt.look(engine: session.conductor.engine, hold: f.consentHold, at: session.conductor.lastOutput?.time ?? 0)
        if let look = consentShown { scene.batches.append(ConsentPanel.draw(look, head: f.headPose).batch) }
        panelShown = nil
        if consentShown == nil, let rating = sliderRating ?? pending.asking {
            let look = RatingPanel.Look(rating: rating, slider: f.sudsSlider ?? (rating == .fms ? fmsSliderStart : sliderStart), asking: pending.asking != nil,
                                        adjusting: f.sudsSlider != nil, displayTimeNs: f.predictedDisplayTime)
            scene.batches.append(RatingPanel.draw(look, head: f.headPose).batch)
            panelShown = (rating, look.value, look.asking)
        }
        // The therapist's message, above eye level, for its reading time; never after the session ends.
        messageShown = nil
        if !session.conductor.isEnded, let message = session.conductor.patientMessage,
           message.isShowing(at: session.conductor.lastOutput?.time ?? 0) {
            scene.batches.append(PatientMessagePanel.draw(message.text, head: f.headPose).batch)
            messageShown = message
        }
        mirror?.offer(scene, head: f.headPose, at: f.wallClock)
        if framesSeen == 1 {
            session.conductor.startWatchdog(watchdog) { [weak self] in self?.reportEnded() }
        }
        if session.conductor.isEnded { reportEnded() }
        return scene
    }

    /// Frame thread or watchdog, holding `ownership`.
    private func reportEnded() {
        ownership.assertHeld("reporting the end")
        guard !endedReported else { return }
        endedReported = true
        onEnded?()
    }

    /// The runtime's description goes into the record's metadata as it becomes known.
    public func runtimeDescribed(_ facts: RuntimeFacts) {
        ownership.hold { described = true }
        session.recorder.noteRuntime(RuntimeRecordFields.metadata(facts))
    }

    /// Validation messages are printed (`--validation` is for a person watching the terminal) and
    /// kept in the record, each text once.
    public func validationMessages(_ messages: [String]) {
        ownership.hold { ownedValidationMessages(messages) }
    }

    private func ownedValidationMessages(_ messages: [String]) {
        for message in messages {
            if printsValidation { FileHandle.standardError.write(Data("validation: \(message)\n".utf8)) }
            _ = session.recorder.record(RecordedEvent(sessionTime: session.conductor.lastOutput?.time ?? 0,
                                                      displayTimeNs: lastDisplayNs, kind: "validation_message",
                                                      actor: .system, reason: message,
                                                      payloadJSON: RecordedEvent.payload(["message": message])))
        }
    }

    public func stateChanged(_ state: XRSessionState) {
        ownership.hold { ownedStateChanged(state) }
    }

    private func ownedStateChanged(_ state: XRSessionState) {
        lastState = state
        if [.stopping, .exiting, .lossPending].contains(state) {
            session.conductor.flushLastFrame(cpuMs: (ThreadCPUClock.now() - lastCPU) * 1000)
        }
        // A runtime that is losing the session shows the patient nothing: pause as when the headset
        // comes off. A current value, applied by the next frame or, with none coming, the watchdog.
        if state == .lossPending { session.conductor.signals.headset(lost: true) }
        if state == .visible || state == .focused { session.conductor.signals.headset(lost: false) }
        if [.idle, .stopping, .lossPending, .exiting].contains(state) { session.conductor.framesStopped() }
        _ = session.recorder.record(RecordedEvent(sessionTime: session.conductor.lastOutput?.time ?? 0,
                                                  displayTimeNs: lastDisplayNs, kind: "xr_state",
                                                  actor: .system, reason: "OpenXR session state \(state.rawValue)",
                                                  payloadJSON: RecordedEvent.payload(["state": state.rawValue])))
    }

    /// What a headset input means for the engine. Taking the headset off (focus lost) pauses the
    /// exposure as the patient's own pause; putting it back on does not resume by itself.
    /// The slider's release gives `rating` (XR calls every slider release `sudsRating`, 0-100).
    static func sessionInput(_ e: InputEvent, rating: HeadsetRating = .suds) -> SessionInput? {
        switch e {
        case .optOut: return SessionInput(.patient(.optOut), from: .headset)
        case .pauseRequest: return SessionInput(.patient(.pause), from: .headset)
        case .consent: return SessionInput(.patient(.consentToResume), from: .headset)
        case .sudsRating(let v):
            return SessionInput(rating.engineInput(Double(rating.value(fromSlider: v))), from: .headset)
        case .focusLost: return SessionInput(.patient(.pause), from: .system)
        case .focusRegained: return nil
        case .key(let k): return keyboard(k, rating: rating)
        }
    }

    /// Desktop mode keys: o = opt out, p = pause, c = consent to go on, r = resume, 0-9 = the
    /// rating being asked (SUDS when none) at 0-90 % of the slider: SUDS 0-90, FMS 0-18.
    static func keyboard(_ key: String, rating: HeadsetRating = .suds) -> SessionInput? {
        switch key.lowercased() {
        case "o", "escape": return SessionInput(.patient(.optOut), from: .keyboard)
        case "p", "space": return SessionInput(.patient(.pause), from: .keyboard)
        case "c": return SessionInput(.patient(.consentToResume), from: .keyboard)
        case "r": return SessionInput(.patient(.resume), from: .keyboard)
        default:
            if let d = Int(key), (0...9).contains(d) {
                return SessionInput(rating.engineInput(Double(rating.value(fromSlider: d * 10))), from: .keyboard)
            }
            return nil
        }
    }
}
