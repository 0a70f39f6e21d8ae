import Foundation

/// An in-memory session for tests, benchmarks and console development, in the spirit of
/// swift-nio's EmbeddedChannel: a mailbox drained by `runFrame()` (by hand, or by a ticker),
/// and the same safety rules the real supervisor applies to remote commands:
/// - during an opt-out, intensity cannot be raised and the session cannot be resumed;
/// - a change larger than the step limit needs `confirm: true`;
/// - an ended session accepts nothing;
/// - losing the therapist link pauses the session (the default link-loss rule).
public final class EmbeddedControlledSession: ControlledSession, @unchecked Sendable {
    private let lock = NSLock()
    private var telemetry: Telemetry
    private var mailbox: [(sequence: UInt64, command: ControlCommand, sender: Sender)] = []
    private var nextSequence: UInt64 = 0
    private var frames = 0
    private var ticker: Task<Void, Never>?
    private var _applied: [(command: ControlCommand, sender: Sender)] = []
    private var _audit: [ControlAuditEntry] = []
    private var _linkEvents: [Bool] = []
    private var _sudsRequests = 0
    private var _firedEvents: [String] = []
    private var nextAlertId = 1
    private var mirrorPNG: [UInt8]?

    /// The world it claims to show (sent in `welcome`); it does not simulate one.
    public let environment: EnvironmentDescription?

    public init(stepNames: [String] = ["Ground floor", "Balcony", "Roof edge"], intensity: Double = 20, stepLimit: Double = 15,
                environment: EnvironmentDescription? = nil) {
        self.environment = environment
        telemetry = Telemetry(
            sessionId: "P-TEST-01", state: .running, elapsed: 0,
            step: StepInfo(index: 0, count: stepNames.count, name: stepNames.first ?? "Step 1"),
            intensity: intensity, intensityStepLimit: stepLimit, parameters: ["wind_speed_mps": 2],
            intensityHistory: [TimedValue(t: 0, value: intensity)],
            frameHealth: FrameHealth(frameRate: 90, missedFrames: 0, cpuMilliseconds: 4.2))
        self.stepNames = stepNames
    }

    private let stepNames: [String]

    // MARK: ControlledSession

    public func submit(_ command: ControlCommand, from sender: Sender) async -> CommandOutcome {
        lock.withLock {
            if let refusal = safetyRefusal(command, state: telemetry) { return refusal }
            nextSequence += 1
            // Volume and mute have no safety meaning: like the real runtime, they take effect at
            // once. They still go through the mailbox so the sequence is confirmed in order.
            switch command {
            case .setVolume(let volume): telemetry.volume = volume
            case .setMuted(let muted): telemetry.muted = muted
            default: break
            }
            mailbox.append((nextSequence, command, sender))
            return .applied(sequence: nextSequence, changes: [])
        }
    }

    public func latestTelemetry() -> Telemetry {
        lock.lock(); defer { lock.unlock() }
        return telemetry
    }

    public func latestMirrorPNG() -> [UInt8]? {
        lock.lock(); defer { lock.unlock() }
        return mirrorPNG
    }

    public func therapistLinkChanged(connected: Bool) {
        lock.lock(); defer { lock.unlock() }
        _linkEvents.append(connected)
        telemetry.therapistConnected = connected
        if !connected && telemetry.state == .running {
            telemetry.state = .paused
            addAlert(.linkLoss, "Therapist link lost: session paused")
        }
    }

    public func recordControlEvent(_ entry: ControlAuditEntry) {
        lock.lock(); defer { lock.unlock() }
        _audit.append(entry)
    }

    // MARK: the frame loop

    /// One frame: drain the mailbox and apply each command, re-checking safety because the
    /// patient may have opted out since the command was accepted.
    public func runFrame(frameSeconds: Double = 1.0 / 90) {
        lock.lock(); defer { lock.unlock() }
        frames += 1
        telemetry.elapsed += frameSeconds
        let pending = mailbox
        mailbox.removeAll()
        for entry in pending {
            if safetyRefusal(entry.command, state: telemetry) == nil { apply(entry.command, from: entry.sender) }
            telemetry.lastAppliedCommandSeq = entry.sequence
        }
    }

    /// Runs frames on a background task at `hz` until `stopFrameLoop()`.
    public func startFrameLoop(hz: Double = 90) {
        let interval = Duration.nanoseconds(Int64(1e9 / hz))
        ticker = Task { [weak self] in
            while !Task.isCancelled, let self {
                self.runFrame(frameSeconds: 1 / hz)
                try? await Task.sleep(for: interval)
            }
        }
    }

    public func stopFrameLoop() {
        ticker?.cancel()
        ticker = nil
    }

    // MARK: the patient side

    /// The patient opts out (button in the headset): safe room, intensity to zero.
    public func patientOptsOut() {
        lock.lock(); defer { lock.unlock() }
        telemetry.state = .optedOut
        setIntensity(0)
        addAlert(.optOut, "Patient opted out: safe room shown")
    }

    /// What the mirror view would show (a PNG the caller made).
    public func setMirrorPNG(_ png: [UInt8]?) {
        lock.lock(); defer { lock.unlock() }
        mirrorPNG = png
    }

    /// The sound device goes away (or was never there): telemetry says so.
    public func setAudioOutput(_ status: AudioOutputStatus) {
        lock.lock(); defer { lock.unlock() }
        telemetry.audioOutput = status
    }

    /// The ratings the session asks for now (telemetry's `prompts`), as the engine would set them.
    public func setPrompts(_ prompts: [String]) {
        lock.lock(); defer { lock.unlock() }
        telemetry.prompts = prompts
    }

    public func patientRatesSUDS(_ value: Double) {
        lock.lock(); defer { lock.unlock() }
        telemetry.suds.append(TimedRating(t: telemetry.elapsed, value: value))
    }

    // MARK: what tests look at

    public var appliedCommands: [(command: ControlCommand, sender: Sender)] { lock.lock(); defer { lock.unlock() }; return _applied }
    public var auditLog: [ControlAuditEntry] { lock.lock(); defer { lock.unlock() }; return _audit }
    public var linkEvents: [Bool] { lock.lock(); defer { lock.unlock() }; return _linkEvents }
    public var sudsRequests: Int { lock.lock(); defer { lock.unlock() }; return _sudsRequests }
    public var firedEvents: [String] { lock.lock(); defer { lock.unlock() }; return _firedEvents }
    public var frameCount: Int { lock.lock(); defer { lock.unlock() }; return frames }

    // MARK: rules (called with the lock held)

    private func safetyRefusal(_ command: ControlCommand, state: Telemetry) -> CommandOutcome? {
        if state.state == .ended { return .rejected(code: "session_ended", message: "the session has ended") }
        switch command {
        case .setIntensity(let value, let confirmed, _):
            if state.state == .optedOut && value > state.intensity {
                return .rejected(code: "safety_opt_out", message: "the patient opted out; intensity cannot be raised until they choose to continue")
            }
            if abs(value - state.intensity) > state.intensityStepLimit && !confirmed {
                return .rejected(code: "confirmation_required",
                                 message: "a change of \(Int(abs(value - state.intensity))) exceeds the protocol's step limit of \(Int(state.intensityStepLimit)); resend with confirm: true")
            }
        case .resume, .nextStep:
            if state.state == .optedOut {
                return .rejected(code: "safety_opt_out", message: "the patient opted out; only the patient can choose to continue")
            }
        default:
            break
        }
        return nil
    }

    private func apply(_ command: ControlCommand, from sender: Sender) {
        _applied.append((command, sender))
        switch command {
        case .setIntensity(let value, _, _): setIntensity(value)
        case .setParameter(let name, .number(let value), _): telemetry.parameters[name] = value
        case .setParameter, .releaseParameter: break   // kept in appliedCommands for tests
        case .nextStep: moveStep(by: 1)
        case .previousStep: moveStep(by: -1)
        case .goToStep(let number, _): moveStep(by: number - 1 - telemetry.step.index)
        case .recordConsent: break
        case .fireEvent(let name): _firedEvents.append(name)
        case .requestSUDS: _sudsRequests += 1
        case .pause: if telemetry.state == .running { telemetry.state = .paused }
        case .resume: if telemetry.state == .paused { telemetry.state = .running }
        case .end: telemetry.state = .ended
        case .showMessage(let text): telemetry.patientMessage = text
        case .setVolume, .setMuted: break   // applied when submitted
        case .enterRating(.suds(let v)): telemetry.suds.append(TimedRating(t: telemetry.elapsed, value: v))
        case .enterRating(.fms(let v)): telemetry.fms.append(TimedRating(t: telemetry.elapsed, value: v))
        case .enterRating: break   // kept in appliedCommands for tests
        }
    }

    private func setIntensity(_ value: Double) {
        telemetry.intensity = value
        telemetry.intensityHistory.append(TimedValue(t: telemetry.elapsed, value: value))
        if telemetry.intensityHistory.count > 600 { telemetry.intensityHistory.removeFirst() }
    }

    private func moveStep(by delta: Int) {
        let index = min(max(0, telemetry.step.index + delta), max(0, stepNames.count - 1))
        telemetry.step = StepInfo(index: index, count: stepNames.count, name: stepNames.isEmpty ? "" : stepNames[index])
    }

    private func addAlert(_ kind: SessionAlert.Kind, _ message: String) {
        telemetry.alerts.append(SessionAlert(id: nextAlertId, kind: kind, message: message, t: telemetry.elapsed))
        nextAlertId += 1
    }
}
