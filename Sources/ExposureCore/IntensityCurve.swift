// How intensity 0-100 maps to a parameter's physical value, as an environment definition writes it.
// It lives in ExposureCore because the safety rules measure escalation through these curves
// (StimulusModel); Environments uses the same curves to build the world.

/// One point of a piecewise-linear intensity curve: at `intensity`, the parameter is `value`.
public struct CurvePoint: Equatable, Sendable {
    public var intensity: Double
    public var value: Double
    public init(intensity: Double, value: Double) { self.intensity = intensity; self.value = value }
}

/// From `intensity` upwards (until the next step) the choice is `option`.
public struct ChoiceStep: Equatable, Sendable {
    public var intensity: Double
    public var option: String
    public init(intensity: Double, option: String) { self.intensity = intensity; self.option = option }
}

/// How intensity 0-100 maps to a parameter value.
public enum IntensityCurve: Equatable, Sendable {
    /// Piecewise linear between points sorted by intensity; flat before the first and after the last.
    case linear([CurvePoint])
    /// Thresholds: the option of the highest step at or below the intensity (the first below it).
    case steps([ChoiceStep])

    public func value(at intensity: Double) -> ParameterValue? {
        let x = intensity.isFinite ? min(100, max(0, intensity)) : 0
        switch self {
        case .linear(let points):
            guard let first = points.first, let last = points.last else { return nil }
            if x <= first.intensity { return .number(first.value) }
            if x >= last.intensity { return .number(last.value) }
            for i in 1..<points.count where x <= points[i].intensity {
                let a = points[i - 1], b = points[i]
                let t = (x - a.intensity) / (b.intensity - a.intensity)
                return .number(a.value + (b.value - a.value) * t)
            }
            return .number(last.value)
        case .steps(let steps):
            guard var chosen = steps.first?.option else { return nil }
            for step in steps where step.intensity <= x { chosen = step.option }
            return .choice(chosen)
        }
    }
}
