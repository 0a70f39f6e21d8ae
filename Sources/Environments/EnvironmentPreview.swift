// Still previews of an environment for `exposure render` and the documentation gallery: the
// world is settled for a few simulated seconds so people are walking, not just appearing.
import ExposureCore
import SceneModel

public enum EnvironmentPreview {
    public enum PreviewError: Error, CustomStringConvertible {
        case unknownEnvironment(String, known: [String])
        case badOverride(String, String)
        public var description: String {
            switch self {
            case .unknownEnvironment(let name, let known):
                return "unknown environment `\(name)`; known: \(known.joined(separator: ", "))"
            case .badOverride(let name, let why): return "--param \(name): \(why)"
            }
        }
    }

    /// The scene after `settleSeconds` at the given intensity, and a head pose that shows it well.
    public static func scene(catalog: EnvironmentCatalog, environment: String, intensity: Double,
                             overrides: [String: ParameterValue] = [:], seed: UInt64? = nil,
                             settleSeconds: Double = 3) throws -> (Scene, head: Pose) {
        guard let definition = catalog.definition(environment) else {
            throw PreviewError.unknownEnvironment(environment, known: catalog.names)
        }
        for (name, value) in overrides {
            guard let p = definition.parameter(name) else {
                throw PreviewError.badOverride(name, "\(environment) has no such parameter; known: \(definition.parameters.map(\.name).joined(separator: ", "))")
            }
            if let why = p.spec.problem(with: value) { throw PreviewError.badOverride(name, why) }
        }
        let world = EnvironmentWorld(catalog: catalog, seed: seed)
        let target = EnvironmentTarget(environment: environment, intensity: intensity, overrides: overrides)
        let dt = 1.0 / 30
        var scene = world.update(target: target, dt: dt)
        var t = 0.0
        while t < settleSeconds { scene = world.update(target: target, dt: dt); t += dt }
        return (scene, head: head(for: environment))
    }

    /// Parses `name=value` (`height_m=40`, `railing=low`) against the definition.
    public static func parseOverride(_ text: String, catalog: EnvironmentCatalog, environment: String) throws -> (String, ParameterValue) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty else { throw PreviewError.badOverride(text, "expected name=value, e.g. height_m=40") }
        guard let p = catalog.definition(environment)?.parameter(parts[0]) else {
            throw PreviewError.badOverride(parts[0], "\(environment) has no such parameter")
        }
        switch p.spec.kind {
        case .number:
            guard let v = Double(parts[1]), v.isFinite else { throw PreviewError.badOverride(parts[0], "expected a number, found `\(parts[1])`") }
            return (parts[0], .number(v))
        case .choice:
            return (parts[0], .choice(parts[1]))
        }
    }

    /// Where the preview camera stands: at the patient's eyes, looking where the exposure is.
    public static func head(for environment: String) -> Pose {
        switch EnvironmentKind(rawValue: environment) {
        case .heights: return Pose(position: Vec3(0, 1.65, -1.6), orientation: .yawPitch(yaw: 0, pitch: -0.75))
        case .crowds: return Pose(position: Vec3(0, 1.65, 0), orientation: .yawPitch(yaw: 0, pitch: -0.12))
        case .openSpaces: return Pose(position: Vec3(0, 1.65, 0), orientation: .yawPitch(yaw: 0, pitch: -0.05))
        default: return Pose(position: Vec3(0, 1.6, 0), orientation: .yawPitch(yaw: 0, pitch: -0.1))
        }
    }
}
