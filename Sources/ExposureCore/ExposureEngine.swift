// The session's state machine. Inputs arrive through `handle(_:at:)`; the frame loop calls
// `tick(at:)` once per frame and gets the target environment, the events since the last tick
// (each naming who caused it and why) and the ratings to ask for. Time is a value: no clock is read.

public final class ExposureEngine {
    public let plan: ExposureProtocol
    /// Parameter specs of the protocol's environment, for checking therapist `setParameter` commands.
    public let parameterSpecs: [String: ParameterSpec]?
    /// Measures changes through the environment's curves (escalation is judged on the stimulus).
    public let stimulus: StimulusModel
    /// The hierarchy read as one curve per parameter: the physical world at any level.
    public let model: IntensityModel
    /// Events the environment reacts to; nil when unknown (then any well-formed name is passed on).
    public let eventNames: [String]?
    let supervisor: SafetySupervisor
    /// Everything that decides what the engine does next, as one value: a copy of the engine
    /// behaves exactly like the original (the exhaustive safety check relies on it).
    public internal(set) var memory = EngineMemory()

    public var state: EngineState { memory.state }
    public var intensity: Double { memory.intensity }
    /// The physical world the patient meets now (or returns to from the safe room; after the end,
    /// the world of the last step).
    public var parameters: [String: ParameterValue] {
        let key = WorldKey(level: intensity, step: worldStep, pins: memory.therapistPins)
        if let cached = worldCache, cached.key == key { return cached.values }
        let values = model.resolve(level: key.level, step: key.step, therapist: key.pins)
        worldCache = (key, values)
        return values
    }
    /// Parameters held regardless of the level, and by whom.
    public var pinned: [String: PinSource] { model.pins(step: worldStep, therapist: memory.therapistPins) }
    var worldStep: Int? { state.step ?? memory.lastStep }
    /// The last world resolved (resolving is pure; the safety check asks for it many times per input).
    struct WorldKey: Equatable { var level: Double; var step: Int?; var pins: [String: ParameterValue] }
    private var worldCache: (key: WorldKey, values: [String: ParameterValue])?
    public var progress: StepProgress { memory.progress }
    public var heartRateBaseline: Double? { memory.heartRateBaseline }
    /// The last step the session was at (kept after it ended, for the outcome).
    public var lastStep: Int? { memory.lastStep }
    /// The latest FMS rating, for the console and the resume rule.
    public var latestFMS: Double? { memory.latestFMS }
    /// Safety rules switched off, only by the exhaustive check's mutation tests, to show that it
    /// catches each bypass. Internal: nothing outside this module (and @testable tests) can set it.
    var weakenedRulesForTesting: Set<SafetyRule> = []
    /// Events and prompts since the last tick (not part of the memory: they are output).
    var pending: [EngineEvent] = []
    var prompts: [Prompt] = []

    /// A larger forward gap between two ticks is reported as a clock jump.
    public static let clockJumpReport = 5.0
    /// Therapist commands accepted per second; the rest of a flood is dropped (and reported).
    public static let commandsPerSecond = 20
    /// Seconds of heart-rate samples averaged for the baseline when none is given.
    public static let baselineWindow = 60.0

    public init(protocol plan: ExposureProtocol, parameterSpecs: [String: ParameterSpec]? = nil, eventNames: [String]? = nil) {
        self.plan = plan
        self.parameterSpecs = parameterSpecs
        self.eventNames = eventNames
        self.stimulus = StimulusModel(specs: parameterSpecs)
        self.model = IntensityModel(protocol: plan, specs: parameterSpecs)
        self.memory.intensity = plan.session.minIntensity
        self.supervisor = SafetySupervisor(limits: plan.safety, sessionLimit: plan.session.maxDuration)
    }

    /// Shares the immutable parts (the protocol's intensity model is built once, not per copy).
    private init(sharing other: ExposureEngine) {
        plan = other.plan
        parameterSpecs = other.parameterSpecs
        eventNames = other.eventNames
        stimulus = other.stimulus
        model = other.model
        supervisor = other.supervisor
    }

    /// An engine in exactly this one's state (pending output not included).
    public func copy() -> ExposureEngine {
        let e = ExposureEngine(sharing: self)
        e.memory = memory
        e.weakenedRulesForTesting = weakenedRulesForTesting
        return e
    }

    public var currentStepIndex: Int? { state.step }
    /// The patient opted out and has not yet agreed to carry on: the headset asks for consent.
    public var isAwaitingConsent: Bool {
        if case .safeRoom(_, .optOut) = state { return !memory.consentAfterOptOut }
        return false
    }
    public var currentStep: ProtocolStep? { state.step.map { plan.steps[$0] } }

    /// What the environment should show now.
    public var target: EnvironmentTarget {
        EnvironmentTarget(environment: plan.environment, intensity: intensity, overrides: parameters, pinned: pinned,
                          safeRoom: !state.isRunning)
    }

    // MARK: tick

    public func tick(at time: Double) -> EngineOutput {
        let t = accept(time, what: "tick")
        let dt = max(0, t - (memory.lastTick ?? t))
        if dt > ExposureEngine.clockJumpReport, !state.isEnded {
            emit(t, .system, .clockJump(dt), "the clock moved \(FieldReader.format(dt.rounded())) s since the last tick")
        }
        memory.lastTick = t
        if state.isRunning { memory.progress.elapsed += dt }
        evaluate(at: t)
        let out = EngineOutput(time: t, state: state, target: target, events: pending, prompts: prompts)
        pending.removeAll(keepingCapacity: true)
        prompts.removeAll(keepingCapacity: true)
        return out
    }

    func evaluate(at t: Double) {
        guard isLive else { return }
        updateBaseline(at: t)
        var signals = SafetySignals(now: t, sessionStart: memory.sessionStart, state: state)
        signals.newSUDSAtCeiling = memory.newSUDSAtCeiling
        signals.newFMSOverStop = memory.newFMSOverStop
        signals.heartRate = memory.heartRate
        signals.heartRateBaseline = memory.heartRateBaseline
        signals.lastHeartRateStepDown = memory.lastHeartRateStepDown
        signals.linkLostSince = memory.linkLostSince
        signals.poorFrameRateSince = memory.poorFrameRateSince
        let actions = supervisor.evaluate(signals)
        memory.newSUDSAtCeiling = nil
        memory.newFMSOverStop = nil
        let hold = actions.first { if case .holdEscalation = $0 { return true }; return false }
        let override = actions.first { if case .holdEscalation = $0 { return false }; return true }
        if override == nil, state.isRunning {
            runProtocol(at: t, holdReason: hold.flatMap { if case .holdEscalation(let r) = $0 { return r }; return nil })
        }
        if hold == nil { memory.escalationHeldReported = false }
        if let override { apply(override, at: t) }
        if state.isRunning { askForRatings(at: t) }
    }

    /// Timed events and progression rules of the current step. They pass the same gate as commands.
    func runProtocol(at t: Double, holdReason: String?) {
        guard let index = state.step else { return }
        let step = plan.steps[index]
        for (i, e) in step.events.enumerated() where !memory.firedEvents.contains(i) && progress.elapsed >= e.at {
            memory.firedEvents.insert(i)
            var change = ProposedChange(actor: .protocolRule, kind: .stimulus)
            change.firesEvent = true
            guard case .success(let pass) = admit(change) else { continue }
            fireEvent(e.name, by: .protocolRule, at: t, why: "scheduled \(FieldReader.format(e.at)) s into step `\(step.id)`", pass)
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
            if !memory.escalationHeldReported {
                emit(t, .safety, .escalationHeld, "step `\(step.id)` is done (\(why)) but moving up is held: \(holdReason)")
                memory.escalationHeldReported = true
            }
            return
        }
        guard case .success(let pass) = admit(stepChange(to: index + 1, by: .protocolRule, confirm: true)) else { return }
        enterStep(index + 1, by: .protocolRule, at: t, why: why, pass)
    }

    func apply(_ action: SafetyAction, at t: Double) {
        let calmer = admit(ProposedChange(actor: .safety, kind: .calmer))
        guard case .success(let pass) = calmer else { return }
        switch action {
        case .end(let r, let why): end(r, by: .safety, at: t, why: why)
        case .safeRoom(let cause, let why):
            guard let step = state.step else { return }
            memory.state = .safeRoom(step: step, cause: cause)
            emit(t, .safety, .safeRoomEntered, why)
        case .pause(let why):
            guard let step = state.step else { return }
            memory.state = .paused(step: step, by: .safety)
            emit(t, .safety, .paused, why)
        case .stepDown(let cause, let why):
            stepDown(by: .safety, at: t, why: why, pass)
            if cause == .heartRate { memory.lastHeartRateStepDown = t }
        case .holdEscalation: break
        }
    }

    // MARK: the gate

    var isLive: Bool {
        switch state {
        case .notStarted, .ended: return false
        default: return true
        }
    }

    /// Every change is judged here before it happens (see SafetyGate).
    func admit(_ change: ProposedChange) -> Result<Admission, Refusal> {
        let window = plan.safety.escalationWindow
        let now = memory.now ?? 0
        let recent = memory.therapistRises.filter { now - $0.time < window }.reduce(0) { $0 + $1.amount }
        let context = GateContext(state: state, consentGiven: memory.consentAfterOptOut, latestFMS: memory.latestFMS,
                                  linkDown: memory.linkLostSince != nil, poorFrameRate: memory.poorFrameRateSince != nil,
                                  limits: plan.safety, recentRises: recent, weakened: weakenedRulesForTesting)
        return SafetyGate.judge(change, context)
    }

    /// The level entering step `index` sets: the step's own, except that going down never raises it.
    func level(enteringStep index: Int) -> Double {
        let goingDown = state.step.map { index < $0 } ?? false
        return clamp(plan.steps[index].intensity.map { goingDown ? min($0, intensity) : $0 } ?? intensity)
    }

    /// The world step `index` shows on entering it (the therapist's pins are released).
    func world(ofStep index: Int) -> (level: Double, values: [String: ParameterValue]) {
        let level = level(enteringStep: index)
        return (level, model.resolve(level: level, step: index))
    }

    func proposal(level: Double, world: [String: ParameterValue], by actor: Actor, confirm: Bool) -> ProposedChange {
        var c = ProposedChange(actor: actor, kind: .stimulus, confirm: confirm)
        c.levelRise = level - intensity
        c.stimulusRise = stimulus.rise(from: parameters, to: world)
        return c
    }

    func stepChange(to index: Int, by actor: Actor, confirm: Bool) -> ProposedChange {
        let target = world(ofStep: index)
        var c = proposal(level: target.level, world: target.values, by: actor, confirm: confirm)
        if let from = state.step { c.stepChange = (from, index) }
        return c
    }

    func clamp(_ value: Double) -> Double { min(plan.session.maxIntensity, max(plan.session.minIntensity, value)) }

    // MARK: transitions (each needs the gate's admission)

    /// Moves to another step; the session's state (running, paused, safe room) stays as it is.
    func enterStep(_ index: Int, by actor: Actor, at t: Double, why: String, _ pass: Admission) {
        let from = state.step
        let step = plan.steps[index]
        // Going down never raises the level: a therapist who had already lowered it keeps that.
        let level = level(enteringStep: index)
        switch state {
        case .running, .notStarted: memory.state = .running(step: index)
        case .paused(_, let by): memory.state = .paused(step: index, by: by)
        case .safeRoom(_, let cause): memory.state = .safeRoom(step: index, cause: cause)
        case .ended: return
        }
        memory.lastStep = index
        emit(t, actor, .stepChanged(from: from, to: index), "\(why); now step \(index + 1) `\(step.id)`: \(step.title)")
        // `before` is the world of the step just left (the state already names the new step).
        // On starting, every value is recorded, so the record holds the whole first world.
        let before = from == nil ? [:] : model.resolve(level: intensity, step: from, therapist: memory.therapistPins)
        changeLevel(level, by: actor, at: t, why: "step `\(step.id)`")
        memory.therapistPins = [:]
        recordWorld(from: before, by: actor, at: t, why: "step `\(step.id)`")
        memory.progress = StepProgress()
        memory.firedEvents = []
        memory.askedExpectancyAfter = false
        memory.nextSUDSPrompt = t
        if step.progression.usesExpectancy, state.isRunning { prompts.append(.expectancyBefore) }
    }

    func stepDown(by actor: Actor, at t: Double, why: String, _ pass: Admission) {
        guard let index = state.step else { return }
        if index > 0 {
            enterStep(index - 1, by: actor, at: t, why: "step down: \(why)", pass)
        } else {
            let lower = max(plan.session.minIntensity, intensity - plan.safety.stepDownIntensity)
            if lower < intensity || !memory.therapistPins.isEmpty {
                // The therapist's pins go too, so the step down lowers everything the level moves.
                let before = parameters
                changeLevel(lower, by: actor, at: t, why: "step down within the first step: \(why)")
                memory.therapistPins = [:]
                recordWorld(from: before, by: actor, at: t, why: "step down within the first step: \(why)")
            } else {
                emit(t, actor, .intensityChanged(from: intensity, to: intensity), "already at the lowest intensity: \(why)")
            }
            memory.progress = StepProgress()
            memory.nextSUDSPrompt = t
        }
    }

    func setIntensity(_ value: Double, by actor: Actor, at t: Double, why: String, _ pass: Admission) {
        let before = parameters
        changeLevel(value, by: actor, at: t, why: why)
        recordWorld(from: before, by: actor, at: t, why: why)
    }

    /// The level alone; callers record what it did to the world (recordWorld).
    private func changeLevel(_ value: Double, by actor: Actor, at t: Double, why: String) {
        let clamped = clamp(value)
        guard clamped != intensity else { return }
        emit(t, actor, .intensityChanged(from: intensity, to: clamped), why)
        memory.intensity = clamped
    }

    /// Every physical value a change moved goes into the output, so the record holds the world the
    /// patient meets and not only the level number.
    private func recordWorld(from before: [String: ParameterValue], by actor: Actor, at t: Double, why: String) {
        let after = parameters
        for name in Set(before.keys).union(after.keys).sorted() where before[name] != after[name] {
            emit(t, actor, .parameterChanged(name: name, from: before[name], to: after[name]), why)
        }
    }

    /// The therapist holds `name` at `value` until the step changes or safety steps down.
    func setParameter(_ name: String, _ value: ParameterValue, by actor: Actor, at t: Double, why: String, _ pass: Admission) {
        let before = parameters
        memory.therapistPins[name] = value
        let after = parameters
        emit(t, actor, .parameterChanged(name: name, from: before[name], to: after[name] ?? value), why)
        for n in Set(before.keys).union(after.keys).sorted() where n != name && before[n] != after[n] {
            emit(t, actor, .parameterChanged(name: n, from: before[n], to: after[n]), why)
        }
    }

    /// The therapist lets `name` follow the level again.
    func releaseParameter(_ name: String, by actor: Actor, at t: Double, why: String, _ pass: Admission) {
        let before = parameters
        memory.therapistPins[name] = nil
        recordWorld(from: before, by: actor, at: t, why: why)
    }

    func fireEvent(_ name: String, by actor: Actor, at t: Double, why: String, _ pass: Admission) {
        emit(t, actor, .environmentEvent(name), why)
    }

    func resume(by actor: Actor, at t: Double, why: String, _ pass: Admission) {
        guard let step = state.step else { return }
        memory.state = .running(step: step)
        emit(t, actor, .resumed, why)
        memory.nextSUDSPrompt = t
        // A step chosen while away asks its expectancy now, when the trial can start.
        if let s = currentStep, s.progression.usesExpectancy, progress.expectancyBefore == nil { prompts.append(.expectancyBefore) }
    }

    /// The session ends; the outcome says what the patient's situation was when it did.
    func end(_ reason: EndReason, by actor: Actor, at t: Double, why: String) {
        var outcome = reason
        if reason != .aborted && reason != .completed {
            switch state {
            case .safeRoom(_, .optOut): outcome = .patientStopped
            case .safeRoom(_, .linkLost), .paused(_, .safety): outcome = .safetyStop
            default: break
            }
        }
        memory.lastStep = state.step ?? memory.lastStep
        memory.state = .ended(outcome)
        let detail = outcome == reason ? why : "\(why); \(outcome)"
        emit(t, actor, .ended(outcome), detail)
    }

    func askForRatings(at t: Double) {
        guard let step = currentStep else { return }
        if let due = memory.nextSUDSPrompt, t >= due {
            prompts.append(.suds)
            memory.nextSUDSPrompt = t + step.sudsEvery
        }
        if let every = plan.session.fmsEvery {
            if memory.nextFMSPrompt == nil { memory.nextFMSPrompt = t + every }
            if let due = memory.nextFMSPrompt, t >= due {
                prompts.append(.fms)
                memory.nextFMSPrompt = t + every
            }
        }
        if step.progression.usesExpectancy, !memory.askedExpectancyAfter, progress.expectancyBefore != nil,
           progress.elapsed >= max(step.minDuration, 1) {
            prompts.append(.expectancyAfter)
            memory.askedExpectancyAfter = true
        }
    }

    func updateBaseline(at t: Double) {
        let b = memory.baseline
        guard memory.heartRateBaseline == nil, let first = b.first, b.count > 0,
              t - first >= ExposureEngine.baselineWindow else { return }
        let mean = b.sum / Double(b.count)
        memory.heartRateBaseline = mean
        emit(t, .system, .ratingRecorded(.heartRateBaseline, mean),
             "heart-rate baseline taken as the mean of the first \(FieldReader.format(ExposureEngine.baselineWindow)) s (\(b.count) samples)")
    }

    // MARK: time and events

    /// Time as the engine uses it: never earlier than the latest time seen, never NaN.
    func accept(_ time: Double, what: String) -> Double {
        guard time.isFinite else {
            let t = memory.now ?? 0
            if !state.isEnded { emit(t, .system, .clockJump(0), "a \(what) came with an invalid time; used the last good time") }
            return t
        }
        guard let last = memory.now else { memory.now = time; return time }
        if time < last {
            if !state.isEnded { emit(last, .system, .clockJump(time - last), "the clock went back \(FieldReader.format(last - time)) s at a \(what); ignored") }
            return last
        }
        memory.now = time
        return time
    }

    func emit(_ t: Double, _ actor: Actor, _ kind: EngineEvent.Kind, _ reason: String) {
        pending.append(EngineEvent(time: t, actor: actor, kind: kind, reason: reason, step: state.step))
    }
}
