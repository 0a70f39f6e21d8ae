// The parameter values an environment shows right now. They move toward what intensity and
// explicit overrides ask for, never faster than the definition's max_rate, so the world changes
// smoothly (people walk in, the platform rises). Choices switch at once but at most once per
// min_hold_s: a railing cannot morph, and flicker between options is worse than a clean switch.
import ExposureCore

public struct LiveParameters: Equatable, Sendable {
    public let definitions: [ParameterDefinition]
    public private(set) var values: [ParameterValue]
    private var sinceSwitch: [Double]
    private let index: [String: Int]

    /// Starts at the values the target asks for (a world appears as asked, then moves smoothly).
    public init(definitions: [ParameterDefinition], target: EnvironmentTarget) {
        self.definitions = definitions
        self.index = Dictionary(uniqueKeysWithValues: definitions.enumerated().map { ($1.name, $0) })
        self.sinceSwitch = Array(repeating: .infinity, count: definitions.count)
        self.values = definitions.map(\.defaultValue)
        self.values = resolve(target)
    }

    /// What the target asks for: the curve at its intensity, overridden by explicit values.
    /// Overrides of the wrong kind or unknown options are ignored; numbers are clamped to range.
    public func resolve(_ target: EnvironmentTarget) -> [ParameterValue] {
        definitions.map { d in
            if let o = target.overrides[d.name], let accepted = d.accept(o) { return accepted }
            return d.value(atIntensity: target.intensity)
        }
    }

    /// Moves every value toward the target by at most its rate limit over `dt` seconds.
    public mutating func step(toward target: EnvironmentTarget, dt: Double) {
        let wanted = resolve(target)
        let dt = dt.isFinite ? max(0, dt) : 0
        for i in definitions.indices {
            switch (values[i], wanted[i]) {
            case (.number(let now), .number(let goal)):
                let limit = (definitions[i].maxRate ?? .infinity) * dt
                values[i] = .number(now + min(limit, max(-limit, goal - now)))
            case (.choice(let now), .choice(let goal)):
                sinceSwitch[i] += dt
                if now != goal && sinceSwitch[i] >= definitions[i].minHoldSeconds {
                    values[i] = .choice(goal); sinceSwitch[i] = 0
                }
            default:
                values[i] = wanted[i]
            }
        }
    }

    public func value(_ name: String) -> ParameterValue? { index[name].map { values[$0] } }
    public func number(_ name: String, _ fallback: Double = 0) -> Double { value(name)?.number ?? fallback }
    public func choice(_ name: String, _ fallback: String) -> String {
        if case .choice(let s)? = value(name) { return s }
        return fallback
    }
    /// name -> value, for telemetry and the record.
    public var dictionary: [String: ParameterValue] {
        Dictionary(uniqueKeysWithValues: zip(definitions.map(\.name), values))
    }
}
