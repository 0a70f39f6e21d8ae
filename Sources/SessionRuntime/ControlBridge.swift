// The runtime's side of the therapist console: commands from the server become mailbox inputs
// (applied on the next frame, judged by the engine's safety rules), telemetry is read from the
// snapshot the frame thread publishes. Nothing here blocks or touches frame-thread state.
// Volume and mute are the exception to the mailbox: they go straight to the sound (ConsoleAudio).
// `applied` is said only once the command's rows and its effect's rows are committed in the record
// (a group commit: the bridge waits for the recorder's next commit covering them).
import Foundation
import Control
import ExposureCore
import Recording

public final class ControlBridge: ControlledSession, @unchecked Sendable {
    private let conductor: SessionConductor
    private let recorder: SessionRecorder?
    private let mirror: MirrorView?
    private let sessionID: String
    private let lock = NSLock()
    private var nextSequence: UInt64 = 0
    private var settled = SettledSequences()
    private let audio: ConsoleAudio
    /// The protocol's environment as the console's controls (welcome) and world view (telemetry).
    public let environment: EnvironmentDescription?

    /// The console steers the session's own sound (`session.sound`, nil without a device).
    public convenience init(session: PreparedSession, mirror: MirrorView?) {
        self.init(session: session, mirror: mirror, sound: session.sound)
    }

    /// `sound` is what volume and mute act on; tests pass a loopback engine here.
    public init(session: PreparedSession, mirror: MirrorView?, sound: SessionSound?) {
        conductor = session.conductor; recorder = session.recorder; self.mirror = mirror; sessionID = session.sessionID
        audio = ConsoleAudio(sound: sound)
        environment = ConsoleWorld.description(of: session.plan.environment, in: session.catalog)
    }

    /// Seconds a command may wait for the frame loop before its sender is told it was not applied.
    public static let decisionTimeout = 5.0

    public func submit(_ command: ControlCommand, from sender: Sender) async -> CommandOutcome {
        let snap = conductor.board.latest
        if snap.ended { return .rejected(code: SafetyRule.sessionNotLive.rawValue, message: "the session has ended") }
        let seq = lock.withLock { nextSequence += 1; return nextSequence }
        if let event = audio.apply(command, sender: sender.displayName, sequence: seq, sessionTime: snap.sessionTime, displayTimeNs: snap.displayTimeNs) {
            lock.withLock { settled.settle(seq) }
            let changes = [command.kind == "mute" ? "mute set" : "volume set"]
            let row = recorder?.record(event) ?? 0
            if let refusal = await waitDurable(through: row, since: ContinuousClock.now, changes: changes) { return refusal }
            return .applied(sequence: seq, changes: changes)
        }
        let origin = SessionInput.Origin.therapist(sender.displayName)
        let input: SessionInput
        switch Self.action(command) {
        case nil:
            lock.withLock { settled.settle(seq) }
            return .rejected(code: "unsupported", message: "the session cannot apply \(command.kind)")
        case .engine(let i)?: input = SessionInput(i, from: origin, commandID: String(seq))
        case let other?: input = SessionInput(request: other, from: origin, commandID: String(seq))
        }
        // The engine decides on the next frame; the therapist hears that decision, not a receipt.
        let decision = await conductor.decisions.decision(for: String(seq), timeout: Self.decisionTimeout) {
            conductor.mailbox.post(input)
        }
        switch decision {
        case .applied(let changes)?:
            let decided = ContinuousClock.now
            await frameRecorded(commandID: String(seq))
            if let refusal = await waitDurable(through: recorder?.lastQueuedSequence ?? 0, since: decided, changes: changes) {
                return refusal
            }
            return .applied(sequence: seq, changes: changes)
        case .rejected(let rule, let why)?:
            lock.withLock { settled.settle(seq) }
            return .rejected(code: rule.rawValue, message: why)
        case nil:
            lock.withLock { settled.settle(seq) }
            return .rejected(code: "not_applied", message: "the session did not reach the command within \(Int(Self.decisionTimeout)) s (neither a frame nor the watchdog took it up); it was not applied")
        }
    }

    /// Waits until the frame that applied command `id` has queued all its rows (the command and
    /// the events it caused): a snapshot published after that frame lists the id, or is of a later
    /// frame than the one showing when the decision came.
    private func frameRecorded(commandID id: String) async {
        let shownAtDecision = conductor.board.latest.displayTimeNs
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            let snap = conductor.board.latest
            if snap.appliedCommandIDs.contains(id) || snap.ended { return }
            if let now = snap.displayTimeNs, let then = shownAtDecision, now > then { return }
            try? await Task.sleep(nanoseconds: 1_000_000)
        }
    }

    /// Waits for the commit covering event `sequence`; nil when it is durable (or there is no
    /// record), else the error to send instead of `applied`: the change happened, but the record
    /// does not hold it.
    private func waitDurable(through sequence: Int64, since start: ContinuousClock.Instant, changes: [String]) async -> CommandOutcome? {
        guard let recorder else { return nil }
        let ok = sequence > 0 ? await recorder.durable(through: sequence) : false
        let waited = ContinuousClock.now - start
        lock.withLock { durabilityWaits.append(Double(waited.components.seconds) * 1000 + Double(waited.components.attoseconds) / 1e15) }
        if ok { return nil }
        let why = recorder.currentHealth.lastError ?? "its queue was full"
        return .rejected(code: Self.notRecorded,
                         message: "applied (\(changes.joined(separator: ", "))), but the session record could not keep it: \(why)")
    }

    /// The error code of an applied command whose rows the record could not keep.
    public static let notRecorded = "not_recorded"

    private var durabilityWaits: [Double] = []
    /// Milliseconds each `applied` reply waited for the record (decision to commit), oldest first.
    public var recordWaitsMs: [Double] { lock.withLock { durabilityWaits } }

    static func action(_ command: ControlCommand) -> SessionInput.Action? {
        switch command {
        case .setIntensity(let v, let confirmed, _): return .engine(.therapist(.setIntensity(v, confirm: confirmed)))
        case .setParameter(let name, let v, let confirmed):
            let value: ParameterValue
            switch v {
            case .number(let n): value = .number(n)
            case .option(let o): value = .choice(o)
            }
            return .engine(.therapist(.setParameter(name, value, confirm: confirmed)))
        case .releaseParameter(let name, let confirmed): return .engine(.therapist(.releaseParameter(name, confirm: confirmed)))
        case .nextStep(let confirmed): return .engine(.therapist(.nextStep(confirm: confirmed)))
        case .previousStep: return .engine(.therapist(.previousStep))
        case .goToStep(let number, let confirmed): return .engine(.therapist(.goToStep(number - 1, confirm: confirmed)))
        case .recordConsent: return .engine(.therapist(.recordVerbalConsent))
        case .fireEvent(let name): return .engine(.therapist(.fireEvent(name)))
        case .requestSUDS: return .askSUDS
        case .pause: return .engine(.therapist(.pause))
        case .resume: return .engine(.therapist(.resume))
        case .end: return .engine(.therapist(.end))
        case .showMessage(let text): return .showMessage(text)
        case .setVolume, .setMuted: return nil   // applied by ConsoleAudio, never queued
        case .enterRating(let r):
            switch r {
            case .suds(let v): return .engine(.suds(v))
            case .fms(let v): return .engine(.fms(v))
            case .expectancyBefore(let v): return .engine(.expectancy(v, .before))
            case .expectancyAfter(let v): return .engine(.expectancy(v, .after))
            case .ssqPre(let items): return .ssq(items: items, moment: .before)
            case .ssqPost(let items): return .ssq(items: items, moment: .after)
            }
        }
    }

    public func latestTelemetry() -> Telemetry {
        let snap = conductor.board.latest
        let applied = lock.withLock { settled.confirmedThrough(frameApplied: snap.lastAppliedCommandSeq) }
        var t = Self.telemetry(snap, sessionID: sessionID, audio: audio.state, appliedSequence: applied, environment: environment)
        if let health = recorder?.currentHealth, let alert = Self.recordAlert(health, at: snap.sessionTime) { t.alerts.append(alert) }
        return t
    }

    /// The therapist's volume and mute as telemetry shows them.
    public var consoleVolume: (volume: Double, muted: Bool, output: AudioOutputStatus) {
        let s = audio.state
        return (s.volume, s.muted, s.output)
    }

    public func latestMirrorPNG() -> [UInt8]? { mirror?.latestPNG }

    public func therapistLinkChanged(connected: Bool) {
        conductor.mailbox.post(SessionInput(.therapistLink(connected: connected), from: .system))
    }

    /// Says in the record how the session is supervised (watched from the start, or a run meant
    /// to go unwatched, and why).
    public func recordSupervision(watched: Bool, why: String) {
        let latest = conductor.board.latest
        _ = recorder?.record(RecordedEvent(sessionTime: latest.sessionTime, displayTimeNs: latest.displayTimeNs, kind: "supervision",
                                           actor: .system, reason: why,
                                           payloadJSON: RecordedEvent.payload(["watched_from_start": watched])))
    }

    public func recordControlEvent(_ entry: ControlAuditEntry) {
        var payload: [String: Any] = ["connection": entry.connectionId, "message": entry.kind]
        if let s = entry.sender { payload["sender"] = s.displayName; payload["role"] = s.role.rawValue }
        if let id = entry.messageId { payload["message_id"] = id }
        if let source = entry.source { payload["source"] = source }
        if let counts = entry.counts { payload["counts"] = counts }
        let reason: String
        switch entry.result {
        case .applied(let seq): payload["applied_seq"] = seq; reason = "console \(entry.kind) applied"
        case .refused(let code, let message): payload["refused"] = code; reason = "console \(entry.kind) refused: \(message)"
        }
        let latest = conductor.board.latest
        _ = recorder?.record(RecordedEvent(sessionTime: latest.sessionTime, displayTimeNs: latest.displayTimeNs, kind: "control",
                                           actor: entry.sender?.role == .therapist ? .therapist : .system,
                                           reason: reason, payloadJSON: RecordedEvent.payload(payload)))
    }

    /// The console's alert while the record cannot be written (a new id for each failure, so a
    /// dismissed one does not hide the next).
    static func recordAlert(_ h: RecorderHealth, at t: Double) -> SessionAlert? {
        guard h.isFailing else { return nil }
        let message = String(format: "The session record cannot be written (%.0f s, %lld rows lost): ", h.failingFor, h.rowsLost)
            + (h.lastError ?? "unknown error") + ". Free space or fix the disk; the session ends as interrupted if it lasts."
        return SessionAlert(id: recordAlertBase + h.failures, kind: .record, message: message, t: t)
    }
    static let recordAlertBase = 1_000_000

    static func telemetry(_ s: SessionSnapshot, sessionID: String, audio: ConsoleAudio.State = .init(),
                          appliedSequence: UInt64? = nil, environment: EnvironmentDescription? = nil) -> Telemetry {
        let phase: SessionPhase
        switch s.stateCode {
        case "running": phase = .running
        case "not_started": phase = .starting
        case "safe_room_opt_out": phase = .optedOut
        default: phase = s.ended ? .ended : .paused
        }
        var numbers: [String: Double] = [:]
        for (k, v) in s.parameters { if let n = v.number { numbers[k] = n } }
        let alerts = s.alerts.map { a -> SessionAlert in
            let kind: SessionAlert.Kind
            switch a.kind {
            case .optOut: kind = .optOut
            case .safety: kind = .safetyRule
            case .linkLoss: kind = .linkLoss
            case .info: kind = .info
            }
            return SessionAlert(id: a.id, kind: kind, message: a.message, t: a.time)
        }
        return Telemetry(
            sessionId: sessionID, state: phase, elapsed: s.sessionTime,
            step: StepInfo(index: s.stepIndex ?? 0, count: s.stepCount, name: s.stepTitle ?? ""),
            intensity: s.intensity, intensityStepLimit: s.maxIntensityChange, parameters: numbers,
            intensityHistory: s.intensityHistory.suffix(600).map { TimedValue(t: $0.time, value: $0.value) },
            suds: s.sudsHistory.map { TimedRating(t: $0.time, value: $0.value) },
            fms: s.fmsHistory.map { TimedRating(t: $0.time, value: $0.value) },
            heartRate: s.heartRate,
            frameHealth: Control.FrameHealth(frameRate: s.framesPerSecond, missedFrames: s.missedFrames, cpuMilliseconds: s.cpuMsPerFrame),
            alerts: alerts, lastAppliedCommandSeq: appliedSequence ?? s.lastAppliedCommandSeq,
            therapistConnected: s.therapistConnected, patientMessage: s.patientMessage,
            volume: audio.volume, muted: audio.muted, audioOutput: audio.output, prompts: s.prompts,
            outcome: s.outcome, awaitingConsent: s.awaitingConsent, consentGiven: s.consentGiven,
            world: ConsoleWorld.parameters(s, environment: environment))
    }
}
