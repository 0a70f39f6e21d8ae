// A scripted patient for `exposure simulate`: how SUDS, FMS and heart rate move, when the patient
// opts out or consents, what the therapist does, when the console link or the frame rate fails.
import Foundation

public struct PatientScript: Equatable, Sendable {
    public enum Trace: Equatable, Sendable {
        /// Straight lines between (seconds, value) points; flat before the first and after the last.
        case points([TracePoint])
        /// Jumps to `atStepStart + risePerStep * step` on every step change, then falls by
        /// `habituationPercentPerMinute` percent a minute towards `floor`.
        case habituation(atStepStart: Double, risePerStep: Double, habituationPercentPerMinute: Double, floor: Double)
    }

    public struct Action: Equatable, Sendable {
        public var at: Double
        public var input: EngineInput
        public init(at: Double, input: EngineInput) { self.at = at; self.input = input }
    }

    public struct Window: Equatable, Sendable {
        public var from: Double
        public var to: Double
        public init(from: Double, to: Double) { self.from = from; self.to = to }
        public func contains(_ t: Double) -> Bool { t >= from && t < to }
    }

    public var tick: Double = 1
    /// Seconds to simulate; nil = the protocol's session limit plus a minute.
    public var duration: Double?
    public var heartRateBaseline: Double?
    public var suds: Trace?
    public var fms: Trace?
    public var heartRate: Trace?
    public var expectancyBefore: Double?
    public var expectancyAfter: Double?
    public var actions: [Action] = []
    public var linkLoss: [Window] = []
    public var poorFrameRate: [Window] = []
    public init() {}
}

public struct TracePoint: Equatable, Sendable {
    public var at: Double
    public var value: Double
    public init(at: Double, value: Double) { self.at = at; self.value = value }
}

extension PatientScript.Trace {
    /// The value at session time `t`, given the current step and when it started.
    public func value(at t: Double, step: Int, stepStart: Double) -> Double? {
        switch self {
        case .points(let p):
            guard let first = p.first, let last = p.last else { return nil }
            if t <= first.at { return first.value }
            if t >= last.at { return last.value }
            for i in 1..<p.count where t <= p[i].at {
                let a = p[i - 1], b = p[i]
                return b.at > a.at ? a.value + (b.value - a.value) * (t - a.at) / (b.at - a.at) : b.value
            }
            return last.value
        case .habituation(let start, let rise, let percent, let floor):
            let peak = min(100, start + rise * Double(step))
            let minutes = max(0, t - stepStart) / 60
            return floor + (peak - floor) * pow(1 - percent / 100, minutes)
        }
    }
}
