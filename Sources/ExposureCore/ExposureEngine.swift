// The session's state machine. Inputs arrive through `handle(_:at:)`; the frame loop calls
// `tick(at:)` once per frame and gets the target environment, the events since the last tick
// (each naming who caused it and why) and the ratings to ask for. Time is a value: no clock is read.

public final class ExposureEngine {
    public let plan: ExposureProtocol
    /// Parameter specs of the protocol's environment, for checking therapist `setParameter` commands.
    public let parameterSpecs: [String: ParameterSpec]?
    public internal(set) var state: EngineState = .notStarted
    public internal(set) var intensity: Double
    public internal(set) var overrides: [String: ParameterValue] = [:]
    public internal(set) var progress = StepProgress()
    public internal(set) var heartRateBaseline: Double?

    let supervisor: SafetySupervisor
    /// Latest time seen (ticks and inputs); never goes backwards.
    var now: Double?
    var lastTick: Double?
    var sessionStart = 0.0
    var pending: [EngineEvent] = []
    var prompts: [Prompt] = []
    var firedEvents: Set<Int> = []
    var nextSUDSPrompt: Double?
    var nextFMSPrompt: Double?
    var askedExpectancyAfter = false
    var newSUDSAtCeiling: Double?
    var newFMSOverStop: Double?
    var latestFMS: Double?
    var heartRate: Double?
    var baselineSamples: (sum: Double, count: Int, first: Double?) = (0, 0, nil)
    var lastHeartRateStepDown: Double?
    var linkLostSince: Double?
    var poorFrameRateSince: Double?
    var consentAfterOptOut = false
    var escalationHeldReported = false
    var therapistRises: [(time: Double, amount: Double)] = []
    var commandWindow: (start: Double, count: Int, dropped: Int) = (0, 0, 0)

    /// A larger forward gap between two ticks is reported as a clock jump.
    public static let clockJumpReport = 5.0
    /// Therapist commands accepted per second; the rest of a flood is dropped (and reported).
    public static let commandsPerSecond = 20
    /// Seconds of heart-rate samples averaged for the baseline when none is given.
    public static let baselineWindow = 60.0

    public init(protocol plan: ExposureProtocol, parameterSpecs: [String: ParameterSpec]? = nil) {
        self.plan = plan
        self.parameterSpecs = parameterSpecs
        self.intensity = plan.session.minIntensity
        self.supervisor = SafetySupervisor(limits: plan.safety, sessionLimit: plan.session.maxDuration)
    }

    public var currentStepIndex: Int? { state.step }
    /// The patient opted out and has not yet agreed to carry on: the headset asks for consent.
    public var isAwaitingConsent: Bool {
        if case .safeRoom(_, .optOut) = state { return !consentAfterOptOut }
        return false
    }
    public var currentStep: ProtocolStep? { state.step.map { plan.steps[$0] } }

    /// What the environment should show now.
    public var target: EnvironmentTarget {
        let calm: Bool
        switch state {
        case .running: calm = false
        default: calm = true
        }
        return EnvironmentTarget(environment: plan.environment, intensity: intensity, overrides: overrides, safeRoom: calm)
    }

    // MARK: tick

    public func tick(at time: Double) -> EngineOutput {
        let t = accept(time, what: "tick")
        let dt = max(0, t - (lastTick ?? t))
        if dt > ExposureEngine.clockJumpReport {
            emit(t, .system, .clockJump(dt), "the clock moved \(FieldReader.format(dt.rounded())) s since the last tick")
        }
        lastTick = t
        if state.isRunning { progress.elapsed += dt }
        evaluate(at: t)
        let out = EngineOutput(time: t, state: state, target: target, events: pending, prompts: prompts)
        pending.removeAll(keepingCapacity: true)
        prompts.removeAll(keepingCapacity: true)
        return out
    }

    func evaluate(at t: Double) {
        switch state {
        case .notStarted, .ended: return
        default: break
        }
        updateBaseline(at: t)
        var signals = SafetySignals(now: t, sessionStart: sessionStart, state: state)
        signals.newSUDSAtCeiling = newSUDSAtCeiling
        signals.newFMSOverStop = newFMSOverStop
        signals.heartRate = heartRate
        signals.heartRateBaseline = heartRateBaseline
        signals.lastHeartRateStepDown = lastHeartRateStepDown
        signals.linkLostSince = linkLostSince
        signals.poorFrameRateSince = poorFrameRateSince
        let actions = supervisor.evaluate(signals)
        newSUDSAtCeiling = nil
        newFMSOverStop = nil
        let hold = actions.first { if case .holdEscalation = $0 { return true }; return false }
        let override = actions.first { if case .holdEscalation = $0 { return false }; return true }
        if override == nil, state.isRunning {
            runProtocol(at: t, holdReason: hold.flatMap { if case .holdEscalation(let r) = $0 { return r }; return nil })
        }
        if hold == nil { escalationHeldReported = false }
        if let override { apply(override, at: t) }
        if state.isRunning { askForRatings(at: t) }
    }

    /// Timed events and progression rules of the current step.
    func runProtocol(at t: Double, holdReason: String?) {
        guard let index = state.step else { return }
        let step = plan.steps[index]
        for (i, e) in step.events.enumerated() where !firedEvents.contains(i) && progress.elapsed >= e.at {
            firedEvents.insert(i)
            emit(t, .protocolRule, .environmentEvent(e.name), "scheduled \(FieldReader.format(e.at)) s into step `\(step.id)`")
        }
        guard progress.elapsed >= step.minDuration else { return }
        let verdict = step.progression.isMet(by: progress)
        let timedOut = step.maxDuration.map { progress.elapsed >= $0 } ?? false
        guard verdict.met || timedOut else { return }
        let why = verdict.met ? "rule met: \(verdict.why)"
            : "maximum duration of \(FieldReader.format(step.maxDuration ?? 0)) s reached (\(verdict.why))"
        if index + 1 >= plan.steps.count {
            end(.completed, by: .protocolRule, at: t, why: "last step done: \(why)")
            return
        }
        if let holdReason {
            if !escalationHeldReported {
                emit(t, .safety, .escalationHeld, "step `\(step.id)` is done (\(why)) but moving up is held: \(holdReason)")
                escalationHeldReported = true
            }
            return
        }
        enterStep(index + 1, by: .protocolRule, at: t, why: why)
    }

    func apply(_ action: SafetyAction, at t: Double) {
        switch action {
        case .end(let r, let why): end(r, by: .safety, at: t, why: why)
        case .safeRoom(let cause, let why):
            guard let step = state.step else { return }
            state = .safeRoom(step: step, cause: cause)
            consentAfterOptOut = false
            emit(t, .safety, .safeRoomEntered, why)
        case .pause(let why):
            guard let step = state.step else { return }
            state = .paused(step: step, by: .safety)
            emit(t, .safety, .paused, why)
        case .stepDown(let cause, let why):
            stepDown(by: .safety, at: t, why: why)
            if cause == .heartRate { lastHeartRateStepDown = t }
        case .holdEscalation: break
        }
    }

    // MARK: transitions used by rules, commands and safety

    func enterStep(_ index: Int, by actor: Actor, at t: Double, why: String) {
        let from = state.step
        let step = plan.steps[index]
        state = .running(step: index)
        emit(t, actor, .stepChanged(from: from, to: index), "\(why); now step \(index + 1) `\(step.id)`: \(step.title)")
        setIntensity(step.intensity ?? intensity, by: actor, at: t, why: "step `\(step.id)`")
        let names = Set(overrides.keys).union(step.parameters.keys).sorted()
        for name in names where overrides[name] != step.parameters[name] {
            emit(t, actor, .parameterChanged(name: name, from: overrides[name], to: step.parameters[name]), "step `\(step.id)`")
        }
        overrides = step.parameters
        progress = StepProgress()
        firedEvents = []
        askedExpectancyAfter = false
        nextSUDSPrompt = t
        if step.progression.usesExpectancy { prompts.append(.expectancyBefore) }
    }

    func stepDown(by actor: Actor, at t: Double, why: String) {
        guard let index = state.step else { return }
        if index > 0 {
            enterStep(index - 1, by: actor, at: t, why: "step down: \(why)")
        } else {
            let lower = max(plan.session.minIntensity, intensity - plan.safety.stepDownIntensity)
            if lower < intensity {
                setIntensity(lower, by: actor, at: t, why: "step down within the first step: \(why)")
            } else {
                emit(t, actor, .intensityChanged(from: intensity, to: intensity), "already at the lowest intensity: \(why)")
            }
            progress = StepProgress()
            nextSUDSPrompt = t
        }
    }

    func setIntensity(_ value: Double, by actor: Actor, at t: Double, why: String) {
        let clamped = min(plan.session.maxIntensity, max(plan.session.minIntensity, value))
        guard clamped != intensity else { return }
        emit(t, actor, .intensityChanged(from: intensity, to: clamped), why)
        intensity = clamped
    }

    func end(_ reason: EndReason, by actor: Actor, at t: Double, why: String) {
        state = .ended(reason)
        emit(t, actor, .ended(reason), why)
    }

    func askForRatings(at t: Double) {
        guard let step = currentStep else { return }
        if let due = nextSUDSPrompt, t >= due {
            prompts.append(.suds)
            nextSUDSPrompt = t + step.sudsEvery
        }
        if let every = plan.session.fmsEvery {
            if nextFMSPrompt == nil { nextFMSPrompt = t + every }
            if let due = nextFMSPrompt, t >= due {
                prompts.append(.fms)
                nextFMSPrompt = t + every
            }
        }
        if step.progression.usesExpectancy, !askedExpectancyAfter, progress.expectancyBefore != nil,
           progress.elapsed >= max(step.minDuration, 1) {
            prompts.append(.expectancyAfter)
            askedExpectancyAfter = true
        }
    }

    func updateBaseline(at t: Double) {
        guard heartRateBaseline == nil, let first = baselineSamples.first, baselineSamples.count > 0,
              t - first >= ExposureEngine.baselineWindow else { return }
        let mean = baselineSamples.sum / Double(baselineSamples.count)
        heartRateBaseline = mean
        emit(t, .system, .ratingRecorded(.heartRateBaseline, mean),
             "heart-rate baseline taken as the mean of the first \(FieldReader.format(ExposureEngine.baselineWindow)) s (\(baselineSamples.count) samples)")
    }

    // MARK: time and events

    /// Time as the engine uses it: never earlier than the latest time seen, never NaN.
    func accept(_ time: Double, what: String) -> Double {
        guard time.isFinite else {
            let t = now ?? 0
            emit(t, .system, .clockJump(0), "a \(what) came with an invalid time; used the last good time")
            return t
        }
        guard let last = now else { now = time; return time }
        if time < last {
            emit(last, .system, .clockJump(time - last), "the clock went back \(FieldReader.format(last - time)) s at a \(what); ignored")
            return last
        }
        now = time
        return time
    }

    func emit(_ t: Double, _ actor: Actor, _ kind: EngineEvent.Kind, _ reason: String) {
        pending.append(EngineEvent(time: t, actor: actor, kind: kind, reason: reason, step: state.step))
    }
}
