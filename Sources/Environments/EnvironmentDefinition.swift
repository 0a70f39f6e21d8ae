// What an environment definition file says: its parameters (units, ranges, how fast they may
// change, how intensity 0-100 maps to them) and its scene settings (seed, size, colours).
import ExposureCore
import SceneModel

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

public struct ParameterDefinition: Equatable, Sendable {
    public var name: String
    public var spec: ParameterSpec
    public var defaultValue: ParameterValue
    /// Numbers: the most the live value may move per second, in its unit (nil: unbounded).
    public var maxRate: Double?
    /// Choices: the least time between two switches, so a railing does not flicker.
    public var minHoldSeconds: Double
    /// nil: the parameter stays at its default whatever the intensity.
    public var curve: IntensityCurve?

    public init(name: String, spec: ParameterSpec, defaultValue: ParameterValue, maxRate: Double? = nil,
                minHoldSeconds: Double = 0, curve: IntensityCurve? = nil) {
        self.name = name; self.spec = spec; self.defaultValue = defaultValue; self.maxRate = maxRate
        self.minHoldSeconds = minHoldSeconds; self.curve = curve
    }

    /// The value the curve gives at `intensity` (the default when there is no curve).
    public func value(atIntensity intensity: Double) -> ParameterValue {
        curve?.value(at: intensity) ?? defaultValue
    }

    /// `value` made acceptable: numbers clamped into range; nil for a wrong kind or an unknown option.
    public func accept(_ value: ParameterValue) -> ParameterValue? {
        switch (spec.kind, value) {
        case (.number(let r), .number(let v)) where v.isFinite: return .number(min(r.upperBound, max(r.lowerBound, v)))
        case (.choice(let options), .choice(let s)) where options.contains(s): return value
        default: return nil
        }
    }
}

public struct SceneSettings: Equatable, Sendable {
    /// Seed of the procedural layout (buildings, people); a session may override it.
    public var seed: UInt64
    /// Side of the square area that is built or simulated, in metres.
    public var areaMetres: Double
    /// Upper bound on simulated people, whatever the density says.
    public var maxPeople: Int
    /// Named colours (linear RGB) that override the builder's defaults.
    public var colors: [String: Vec3]
    public init(seed: UInt64, areaMetres: Double, maxPeople: Int, colors: [String: Vec3]) {
        self.seed = seed; self.areaMetres = areaMetres; self.maxPeople = maxPeople; self.colors = colors
    }
    public func color(_ name: String, _ fallback: Vec3) -> Vec3 { colors[name] ?? fallback }
}

public struct EnvironmentDefinition: Equatable, Sendable {
    public var id: String
    public var title: String
    public var description: String
    /// In file order.
    public var parameters: [ParameterDefinition]
    public var scene: SceneSettings
    /// The file it came from, for messages.
    public var file: String

    public func parameter(_ name: String) -> ParameterDefinition? { parameters.first { $0.name == name } }
    public var specs: [String: ParameterSpec] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.spec) })
    }
}
