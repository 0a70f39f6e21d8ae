// Open spaces: the patient stands in a square or field. Openness pushes the surrounding
// buildings away and thins them out (0: a closed ring of buildings 18 m away; 1: open field);
// a bus shelter stands at the exit distance with a path leading to it; people cross the area.
// Time alone: the world starts with nobody around; people arrive only after time_alone_s has
// passed with no one present, stay for `companySeconds`, then walk away again and the alone
// time starts counting once the last of them has left.
import SceneModel
import Foundation

final class OpenSpacesContent: EnvironmentContent {
    let settings: SceneSettings
    let crowd: CrowdSimulation
    static let segments = 36
    static let companySeconds: Double = 90
    private var segmentRank: [Float] = []
    private var segmentHeight: [Float] = []
    private var trees: [(angle: Float, distance: Float, scale: Float)] = []
    private let exitYaw: Float
    private var alone: Double = 0
    private var company: Double = 0
    private var nearest: [(distance: Float, index: Int)] = []

    init(_ definition: EnvironmentDefinition, seed: UInt64, initial: LiveParameters) {
        settings = definition.scene
        var rng = SeededRandom.derived(seed, 0x0E)
        crowd = CrowdSimulation(halfSize: Float(definition.scene.areaMetres / 2), maxPeople: max(1, definition.scene.maxPeople), seed: seed)
        exitYaw = rng.float(-0.5, 0.5)
        for _ in 0..<Self.segments { segmentRank.append(rng.unit()); segmentHeight.append(rng.float(8, 26)) }
        for _ in 0..<40 { trees.append((rng.float(0, 2 * .pi), rng.float(25, 260), rng.float(0.8, 1.6))) }
        if initial.number("time_alone_s", 0) <= 0 {
            crowd.fill(crowdSettings(initial, count: Int(initial.number("people_count", 10).rounded())))
            company = 0
        }
    }

    private func crowdSettings(_ p: LiveParameters, count: Int) -> CrowdSettings {
        CrowdSettings(count: count, closestApproach: 6, gazeShare: 0.05, walkingSpeed: 1.3)
    }

    /// True while the patient is meant to be alone.
    var isAlonePhase: Bool { company <= 0 }

    func step(_ parameters: LiveParameters, dt: Double) {
        let wantAlone = parameters.number("time_alone_s", 0)
        if company > 0 {
            company -= dt
            if company <= 0 && wantAlone <= 0 { company = Self.companySeconds }
        } else if crowd.presentCount == 0 {
            alone += dt
            if alone >= wantAlone { alone = 0; company = Self.companySeconds }
        }
        let count = company > 0 ? Int(parameters.number("people_count", 10).rounded()) : 0
        crowd.step(crowdSettings(parameters, count: count), dt: dt)
    }

    func draw(_ parameters: LiveParameters, into a: inout SceneAssembler, scene: inout Scene) {
        let openness = Float(parameters.number("openness", 0.3))
        let exitDistance = Float(parameters.number("exit_distance_m", 20))
        let field = settings.color("field", Vec3(0.24, 0.38, 0.14)), paving = settings.color("paving", Vec3(0.5, 0.48, 0.44))
        let buildings = settings.color("buildings", Vec3(0.62, 0.58, 0.52)), shelter = settings.color("shelter", Vec3(0.2, 0.35, 0.55))

        a.add(.quad, at: .zero, size: Vec3(2000, 1, 2000), field)
        // A paved square when enclosed, plain field when fully open.
        let square = (1 - openness) * 60
        if square > 2 { a.add(.quad, at: Vec3(0, 0.01, 0), size: Vec3(square, 1, square), paving) }

        // Buildings in a ring; the ring widens and opens up as openness grows.
        let radius = 18 + openness * 220
        let coverage = 1 - openness
        let exitSegment = segment(of: exitYaw)
        for i in 0..<Self.segments where segmentRank[i] < coverage - 0.001 && !(i == exitSegment && exitDistance > radius - 8) {
            let angle = (Float(i) + 0.5) / Float(Self.segments) * 2 * .pi
            let width = 2 * .pi * radius / Float(Self.segments) * 0.95
            // A building sinks away (or rises) over a small band of openness instead of popping.
            let presence = min(1, (coverage - segmentRank[i]) / 0.08)
            let h = segmentHeight[i] * presence
            let p = Vec3(-sin(angle) * (radius + 6), h / 2, -cos(angle) * (radius + 6))
            a.add(.box, at: p, size: Vec3(width, h, 12), yaw: angle, buildings * (0.8 + 0.4 * segmentRank[i]))
            var y: Float = 2.5
            while y < h - 1 {
                a.add(.box, at: Vec3(p.x, y, p.z), size: Vec3(width + 0.1, 1.0, 12.1), yaw: angle, buildings * 0.45)
                y += 3.3
            }
        }
        for t in trees where abs(t.distance - radius - 6) > 10 {
            let p = Vec3(-sin(t.angle) * t.distance, 0, -cos(t.angle) * t.distance)
            a.add(.cylinder, at: p, size: Vec3(0.35, 3.2 * t.scale, 0.35), Vec3(0.28, 0.18, 0.1))
            a.add(.sphere, at: p + Vec3(0, 4 * t.scale, 0), size: Vec3(3.6, 3.4, 3.6) * t.scale, Vec3(0.12, 0.3, 0.1))
        }

        // The shelter and the path to it.
        let dir = Vec3(-sin(exitYaw), 0, -cos(exitYaw))
        a.add(.quad, at: dir * (exitDistance / 2) + Vec3(0, 0.02, 0), size: Vec3(1.8, 1, exitDistance), yaw: exitYaw, paving * 0.85)
        let s = dir * exitDistance
        for (dx, dz) in [(-1.9, -0.7), (1.9, -0.7), (-1.9, 0.7), (1.9, 0.7)] as [(Float, Float)] {
            a.add(.cylinder, at: s + Transform.rotate(Vec3(dx, 0, dz), yaw: exitYaw), size: Vec3(0.1, 2.5, 0.1), Vec3(0.3, 0.3, 0.32))
        }
        a.add(.box, at: s + Vec3(0, 2.55, 0), size: Vec3(4.2, 0.12, 1.8), yaw: exitYaw, shelter)
        a.add(.box, at: s + Transform.rotate(Vec3(0, 1.3, -0.75), yaw: exitYaw), size: Vec3(3.8, 2.0, 0.06), yaw: exitYaw, shelter * 1.3)
        a.add(.box, at: s + Transform.rotate(Vec3(0, 0.45, -0.45), yaw: exitYaw), size: Vec3(2.4, 0.08, 0.45), yaw: exitYaw, Vec3(0.4, 0.25, 0.15))
        let sign = s + Transform.rotate(Vec3(2.6, 0, 0.6), yaw: exitYaw)
        a.add(.cylinder, at: sign, size: Vec3(0.08, 3.0, 0.08), Vec3(0.3, 0.3, 0.32))
        a.add(.box, at: sign + Vec3(0, 3.1, 0), size: Vec3(0.6, 0.6, 0.06), yaw: exitYaw, Vec3(0.1, 0.3, 0.8))

        for w in crowd.walkers { PersonFigure.draw(w, into: &a) }

        scene.sky = Sky(zenith: Sky.clearDay.zenith, horizon: Sky.clearDay.horizon, ground: field)
        scene.lighting = .daylight
        scene.fog = Fog(color: Sky.clearDay.horizon, density: 0.0018)
        var emitters = CrowdSound.emitters(crowd.walkers, nearest: &nearest, murmurID: 3)
        emitters[0].gain *= 0.5
        emitters.append(SoundEmitter(id: 1, kind: .birds, position: nil, gain: 0.2 + 0.5 * openness))
        emitters.append(SoundEmitter(id: 2, kind: .traffic, position: Vec3(0, 0, -(radius + 30)), gain: 0.6 * (1 - openness) + 0.05))
        scene.emitters = emitters
    }

    private func segment(of yaw: Float) -> Int {
        var a = yaw.truncatingRemainder(dividingBy: 2 * .pi)
        if a < 0 { a += 2 * .pi }
        return min(Self.segments - 1, Int(a / (2 * .pi) * Float(Self.segments)))
    }
}
