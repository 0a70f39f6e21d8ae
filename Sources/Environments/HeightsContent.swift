// Heights: the patient stands at the origin on a balcony of a tower, facing -Z over a city grid.
// The balcony floor is at y = 0 and the ground at y = -height, so the head pose does not change
// when the platform rises: the city below moves down instead. The city (streets, sidewalks,
// trees, parks, buildings of many heights) is built once from the seed in ground coordinates;
// cars move along the streets.
import SceneModel
import Foundation

final class HeightsContent: EnvironmentContent {
    let settings: SceneSettings
    /// Static city in ground coordinates (y = 0 is street level).
    private var city: [DrawBatch] = []
    private var cars: [(line: Int, alongX: Bool, lane: Float, offset: Float, speed: Float, color: Vec3)] = []
    private var streetLines: [Float] = []
    private let half: Float
    private var time: Double = 0
    /// Seconds into the current gust (nil: none), for the `wind_gust` event.
    private var gust: Double?
    static let gustSeconds = 5.0, gustExtraWind = 8.0

    static let pitch: Float = 50, streetWidth: Float = 14, roadWidth: Float = 10
    /// Street centre lines: along X at z = zStreet + k*pitch, along Z at x = xStreet + k*pitch.
    static let zStreet: Float = -13, xStreet: Float = 25
    /// The tower: its front face is just behind the patient.
    static let towerMin = Vec3(-9, 0, 0.5), towerMax = Vec3(9, 0, 16.5)

    init(_ definition: EnvironmentDefinition, seed: UInt64) {
        settings = definition.scene
        half = Float(definition.scene.areaMetres / 2)
        buildCity(seed: seed)
    }

    private func color(_ name: String, _ fallback: Vec3) -> Vec3 { settings.color(name, fallback) }

    private func buildCity(seed: UInt64) {
        var rng = SeededRandom.derived(seed, 0x4E)
        var a = SceneAssembler()
        let ground = color("ground", Vec3(0.22, 0.25, 0.18)), road = color("road", Vec3(0.1, 0.1, 0.11))
        let sidewalk = color("sidewalk", Vec3(0.5, 0.48, 0.45)), park = color("park", Vec3(0.16, 0.34, 0.12))
        let p = Self.pitch, w = Self.streetWidth
        a.add(.quad, at: .zero, size: Vec3(half * 6, 1, half * 6), ground)

        // Street lines that fall inside the area.
        var k = ((-half - Self.zStreet) / p).rounded(.up)
        var zs: [Float] = [], xs: [Float] = []
        while Self.zStreet + k * p <= half { zs.append(Self.zStreet + k * p); k += 1 }
        k = ((-half - Self.xStreet) / p).rounded(.up)
        while Self.xStreet + k * p <= half { xs.append(Self.xStreet + k * p); k += 1 }
        streetLines = zs + xs

        // Blocks between the streets.
        let trunk = Vec3(0.28, 0.18, 0.10)
        let buildingColors: [Vec3] = [Vec3(0.62, 0.58, 0.52), Vec3(0.50, 0.52, 0.56), Vec3(0.70, 0.66, 0.58),
                                      Vec3(0.45, 0.35, 0.30), Vec3(0.58, 0.48, 0.40), Vec3(0.35, 0.40, 0.45),
                                      Vec3(0.75, 0.74, 0.70), Vec3(0.55, 0.30, 0.25)]
        for zi in -1..<zs.count {
            for xi in -1..<xs.count {
                let z0 = (zi >= 0 ? zs[zi] : zs[0] - p) + w / 2, z1 = (zi + 1 < zs.count ? zs[zi + 1] : zs[zs.count - 1] + p) - w / 2
                let x0 = (xi >= 0 ? xs[xi] : xs[0] - p) + w / 2, x1 = (xi + 1 < xs.count ? xs[xi + 1] : xs[xs.count - 1] + p) - w / 2
                let centre = Vec3((x0 + x1) / 2, 0, (z0 + z1) / 2), size = Vec3(x1 - x0, 1, z1 - z0)
                let isTowerBlock = x0 < 0 && x1 > 0 && z0 < 1 && z1 > 1
                if isTowerBlock {
                    a.add(.quad, at: centre + Vec3(0, 0.02, 0), size: size, sidewalk)
                    // Planters and benches in front of the tower: readable detail right below the balcony.
                    for i in 0..<5 {
                        let x = -8 + Float(i) * 4
                        a.add(.box, at: Vec3(x, 0.3, z0 + 2.5), size: Vec3(1.6, 0.6, 1.6), Vec3(0.35, 0.32, 0.30))
                        a.add(.sphere, at: Vec3(x, 0.9, z0 + 2.5), size: Vec3(1.4, 0.9, 1.4), park)
                    }
                    a.add(.box, at: Vec3(-12, 0.25, z0 + 5), size: Vec3(2, 0.5, 0.6), Vec3(0.40, 0.25, 0.15))
                    a.add(.box, at: Vec3(12, 0.25, z0 + 5), size: Vec3(2, 0.5, 0.6), Vec3(0.40, 0.25, 0.15))
                    continue
                }
                if rng.unit() < 0.15 {
                    a.add(.quad, at: centre + Vec3(0, 0.02, 0), size: size, park)
                    for _ in 0..<(6 + rng.int(6)) {
                        let t = Vec3(rng.float(x0 + 2, x1 - 2), 0, rng.float(z0 + 2, z1 - 2))
                        addTree(&a, t, scale: rng.float(0.8, 1.4), trunk: trunk, crown: park * rng.float(0.7, 1.2))
                    }
                    continue
                }
                a.add(.quad, at: centre + Vec3(0, 0.02, 0), size: size, sidewalk * 0.9)
                // Up to four buildings on the block's lots.
                let lotW = (x1 - x0) / 2, lotD = (z1 - z0) / 2
                for lz in 0..<2 {
                    for lx in 0..<2 where rng.unit() < 0.85 {
                        let fw = lotW * rng.float(0.7, 0.92), fd = lotD * rng.float(0.7, 0.92)
                        let cx = x0 + lotW * (Float(lx) + 0.5), cz = z0 + lotD * (Float(lz) + 0.5)
                        let tall = rng.unit() < 0.2
                        let h = tall ? rng.float(40, 90) : rng.float(8, 32)
                        let c = rng.pick(buildingColors) * rng.float(0.85, 1.1)
                        a.add(.box, at: Vec3(cx, h / 2, cz), size: Vec3(fw, h, fd), c)
                        // Floors: dark window bands every 3.5 m, drawn as slightly wider slabs.
                        var y: Float = 2.5
                        while y < h - 1 {
                            a.add(.box, at: Vec3(cx, y, cz), size: Vec3(fw + 0.1, 1.1, fd + 0.1), c * 0.45)
                            y += tall ? 7 : 3.5
                        }
                        a.add(.box, at: Vec3(cx + rng.float(-2, 2), h + 1, cz + rng.float(-2, 2)),
                              size: Vec3(fw * 0.3, 2, fd * 0.3), c * 0.7)
                    }
                }
            }
        }

        // Streets: sidewalk strip, road, lane dashes; trees along the sidewalks.
        let dash = Vec3(0.9, 0.9, 0.85)
        for (i, line) in streetLines.enumerated() {
            let alongX = i < zs.count
            let crossings = alongX ? xs : zs
            func at(_ s: Float, _ across: Float, _ y: Float) -> Vec3 { alongX ? Vec3(s, y, line + across) : Vec3(line + across, y, s) }
            func size(_ l: Float, _ wd: Float) -> Vec3 { alongX ? Vec3(l, 1, wd) : Vec3(wd, 1, l) }
            a.add(.quad, at: at(0, 0, 0.025 + (alongX ? 0 : 0.002)), size: size(half * 2, w), sidewalk)
            a.add(.quad, at: at(0, 0, 0.03 + (alongX ? 0 : 0.002)), size: size(half * 2, Self.roadWidth), road)
            var s = -half
            while s < half {
                if !crossings.contains(where: { abs($0 - s) < w / 2 + 1 }) {
                    a.add(.quad, at: at(s, 0, 0.04), size: size(3, 0.18), dash)
                }
                s += 9
            }
            s = -half + 4
            while s < half {
                if !crossings.contains(where: { abs($0 - s) < w / 2 + 3 }) {
                    for side: Float in [-1, 1] {
                        let pos = at(s, side * (w / 2 - 1), 0)
                        if pos.x > Self.towerMin.x - 2 && pos.x < Self.towerMax.x + 2 && pos.z > -1 { continue }
                        addTree(&a, pos, scale: rng.float(0.8, 1.2), trunk: trunk, crown: park * rng.float(0.8, 1.3))
                    }
                }
                s += 12
            }
        }
        city = a.batches

        // Cars: a few per lane, each with its own speed.
        let carColors: [Vec3] = [Vec3(0.7, 0.05, 0.05), Vec3(0.9, 0.9, 0.9), Vec3(0.05, 0.05, 0.06), Vec3(0.1, 0.2, 0.6),
                                 Vec3(0.6, 0.6, 0.62), Vec3(0.9, 0.7, 0.1), Vec3(0.2, 0.45, 0.25)]
        for (i, _) in streetLines.enumerated() {
            for lane: Float in [-2.5, 2.5] {
                for _ in 0..<5 {
                    cars.append((line: i, alongX: i < zs.count, lane: lane, offset: rng.float(0, 2 * half),
                                 speed: rng.float(6, 12) * (lane > 0 ? 1 : -1), color: rng.pick(carColors)))
                }
            }
        }
    }

    private func addTree(_ a: inout SceneAssembler, _ p: Vec3, scale s: Float, trunk: Vec3, crown: Vec3) {
        a.add(.cylinder, at: p, size: Vec3(0.3, 3 * s, 0.3) * Vec3(1, 1, 1), trunk)
        a.add(.sphere, at: p + Vec3(0, 3.6 * s, 0), size: Vec3(3.2, 3.0, 3.2) * s, crown)
    }

    func step(_ parameters: LiveParameters, dt: Double) {
        time += max(0, dt)
        if let g = gust { gust = g + dt < Self.gustSeconds ? g + dt : nil }
    }

    func fire(_ event: String, _ parameters: LiveParameters) -> Bool {
        guard event == "wind_gust" else { return false }
        gust = 0
        return true
    }

    /// Extra wind now: a gust swells and dies away over a few seconds.
    var gustWind: Double {
        guard let g = gust else { return 0 }
        return Self.gustExtraWind * sin(.pi * g / Self.gustSeconds)
    }

    func draw(_ parameters: LiveParameters, into a: inout SceneAssembler, scene: inout Scene) {
        let height = Float(parameters.number("height_m", 3))
        let groundY = -height
        for batch in city { a.append(batch, offset: Vec3(0, groundY, 0)) }
        drawCars(&a, groundY: groundY)
        drawTower(&a, height: height)
        drawBalcony(&a, floor: parameters.choice("floor", "solid"), railing: parameters.choice("railing", "full"))
        let wind = Float(min(20, parameters.number("wind_mps", 1) + gustWind))
        drawFlag(&a, wind: wind)

        scene.sky = Sky(zenith: Sky.clearDay.zenith, horizon: Sky.clearDay.horizon, ground: color("ground", Vec3(0.22, 0.25, 0.18)))
        scene.lighting = .daylight
        scene.fog = Fog(color: Sky.clearDay.horizon, density: 0.0022)
        scene.emitters = [
            SoundEmitter(id: 1, kind: .wind, position: nil, gain: min(1, 0.05 + wind / 12 * (0.5 + 0.5 * min(1, height / 60)))),
            SoundEmitter(id: 2, kind: .traffic, position: Vec3(0, groundY, Self.zStreet), gain: min(1, 0.8 * 20 / (20 + height))),
        ]
    }

    private func drawCars(_ a: inout SceneAssembler, groundY: Float) {
        let span = 2 * half
        for car in cars {
            var s = (car.offset + car.speed * Float(time.truncatingRemainder(dividingBy: 3600))).truncatingRemainder(dividingBy: span)
            if s < 0 { s += span }
            s -= half
            let line = streetLines[car.line]
            let p = car.alongX ? Vec3(s, groundY, line + car.lane) : Vec3(line + car.lane, groundY, s)
            let yaw: Float = car.alongX ? .pi / 2 : 0
            a.add(.box, at: p + Vec3(0, 0.65, 0), size: Vec3(1.8, 0.9, 4.3), yaw: yaw, car.color)
            a.add(.box, at: p + Vec3(0, 1.35, 0), size: Vec3(1.6, 0.6, 2.2), yaw: yaw, car.color * 0.4)
        }
    }

    private func drawTower(_ a: inout SceneAssembler, height: Float) {
        let tower = color("tower", Vec3(0.55, 0.56, 0.6))
        let lo = Self.towerMin, hi = Self.towerMax
        let top: Float = 3.5
        a.add(.box, at: Vec3((lo.x + hi.x) / 2, (top - height) / 2, (lo.z + hi.z) / 2),
              size: Vec3(hi.x - lo.x, top + height, hi.z - lo.z), tower)
        // One window band per storey below the balcony, on the three faces the patient can see.
        var y: Float = -1.6
        while y > -height + 1 {
            a.add(.box, at: Vec3(0, y, (lo.z + hi.z) / 2), size: Vec3(hi.x - lo.x + 0.12, 1.3, hi.z - lo.z + 0.12), tower * 0.4)
            y -= 3.5
        }
        // The door behind the patient.
        a.add(.box, at: Vec3(0, 1.1, lo.z - 0.02), size: Vec3(1.0, 2.2, 0.06), Vec3(0.25, 0.2, 0.18))
    }

    /// A flag on a pole at the balcony's corner shows the wind: it hangs limp in still air and
    /// stands out and flutters faster as the wind grows.
    private func drawFlag(_ a: inout SceneAssembler, wind: Float) {
        let pole = Vec3(1.85, 0, 0.3)
        a.add(.cylinder, at: pole, size: Vec3(0.04, 2.6, 0.04), Vec3(0.75, 0.75, 0.78))
        let strength = min(1, wind / 8)
        let droop = (1 - strength) * 1.35
        let t = Float(time.truncatingRemainder(dividingBy: 600))
        let flutter = sin(t * (2 + wind * 0.8)) * (0.05 + 0.25 * strength)
        // The flag blows toward +X, off the side of the balcony; `droop` tilts it down the pole.
        let length: Float = 0.7
        let yaw = -.pi / 2 + flutter, roll = droop
        let dir = Vec3(-sin(yaw) * cos(roll), -sin(roll), -cos(yaw) * cos(roll))
        let centre = pole + Vec3(0, 2.45, 0) + dir * (length / 2)
        // Orientation: yaw about +Y, then tilt about the flag's own Z axis.
        let q = Quat(axis: Vec3(0, 1, 0), angle: yaw + .pi / 2) * Quat(axis: Vec3(0, 0, 1), angle: -roll)
        a.add(.box, .trs(centre, q, Vec3(length, 0.45, 0.015)), Vec3(0.8, 0.1, 0.1))
    }

    /// Balcony: x -2...2, z -2.2...0.5, top of floor at y = 0.
    private func drawBalcony(_ a: inout SceneAssembler, floor: String, railing: String) {
        let floorColor = color("floor", Vec3(0.45, 0.43, 0.4)), metal = color("railing", Vec3(0.3, 0.32, 0.35))
        let x0: Float = -2, x1: Float = 2, z0: Float = -2.2, z1: Float = 0.5
        let cx = (x0 + x1) / 2, cz = (z0 + z1) / 2, wx = x1 - x0, wz = z1 - z0
        switch floor {
        case "grating":
            // Steel bars with gaps the ground shows through, on a frame.
            var x = x0 + 0.04
            while x < x1 {
                a.add(.box, at: Vec3(x, -0.03, cz), size: Vec3(0.035, 0.06, wz), metal)
                x += 0.11
            }
            for z in [z0 + 0.05, cz, z1 - 0.05] { a.add(.box, at: Vec3(cx, -0.07, z), size: Vec3(wx, 0.06, 0.05), metal) }
        case "glass":
            // A faintly tinted pane the ground shows through, in a light-blue rim with one mullion:
            // enough glass to stand on, little enough to hide the drop.
            let rim = color("glass_rim", Vec3(0.55, 0.75, 0.85))
            a.addGlass(at: Vec3(cx, -0.02, cz), size: Vec3(wx, 0.04, wz), rim, alpha: 0.18)
            a.add(.box, at: Vec3(cx, -0.05, z0 + 0.04), size: Vec3(wx, 0.1, 0.08), rim)
            a.add(.box, at: Vec3(x0 + 0.04, -0.05, cz), size: Vec3(0.08, 0.1, wz), rim)
            a.add(.box, at: Vec3(x1 - 0.04, -0.05, cz), size: Vec3(0.08, 0.1, wz), rim)
            a.add(.box, at: Vec3(cx, -0.05, z1 - 0.1), size: Vec3(wx, 0.1, 0.2), rim)
            a.add(.box, at: Vec3(cx, -0.02, cz), size: Vec3(0.02, 0.04, wz), rim)
        default:
            a.add(.box, at: Vec3(cx, -0.15, cz), size: Vec3(wx, 0.3, wz), floorColor)
        }
        switch railing {
        case "full":
            let top: Float = 1.1
            for (p, s) in [(Vec3(cx, top, z0), Vec3(wx, 0.05, 0.05)), (Vec3(x0, top, cz), Vec3(0.05, 0.05, wz)),
                           (Vec3(x1, top, cz), Vec3(0.05, 0.05, wz)), (Vec3(cx, 0.08, z0), Vec3(wx, 0.16, 0.03)),
                           (Vec3(x0, 0.08, cz), Vec3(0.03, 0.16, wz)), (Vec3(x1, 0.08, cz), Vec3(0.03, 0.16, wz))] {
                a.add(.box, at: p, size: s, metal)
            }
            var x = x0
            while x <= x1 + 0.001 { a.add(.box, at: Vec3(x, top / 2, z0), size: Vec3(0.025, top, 0.025), metal); x += 0.13 }
            var z = z0 + 0.13
            while z < z1 {
                a.add(.box, at: Vec3(x0, top / 2, z), size: Vec3(0.025, top, 0.025), metal)
                a.add(.box, at: Vec3(x1, top / 2, z), size: Vec3(0.025, top, 0.025), metal)
                z += 0.13
            }
        case "low":
            let top: Float = 0.45
            a.add(.box, at: Vec3(cx, top, z0), size: Vec3(wx, 0.05, 0.05), metal)
            a.add(.box, at: Vec3(x0, top, cz), size: Vec3(0.05, 0.05, wz), metal)
            a.add(.box, at: Vec3(x1, top, cz), size: Vec3(0.05, 0.05, wz), metal)
            for p in [Vec3(x0, 0, z0), Vec3(x1, 0, z0), Vec3(cx, 0, z0), Vec3(x0, 0, cz), Vec3(x1, 0, cz)] {
                a.add(.box, at: p + Vec3(0, top / 2, 0), size: Vec3(0.05, top, 0.05), metal)
            }
        default:
            // No railing: only a kerb along the edge.
            a.add(.box, at: Vec3(cx, 0.03, z0), size: Vec3(wx, 0.06, 0.06), metal)
        }
    }
}
