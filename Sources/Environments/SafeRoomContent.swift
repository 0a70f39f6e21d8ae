// The safe room: a small, enclosed, warmly and softly lit room with a chair, a plant and a
// lamp. No sky and no windows, nothing moves; only a quiet room tone.
import SceneModel

final class SafeRoomContent: EnvironmentContent {
    let settings: SceneSettings
    init(_ definition: EnvironmentDefinition) { settings = definition.scene }

    func step(_ parameters: LiveParameters, dt: Double) {}

    func draw(_ parameters: LiveParameters, into a: inout SceneAssembler, scene: inout Scene) {
        let light = Float(parameters.number("light_level", 0.7))
        let walls = settings.color("walls", Vec3(0.62, 0.52, 0.40)), floor = settings.color("floor", Vec3(0.38, 0.24, 0.14))
        let ceiling = settings.color("ceiling", Vec3(0.7, 0.66, 0.6)), chair = settings.color("chair", Vec3(0.3, 0.42, 0.38))
        let rug = settings.color("rug", Vec3(0.45, 0.25, 0.22)), lamp = settings.color("lamp", Vec3(1, 0.85, 0.6))
        // Room 5 m wide, 6 m deep, 2.8 m high around the patient (walls as thick boxes, so the
        // room is closed from every direction).
        let w: Float = 5, d: Float = 6, h: Float = 2.8, t: Float = 0.2
        a.add(.box, at: Vec3(0, -t / 2, -1), size: Vec3(w + 2 * t, t, d + 2 * t), floor)
        a.add(.box, at: Vec3(0, h + t / 2, -1), size: Vec3(w + 2 * t, t, d + 2 * t), ceiling)
        a.add(.box, at: Vec3(0, h / 2, -1 - d / 2 - t / 2), size: Vec3(w + 2 * t, h, t), walls)
        a.add(.box, at: Vec3(0, h / 2, -1 + d / 2 + t / 2), size: Vec3(w + 2 * t, h, t), walls)
        a.add(.box, at: Vec3(-w / 2 - t / 2, h / 2, -1), size: Vec3(t, h, d), walls * 0.95)
        a.add(.box, at: Vec3(w / 2 + t / 2, h / 2, -1), size: Vec3(t, h, d), walls * 0.95)
        // Skirting and a picture on the front wall.
        a.add(.box, at: Vec3(0, 0.05, -1 - d / 2 + 0.01), size: Vec3(w, 0.1, 0.04), floor * 0.7)
        a.add(.box, at: Vec3(0, 1.5, -1 - d / 2 + 0.02), size: Vec3(1.2, 0.8, 0.03), Vec3(0.25, 0.22, 0.18))
        a.add(.box, at: Vec3(0, 1.5, -1 - d / 2 + 0.04), size: Vec3(1.05, 0.65, 0.02), Vec3(0.35, 0.5, 0.55))
        a.add(.quad, at: Vec3(0, 0.005, -1.6), size: Vec3(2.4, 1, 1.8), rug)
        // Armchair facing the patient.
        let c = Vec3(0.9, 0, -2.6)
        a.add(.box, at: c + Vec3(0, 0.22, 0), size: Vec3(0.9, 0.44, 0.85), chair)
        a.add(.box, at: c + Vec3(0, 0.7, -0.38), size: Vec3(0.9, 0.6, 0.16), chair * 0.9)
        a.add(.box, at: c + Vec3(-0.4, 0.55, 0), size: Vec3(0.14, 0.3, 0.85), chair * 0.85)
        a.add(.box, at: c + Vec3(0.4, 0.55, 0), size: Vec3(0.14, 0.3, 0.85), chair * 0.85)
        // Plant in a pot.
        let p = Vec3(-1.8, 0, -3.4)
        a.add(.cylinder, at: p, size: Vec3(0.45, 0.45, 0.45), Vec3(0.55, 0.3, 0.2))
        a.add(.sphere, at: p + Vec3(0, 0.85, 0), size: Vec3(0.8, 0.9, 0.8), Vec3(0.12, 0.35, 0.12))
        a.add(.sphere, at: p + Vec3(0.15, 1.2, 0.1), size: Vec3(0.5, 0.55, 0.5), Vec3(0.16, 0.42, 0.15))
        // Floor lamp with a warm shade.
        let l = Vec3(1.8, 0, -3.5)
        a.add(.cylinder, at: l, size: Vec3(0.35, 0.04, 0.35), Vec3(0.2, 0.18, 0.16))
        a.add(.cylinder, at: l, size: Vec3(0.04, 1.5, 0.04), Vec3(0.2, 0.18, 0.16))
        a.add(.cone, at: l + Vec3(0, 1.35, 0), size: Vec3(0.5, 0.4, 0.5), lamp * (0.6 + 0.4 * light))
        a.add(.sphere, at: l + Vec3(0, 1.4, 0), size: Vec3(0.12, 0.12, 0.12), lamp)

        scene.sky = nil
        scene.background = Vec3(0.12, 0.09, 0.07)
        scene.lighting = Lighting(direction: Vec3(0.2, 1, 0.3), color: Vec3(1.0, 0.85, 0.65) * (0.35 + 0.5 * light),
                                  ambient: Vec3(0.42, 0.36, 0.3) * (0.4 + 0.6 * light))
        scene.fog = .none
        scene.emitters = [SoundEmitter(id: 1, kind: .roomTone, position: nil, gain: 0.15)]
    }
}
