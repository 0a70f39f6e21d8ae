// What an environment definition file says: its parameters (units, ranges, how fast they may
// change, how intensity 0-100 maps to them) and its scene settings (seed, size, colours).
import ExposureCore
import SceneModel

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
        // The engine measures escalation through the same curve (StimulusModel), so the spec carries it.
        self.spec.curve = curve
        self.spec.defaultValue = defaultValue
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
