// How intense a world is, measured through the environment's own curves, so the safety rules judge
// what the patient would meet and not only the level number: a step that keeps the level but goes
// from 6 m to 150 m, or a crowd packed from 0.05 to 1.8 people/m², is a large rise.
//
// Each parameter's value is read back through its curve as the lowest intensity at which the curve
// reaches it (its "equivalent intensity"); a change's rise is the largest rise of any parameter.

public struct StimulusModel: Sendable {
    public let specs: [String: ParameterSpec]

    public init(specs: [String: ParameterSpec]?) { self.specs = specs ?? [:] }

    /// Equivalent intensity (0...100) of `value` for parameter `name`; nil when it has no curve.
    public func level(of name: String, _ value: ParameterValue) -> Double? {
        guard let curve = specs[name]?.curve else { return nil }
        return StimulusModel.level(of: value, on: curve)
    }

    /// How much more intense world `b` is than world `a` (0 when nothing rises). Worlds are physical
    /// values as IntensityModel resolves them. Parameters without a curve carry no measure of
    /// intensity and are not counted.
    public func rise(from a: [String: ParameterValue], to b: [String: ParameterValue]) -> Double {
        var rise = 0.0
        for name in specs.keys {
            guard let va = a[name], let vb = b[name], let la = level(of: name, va), let lb = level(of: name, vb) else { continue }
            rise = max(rise, lb - la)
        }
        return rise
    }

    static func level(of value: ParameterValue, on curve: IntensityCurve) -> Double? {
        switch (curve, value) {
        case (.steps(let steps), .choice(let option)):
            return steps.first { $0.option == option }.map { min(100, max(0, $0.intensity)) }
        case (.linear(let points), .number(let v)):
            guard let first = points.first, let last = points.last, v.isFinite else { return nil }
            if points.count == 1 || first.value == last.value { return first.intensity }
            let rising = last.value > first.value
            // Past either end of the curve: as intense as that end.
            if rising ? v <= first.value : v >= first.value { return first.intensity }
            if rising ? v >= last.value : v <= last.value { return last.intensity }
            for i in 1..<points.count {
                let a = points[i - 1], b = points[i]
                let lo = min(a.value, b.value), hi = max(a.value, b.value)
                guard v >= lo, v <= hi else { continue }
                if a.value == b.value { return a.intensity }
                return a.intensity + (b.intensity - a.intensity) * (v - a.value) / (b.value - a.value)
            }
            return last.intensity
        default:
            return nil
        }
    }
}
