// How each input changes the session. Every change is first described to the safety gate
// (SafetyGate.swift) and happens only with its admission; anything refused becomes a `rejected`
// event naming the rule, and `handle` returns the decision so the console can tell the therapist.

extension ExposureEngine {
    /// Applies one input and says what became of it.
    @discardableResult
    public func handle(_ input: EngineInput, at time: Double) -> Decision {
        let t = accept(time, what: "input")
        let before = pending.count
        var refusal: Refusal?
        switch input {
        case .start: refusal = start(at: t)
        case .suds(let v): refusal = rate(.suds, v, in: 0...100, at: t)
        case .fms(let v): refusal = rate(.fms, v, in: 0...20, at: t)
        case .expectancy(let v, let moment): refusal = rate(moment == .before ? .expectancyBefore : .expectancyAfter, v, in: 0...100, at: t)
        case .heartRate(let bpm): refusal = heartRateSample(bpm, at: t)
        case .heartRateBaseline(let bpm): refusal = rate(.heartRateBaseline, bpm, in: 30...200, at: t)
        case .therapist(let command): refusal = therapist(command, at: t)
        case .patient(let action): refusal = patient(action, at: t)
        case .therapistLink(let connected): link(connected, at: t)
        case .frameRate(let healthy): frameRate(healthy, at: t)
        case .abort(let why):
            if isLive { end(.aborted, by: .system, at: t, why: why) } else { refusal = Refusal(.sessionNotLive, "no session is running (\(state))") }
        }
        if let refusal { return .rejected(refusal.rule, why: refusal.why) }
        let changes = pending[before...].compactMap { e -> String? in
            if case .rejected = e.kind { return nil }
            return ExposureEngine.words(e.kind)
        }
        return .applied(changes: changes)
    }

    /// A change in a few words, for the therapist's confirmation.
    static func words(_ kind: EngineEvent.Kind) -> String {
        switch kind {
        case .sessionStarted: return "session started"
        case .stepChanged(let from, let to): return "step \(from.map { "\($0 + 1)" } ?? "-") -> \(to + 1)"
        case .intensityChanged(let from, let to): return "level \(FieldReader.format(from)) -> \(FieldReader.format(to))"
        case .parameterChanged(let name, let from, let to): return "\(name) \(from?.description ?? "curve") -> \(to?.description ?? "curve")"
        case .environmentEvent(let name): return "event \(name)"
        case .paused: return "paused"
        case .resumed: return "resumed"
        case .safeRoomEntered: return "safe room"
        case .consentGiven: return "consent recorded"
        case .ended(let r): return "ended: \(r.rawValue)"
        case .ratingRecorded(let k, let v): return "\(k.rawValue) \(FieldReader.format(v))"
        case .rejected(let what, _): return "rejected \(what)"
        case .escalationHeld: return "moving up held"
        case .linkChanged(let c): return c ? "console connected" : "console lost"
        case .frameRateChanged(let h): return h ? "frame rate recovered" : "frame rate poor"
        case .clockJump(let s): return "clock jump \(FieldReader.format(s)) s"
        }
    }

    /// Records a refusal as an event (with its rule) and hands it back.
    func refuse(_ t: Double, _ actor: Actor, _ what: String, _ refusal: Refusal) -> Refusal {
        emit(t, actor, .rejected(what, rule: refusal.rule), refusal.why)
        return refusal
    }

    func start(at t: Double) -> Refusal? {
        guard case .notStarted = state else {
            return refuse(t, .system, "start", Refusal(.notApplicable, "the session has already started"))
        }
        guard !plan.steps.isEmpty else {
            return refuse(t, .system, "start", Refusal(.invalid, "protocol `\(plan.id)` has no steps"))
        }
        memory.sessionStart = t
        memory.lastTick = t
        emit(t, .system, .sessionStarted, "protocol `\(plan.id)` version \(plan.version), \(plan.steps.count) steps")
        guard case .success(let pass) = admit(ProposedChange(actor: .protocolRule, kind: .start)) else { return nil }
        enterStep(0, by: .protocolRule, at: t, why: "session started", pass)
        return nil
    }

    func rate(_ kind: RatingKind, _ value: Double, in range: ClosedRange<Double>, at t: Double) -> Refusal? {
        guard value.isFinite, range.contains(value) else {
            return refuse(t, .system, kind.rawValue, Refusal(.invalid,
                "\(kind.rawValue) rating \(value) is not a number in \(FieldReader.format(range.lowerBound))...\(FieldReader.format(range.upperBound)); not recorded"))
        }
        guard isLive || (kind == .heartRateBaseline && state == .notStarted) else {
            return refuse(t, .system, kind.rawValue, Refusal(.sessionNotLive, "no session is running; \(kind.rawValue) rating not recorded"))
        }
        let actor: Actor = kind == .heartRateBaseline ? .system : .patient
        emit(t, actor, .ratingRecorded(kind, value), kind == .heartRateBaseline ? "resting heart rate given at the start" : "rated by the patient")
        switch kind {
        case .suds:
            guard state.isRunning else { return nil }
            memory.progress.recordSUDS(value)
            if value >= plan.safety.sudsCeiling { memory.newSUDSAtCeiling = value }
        case .fms:
            memory.latestFMS = value
            if value > plan.safety.fmsStop, state.isRunning { memory.newFMSOverStop = value }
        case .expectancyBefore: if state.isRunning { memory.progress.expectancyBefore = value }
        case .expectancyAfter: if state.isRunning { memory.progress.expectancyAfter = value }
        case .heartRateBaseline: memory.heartRateBaseline = value
        case .heartRate: break
        }
        return nil
    }

    func heartRateSample(_ bpm: Double, at t: Double) -> Refusal? {
        guard bpm.isFinite, (25...250).contains(bpm) else {
            return refuse(t, .system, "heart_rate", Refusal(.invalid, "heart-rate sample \(bpm) is not a plausible bpm (25...250); ignored"))
        }
        guard !state.isEnded else { return nil }
        memory.heartRate = bpm
        if memory.heartRateBaseline == nil, isLive {
            if memory.baseline.first == nil { memory.baseline.first = t }
            memory.baseline.sum += bpm
            memory.baseline.count += 1
        }
        return nil
    }

    /// Link and frame-rate signals are current values; after the end nothing more happens.
    func link(_ connected: Bool, at t: Double) {
        guard !state.isEnded else { return }
        if connected {
            guard memory.linkLostSince != nil else { return }
            memory.linkLostSince = nil
            emit(t, .system, .linkChanged(connected: true), "the therapist's console is connected again")
        } else {
            guard memory.linkLostSince == nil else { return }
            memory.linkLostSince = t
            emit(t, .system, .linkChanged(connected: false),
                 "the therapist's console is unreachable; no moving up, safe room after \(FieldReader.format(plan.safety.linkLossTimeout)) s")
        }
    }

    func frameRate(_ healthy: Bool, at t: Double) {
        guard !state.isEnded else { return }
        if healthy {
            guard memory.poorFrameRateSince != nil else { return }
            memory.poorFrameRateSince = nil
            emit(t, .system, .frameRateChanged(healthy: true), "the frame rate has recovered")
        } else {
            guard memory.poorFrameRateSince == nil else { return }
            memory.poorFrameRateSince = t
            emit(t, .system, .frameRateChanged(healthy: false), "the frame rate is too low; no moving up")
        }
    }

    // MARK: patient

    func patient(_ action: PatientAction, at t: Double) -> Refusal? {
        let what = action.rawValue
        let cannot = Refusal(.notApplicable, "cannot \(what.replacingOccurrences(of: "_", with: " ")) while \(state)")
        guard isLive else { return refuse(t, .patient, what, Refusal(.sessionNotLive, "no session is running (\(state))")) }
        switch (action, state) {
        case (.optOut, .running(let s)), (.optOut, .paused(let s, _)), (.optOut, .safeRoom(let s, .linkLost)):
            guard case .success = admit(ProposedChange(actor: .patient, kind: .calmer)) else { return nil }
            memory.state = .safeRoom(step: s, cause: .optOut)
            memory.consentAfterOptOut = false
            memory.optOutFrom = s
            memory.returnCeiling = nil
            emit(t, .patient, .safeRoomEntered, "the patient asked to stop")
            return nil
        case (.optOut, .safeRoom(_, .optOut)):
            memory.consentAfterOptOut = false
            return refuse(t, .patient, what, Refusal(.notApplicable, "already in the safe room; the patient's consent is needed to resume"))
        case (.pause, .running(let s)):
            guard case .success = admit(ProposedChange(actor: .patient, kind: .calmer)) else { return nil }
            memory.state = .paused(step: s, by: .patient)
            emit(t, .patient, .paused, "the patient asked for a pause")
            return nil
        case (.resume, .paused(_, .patient)):
            return resume(by: .patient, at: t, why: "the patient is ready to carry on")
        case (.resume, .safeRoom(_, .optOut)), (.consentToResume, .safeRoom(_, .optOut)):
            recordConsent(by: .patient, at: t, why: "the patient agrees to carry on")
            guard action == .resume else { return nil }
            return resume(by: .patient, at: t, why: "resumed after the patient's opt-out, with consent")
        default:
            return refuse(t, .patient, what, cannot)
        }
    }

    func recordConsent(by actor: Actor, at t: Double, why: String) {
        memory.consentAfterOptOut = true
        emit(t, actor, .consentGiven, why)
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

    func therapist(_ command: TherapistCommand, at t: Double) -> Refusal? {
        let what = command.name
        let reject = { (rule: SafetyRule, why: String) -> Refusal? in self.refuse(t, .therapist, what, Refusal(rule, why)) }
        guard isLive else { return reject(.sessionNotLive, "no session is running (\(state))") }
        if t - memory.commandWindow.start >= 1 { memory.commandWindow = CommandWindow(start: t) }
        if !isProtective(command) { memory.commandWindow.count += 1 }
        if memory.commandWindow.count > ExposureEngine.commandsPerSecond && !isProtective(command) {
            memory.commandWindow.dropped += 1
            let why = "more than \(ExposureEngine.commandsPerSecond) commands in one second; the rest of this second's commands are dropped"
            if memory.commandWindow.dropped == 1 { return reject(.flood, why) }
            return Refusal(.flood, why)
        }
        switch command {
        case .setIntensity(let value, let confirm):
            guard value.isFinite else { return reject(.invalid, "intensity \(value) is not a number") }
            let lo = plan.session.minIntensity, hi = plan.session.maxIntensity
            guard (lo...hi).contains(value) else {
                return reject(.invalid, "intensity \(FieldReader.format(value)) is outside this protocol's bounds \(FieldReader.format(lo))...\(FieldReader.format(hi))")
            }
            let world = model.resolve(level: value, step: state.step, therapist: memory.therapistPins)
            let change = proposal(level: value, world: world, by: .therapist, confirm: confirm)
            return changeStimulus(change, at: t, what: what) { pass in
                if !state.isRunning { memory.returnCeiling = min(memory.returnCeiling ?? value, value) }
                setIntensity(value, by: .therapist, at: t, why: "set by the therapist", pass)
            }
        case .setParameter(let name, let value, let confirm):
            if let specs = parameterSpecs {
                guard let spec = specs[name] else { return reject(.invalid, "`\(name.prefix(40))` is not a parameter of \(plan.environment)") }
                if let problem = spec.problem(with: value) { return reject(.invalid, "\(name): \(problem)") }
            }
            if case .number(let v) = value, !v.isFinite { return reject(.invalid, "\(name.prefix(40)) value is not a number") }
            var pins = memory.therapistPins
            pins[name] = value
            let world = model.resolve(level: intensity, step: state.step, therapist: pins)
            var change = proposal(level: intensity, world: world, by: .therapist, confirm: confirm)
            let old = parameters[name]
            change.unmeasured = old != value && (old.flatMap { stimulus.level(of: name, $0) } == nil || stimulus.level(of: name, value) == nil)
            return changeStimulus(change, at: t, what: what) { pass in
                setParameter(name, value, by: .therapist, at: t, why: "set by the therapist", pass)
            }
        case .releaseParameter(let name, let confirm):
            guard memory.therapistPins[name] != nil else {
                return reject(.notApplicable, "`\(name.prefix(40))` is not held by the therapist; it already follows the level or the step")
            }
            var pins = memory.therapistPins
            pins[name] = nil
            let world = model.resolve(level: intensity, step: state.step, therapist: pins)
            let change = proposal(level: intensity, world: world, by: .therapist, confirm: confirm)
            return changeStimulus(change, at: t, what: what) { pass in
                releaseParameter(name, by: .therapist, at: t, why: "released by the therapist: follows the level again", pass)
            }
        case .nextStep(let confirm):
            guard let s = state.step else { return nil }
            guard s + 1 < plan.steps.count else { return reject(.notApplicable, "already at the last step; end the session instead") }
            return goToStep(s + 1, confirm: confirm, at: t, what: what, why: "the therapist moved on")
        case .previousStep:
            guard let s = state.step else { return nil }
            guard s > 0 else { return reject(.notApplicable, "already at the first step") }
            return goToStep(s - 1, confirm: false, at: t, what: what, why: "the therapist stepped back")
        case .goToStep(let index, let confirm):
            guard plan.steps.indices.contains(index) else { return reject(.invalid, "this protocol has steps 1...\(plan.steps.count)") }
            guard index != state.step else { return reject(.notApplicable, "already at step \(index + 1)") }
            return goToStep(index, confirm: confirm, at: t, what: what, why: "the therapist chose step \(index + 1)")
        case .fireEvent(let name):
            guard ProtocolParser.isIdentifier(name) else { return reject(.invalid, "event name `\(name.prefix(40))` is not a valid name") }
            if let known = eventNames, !known.contains(name) {
                return reject(.invalid, "\(plan.environment) has no event `\(name)`"
                              + (known.isEmpty ? "; it has no events" : "; its events: \(known.joined(separator: ", "))"))
            }
            var change = ProposedChange(actor: .therapist, kind: .stimulus)
            change.firesEvent = true
            return changeStimulus(change, at: t, what: what) { pass in
                fireEvent(name, by: .therapist, at: t, why: "fired by the therapist", pass)
            }
        case .pause:
            guard case .running(let s) = state else { return reject(.notApplicable, "cannot pause while \(state)") }
            guard case .success = admit(ProposedChange(actor: .therapist, kind: .calmer)) else { return nil }
            memory.state = .paused(step: s, by: .therapist)
            emit(t, .therapist, .paused, "paused by the therapist")
            return nil
        case .resume:
            switch state {
            case .paused, .safeRoom: return resume(by: .therapist, at: t, why: "the therapist resumed")
            default: return reject(.notApplicable, "nothing to resume while \(state)")
            }
        case .recordVerbalConsent:
            guard case .safeRoom(_, .optOut) = state else { return reject(.notApplicable, "the patient has not opted out; no consent to record") }
            recordConsent(by: .therapist, at: t, why: "the patient said they are ready to go on (recorded by the therapist)")
            return nil
        case .end:
            end(.therapist, by: .therapist, at: t, why: "ended by the therapist")
            return nil
        }
    }

    /// A step change by the therapist: judged on the stimulus of the step it leads to.
    func goToStep(_ index: Int, confirm: Bool, at t: Double, what: String, why: String) -> Refusal? {
        let change = stepChange(to: index, by: .therapist, confirm: confirm)
        return changeStimulus(change, at: t, what: what) { pass in
            enterStep(index, by: .therapist, at: t, why: why, pass)
            if !state.isRunning { memory.returnCeiling = min(memory.returnCeiling ?? intensity, intensity) }
        }
    }

    /// Asks the gate; on admission counts a therapist rise against the window and applies.
    func changeStimulus(_ change: ProposedChange, at t: Double, what: String, apply: (Admission) -> Void) -> Refusal? {
        switch admit(change) {
        case .failure(let refusal): return refuse(t, change.actor, what, refusal)
        case .success(let pass):
            if change.actor == .therapist, change.rise > 0 {
                memory.therapistRises.removeAll { t - $0.time >= plan.safety.escalationWindow }
                memory.therapistRises.append(TimedRise(time: t, amount: change.rise))
            }
            apply(pass)
            return nil
        }
    }

    /// Back into exposure. After an opt-out the patient returns at least one step lower than
    /// where they left, and not above a lower level the therapist chose meanwhile.
    func resume(by actor: Actor, at t: Double, why: String) -> Refusal? {
        let fromOptOut: Bool
        if case .safeRoom(_, .optOut) = state { fromOptOut = true } else { fromOptOut = false }
        switch admit(ProposedChange(actor: actor, kind: .resume)) {
        case .failure(let refusal): return refuse(t, actor, actor == .patient ? "resume" : TherapistCommand.resume.name, refusal)
        case .success(let pass):
            resume(by: actor, at: t, why: why, pass)
            guard fromOptOut else { return nil }
            memory.consentAfterOptOut = false
            if let left = memory.optOutFrom, let now = state.step, now >= left {
                stepDown(by: .safety, at: t, why: "coming back after an opt-out", pass)
            }
            if let ceiling = memory.returnCeiling, intensity > ceiling {
                setIntensity(ceiling, by: .safety, at: t, why: "coming back at the level the therapist set while the patient was away", pass)
            }
            memory.optOutFrom = nil
            memory.returnCeiling = nil
            return nil
        }
    }
}
