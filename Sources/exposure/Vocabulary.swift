import ExposureCore

// The environments and parameters protocols may use. For now this is the fixed table agreed for
// issue 3; the lead will switch it to the Environments catalog loaded from Environments/ (this
// file must not import Environments until then).
func environmentVocabulary() -> EnvironmentVocabulary {
    func number(_ name: String, _ range: ClosedRange<Double>, _ unit: String) -> (String, ParameterSpec) {
        (name, ParameterSpec(name: name, kind: .number(range), unit: unit))
    }
    func choice(_ name: String, _ options: [String]) -> (String, ParameterSpec) {
        (name, ParameterSpec(name: name, kind: .choice(options)))
    }
    let table: [String: [(String, ParameterSpec)]] = [
        "heights": [
            number("height_m", 1...200, "m"),
            choice("railing", ["full", "low", "none"]),
            choice("floor", ["solid", "grating", "glass"]),
            number("wind_mps", 0...20, "m/s"),
        ],
        "crowds": [
            number("density_per_m2", 0...2, "people/m2"),
            number("closest_approach_m", 0.3...10, "m"),
            number("gaze_share", 0...1, "fraction"),
            number("walking_speed_mps", 0.3...2.5, "m/s"),
        ],
        "open_spaces": [
            number("exit_distance_m", 5...500, "m"),
            number("openness", 0...1, "fraction"),
            number("people_count", 0...60, "people"),
            number("time_alone_s", 0...900, "s"),
        ],
        "safe_room": [
            number("light_level", 0.2...1, "fraction"),
        ],
    ]
    return EnvironmentVocabulary(environments: table.mapValues { Dictionary(uniqueKeysWithValues: $0) })
}
