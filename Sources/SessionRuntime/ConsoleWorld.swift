// The patient's world as the therapist console sees it: the environment definition turned into the
// plain description the console builds its controls from (sent in `welcome`), and each frame's live
// values, targets and pins turned into telemetry's `world`. Control never sees Environments types.
import Control
import Environments
import ExposureCore

enum ConsoleWorld {
    /// The controls for `environment`: its parameters in the definition's order (ranges as the
    /// definition narrows them, so the console offers only what the engine accepts) and its events.
    static func description(of environment: String, in catalog: EnvironmentCatalog) -> EnvironmentDescription? {
        guard let definition = catalog.definition(environment) else { return nil }
        let controls = definition.parameters.map { p -> ParameterControl in
            switch p.spec.kind {
            case .number(let range):
                return .number(p.name, label: label(p.name), unit: p.spec.unit, range: range, maxRate: p.maxRate)
            case .choice(let options):
                return .choice(p.name, label: label(p.name), options: options)
            }
        }
        return EnvironmentDescription(id: definition.id, title: definition.title, parameters: controls,
                                      events: catalog.events(of: environment))
    }

    /// Telemetry's `world`: what is rendered now, what it moves toward, and who holds it. In the
    /// description's order; anything the description does not name follows, by name.
    static func parameters(_ s: SessionSnapshot, environment: EnvironmentDescription?) -> [WorldParameter] {
        let described = environment?.parameters.map(\.name) ?? []
        let others = s.parameters.keys.filter { !described.contains($0) }.sorted()
        return (described + others).compactMap { name in
            guard let live = s.parameters[name] else { return nil }
            return WorldParameter(name: name, value: setting(live), target: s.parameterTargets[name].map(setting),
                                  unit: environment?.parameter(name)?.unit, pinned: s.pinned[name].map(pinnedBy))
        }
    }

    static func setting(_ value: ParameterValue) -> ParameterSetting {
        switch value {
        case .number(let n): return .number(n)
        case .choice(let o): return .option(o)
        }
    }

    static func pinnedBy(_ source: PinSource) -> PinnedBy {
        switch source {
        case .protocolWide: return .protocol
        case .step: return .step
        case .therapist: return .therapist
        }
    }

    /// Words for a parameter name: the unit suffix dropped ("closest_approach_m" -> "closest
    /// approach"), underscores as spaces. The definitions carry no labels of their own yet.
    static func label(_ name: String) -> String {
        var words = name.split(separator: "_").map(String.init)
        let unitWords: Set<String> = ["m", "mps", "s", "m2", "per"]
        while words.count > 1, let last = words.last, unitWords.contains(last) { words.removeLast() }
        return words.joined(separator: " ")
    }
}
