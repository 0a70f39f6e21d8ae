// What each world implements: advance its simulation, then describe itself as a Scene.
import SceneModel

protocol EnvironmentContent: AnyObject {
    /// Advances time-dependent parts (people, cars) by `dt` seconds at the live parameter values.
    func step(_ parameters: LiveParameters, dt: Double)
    /// Writes instances into `assembler` and sets sky, light, fog and sound emitters on `scene`.
    func draw(_ parameters: LiveParameters, into assembler: inout SceneAssembler, scene: inout Scene)
    /// Reacts to a named protocol or therapist event; false when this world has no such event.
    func fire(_ event: String, _ parameters: LiveParameters) -> Bool
}

extension EnvironmentContent {
    func fire(_ event: String, _ parameters: LiveParameters) -> Bool { false }
}

enum ContentFactory {
    static func make(_ definition: EnvironmentDefinition, seed: UInt64, initial: LiveParameters) -> EnvironmentContent {
        switch EnvironmentKind(rawValue: definition.id) ?? .safeRoom {
        case .heights: return HeightsContent(definition, seed: seed)
        case .crowds: return CrowdsContent(definition, seed: seed, initial: initial)
        case .openSpaces: return OpenSpacesContent(definition, seed: seed, initial: initial)
        case .safeRoom: return SafeRoomContent(definition)
        }
    }
}
