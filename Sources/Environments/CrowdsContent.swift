// Crowds: a paved plaza with buildings round it, or a station platform (`setting`); the patient
// stands among people walking through, as many as the density asks for, keeping the closest
// approach. A change of setting is a cut: the other place is built at once from the same seed
// and filled at the current density (like a new environment appearing); the crowd of the old
// place, and anyone walking up to the patient, is gone with it. A running `crowd_arrives` carries over.
import SceneModel
import Foundation

final class CrowdsContent: EnvironmentContent {
    let settings: SceneSettings
    private let seed: UInt64
    private(set) var crowd: CrowdSimulation
    /// `plaza` or `platform`, as built.
    private(set) var setting: String
    private var surroundings: [DrawBatch] = []
    private var nearest: [(distance: Float, index: Int)] = []
    /// `crowd_arrives`: this many extra people for `arrivalSeconds`, then they walk off again.
    private var arrivalExtra = 0
    private var arrivalLeft: Double = 0
    static let arrivalGroup = 25, arrivalSeconds = 60.0
    /// `train_arrives` on the platform: the train running in, standing or pulling away.
    private(set) var train: TrainPass?

    init(_ definition: EnvironmentDefinition, seed: UInt64, initial: LiveParameters) {
        settings = definition.scene
        self.seed = seed
        setting = initial.choice("setting", "plaza")
        crowd = CrowdSimulation(halfSize: 1, maxPeople: 1, seed: seed)
        build(initial)
    }

    /// (Re)builds the place for the current `setting` and fills it at the current density.
    private func build(_ parameters: LiveParameters) {
        let maxPeople = max(1, settings.maxPeople)
        if setting == "platform" {
            let area = PlatformArea()
            crowd = CrowdSimulation(platform: area, maxPeople: maxPeople, seed: seed)
            surroundings = PlatformScenery.build(area, settings: settings, seed: seed)
        } else {
            let half = Float(settings.areaMetres / 2)
            crowd = CrowdSimulation(halfSize: half, maxPeople: maxPeople, seed: seed)
            buildSurroundings(half: half, seed: seed)
        }
        crowd.fill(Self.crowdSettings(parameters, crowd: crowd))
    }

    /// People wanted: density times the walkable area outside the patient's personal space.
    static func crowdSettings(_ p: LiveParameters, crowd: CrowdSimulation) -> CrowdSettings {
        let closest = Float(p.number("closest_approach_m", 3))
        let half = crowd.halfSize
        let area = crowd.platform?.usableArea(closestApproach: closest) ?? max(0, 4 * half * half - .pi * closest * closest)
        let count = Int((Float(p.number("density_per_m2", 0.1)) * area).rounded())
        return CrowdSettings(count: min(crowd.maxPeople, count), closestApproach: closest,
                             gazeShare: Float(p.number("gaze_share", 0.1)), walkingSpeed: Float(p.number("walking_speed_mps", 1.2)))
    }

    private func buildSurroundings(half: Float, seed: UInt64) {
        var rng = SeededRandom.derived(seed, 0x51)
        var a = SceneAssembler()
        let paving = settings.color("paving", Vec3(0.42, 0.40, 0.37)), alt = settings.color("paving_alt", Vec3(0.36, 0.34, 0.32))
        let buildings = settings.color("buildings", Vec3(0.6, 0.55, 0.48)), planter = settings.color("planter", Vec3(0.3, 0.27, 0.24))
        let extent = half + 12
        a.add(.quad, at: .zero, size: Vec3(extent * 8, 1, extent * 8), alt * 0.8)
        // Paving slabs in two tones, 2 m squares.
        var z = -extent
        while z < extent {
            var x = -extent
            while x < extent {
                let even = (Int((x + extent) / 2) + Int((z + extent) / 2)) % 2 == 0
                a.add(.quad, at: Vec3(x + 1, 0.01, z + 1), size: Vec3(1.96, 1, 1.96), even ? paving : alt)
                x += 2
            }
            z += 2
        }
        // Buildings round the plaza, with gaps in the middle of each side where streets lead in.
        for side in 0..<4 {
            var s = -extent
            while s < extent {
                let width = rng.float(8, 14)
                let mid = s + width / 2
                if abs(mid) > 6 {
                    let h = rng.float(10, 28), depth: Float = 12
                    let c = buildings * rng.float(0.75, 1.15)
                    let d = extent + depth / 2
                    let (p, size): (Vec3, Vec3) = switch side {
                    case 0: (Vec3(mid, h / 2, -d), Vec3(width - 0.4, h, depth))
                    case 1: (Vec3(mid, h / 2, d), Vec3(width - 0.4, h, depth))
                    case 2: (Vec3(-d, h / 2, mid), Vec3(depth, h, width - 0.4))
                    default: (Vec3(d, h / 2, mid), Vec3(depth, h, width - 0.4))
                    }
                    a.add(.box, at: p, size: size, c)
                    var y: Float = 3
                    while y < h - 1 { a.add(.box, at: Vec3(p.x, y, p.z), size: size + Vec3(0.1, -h + 1.0, 0.1), c * 0.5); y += 3.2 }
                }
                s += width
            }
        }
        // Planters with small trees and lamp posts on the plaza's rim.
        for i in 0..<8 {
            let angle = Float(i) / 8 * 2 * .pi + 0.3
            let p = Vec3(cos(angle) * (half + 2), 0, sin(angle) * (half + 2))
            a.add(.box, at: p + Vec3(0, 0.35, 0), size: Vec3(1.5, 0.7, 1.5), planter)
            a.add(.sphere, at: p + Vec3(0, 1.6, 0), size: Vec3(1.8, 1.9, 1.8), Vec3(0.15, 0.35, 0.12))
            let lamp = Vec3(cos(angle + 0.39) * (half + 1), 0, sin(angle + 0.39) * (half + 1))
            a.add(.cylinder, at: lamp, size: Vec3(0.12, 4, 0.12), Vec3(0.15, 0.15, 0.17))
            a.add(.sphere, at: lamp + Vec3(0, 4.1, 0), size: Vec3(0.4, 0.4, 0.4), Vec3(0.95, 0.92, 0.8))
        }
        surroundings = a.batches
    }

    func step(_ parameters: LiveParameters, dt: Double) {
        let wanted = parameters.choice("setting", "plaza")
        if wanted != setting {
            setting = wanted
            train = nil
            build(parameters)
        }
        if var t = train {
            t.advance(dt)
            train = t.isOver ? nil : t
        }
        if arrivalLeft > 0 {
            arrivalLeft -= dt
            if arrivalLeft <= 0 { arrivalExtra = 0 }
        }
        crowd.step(settings(parameters), dt: dt)
    }

    private func settings(_ parameters: LiveParameters) -> CrowdSettings {
        var s = Self.crowdSettings(parameters, crowd: crowd)
        s.count = min(crowd.maxPeople, s.count + arrivalExtra)
        return s
    }

    func fire(_ event: String, _ parameters: LiveParameters) -> Bool {
        switch event {
        case "crowd_arrives":
            arrivalExtra = Self.arrivalGroup
            arrivalLeft = Self.arrivalSeconds
            return true
        case "train_arrives":
            // Only a platform has a track; one train at a time.
            guard crowd.platform != nil, train == nil else { return false }
            train = TrainPass()
            return true
        case "person_approaches":
            crowd.sendVisitor(settings(parameters))
            return true
        default:
            return false
        }
    }

    func draw(_ parameters: LiveParameters, into a: inout SceneAssembler, scene: inout Scene) {
        for batch in surroundings { a.append(batch, offset: .zero) }
        for w in crowd.walkers { PersonFigure.draw(w, into: &a) }
        scene.sky = .clearDay
        scene.lighting = .daylight
        scene.fog = Fog(color: Sky.clearDay.horizon, density: 0.004)
        scene.emitters = CrowdSound.emitters(crowd.walkers, nearest: &nearest, murmurID: 1)
        if let train, let area = crowd.platform {
            train.draw(area, body: settings.color("train", Vec3(0.70, 0.12, 0.10)), into: &a)
            scene.emitters.append(train.emitter(area, id: 3))
        }
    }
}

/// Crowd sound: a distant murmur bed that grows with the number of people, and at the few nearest
/// walkers their own voices (murmur at head height, louder the closer they are) and footsteps. Ids
/// follow the person, so a voice stays with its body as it walks past.
enum CrowdSound {
    static let footstepSources = 6
    static let voiceSources = 4
    static func emitters(_ walkers: [Walker], nearest: inout [(distance: Float, index: Int)], murmurID: Int,
                         groundY: Float = 0) -> [SoundEmitter] {
        var result: [SoundEmitter] = []
        result.reserveCapacity(footstepSources + voiceSources + 1)
        result.append(SoundEmitter(id: murmurID, kind: .murmur, position: nil, gain: min(1, Float(walkers.count) / 400)))
        nearest.removeAll(keepingCapacity: true)
        for (i, w) in walkers.enumerated() {
            let d = length(w.position)
            if nearest.count < footstepSources {
                nearest.append((d, i)); nearest.sort { $0.distance < $1.distance }
            } else if let last = nearest.last, d < last.distance {
                nearest[nearest.count - 1] = (d, i); nearest.sort { $0.distance < $1.distance }
            }
        }
        for n in nearest.prefix(voiceSources) {
            let w = walkers[n.index]
            result.append(SoundEmitter(id: 200_000 + w.id, kind: .murmur, position: Vec3(w.position.x, groundY + 1.6, w.position.y),
                                       gain: min(1, 0.25 + 1.5 / max(1, n.distance))))
        }
        for n in nearest {
            let w = walkers[n.index]
            let speed = length(w.velocity)
            guard speed > 0.2 else { continue }
            result.append(SoundEmitter(id: 100_000 + w.id, kind: .footsteps, position: Vec3(w.position.x, groundY, w.position.y),
                                       gain: min(1, 0.3 + speed / 3)))
        }
        return result
    }
}
