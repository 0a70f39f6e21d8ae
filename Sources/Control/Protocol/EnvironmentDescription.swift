// The world the session shows, described once in `welcome` so the console can build its controls:
// a slider (with unit and range) per number, a button per option, a button per event. Plain values:
// the runtime fills them from the environment definition; Control knows nothing of Environments.

public struct EnvironmentDescription: Sendable, Equatable, Codable {
    /// The environment's id ("heights").
    public var id: String
    /// Its title for people ("Heights").
    public var title: String
    /// In the definition's order.
    public var parameters: [ParameterControl]
    /// The events the therapist can fire (`fire_event`); empty when the environment has none.
    public var events: [String]

    public init(id: String, title: String, parameters: [ParameterControl], events: [String]) {
        self.id = id; self.title = title; self.parameters = parameters; self.events = events
    }

    public func parameter(_ name: String) -> ParameterControl? { parameters.first { $0.name == name } }
}

/// One parameter as a control: a number with `unit`, `min`, `max` (and how fast the world may move
/// it), or a choice with `options`. On the wire, absent fields are left out.
public struct ParameterControl: Sendable, Equatable, Codable {
    public var name: String
    /// Words for people ("closest approach"), from the name.
    public var label: String
    /// Numbers only ("m", "people/m2", "m/s", "fraction": a share 0-1 the console shows as %).
    public var unit: String?
    public var min: Double?
    public var max: Double?
    /// Numbers only: the most the live value moves per second toward a new target (the world
    /// ramps, so a change shows over seconds); absent when it changes at once.
    public var maxRate: Double?
    /// Choices only.
    public var options: [String]?

    public static func number(_ name: String, label: String, unit: String?, range: ClosedRange<Double>, maxRate: Double?) -> ParameterControl {
        ParameterControl(name: name, label: label, unit: unit, min: range.lowerBound, max: range.upperBound, maxRate: maxRate, options: nil)
    }

    public static func choice(_ name: String, label: String, options: [String]) -> ParameterControl {
        ParameterControl(name: name, label: label, unit: nil, min: nil, max: nil, maxRate: nil, options: options)
    }

    public var isChoice: Bool { options != nil }

    enum CodingKeys: String, CodingKey {
        case name, label, unit, min, max, options
        case maxRate = "max_rate"
    }
}
