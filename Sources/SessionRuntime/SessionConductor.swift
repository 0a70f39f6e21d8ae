// One frame of a session, on the frame thread: take the inputs that arrived, step the engine
// (which applies the safety rules last), step the environment, hand the scene back to be drawn,
// and pass what happened to the record, the sound and the console. Nothing here waits on the
// network or the disk: the recorder and the snapshot board only enqueue or copy.
import Foundation
import ExposureCore
import Environments
import LabStreaming
import Recording
import SceneModel

/// Something that plays the scene's sounds (the Audio module, or nothing when there is no device).
public protocol SoundOutput: AnyObject {
    func update(listener: Pose, emitters: [SoundEmitter], safeRoom: Bool)
}

/// The timing of one frame as the runtime (or desktop mode) reports it.
public struct FrameMoment: Sendable {
    public var index: Int
    /// The runtime's predicted display time for this frame (OpenXR XrTime, nanoseconds).
    public var displayTimeNs: Int64
    /// The display's refresh period (not a runtime's stretched `predictedDisplayPeriod`).
    public var periodNs: Int64
    public var wallClock: Double
    public var head: Pose
    /// CPU milliseconds the previous frame took on the frame thread (excluding the runtime's wait).
    public var previousCPUMs: Double
    /// Display refreshes missed between the previous frame and this one (counted against the display's period).
    public var missedFrames: Int
    public init(index: Int, displayTimeNs: Int64, periodNs: Int64, wallClock: Double = Date().timeIntervalSince1970,
                head: Pose, previousCPUMs: Double = 0, missedFrames: Int = 0) {
        self.index = index; self.displayTimeNs = displayTimeNs; self.periodNs = periodNs; self.wallClock = wallClock
        self.head = head; self.previousCPUMs = previousCPUMs; self.missedFrames = missedFrames
    }
}

public final class SessionConductor {
    public let engine: ExposureEngine
    public let world: EnvironmentWorld
    public let recorder: SessionRecorder?
    public let sound: SoundOutput?
    public let board: SnapshotBoard
    /// Inputs from other threads (console, scripted patient); drained once per frame. Link
    /// changes and aborts posted here go to `signals`, which cannot drop them.
    public let mailbox = SessionMailbox(capacity: 1024)
    /// Safety-relevant conditions read as current values every frame (and by the watchdog).
    public var signals: SignalLane { mailbox.signals }
    /// Who may touch the frame state now: the frame thread during a frame, the watchdog between.
    public let ownership = FrameOwnership()
    /// Where console commands learn the engine's decision (applied or rejected, and why).
    public let decisions = DecisionLedger()

    private var firstDisplayNs: Int64?
    private var lastSessionTime = 0.0
    private var health = FrameRateWatch()
    private var snapshot = SessionSnapshot()
    private var lastPublished = -Double.infinity
    private var frameThreadCPUMs = 0.0
    public private(set) var lastScene = Scene()
    /// The engine's output of the last frame (state, target, prompts still to answer).
    public private(set) var lastOutput: EngineOutput?
    /// A scripted patient answering prompts (demo sessions and tests); nil with a real patient.
    public var patient: ScriptedPatient?
    private var stepStart = 0.0
    private var previousMoment: FrameMoment?
    /// Origins of this frame's rating inputs, in the order the engine judges them.
    private var ratingOrigins: [String] = []
    /// Ratings asked for and not yet given: the headset's prompt panel and the console's
    /// "Asked now" both read it, so they agree and neither misses a one-tick engine prompt.
    private(set) var pendingRatings = PendingRatings()
    static let ratingInputs: Set<String> = ["suds", "fms", "expectancy_before", "expectancy_after", "heart_rate_baseline"]
    private var currentStep: Int?
    /// The therapist's latest message for the headset and when it arrived; XRBridge shows it
    /// for its reading time. A newer message replaces it.
    public private(set) var patientMessage: PatientMessage?

    public init(engine: ExposureEngine, world: EnvironmentWorld, recorder: SessionRecorder?, sound: SoundOutput?,
                board: SnapshotBoard = SnapshotBoard()) {
        self.engine = engine; self.world = world; self.recorder = recorder; self.sound = sound
        self.board = board
        snapshot.environment = engine.plan.environment
        snapshot.stepCount = engine.plan.steps.count
        snapshot.maxIntensityChange = engine.plan.safety.maxIntensityChange
    }

    public var isEnded: Bool { engine.state.isEnded }

    /// Runs one frame and returns the scene to draw for it. `headset` carries the patient's inputs
    /// read by the frame loop this frame (opt-out, pause, SUDS slider, focus changes).
    public func frame(_ m: FrameMoment, headset: [SessionInput] = []) -> Scene {
        ownership.hold { ownedFrame(m, headset: headset) }
    }

    private func ownedFrame(_ m: FrameMoment, headset: [SessionInput]) -> Scene {
        ownership.assertHeld("a frame")
        let started = ThreadCPUClock.now()
        if firstDisplayNs == nil {
            firstDisplayNs = m.displayTimeNs
            engine.handle(.start, at: 0)
            for a in announcements { noteSource(kind: a.kind, source: a.source, detail: a.detail, at: 0, moment: m) }
            announcements.removeAll()
        }
        // Session time is the runtime's display clock: what the patient saw, when it was shown.
        // After the watchdog stood in, never earlier than the time it last used.
        let t = max(Double(m.displayTimeNs - (firstDisplayNs ?? m.displayTimeNs)) / 1e9, watchdogTime)
        let dt = max(0, min(0.5, t - lastSessionTime))
        lastSessionTime = max(lastSessionTime, t)
        lastFrameMonotonic = MonotonicClock.now()
        lastFrameDisplayNs = m.displayTimeNs
        framesHalted = false
        if watchdogActive {
            watchdogActive = false
            lastPublished = -.infinity   // the console sees frames again at once
            recordWatchdog(active: false, at: t, moment: m)
        }

        // First, so that every event of this frame is marked on LSL through this frame's clock pair.
        if let lab { takeLabStreams(lab, at: t, moment: m) }
        var sources = applySignals(at: t, moment: m)
        noteRefusedInputs(at: t, moment: m)
        ratingOrigins.removeAll(keepingCapacity: true)
        var inputs = mailbox.drain() + headset
        if let patient {
            let answers = patient.inputs(at: t, prompts: lastOutput?.prompts ?? [], step: currentStep, stepStart: stepStart)
            inputs += answers.map { SessionInput($0, from: .script) }
        }
        applyInputs(inputs, at: t, moment: m, sources: &sources)
        if let change = health.observe(missed: m.missedFrames, at: m.displayTimeNs) {
            engine.handle(.frameRate(healthy: change), at: t)
        }

        let out = engine.tick(at: t)
        handle(out, at: t, moment: m, sources: sources)
        let scene = world.update(target: out.target, dt: dt)
        sound?.update(listener: m.head, emitters: scene.emitters, safeRoom: out.target.safeRoom)
        if let recorder {
            let q = m.head.orientation
            _ = recorder.record(PoseSample(displayTimeNs: m.displayTimeNs, wallClock: m.wallClock,
                                           position: m.head.position, orientation: SIMD4<Float>(q.x, q.y, q.z, q.w)))
            // The frame loop measures a frame's CPU cost only when the next one starts, so each frame
            // sample describes the previous frame: its whole frame-thread time and the periods missed after it.
            if let prev = previousMoment {
                _ = recorder.record(FrameSample(index: Int64(prev.index), displayTimeNs: prev.displayTimeNs,
                                                cpuMs: Float(m.previousCPUMs), missedFrames: Int32(clamping: m.missedFrames)))
            }
        }
        previousMoment = m
        lastMoment = m
        lastFrameSessionTime = t
        lastScene = scene
        publish(out, at: t, moment: m)
        frameThreadCPUMs = (ThreadCPUClock.now() - started) * 1000
        return scene
    }

    /// The frame loop has stopped drawing (STOPPING, EXITING, or a lost session): no next frame
    /// will carry the last one's cost, so it is written now, with the CPU the frame thread spent
    /// since that frame started. Frames drawn later start a fresh pair.
    public func flushLastFrame(cpuMs: Double) {
        ownership.assertHeld("flushing the last frame")
        guard let prev = previousMoment else { return }
        previousMoment = nil
        _ = recorder?.record(FrameSample(index: Int64(prev.index), displayTimeNs: prev.displayTimeNs,
                                         cpuMs: Float(cpuMs), missedFrames: 0))
    }

    private func applyInputs(_ inputs: [SessionInput], at t: Double, moment m: FrameMoment, sources: inout [String]) {
        for input in inputs {
            if let id = input.commandID, !decisions.claim(id) {
                noteExpired(input, id: id, at: t, moment: m)
                continue
            }
            let decision = apply(input, at: t, moment: m)
            if let id = input.commandID { decisions.settle(id, decision) }
            sources.append(input.origin.label)
        }
    }

    private func handle(_ out: EngineOutput, at t: Double, moment m: FrameMoment, sources: [String]) {
        lastOutput = out
        pendingRatings.observe(out)
        if out.state.step != currentStep { currentStep = out.state.step; stepStart = t }
        for e in out.events {
            note(e, moment: m, sources: sources)
            if case .environmentEvent(let name) = e.kind, !world.fire(event: name) {
                // Some protocol events are prompts for the patient, not changes to the world.
                _ = recorder?.record(RecordedEvent(sessionTime: t, wallClock: m.wallClock, displayTimeNs: m.displayTimeNs,
                                                   kind: "environment_event_ignored", actor: .system,
                                                   reason: "`\(name)` changes nothing in \(engine.plan.environment)",
                                                   payloadJSON: RecordedEvent.payload(["name": name])))
            }
        }
    }

    // MARK: safety signals and the watchdog

    private var appliedLink: Bool?
    private var appliedHeadsetLost = false
    /// The last frame's moment and session time, and when (CLOCK_MONOTONIC) it ran.
    private var lastMoment: FrameMoment?
    private var lastFrameSessionTime = 0.0
    private var lastFrameMonotonic: Double?
    private var lastFrameDisplayNs: Int64?
    /// The latest session time the watchdog used: frames that come back never go before it.
    private var watchdogTime = -Double.infinity
    /// The frame loop said no frames will come for now (XR session idle, stopping or lost).
    private var framesHalted = false
    /// Whether the watchdog is standing in for the frame thread now.
    public private(set) var watchdogActive = false
    private var watchdog: FrameWatchdog?

    /// Applies the current safety signals where they differ from what the engine was told.
    private func applySignals(at t: Double, moment m: FrameMoment) -> [String] {
        let r = signals.read()
        var sources: [String] = []
        func system(_ i: EngineInput) { _ = apply(SessionInput(i, from: .system), at: t, moment: m); sources.append("system") }
        if r.linkBlip, appliedLink != false { system(.therapistLink(connected: false)); appliedLink = false }
        if let link = r.link, link != appliedLink { system(.therapistLink(connected: link)); appliedLink = link }
        if r.headsetLost != appliedHeadsetLost {
            appliedHeadsetLost = r.headsetLost
            // A runtime losing the session shows the patient nothing: pause as when the headset comes off.
            if r.headsetLost, engine.state.isRunning { system(.patient(.pause)) }
        }
        if let why = r.abort { system(.abort(reason: why)) }
        return sources
    }

    /// The session on Lab Streaming Layer (markers, head pose, heart rate in), when it is on.
    public var lab: LabStreamingTap?
    private var labInlets: [String: String] = [:]

    /// Clock pairs into the record, the head pose out, and what the inlets received in: heart rate
    /// drives the engine's heart-rate rule like any sample, at the time it was measured.
    private func takeLabStreams(_ lab: LabStreamingTap, at t: Double, moment m: FrameMoment) {
        let (pair, samples) = lab.frame(displayTimeNs: m.displayTimeNs, head: m.head)
        if let pair {
            _ = recorder?.record(RecordedEvent(sessionTime: t, wallClock: m.wallClock, displayTimeNs: m.displayTimeNs, kind: "clock_pair",
                                               actor: .system, reason: "the display time and the host's clocks read together",
                                               payloadJSON: RecordedEvent.payload(pair.payload)))
        }
        let first = firstDisplayNs ?? m.displayTimeNs
        for s in samples {
            let measured = Double(s.displayTimeNs - first) / 1e9
            _ = recorder?.record(PhysioSample(kind: s.kind, value: s.value, sessionTime: measured,
                                              wallClock: m.wallClock + Double(s.displayTimeNs - m.displayTimeNs) / 1e9))
            if s.kind == LabStreamingTap.Inlet.heartRate.recordKind {
                _ = engine.handle(.heartRate(bpm: s.value), at: t)
                snapshot.heartRate = s.value
            }
        }
        let connected = lab.connectedInlets
        for (kind, stream) in connected where labInlets[kind] == nil {
            noteSource(kind: kind, source: "lsl", detail: "LSL stream \(stream)", at: t, moment: m)
        }
        labInlets = connected
    }

    private var announcements: [(kind: String, source: String, detail: String)] = []
    /// Where a signal comes from as the session is set up; said at the first frame, on its display time.
    func announceSource(kind: String, source: String, detail: String) {
        announcements.append((kind, source, detail))
    }

    /// Where a signal comes from, in the record and the console: `none` means the rules that need
    /// it (the heart-rate rule) cannot act this session, which is said rather than left silent.
    func noteSource(kind: String, source: String, detail: String, at t: Double, moment m: FrameMoment) {
        let active = source != "none"
        _ = recorder?.record(RecordedEvent(sessionTime: t, wallClock: m.wallClock,
                                           displayTimeNs: m.displayTimeNs, kind: "signal_source", actor: .system,
                                           reason: active ? "\(kind) from \(detail)" : "no \(kind) source: \(detail)",
                                           payloadJSON: RecordedEvent.payload(["signal": kind, "source": source, "rule_active": active])))
        if kind == LabStreamingTap.Inlet.heartRate.recordKind { snapshot.heartRateSource = active ? detail : nil }
        alertCount += 1
        snapshot.alerts.append(.init(id: alertCount, kind: .info,
                                     message: active ? "system: heart rate from \(detail)" : "system: no heart-rate source: the heart-rate safety rule is inactive (\(detail))",
                                     time: t))
        if snapshot.alerts.count > 20 { snapshot.alerts.removeFirst() }
        lastPublished = -.infinity
    }

    private var refusedNoted = 0
    private var refusedNotedAt = -Double.infinity
    /// A full mailbox refuses inputs (their senders hear "flood"); the record says how many, at
    /// most once a second, so a flood does not become a flood of rows.
    private func noteRefusedInputs(at t: Double, moment m: FrameMoment) {
        let refused = mailbox.dropped
        guard refused > refusedNoted, t - refusedNotedAt >= 1 else { return }
        let new = refused - refusedNoted
        refusedNoted = refused
        refusedNotedAt = t
        snapshot.refusedInputs = refused
        _ = recorder?.record(RecordedEvent(sessionTime: t, wallClock: m.wallClock, displayTimeNs: m.displayTimeNs,
                                           kind: "mailbox_full", actor: .system,
                                           reason: "\(new) input(s) refused: the session's mailbox was full (\(mailbox.capacity)); safety signals are not queued there",
                                           payloadJSON: RecordedEvent.payload(["refused": new, "total": refused, "capacity": mailbox.capacity])))
    }

    private func recordWatchdog(active: Bool, at t: Double, moment m: FrameMoment) {
        _ = recorder?.record(RecordedEvent(sessionTime: t, wallClock: m.wallClock, displayTimeNs: m.displayTimeNs,
                                           kind: "watchdog", actor: .system,
                                           reason: active ? "no frames are running: the watchdog applies the safety rules until they return"
                                                          : "frames are running again",
                                           payloadJSON: RecordedEvent.payload(["active": active])))
    }

    /// The frame loop (frame thread) says frames have stopped (XR session idle, stopping, lost):
    /// the watchdog stands in at once rather than after a stall. The next frame clears it.
    public func framesStopped() {
        ownership.assertHeld("frames stopping")
        framesHalted = true
    }

    /// While no frames run: applies the safety signals and waiting inputs and ticks the engine
    /// (so its supervisor) at the session time the display would have reached. Nothing before
    /// the first frame, or while frames may still come: the last one under `haltedAfter` seconds
    /// old when the loop said they stopped, else under `staleAfter`. Returns whether the session
    /// has ended. The caller holds `ownership`.
    func watchdogTick(now: Double, staleAfter: Double, haltedAfter: Double) -> Bool {
        ownership.assertHeld("the watchdog")
        guard let since = lastFrameMonotonic, let last = lastMoment, let lastDisplay = lastFrameDisplayNs else { return false }
        if engine.state.isEnded { return true }
        let idle = now - since
        guard idle >= (framesHalted ? haltedAfter : staleAfter) else { return false }
        let t = max(lastFrameSessionTime + idle, watchdogTime)
        watchdogTime = t
        lastSessionTime = max(lastSessionTime, t)
        let m = FrameMoment(index: last.index, displayTimeNs: lastDisplay + Int64(idle * 1e9), periodNs: last.periodNs,
                            wallClock: Date().timeIntervalSince1970, head: last.head)
        if !watchdogActive {
            watchdogActive = true
            recordWatchdog(active: true, at: t, moment: m)
        }
        var sources = applySignals(at: t, moment: m)
        noteRefusedInputs(at: t, moment: m)
        ratingOrigins.removeAll(keepingCapacity: true)
        applyInputs(mailbox.drain(), at: t, moment: m, sources: &sources)
        let out = engine.tick(at: t)
        handle(out, at: t, moment: m, sources: sources)
        publish(out, at: t, moment: m)
        return engine.state.isEnded
    }

    /// Starts the watchdog (the frame loop does, at its first frame); `onEnded` runs once,
    /// holding `ownership`, when it sees the session ended. Idempotent.
    public func startWatchdog(_ settings: FrameWatchdog.Settings = .init(), onEnded: @escaping () -> Void) {
        guard watchdog == nil else { return }
        let w = FrameWatchdog(conductor: self, settings: settings, onEnded: onEnded)
        watchdog = w
        w.start()
    }

    /// Stops the watchdog and waits for a tick in progress; the record can then be closed.
    public func stopWatchdog() {
        watchdog?.stop()
    }

    /// CPU milliseconds this object spent on the last frame (engine, environment, record, snapshot).
    public var lastFrameCPUMs: Double { frameThreadCPUMs }

    // MARK: inputs

    /// Applies one input; the decision goes back to the console that sent it.
    private func apply(_ input: SessionInput, at t: Double, moment m: FrameMoment) -> Decision {
        ownership.assertHeld("an input")
        defer { markApplied(input) }
        let engineInput: EngineInput
        switch input.action {
        case .engine(let i): engineInput = i
        case .askSUDS:
            guard engine.state.isRunning else { return .rejected(.notRunning, why: "ratings are asked while the session runs; it is \(engine.state)") }
            noteTherapistRequest("suds_requested", text: nil, from: input.origin.label, at: t, moment: m)
            return .applied(changes: ["SUDS asked"])
        case .showMessage(let text):
            guard !engine.state.isEnded else { return .rejected(.sessionNotLive, why: "the session has ended") }
            noteTherapistRequest("patient_message", text: text, from: input.origin.label, at: t, moment: m)
            return .applied(changes: ["message shown"])
        case .ssq(let items, let moment):
            recordSSQ(items, moment: moment, from: input.origin, at: t, moment: m)
            return .applied(changes: ["SSQ \(moment == .before ? "before" : "after") recorded"])
        }
        // Commands from people are recorded with who sent them before the engine judges them.
        if case .therapist(let command) = engineInput {
            var payload: [String: Any] = ["command": String(describing: command), "sender": input.origin.label]
            if let id = input.commandID { payload["command_id"] = id }
            _ = recorder?.record(RecordedEvent(sessionTime: t, wallClock: m.wallClock, displayTimeNs: m.displayTimeNs,
                                               kind: EventKind.command, actor: .therapist, reason: "command from \(input.origin.label)",
                                               payloadJSON: RecordedEvent.payload(payload)))
        }
        switch engineInput {
        case .suds, .fms, .expectancy, .heartRateBaseline: ratingOrigins.append(input.origin.ratingSource)
        default: break
        }
        if case .heartRate(let bpm) = engineInput, bpm.isFinite {
            _ = recorder?.record(PhysioSample(kind: "heart_rate_bpm", value: bpm, sessionTime: t, wallClock: m.wallClock))
            snapshot.heartRate = bpm
        }
        if case .therapistLink(let connected) = engineInput { snapshot.therapistConnected = connected }
        return engine.handle(engineInput, at: t)
    }

    /// A console command that waited too long for a frame: its sender was told it was not applied.
    private func noteExpired(_ input: SessionInput, id: String, at t: Double, moment m: FrameMoment) {
        _ = recorder?.record(RecordedEvent(sessionTime: t, wallClock: m.wallClock, displayTimeNs: m.displayTimeNs,
                                           kind: "rejected", actor: .system,
                                           reason: "a command from \(input.origin.label) arrived after its sender stopped waiting; not applied",
                                           payloadJSON: RecordedEvent.payload(["command_id": id, "rule": "expired"])))
    }

    private func markApplied(_ input: SessionInput) {
        if let id = input.commandID {
            snapshot.appliedCommandIDs.append(id)
            if snapshot.appliedCommandIDs.count > 64 { snapshot.appliedCommandIDs.removeFirst() }
            if let seq = UInt64(id) { snapshot.lastAppliedCommandSeq = max(snapshot.lastAppliedCommandSeq, seq) }
        }
    }

    private func note(_ e: EngineEvent, moment m: FrameMoment, sources: [String]) {
        // Who gave a rating: the origin of the rating input it answers (inputs are judged in order).
        var source = "headset"
        switch e.kind {
        case .ratingRecorded(let k, _) where k != .heartRate:
            if !ratingOrigins.isEmpty { source = ratingOrigins.removeFirst() }
        case .rejected(let what, _) where Self.ratingInputs.contains(what):
            if !ratingOrigins.isEmpty { ratingOrigins.removeFirst() }
        default: break
        }
        if let recorder {
            _ = recorder.record(RecordMapping.event(e, plan: engine.plan, displayTimeNs: m.displayTimeNs,
                                                    wallClock: m.wallClock, origin: nil))
            if let rating = RecordMapping.rating(e, displayTimeNs: m.displayTimeNs, wallClock: m.wallClock, source: source) {
                _ = recorder.record(rating)
            }
        }
        switch e.kind {
        case .ratingRecorded(.suds, let v):
            snapshot.sudsHistory.append(.init(time: e.time, value: v))
        case .ratingRecorded(.fms, let v): snapshot.fmsHistory.append(.init(time: e.time, value: v))
        case .intensityChanged(_, let to): snapshot.intensityHistory.append(.init(time: e.time, value: to))
        case .safeRoomEntered:
            alert(e, kind: e.actor == .patient ? .optOut : .safety)
        case .linkChanged(let connected):
            if !connected { alert(e, kind: .linkLoss) }
        case .rejected:
            alert(e, kind: .info)
        default:
            if e.actor == .safety { alert(e, kind: .safety) }
        }
    }

    private var alertCount = 0
    private func alert(_ e: EngineEvent, kind: SessionSnapshot.Alert.Kind) {
        alertCount += 1
        snapshot.alerts.append(.init(id: alertCount, kind: kind, message: "\(e.actor.rawValue): \(e.reason)", time: e.time))
        if snapshot.alerts.count > 20 { snapshot.alerts.removeFirst() }
    }

    /// Things the therapist asks of the patient that are not engine inputs (a SUDS question now,
    /// a text shown in the headset). Frame thread only, like `frame`.
    func noteTherapistRequest(_ kind: String, text: String?, from origin: String, at t: Double, moment m: FrameMoment) {
        var payload: [String: Any] = ["sender": origin]
        if let text {
            let message = PatientMessage(text: text, shownAt: t)
            patientMessage = message
            payload["text"] = text; payload["reading_seconds"] = message.readingSeconds
            snapshot.patientMessage = text
        }
        if kind == "suds_requested" { pendingRatings.therapistAskedSUDS() }
        _ = recorder?.record(RecordedEvent(sessionTime: t, wallClock: m.wallClock, displayTimeNs: m.displayTimeNs, kind: kind,
                                           actor: .therapist, reason: kind == "suds_requested" ? "therapist asked for a SUDS rating" : "message shown to the patient",
                                           payloadJSON: RecordedEvent.payload(payload)))
    }

    // MARK: snapshot

    private func publish(_ out: EngineOutput, at t: Double, moment m: FrameMoment) {
        snapshot.sessionTime = t
        snapshot.displayTimeNs = m.displayTimeNs
        snapshot.state = out.state.description
        snapshot.stateCode = out.state.code
        snapshot.stepIndex = out.state.step
        snapshot.stepTitle = out.state.step.flatMap { $0 < engine.plan.steps.count ? engine.plan.steps[$0].title : nil }
        snapshot.intensity = engine.intensity
        snapshot.showing = world.showing ?? ""
        snapshot.prompts = pendingRatings.all.map(\.rawValue)
        snapshot.ended = out.state.isEnded
        if case .ended(let reason) = out.state { snapshot.outcome = reason.rawValue }
        snapshot.awaitingConsent = engine.isAwaitingConsent
        if case .safeRoom(_, .optOut) = out.state { snapshot.consentGiven = !engine.isAwaitingConsent } else { snapshot.consentGiven = false }
        // The console shows the message only while the patient can still see it.
        if let message = patientMessage, !message.isShowing(at: t) || out.state.isEnded { snapshot.patientMessage = nil }
        snapshot.framesPerSecond = watchdogActive ? 0 : health.framesPerSecond(periodNs: m.periodNs)
        snapshot.cpuMsPerFrame = m.previousCPUMs
        snapshot.missedFrames = health.totalMissed
        snapshot.frameRateHealthy = health.healthy
        snapshot.watchdogActive = watchdogActive
        // Telemetry runs at 10-30 Hz: copying the snapshot every frame would be wasted work.
        guard t - lastPublished >= 1.0 / 30 || out.state.isEnded || !out.events.isEmpty else { return }
        lastPublished = t
        if let live = world.liveParameters { snapshot.parameters = live.dictionary }
        snapshot.parameterTargets = out.target.overrides
        snapshot.pinned = out.target.pinned
        board.publish(snapshot)
    }

    static func clock(_ t: Double) -> String {
        let s = Int(t.rounded(.down))
        return String(format: "%02d:%02d", s / 60, s % 60)
    }
}

/// CLOCK_MONOTONIC seconds: how long no frame has run, whatever the wall clock does.
public enum MonotonicClock {
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// CPU time of the calling thread, for frame cost figures that ignore waiting.
public enum ThreadCPUClock {
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
