// The safety rules, evaluated every tick. The engine applies their decision after everything else
// so safety overrides protocol rules and therapist commands given in the same tick.

public struct SafetySignals: Equatable, Sendable {
    public var now: Double
    public var sessionStart: Double
    public var state: EngineState
    /// A SUDS rating received since the last tick that is at or above the ceiling.
    public var newSUDSAtCeiling: Double?
    /// An FMS rating received since the last tick that is over the stop threshold.
    public var newFMSOverStop: Double?
    public var heartRate: Double?
    public var heartRateBaseline: Double?
    public var lastHeartRateStepDown: Double?
    public var linkLostSince: Double?
    public var poorFrameRateSince: Double?
    public init(now: Double, sessionStart: Double, state: EngineState) {
        self.now = now; self.sessionStart = sessionStart; self.state = state
    }
}

public enum SafetyAction: Equatable, Sendable {
    case end(EndReason, reason: String)
    case safeRoom(SafeRoomCause, reason: String)
    case pause(reason: String)
    case stepDown(StepDownCause, reason: String)
    /// No moving up this tick.
    case holdEscalation(reason: String)
}

public enum StepDownCause: String, Equatable, Sendable { case suds, heartRate = "heart_rate" }

public struct SafetySupervisor: Sendable {
    public var limits: SafetyLimits
    public var sessionLimit: Double
    public init(limits: SafetyLimits, sessionLimit: Double) { self.limits = limits; self.sessionLimit = sessionLimit }

    /// The most protective action that applies, first; a hold on escalation may come with it.
    public func evaluate(_ s: SafetySignals) -> [SafetyAction] {
        var actions: [SafetyAction] = []
        let active: Bool
        switch s.state {
        case .running, .paused, .safeRoom: active = true
        default: active = false
        }
        guard active else { return [] }
        if s.now - s.sessionStart >= sessionLimit {
            return [.end(.timeLimit, reason: "the session time limit of \(FieldReader.format(sessionLimit / 60)) min was reached")]
        }
        if let since = s.linkLostSince {
            let gone = s.now - since
            if gone >= limits.linkLossTimeout {
                if case .safeRoom = s.state {} else {
                    actions.append(.safeRoom(.linkLost, reason: "the therapist's console has been unreachable for \(FieldReader.format(gone.rounded())) s (limit \(FieldReader.format(limits.linkLossTimeout)) s)"))
                }
            }
            actions.append(.holdEscalation(reason: "the therapist's console is unreachable"))
        }
        guard s.state.isRunning else { return actions }
        if actions.contains(where: { if case .safeRoom = $0 { return true }; return false }) { return actions }
        if let fms = s.newFMSOverStop {
            actions.insert(.pause(reason: "FMS \(FieldReader.format(fms)) is over the stop threshold \(FieldReader.format(limits.fmsStop))"), at: 0)
            return actions
        }
        if let since = s.poorFrameRateSince, s.now - since >= limits.poorFrameRatePause {
            actions.insert(.pause(reason: "the frame rate has been too low for \(FieldReader.format((s.now - since).rounded())) s, which risks cybersickness"), at: 0)
            return actions
        }
        if let suds = s.newSUDSAtCeiling {
            actions.insert(.stepDown(.suds, reason: "SUDS \(FieldReader.format(suds)) is at or above the ceiling \(FieldReader.format(limits.sudsCeiling))"), at: 0)
        } else if let hr = s.heartRate, let base = s.heartRateBaseline, base > 0 {
            let over = (hr - base) / base * 100
            let cooled = s.lastHeartRateStepDown.map { s.now - $0 >= limits.heartRateCooldown } ?? true
            if over > limits.heartRateOverBaselinePercent {
                if cooled {
                    actions.insert(.stepDown(.heartRate, reason: "heart rate \(FieldReader.format(hr.rounded())) bpm is \(FieldReader.format(over.rounded()))% over the baseline \(FieldReader.format(base.rounded())) bpm (limit \(FieldReader.format(limits.heartRateOverBaselinePercent))%)"), at: 0)
                } else {
                    actions.append(.holdEscalation(reason: "the heart rate is still \(FieldReader.format(over.rounded()))% over the baseline"))
                }
            }
        }
        if s.poorFrameRateSince != nil {
            actions.append(.holdEscalation(reason: "the frame rate is too low"))
        }
        return actions
    }
}
