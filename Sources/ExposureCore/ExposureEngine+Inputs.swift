// How each input changes the session. Anything refused becomes a `rejected` event saying why;
// no input is ever silently dropped or stored when it is not a valid value.

extension ExposureEngine {
    public func handle(_ input: EngineInput, at time: Double) {
        let t = accept(time, what: "input")
        switch input {
        case .start: start(at: t)
        case .suds(let v): rate(.suds, v, in: 0...100, at: t)
        case .fms(let v): rate(.fms, v, in: 0...20, at: t)
        case .expectancy(let v, let moment): rate(moment == .before ? .expectancyBefore : .expectancyAfter, v, in: 0...100, at: t)
        case .heartRate(let bpm): heartRateSample(bpm, at: t)
        case .heartRateBaseline(let bpm): rate(.heartRateBaseline, bpm, in: 30...200, at: t)
        case .therapist(let command): therapist(command, at: t)
        case .patient(let action): patient(action, at: t)
        case .therapistLink(let connected): link(connected, at: t)
        case .frameRate(let healthy): frameRate(healthy, at: t)
        }
    }

    func start(at t: Double) {
        guard case .notStarted = state else {
            emit(t, .system, .rejected("start"), "the session has already started"); return
        }
        guard !plan.steps.isEmpty else {
            emit(t, .system, .rejected("start"), "protocol `\(plan.id)` has no steps"); return
        }
        sessionStart = t
        lastTick = t
        emit(t, .system, .sessionStarted, "protocol `\(plan.id)` version \(plan.version), \(plan.steps.count) steps")
        enterStep(0, by: .protocolRule, at: t, why: "session started")
    }

    var isLive: Bool {
        switch state {
        case .notStarted, .ended: return false
        default: return true
        }
    }

    func rate(_ kind: RatingKind, _ value: Double, in range: ClosedRange<Double>, at t: Double) {
        guard value.isFinite, range.contains(value) else {
            emit(t, .system, .rejected(kind.rawValue),
                 "\(kind.rawValue) rating \(value) is not a number in \(FieldReader.format(range.lowerBound))...\(FieldReader.format(range.upperBound)); not recorded")
            return
        }
        guard isLive || kind == .heartRateBaseline else {
            emit(t, .system, .rejected(kind.rawValue), "no session is running; \(kind.rawValue) rating not recorded"); return
        }
        let actor: Actor = kind == .heartRateBaseline ? .system : .patient
        emit(t, actor, .ratingRecorded(kind, value), kind == .heartRateBaseline ? "resting heart rate given at the start" : "rated by the patient")
        switch kind {
        case .suds:
            guard state.isRunning else { return }
            progress.recordSUDS(value)
            if value >= plan.safety.sudsCeiling { newSUDSAtCeiling = value }
        case .fms:
            latestFMS = value
            if value > plan.safety.fmsStop, state.isRunning { newFMSOverStop = value }
        case .expectancyBefore: if state.isRunning { progress.expectancyBefore = value }
        case .expectancyAfter: if state.isRunning { progress.expectancyAfter = value }
        case .heartRateBaseline: heartRateBaseline = value
        case .heartRate: break
        }
    }

    func heartRateSample(_ bpm: Double, at t: Double) {
        guard bpm.isFinite, (25...250).contains(bpm) else {
            emit(t, .system, .rejected("heart_rate"), "heart-rate sample \(bpm) is not a plausible bpm (25...250); ignored")
            return
        }
        heartRate = bpm
        if heartRateBaseline == nil, isLive {
            if baselineSamples.first == nil { baselineSamples.first = t }
            baselineSamples.sum += bpm
            baselineSamples.count += 1
        }
    }

    func link(_ connected: Bool, at t: Double) {
        if connected {
            guard linkLostSince != nil else { return }
            linkLostSince = nil
            emit(t, .system, .linkChanged(connected: true), "the therapist's console is connected again")
        } else {
            guard linkLostSince == nil else { return }
            linkLostSince = t
            emit(t, .system, .linkChanged(connected: false),
                 "the therapist's console is unreachable; no moving up, safe room after \(FieldReader.format(plan.safety.linkLossTimeout)) s")
        }
    }

    func frameRate(_ healthy: Bool, at t: Double) {
        if healthy {
            guard poorFrameRateSince != nil else { return }
            poorFrameRateSince = nil
            emit(t, .system, .frameRateChanged(healthy: true), "the frame rate has recovered")
        } else {
            guard poorFrameRateSince == nil else { return }
            poorFrameRateSince = t
            emit(t, .system, .frameRateChanged(healthy: false), "the frame rate is too low; no moving up")
        }
    }

    // MARK: patient

    func patient(_ action: PatientAction, at t: Double) {
        switch (action, state) {
        case (.optOut, .running(let s)), (.optOut, .paused(let s, _)):
            state = .safeRoom(step: s, cause: .optOut)
            consentAfterOptOut = false
            emit(t, .patient, .safeRoomEntered, "the patient asked to stop")
        case (.optOut, .safeRoom(let s, let cause)):
            if cause != .optOut { state = .safeRoom(step: s, cause: .optOut) }
            consentAfterOptOut = false
            emit(t, .patient, .rejected("opt_out"), "already in the safe room; the patient's consent is needed to resume")
        case (.pause, .running(let s)):
            state = .paused(step: s, by: .patient)
            emit(t, .patient, .paused, "the patient asked for a pause")
        case (.resume, .paused(let s, .patient)):
            if let why = resumeBlocked() { return emit(t, .patient, .rejected("resume"), why) }
            resume(step: s, by: .patient, at: t, why: "the patient is ready to carry on")
        case (.resume, .safeRoom(let s, .optOut)), (.consentToResume, .safeRoom(let s, .optOut)):
            consentAfterOptOut = true
            emit(t, .patient, .consentGiven, "the patient agrees to carry on")
            guard action == .resume else { return }
            if let why = resumeBlocked() { return emit(t, .patient, .rejected("resume"), why) }
            resumeAfterOptOut(step: s, by: .patient, at: t)
        default:
            emit(t, .patient, .rejected(action.rawValue), "cannot \(action.rawValue.replacingOccurrences(of: "_", with: " ")) while \(state)")
        }
    }

    // MARK: therapist

    /// Commands that can only make the session calmer; a flood never crowds them out.
    func isProtective(_ command: TherapistCommand) -> Bool {
        switch command {
        case .pause, .end, .previousStep: return true
        case .setIntensity(let v, _): return v.isFinite && v <= intensity
        default: return false
        }
    }

    func therapist(_ command: TherapistCommand, at t: Double) {
        if t - commandWindow.start >= 1 { commandWindow = (t, 0, 0) }
        if !isProtective(command) { commandWindow.count += 1 }
        if commandWindow.count > ExposureEngine.commandsPerSecond && !isProtective(command) {
            commandWindow.dropped += 1
            if commandWindow.dropped == 1 {
                emit(t, .therapist, .rejected(command.name),
                     "more than \(ExposureEngine.commandsPerSecond) commands in one second; the rest of this second's commands are dropped")
            }
            return
        }
        let refuse = { (why: String) in self.emit(t, .therapist, .rejected(command.name), why) }
        guard isLive else { return refuse("no session is running (\(state))") }
        switch command {
        case .setIntensity(let value, let confirm):
            guard value.isFinite else { return refuse("intensity \(value) is not a number") }
            let lo = plan.session.minIntensity, hi = plan.session.maxIntensity
            guard (lo...hi).contains(value) else {
                return refuse("intensity \(FieldReader.format(value)) is outside this protocol's bounds \(FieldReader.format(lo))...\(FieldReader.format(hi))")
            }
            if value > intensity {
                if let why = escalationBlocked(rise: value - intensity, confirm: confirm, at: t) { return refuse(why) }
                therapistRises.append((t, value - intensity))
            }
            setIntensity(value, by: .therapist, at: t, why: "set by the therapist")
        case .setParameter(let name, let value):
            guard state.isRunning else { return refuse("change parameters after resuming; the session is \(state)") }
            if let specs = parameterSpecs {
                guard let spec = specs[name] else { return refuse("`\(name)` is not a parameter of \(plan.environment)") }
                if let problem = spec.problem(with: value) { return refuse("\(name): \(problem)") }
            }
            if case .number(let v) = value, !v.isFinite { return refuse("\(name) value is not a number") }
            emit(t, .therapist, .parameterChanged(name: name, from: overrides[name], to: value), "set by the therapist")
            overrides[name] = value
        case .nextStep(let confirm):
            guard let s = state.step else { return }
            guard s + 1 < plan.steps.count else { return refuse("already at the last step; end the session instead") }
            let rise = (plan.steps[s + 1].intensity ?? intensity) - intensity
            if let why = escalationBlocked(rise: max(0, rise), confirm: confirm, at: t) { return refuse(why) }
            if rise > 0 { therapistRises.append((t, rise)) }
            enterStep(s + 1, by: .therapist, at: t, why: "the therapist moved on")
        case .previousStep:
            guard let s = state.step else { return }
            guard s > 0 else { return refuse("already at the first step") }
            guard case .running = state else { return refuse("resume first; the session is \(state)") }
            enterStep(s - 1, by: .therapist, at: t, why: "the therapist stepped back")
        case .fireEvent(let name):
            guard state.isRunning else { return refuse("events are not fired while \(state)") }
            guard ProtocolParser.isIdentifier(name) else { return refuse("event name `\(name.prefix(40))` is not a valid name") }
            emit(t, .therapist, .environmentEvent(name), "fired by the therapist")
        case .pause:
            guard case .running(let s) = state else { return refuse("cannot pause while \(state)") }
            state = .paused(step: s, by: .therapist)
            emit(t, .therapist, .paused, "paused by the therapist")
        case .resume:
            switch state {
            case .paused(let s, _):
                if let why = resumeBlocked() { return refuse(why) }
                resume(step: s, by: .therapist, at: t, why: "the therapist resumed")
            case .safeRoom(let s, .optOut):
                guard consentAfterOptOut else { return refuse("the patient opted out; the patient must consent before resuming") }
                if let why = resumeBlocked() { return refuse(why) }
                resumeAfterOptOut(step: s, by: .therapist, at: t)
            case .safeRoom(let s, .linkLost):
                guard linkLostSince == nil else { return refuse("the console link is still down") }
                if let why = resumeBlocked() { return refuse(why) }
                resume(step: s, by: .therapist, at: t, why: "the therapist is back and resumed")
            default:
                refuse("nothing to resume while \(state)")
            }
        case .end:
            end(.therapist, by: .therapist, at: t, why: "ended by the therapist")
        }
    }

    /// Why a rise is refused, or nil. Rises add up over the escalation window, so a flood of small
    /// steps cannot do what one large step may not. Moving up is never allowed outside `running`.
    func escalationBlocked(rise: Double, confirm: Bool, at t: Double) -> String? {
        guard rise > 0 else { return nil }
        guard state.isRunning else { return "cannot raise intensity while \(state)" }
        therapistRises.removeAll { t - $0.time >= plan.safety.escalationWindow }
        let recent = therapistRises.reduce(0) { $0 + $1.amount }
        let limit = plan.safety.maxIntensityChange
        if !confirm && recent + rise > limit {
            return "a rise of \(FieldReader.format(rise))\(recent > 0 ? " after \(FieldReader.format(recent)) in the last \(FieldReader.format(plan.safety.escalationWindow)) s" : "") is more than the protocol's limit of \(FieldReader.format(limit)); send it again with confirm"
        }
        return nil
    }

    /// Cybersickness signals that make any resume wait, whoever paused.
    func resumeBlocked() -> String? {
        if let fms = latestFMS, fms > plan.safety.fmsStop {
            return "the last FMS rating \(FieldReader.format(fms)) is over \(FieldReader.format(plan.safety.fmsStop)); ask for FMS again before resuming"
        }
        if poorFrameRateSince != nil { return "the frame rate is still too low to resume safely" }
        return nil
    }

    func resume(step: Int, by actor: Actor, at t: Double, why: String) {
        state = .running(step: step)
        emit(t, actor, .resumed, why)
        nextSUDSPrompt = t
    }

    /// After an opt-out the session comes back one step lower: the patient left at the old level.
    func resumeAfterOptOut(step: Int, by actor: Actor, at t: Double) {
        state = .running(step: step)
        emit(t, actor, .resumed, "resumed after the patient's opt-out, with consent")
        consentAfterOptOut = false
        stepDown(by: .safety, at: t, why: "coming back after an opt-out")
    }
}
