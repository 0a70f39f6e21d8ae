// What environments exist and which parameters they take, as plain values. The Environments module
// builds this from the definitions in Environments/ so that protocols can be validated against it
// without ExposureCore depending on Environments.

/// A parameter's value: a physical quantity, or one of a few named options (e.g. railing: low).
public enum ParameterValue: Equatable, Hashable, Sendable, CustomStringConvertible {
    case number(Double)
    case choice(String)
    public var description: String {
        switch self {
        case .number(let v): return FieldReader.format(v)
        case .choice(let s): return s
        }
    }
    public var number: Double? { if case .number(let v) = self { return v }; return nil }
}

public struct ParameterSpec: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case number(ClosedRange<Double>)
        case choice([String])
    }
    public var name: String
    public var kind: Kind
    /// Physical unit for numbers ("m", "people/m2", "m/s", "fraction", "s").
    public var unit: String?
    /// How the environment maps intensity to this parameter; the safety rules measure a change's
    /// escalation through it. nil: the parameter does not follow intensity.
    public var curve: IntensityCurve?
    /// What the environment shows when nothing asks for a value and there is no curve.
    public var defaultValue: ParameterValue?
    public init(name: String, kind: Kind, unit: String? = nil, curve: IntensityCurve? = nil, defaultValue: ParameterValue? = nil) {
        self.name = name; self.kind = kind; self.unit = unit; self.curve = curve; self.defaultValue = defaultValue
    }

    /// nil when `value` fits, else a message saying what does.
    public func problem(with value: ParameterValue) -> String? {
        switch (kind, value) {
        case (.number(let r), .number(let v)):
            return r.contains(v) ? nil : "\(FieldReader.format(v)) is out of range \(FieldReader.format(r.lowerBound))...\(FieldReader.format(r.upperBound))\(unit.map { " \($0)" } ?? "")"
        case (.choice(let options), .choice(let s)):
            return options.contains(s) ? nil : "`\(s)` is not one of \(options.joined(separator: ", "))"
        case (.number, .choice(let s)):
            return "expected a number\(unit.map { " in \($0)" } ?? ""), found `\(s)`"
        case (.choice(let options), .number(let v)):
            return "expected one of \(options.joined(separator: ", ")), found \(FieldReader.format(v))"
        }
    }
}

public struct EnvironmentVocabulary: Equatable, Sendable {
    /// environment id -> parameter name -> spec
    public var environments: [String: [String: ParameterSpec]]
    /// environment id -> the events it reacts to (protocol `events:` and the therapist's buttons).
    public var events: [String: [String]]
    public init(environments: [String: [String: ParameterSpec]], events: [String: [String]] = [:]) {
        self.environments = environments; self.events = events
    }
    public func parameters(of environment: String) -> [String: ParameterSpec]? { environments[environment] }
    /// nil when the vocabulary does not list events for `environment` (then any name is allowed).
    public func events(of environment: String) -> [String]? { events[environment] }
    public var names: [String] { environments.keys.sorted() }
}

/// Why a parameter does not follow the level right now.
public enum PinSource: String, Equatable, Hashable, Sendable {
    /// The protocol holds it for the whole session (`pinned:` at the top of the file).
    case protocolWide = "protocol"
    /// The current step holds it (`pinned:` in the step, or a choice with no intensity order).
    case step
    /// The therapist set it from the console; it holds until the step changes or safety steps down.
    case therapist
}

/// What the engine asks the environment to show this frame: which world, how intense, explicit
/// parameter values that override the intensity curves, or the safe room.
public struct EnvironmentTarget: Equatable, Sendable {
    public var environment: String
    /// 0...100
    public var intensity: Double
    /// Physical values. The engine names every parameter (the hierarchy resolved at `intensity`,
    /// see IntensityModel); a parameter left out follows the environment's own curve.
    public var overrides: [String: ParameterValue]
    /// Parameters held regardless of the level, and by whom (for the console and the record).
    public var pinned: [String: PinSource]
    /// True during pause and opt-out: the calm room is shown instead, at once.
    public var safeRoom: Bool
    public init(environment: String, intensity: Double, overrides: [String: ParameterValue] = [:],
                pinned: [String: PinSource] = [:], safeRoom: Bool = false) {
        self.environment = environment; self.intensity = intensity; self.overrides = overrides
        self.pinned = pinned; self.safeRoom = safeRoom
    }
}
