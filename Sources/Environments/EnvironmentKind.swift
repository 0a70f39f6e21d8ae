// The four worlds the runtime can build, and the parameters each one reads. Definition files
// may narrow ranges and set curves, but the names and kinds are fixed: protocols use them too.
import ExposureCore

public enum EnvironmentKind: String, CaseIterable, Sendable {
    case heights, crowds, openSpaces = "open_spaces", safeRoom = "safe_room"

    /// Parameter name -> the widest spec the builder accepts.
    public var parameters: [String: ParameterSpec] {
        func number(_ name: String, _ r: ClosedRange<Double>, _ unit: String) -> (String, ParameterSpec) {
            (name, ParameterSpec(name: name, kind: .number(r), unit: unit))
        }
        func choice(_ name: String, _ options: [String]) -> (String, ParameterSpec) {
            (name, ParameterSpec(name: name, kind: .choice(options)))
        }
        switch self {
        case .heights:
            return Dictionary(uniqueKeysWithValues: [
                number("height_m", 1...200, "m"), choice("railing", ["full", "low", "none"]),
                choice("floor", ["solid", "grating", "glass"]), number("wind_mps", 0...20, "m/s")])
        case .crowds:
            return Dictionary(uniqueKeysWithValues: [
                number("density_per_m2", 0...2, "people/m2"), number("closest_approach_m", 0.3...10, "m"),
                number("gaze_share", 0...1, "fraction"), number("walking_speed_mps", 0.3...2.5, "m/s"),
                choice("setting", ["plaza", "platform"])])
        case .openSpaces:
            return Dictionary(uniqueKeysWithValues: [
                number("exit_distance_m", 5...500, "m"), number("openness", 0...1, "fraction"),
                number("people_count", 0...60, "people"), number("time_alone_s", 0...900, "s")])
        case .safeRoom:
            return Dictionary(uniqueKeysWithValues: [number("light_level", 0.2...1, "fraction")])
        }
    }

    /// Events this world reacts to (protocol `events:` and the therapist's console).
    public var events: [String] {
        switch self {
        case .heights: return ["wind_gust"]
        case .crowds: return ["crowd_arrives", "person_approaches", "train_arrives"]
        case .openSpaces, .safeRoom: return []
        }
    }

    /// Colour names a definition may set under `scene.colors`.
    public var colorNames: [String] {
        switch self {
        case .heights: return ["ground", "road", "sidewalk", "park", "tower", "floor", "railing", "glass_rim"]
        case .crowds: return ["paving", "paving_alt", "buildings", "planter", "platform", "safety_line", "track_bed", "canopy", "train"]
        case .openSpaces: return ["field", "paving", "buildings", "shelter"]
        case .safeRoom: return ["walls", "floor", "ceiling", "chair", "rug", "lamp"]
        }
    }
}
