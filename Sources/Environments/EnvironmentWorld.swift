// The world the patient stands in, one per session, owned by the frame thread. Each frame it
// resolves what the target asks for, moves the live parameters toward it within their rate
// limits, steps the simulation and describes the result as a Scene. The same catalog, seed,
// target sequence and dt sequence give the same scenes: no clocks, no global random numbers.
import ExposureCore
import SceneModel

public final class EnvironmentWorld {
    public let catalog: EnvironmentCatalog
    /// nil: each definition's own seed.
    public let seed: UInt64?

    /// One environment as it is right now.
    final class Stage {
        let definition: EnvironmentDefinition
        var parameters: LiveParameters
        let content: EnvironmentContent
        init(_ definition: EnvironmentDefinition, target: EnvironmentTarget, seed: UInt64) {
            self.definition = definition
            parameters = LiveParameters(definitions: definition.parameters, target: target)
            content = ContentFactory.make(definition, seed: seed, initial: parameters)
        }
    }

    private var stage: Stage?
    private var safeRoom: Stage?
    private var assembler = SceneAssembler()
    private var scene = Scene()
    /// Problems with the targets asked for (an unknown environment); the world shows the safe room instead.
    public private(set) var problem: String?

    public init(catalog: EnvironmentCatalog, seed: UInt64? = nil) {
        self.catalog = catalog
        self.seed = seed
    }

    /// The environment shown by the last update (`safe_room` during pause or opt-out).
    public private(set) var showing: String?
    /// Live parameter values of the exposure environment (kept while the safe room is shown).
    public var liveParameters: LiveParameters? { stage?.parameters }
    /// The crowd of the current environment, if it has one (for tests and telemetry).
    public var crowd: CrowdSimulation? {
        (stage?.content as? CrowdsContent)?.crowd ?? (stage?.content as? OpenSpacesContent)?.crowd
    }

    /// Passes a protocol or therapist event (e.g. `crowd_arrives`) to the exposure environment.
    /// Returns false when the environment has no such event, none is built yet, or the safe room
    /// is shown (nothing should happen to a patient who asked to step out); the caller records
    /// that it had no effect.
    @discardableResult
    public func fire(event: String) -> Bool {
        guard let stage, showing == stage.definition.id else { return false }
        return stage.content.fire(event, stage.parameters)
    }

    public func update(target: EnvironmentTarget, dt rawDt: Double) -> Scene {
        problem = nil
        // A frame time from outside: never negative or NaN; a long hitch counts as one second.
        let dt = rawDt.isFinite ? min(1, max(0, rawDt)) : 0
        var wantsSafeRoom = target.safeRoom || target.environment == EnvironmentKind.safeRoom.rawValue
        if !wantsSafeRoom {
            if let definition = catalog.definition(target.environment) {
                if stage?.definition.id != definition.id {
                    // A new environment appears as asked; only changes within one are smoothed.
                    stage = Stage(definition, target: target, seed: seed ?? definition.scene.seed)
                } else {
                    stage?.parameters.step(toward: target, dt: dt)
                    if let stage { stage.content.step(stage.parameters, dt: dt) }
                }
            } else {
                problem = "unknown environment `\(target.environment)`; showing the safe room"
                wantsSafeRoom = true
            }
        }
        // The exposure environment is frozen while the safe room is shown and resumes as it was.
        let shown: Stage
        if wantsSafeRoom {
            let roomTarget = target.environment == EnvironmentKind.safeRoom.rawValue
                ? target : EnvironmentTarget(environment: EnvironmentKind.safeRoom.rawValue, intensity: 0)
            if let room = safeRoom {
                room.parameters.step(toward: roomTarget, dt: dt)
            } else if let definition = catalog.definition(EnvironmentKind.safeRoom.rawValue) {
                safeRoom = Stage(definition, target: roomTarget, seed: seed ?? definition.scene.seed)
            }
            guard let room = safeRoom else {
                problem = "the catalog has no safe_room"
                return Scene(sky: nil, background: Vec3(0.1, 0.08, 0.06), lighting: .daylight)
            }
            shown = room
        } else if let stage {
            shown = stage
        } else {
            return scene
        }
        showing = shown.definition.id
        assembler.reset()
        shown.content.draw(shown.parameters, into: &assembler, scene: &scene)
        scene.batches = assembler.batches
        return scene
    }
}
