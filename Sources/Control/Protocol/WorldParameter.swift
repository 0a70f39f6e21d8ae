// What the patient's world is made of right now, one entry per parameter, for telemetry's `world`:
// the live value (what is rendered), the value it is moving toward, its unit, and who holds it.

/// Why a parameter does not follow the level (telemetry `pinned`); absent (null) when it follows it.
public enum PinnedBy: String, Sendable, Codable, Equatable {
    /// The protocol holds it for the whole session.
    case `protocol`
    /// The current step holds it.
    case step
    /// The therapist set it from the console; "follow level" (`release_parameter`) lets it go.
    case therapist
}

public struct WorldParameter: Sendable, Equatable, Codable {
    public var name: String
    /// The value shown to the patient now. Numbers ramp toward `target` at the environment's rate.
    public var value: ParameterSetting
    /// What the session asks for (the level's value, or the pinned one); equal to `value` once reached.
    public var target: ParameterSetting?
    /// The environment's unit for numbers; null for choices.
    public var unit: String?
    public var pinned: PinnedBy?

    public init(name: String, value: ParameterSetting, target: ParameterSetting? = nil, unit: String? = nil, pinned: PinnedBy? = nil) {
        self.name = name; self.value = value; self.target = target; self.unit = unit; self.pinned = pinned
    }

    enum CodingKeys: String, CodingKey { case name, value, target, unit, pinned }

    // `unit` and `pinned` are always present (null when there is none), so a reader can tell
    // "follows the level" from an old server that did not say.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(value, forKey: .value)
        try c.encodeIfPresent(target, forKey: .target)
        try c.encode(unit, forKey: .unit)
        try c.encode(pinned, forKey: .pinned)
    }
}

/// A number is a JSON number, an option a JSON string.
extension ParameterSetting: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let number = try? c.decode(Double.self) { self = .number(number) } else { self = .option(try c.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let v): try c.encode(v)
        case .option(let o): try c.encode(o)
        }
    }
}
