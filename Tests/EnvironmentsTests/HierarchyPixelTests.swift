import XCTest
import CVulkan
import ExposureCore
import PNG
import Render
import SceneModel
@testable import Environments

/// The level is the stimulus (issue #13): for every bundled protocol and every step, the real
/// engine raises the level by 10 (lowers it by 10), records physical values that move the right
/// way, and the world it asks for renders visibly more (less) of what the patient fears. Rendered
/// on lavapipe with the validation layer on.
final class HierarchyPixelTests: XCTestCase {
    static let size = 128

    struct Rendering {
        let context: VulkanContext
        let renderer: StereoRenderer
        /// Twice the resolution, for the detail of a city far below.
        let fine: StereoRenderer
        let catalog: EnvironmentCatalog

        func image(_ scene: Scene, head: Pose) throws -> RGBAImage {
            try renderer.renderOffscreen(scene: scene, views: [EyeView(pose: head, fov: .symmetric(horizontalDegrees: 90, verticalDegrees: 90))])[0]
        }

        func scene(_ environment: String, _ values: [String: ParameterValue], level: Double) throws -> Scene {
            try EnvironmentPreview.scene(catalog: catalog, environment: environment, intensity: level,
                                         overrides: values, seed: 4242, settleSeconds: 1).0
        }
    }

    func rendering() throws -> Rendering {
        let context = try RenderedPixelTests.context.get()
        context.clearValidationMessages()
        let renderer = try StereoRenderer(context: context, colorFormat: VK_FORMAT_R8G8B8A8_SRGB,
                                          width: Self.size, height: Self.size, samples: 1)
        let fine = try StereoRenderer(context: context, colorFormat: VK_FORMAT_R8G8B8A8_SRGB,
                                      width: 2 * Self.size, height: 2 * Self.size, samples: 1)
        return Rendering(context: context, renderer: renderer, fine: fine, catalog: try Fixtures.catalog())
    }

    typealias Pixel = (r: UInt8, g: UInt8, b: UInt8, a: UInt8)
    static func difference(_ a: Pixel, _ b: Pixel) -> Int { abs(Int(a.r) - Int(b.r)) + abs(Int(a.g) - Int(b.g)) + abs(Int(a.b) - Int(b.b)) }

    /// Pixels where `a` and `b` differ by more than `threshold` (summed over r, g, b).
    static func differing(_ a: RGBAImage, _ b: RGBAImage, over threshold: Int) -> Int {
        var n = 0
        for y in 0..<a.height { for x in 0..<a.width where difference(a[x, y], b[x, y]) > threshold { n += 1 } }
        return n
    }

    /// The four directions around the patient, so nobody out of one view is missed.
    static func around(pitch: Float) -> [Pose] {
        [0, Float.pi / 2, .pi, -.pi / 2].map { Pose(position: Vec3(0, 1.65, 0), orientation: .yawPitch(yaw: $0, pitch: pitch)) }
    }

    /// One number per environment that grows with what the patient fears in it.
    func measure(_ environment: String, _ values: [String: ParameterValue], level: Double, _ r: Rendering,
                 name: String) throws -> Int {
        switch environment {
        case "crowds":
            // Person pixels all around: where the place with people differs from the same place empty.
            var empty = values
            empty["density_per_m2"] = .number(0)
            let full = try r.scene(environment, values, level: level), bare = try r.scene(environment, empty, level: level)
            var n = 0
            for (k, head) in Self.around(pitch: -0.35).enumerated() {
                let a = try r.image(full, head: head)
                if k == 0 { save(a, name) }
                n += Self.differing(a, try r.image(bare, head: head), over: 24)
            }
            return n
        case "heights":
            // The visible drop: looking down past the balcony edge, the detail (edges) of the city
            // below that the balcony's floor and railing leave in sight. Higher shows more detail;
            // a lower railing or a see-through floor shows more of it.
            let head = Pose(position: Vec3(0, 1.65, -1.9), orientation: .yawPitch(yaw: 0, pitch: -1.15))
            let scene = try r.scene(environment, values, level: level)
            var far = scene
            for i in far.batches.indices { far.batches[i].instances.removeAll(where: Self.isBalcony) }
            let view = [EyeView(pose: head, fov: .symmetric(horizontalDegrees: 90, verticalDegrees: 90))]
            let full = try r.fine.renderOffscreen(scene: scene, views: view)[0], city = try r.fine.renderOffscreen(scene: far, views: view)[0]
            save(full, name)
            var count = 0
            for y in 0..<city.height {
                for x in 0..<(city.width - 1) where Self.difference(full[x, y], city[x, y]) <= 40
                    && Self.difference(full[x + 1, y], city[x + 1, y]) <= 40
                    && Self.difference(city[x, y], city[x + 1, y]) > 30 { count += 1 }
            }
            // And the drop itself: straight down from the patient's eyes, the tower's face runs
            // down to the street; the higher the balcony, the more of the view it fills.
            let down = [EyeView(pose: Pose(position: Vec3(0, 1.65, -1.9), orientation: .yawPitch(yaw: 0, pitch: -.pi / 2)),
                                fov: .symmetric(horizontalDegrees: 90, verticalDegrees: 90))]
            var street = far
            for i in street.batches.indices { street.batches[i].instances.removeAll(where: Self.isTower) }
            let face = Self.differing(try r.fine.renderOffscreen(scene: far, views: down)[0],
                                      try r.fine.renderOffscreen(scene: street, views: down)[0], over: 12)
            return count + face
        case "open_spaces":
            // Openness all around (how much of the view is open sky and ground, not walls, the
            // shelter or people), plus the same through a narrow view on the shelter, which shrinks
            // as the exit moves away.
            let scene = try r.scene(environment, values, level: level)
            let empty: Scene = { var e = scene; e.batches.removeAll(); return e }()
            var n = 0
            for (k, head) in Self.around(pitch: 0.05).enumerated() {
                let a = try r.image(scene, head: head)
                if k == 0 { save(a, name) }
                n += a.width * a.height - Self.differing(a, try r.image(empty, head: head), over: 12)
            }
            let sign = try XCTUnwrap(scene.batches.lazy.flatMap(\.instances).first { $0.color == Vec4(0.1, 0.3, 0.8, 1) },
                                     "the bus-stop sign by the shelter").transform.columns.3
            let eye = Vec3(0, 1.65, 0)
            let toward = Vec3(sign.x, sign.y, sign.z) - eye
            let yaw = atan2(-toward.x, -toward.z), pitch = atan2(toward.y, (toward.x * toward.x + toward.z * toward.z).squareRoot())
            let zoom = EyeView(pose: Pose(position: eye, orientation: .yawPitch(yaw: yaw, pitch: pitch)),
                               fov: .symmetric(horizontalDegrees: 6, verticalDegrees: 6))
            var noShelter = scene
            let at = Vec3(sign.x, 0, sign.z)
            for i in noShelter.batches.indices {
                noShelter.batches[i].instances.removeAll {
                    let p = $0.transform.columns.3
                    let dx = p.x - at.x, dz = p.z - at.z
                    return (dx * dx + dz * dz).squareRoot() < 6 && p.y > -0.5
                }
            }
            let near = try r.renderer.renderOffscreen(scene: scene, views: [zoom])[0]
            let without = try r.renderer.renderOffscreen(scene: noShelter, views: [zoom])[0]
            save(near, name + "-shelter")
            return n + near.width * near.height - Self.differing(near, without, over: 12)
        default:
            XCTFail("no pixel measure for \(environment)")
            return 0
        }
    }

    /// The tower the balcony hangs on and its window bands: boxes centred on the tower's axis
    /// (x 0, z 8.5; HeightsContent.towerMin/towerMax).
    static func isTower(_ instance: Instance) -> Bool {
        let p = instance.transform.columns.3  // the translation
        let axis = (HeightsContent.towerMin + HeightsContent.towerMax) * 0.5
        return abs(p.x - axis.x) < 0.01 && abs(p.z - axis.z) < 0.01
    }

    /// The balcony the patient stands on (x -2...2, z -2.2...0.5, floor top at y = 0): its floor,
    /// railing and kerb, not the tower below or the city.
    static func isBalcony(_ instance: Instance) -> Bool {
        let p = instance.transform.columns.3  // the translation
        return abs(p.x) < 2.6 && p.z > -2.8 && p.z < 1.1 && p.y > -1 && p.y < 2.5
    }

    func edges(_ image: RGBAImage) -> Int {
        var count = 0
        for y in 0..<image.height {
            for x in 0..<(image.width - 1) where Self.difference(image[x, y], image[x + 1, y]) > 30 { count += 1 }
        }
        return count
    }

    func save(_ image: RGBAImage, _ name: String) {
        guard let dir = ProcessInfo.processInfo.environment["EXPOSURE_TEST_IMAGES"] else { return }
        try? PNG.write(image, to: "\(dir)/\(name).png")
    }

    /// The real engine at step `index`, after the therapist moves the level to `level`: the world it
    /// asks for, and the physical changes it recorded.
    func engineWorld(_ plan: ExposureProtocol, _ catalog: EnvironmentCatalog, step index: Int, level: Double?)
        throws -> (values: [String: ParameterValue], recorded: [(String, ParameterValue?, ParameterValue?)]) {
        let vocabulary = catalog.vocabulary
        let engine = ExposureEngine(protocol: plan, parameterSpecs: vocabulary.parameters(of: plan.environment),
                                    eventNames: vocabulary.events(of: plan.environment))
        engine.handle(.start, at: 0)
        _ = engine.tick(at: 0)
        if index > 0 {
            let d = engine.handle(.therapist(.goToStep(index, confirm: true)), at: 1)
            guard case .applied = d else { throw XCTSkip("cannot reach step \(index + 1): \(d)") }
        }
        _ = engine.tick(at: 1)
        var recorded: [(String, ParameterValue?, ParameterValue?)] = []
        if let level {
            let d = engine.handle(.therapist(.setIntensity(level, confirm: true)), at: 2)
            guard case .applied = d else { XCTFail("level \(level) at step \(index + 1): \(d)"); return (engine.target.overrides, []) }
            for e in engine.tick(at: 2).events {
                if case .parameterChanged(let n, let a, let b) = e.kind { recorded.append((n, a, b)) }
            }
        }
        return (engine.target.overrides, recorded)
    }

    func protocols() throws -> [String] {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Protocols").path
        return try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.sorted().map { "\(dir)/\($0)" }
    }

    func testRaisingTheLevelBy10FromEveryStepShowsMoreAndLoweringShowsLess() throws {
        let r = try rendering()
        let files = try protocols()
        XCTAssertEqual(files.count, 5, "every bundled protocol")
        var report: [String] = []
        for file in files {
            let plan = try ProtocolParser.load(path: file, vocabulary: r.catalog.vocabulary)
            let specs = try XCTUnwrap(r.catalog.vocabulary.parameters(of: plan.environment))
            let levels = IntensityModel.stepLevels(plan)
            for (i, base) in levels.enumerated() {
                let here = "\(plan.id) step \(i + 1) `\(plan.steps[i].id)`"
                let up = min(plan.session.maxIntensity, base + 10), down = max(plan.session.minIntensity, base - 10)
                let atStep = try engineWorld(plan, r.catalog, step: i, level: nil).values
                let m = try measure(plan.environment, atStep, level: base, r, name: "\(plan.id)-\(i + 1)")
                for (target, sign) in [(up, 1.0), (down, -1.0)] where target != base {
                    let (values, recorded) = try engineWorld(plan, r.catalog, step: i, level: target)
                    // The record: every physical value that moved, moved the right way, and something moved.
                    XCTAssertFalse(recorded.isEmpty, "\(here): level \(base) -> \(target) recorded no physical change")
                    for (name, a, b) in recorded {
                        guard let a, let b else { XCTFail("\(here): \(name) \(String(describing: a)) -> \(String(describing: b))"); continue }
                        XCTAssertGreaterThan(sign * IntensityModel.compare(name, a, b, specs), 0,
                                             "\(here): level \(base) -> \(target) moved \(name) \(a) -> \(b) the wrong way")
                    }
                    let n = try measure(plan.environment, values, level: target, r, name: "\(plan.id)-\(i + 1)-\(sign > 0 ? "up" : "down")")
                    report.append("\(here) level \(base) -> \(target): \(m) -> \(n)")
                    // A level the protocol's bounds cap at fewer than 5 above or below the step moves
                    // the world too little to see in a 128-pixel image; its record is checked above.
                    if abs(target - base) < 5 { continue }
                    if sign > 0 { XCTAssertGreaterThan(n, m, "\(here): raising the level \(base) -> \(target) shows no more (\(m) -> \(n))") }
                    else { XCTAssertLessThan(n, m, "\(here): lowering the level \(base) -> \(target) shows no less (\(m) -> \(n))") }
                }
            }
        }
        XCTAssertEqual(r.context.validationMessages, [])
        if ProcessInfo.processInfo.environment["EXPOSURE_TEST_REPORT"] != nil { print(report.joined(separator: "\n")) }
    }
}
