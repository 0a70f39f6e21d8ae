// When a step is done. Rules are small and composable (`all`, `any`) so a protocol can follow
// habituation (SUDS drop or threshold), a fixed schedule, the therapist's judgement, or
// inhibitory learning (expectancy violation), alone or together.

public indirect enum ProgressionRule: Equatable, Sendable, CustomStringConvertible {
    /// SUDS has fallen by at least this many percent from the step's peak.
    case sudsDropPercent(Double)
    /// The latest SUDS rating in this step is at or below this value.
    case sudsAtOrBelow(Double)
    /// The step has run this many seconds.
    case fixedDuration(Double)
    /// Only the therapist moves on (next step command).
    case therapistDecision
    /// Expectancy of the feared outcome (0-100) rated before the trial fell by at least this many
    /// points in the rating after it: the expectation was violated.
    case expectancyViolation(minDrop: Double)
    case all([ProgressionRule])
    case any([ProgressionRule])

    public var description: String {
        switch self {
        case .sudsDropPercent(let p): return "SUDS fell \(FieldReader.format(p))% from the step's peak"
        case .sudsAtOrBelow(let v): return "SUDS at or below \(FieldReader.format(v))"
        case .fixedDuration(let s): return "\(FieldReader.format(s)) s in the step"
        case .therapistDecision: return "therapist decision"
        case .expectancyViolation(let d): return "expectancy fell by \(FieldReader.format(d)) points after the trial"
        case .all(let rules): return rules.map(\.description).joined(separator: " and ")
        case .any(let rules): return rules.map(\.description).joined(separator: " or ")
        }
    }

    /// True when the rule needs an expectancy rating before and after the trial.
    public var usesExpectancy: Bool {
        switch self {
        case .expectancyViolation: return true
        case .all(let r), .any(let r): return r.contains { $0.usesExpectancy }
        default: return false
        }
    }

    /// Whether the step may move on, and in plain words why. `therapistDecision` is never met by
    /// the clock; the therapist's next-step command moves on directly.
    public func isMet(by p: StepProgress) -> (met: Bool, why: String) {
        switch self {
        case .sudsDropPercent(let percent):
            guard let peak = p.sudsPeak, let last = p.sudsLatest, p.sudsCount >= 2, peak > 0 else {
                return (false, "waiting for SUDS ratings")
            }
            let drop = (peak - last) / peak * 100
            return (drop >= percent, "SUDS fell from peak \(FieldReader.format(peak)) to \(FieldReader.format(last)) (\(FieldReader.format(drop.rounded()))%)")
        case .sudsAtOrBelow(let value):
            guard let last = p.sudsLatest else { return (false, "waiting for a SUDS rating") }
            return (last <= value, "SUDS \(FieldReader.format(last)) (rule: at or below \(FieldReader.format(value)))")
        case .fixedDuration(let seconds):
            return (p.elapsed >= seconds, "\(FieldReader.format(seconds)) s in the step")
        case .therapistDecision:
            return (false, "waiting for the therapist")
        case .expectancyViolation(let minDrop):
            guard let before = p.expectancyBefore, let after = p.expectancyAfter else {
                return (false, "waiting for expectancy ratings")
            }
            return (before - after >= minDrop,
                    "expectancy \(FieldReader.format(before)) before, \(FieldReader.format(after)) after the trial")
        case .all(let rules):
            let results = rules.map { $0.isMet(by: p) }
            return (!rules.isEmpty && results.allSatisfy(\.met), results.map(\.why).joined(separator: "; "))
        case .any(let rules):
            let results = rules.map { $0.isMet(by: p) }
            if let hit = results.first(where: \.met) { return (true, hit.why) }
            return (false, results.map(\.why).joined(separator: "; "))
        }
    }
}

/// What has happened in the current step, as the rules see it.
public struct StepProgress: Equatable, Hashable, Sendable {
    /// Seconds the step has been running (time paused or in the safe room does not count).
    public var elapsed: Double = 0
    public var sudsPeak: Double?
    public var sudsLatest: Double?
    public var sudsCount = 0
    public var expectancyBefore: Double?
    public var expectancyAfter: Double?
    public init() {}

    public mutating func recordSUDS(_ value: Double) {
        sudsLatest = value
        sudsPeak = max(sudsPeak ?? value, value)
        sudsCount += 1
    }
}
