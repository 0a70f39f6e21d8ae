import XCTest
import CVulkan
import ExposureCore
import PNG
import Render
import SceneModel
@testable import Environments

/// Pixel checks on real renders (lavapipe, validation layer on): what the patient would see.
final class RenderedPixelTests: XCTestCase {
    static let context = Result { try VulkanContext(applicationName: "environments-tests", validation: true) }
    static let size = 160

    func renderer() throws -> (VulkanContext, StereoRenderer) {
        let context = try Self.context.get()
        context.clearValidationMessages()
        return (context, try StereoRenderer(context: context, colorFormat: VK_FORMAT_R8G8B8A8_SRGB,
                                            width: Self.size, height: Self.size, samples: 1))
    }

    func render(_ renderer: StereoRenderer, _ scene: Scene, head: Pose) throws -> RGBAImage {
        try renderer.renderOffscreen(scene: scene, views: [EyeView(pose: head, fov: .symmetric(horizontalDegrees: 90, verticalDegrees: 90))])[0]
    }

    func saveIfAsked(_ image: RGBAImage, _ name: String) {
        guard let dir = ProcessInfo.processInfo.environment["EXPOSURE_TEST_IMAGES"] else { return }
        try? PNG.write(image, to: "\(dir)/\(name).png")
    }

    /// Neighbouring pixel pairs whose colours differ clearly: a measure of visible detail.
    func edges(_ image: RGBAImage) -> Int {
        var count = 0
        for y in 0..<image.height {
            for x in 0..<(image.width - 1) {
                let a = image[x, y], b = image[x + 1, y]
                let d = abs(Int(a.r) - Int(b.r)) + abs(Int(a.g) - Int(b.g)) + abs(Int(a.b) - Int(b.b))
                if d > 30 { count += 1 }
            }
        }
        return count
    }

    func heightsScene(height: Double, floor: String = "solid") throws -> Scene {
        let world = EnvironmentWorld(catalog: try Fixtures.catalog(), seed: 77)
        let target = EnvironmentTarget(environment: "heights", intensity: 40,
                                       overrides: ["height_m": .number(height), "railing": .choice("none"), "floor": .choice(floor)])
        return world.update(target: target, dt: 0.02)
    }

    func testLookingDownAt100MetresShowsFarMoreDetailThanAt3Metres() throws {
        let (context, renderer) = try renderer()
        // At the balcony edge, looking steeply down past it.
        let head = Pose(position: Vec3(0, 1.65, -1.9), orientation: .yawPitch(yaw: 0, pitch: -1.15))
        let low = try render(renderer, try heightsScene(height: 3), head: head)
        let high = try render(renderer, try heightsScene(height: 100), head: head)
        saveIfAsked(low, "heights-3m"); saveIfAsked(high, "heights-100m")
        XCTAssertEqual(context.validationMessages, [])
        let lowEdges = edges(low), highEdges = edges(high)
        XCTAssertGreaterThan(highEdges, lowEdges * 2, "edges at 3 m: \(lowEdges), at 100 m: \(highEdges)")
        XCTAssertNotEqual(low, high)
    }

    func testTheCityShowsThroughAFaintlyTintedGlassFloor() throws {
        let (context, renderer) = try renderer()
        // Standing mid-balcony, looking straight down at the floor.
        let head = Pose(position: Vec3(0, 1.65, -0.8), orientation: .yawPitch(yaw: 0, pitch: -1.5))
        let solid = try render(renderer, try heightsScene(height: 40, floor: "solid"), head: head)
        var glassScene = try heightsScene(height: 40, floor: "glass")
        let glass = try render(renderer, glassScene, head: head)
        XCTAssertEqual(glassScene.batches.filter(\.translucent).count, 1, "the pane is one translucent batch")
        glassScene.batches.removeAll(where: \.translucent)
        let bare = try render(renderer, glassScene, head: head)
        saveIfAsked(solid, "heights-floor-solid"); saveIfAsked(glass, "heights-floor-glass")
        XCTAssertEqual(context.validationMessages, [])
        XCTAssertGreaterThan(edges(glass), 3 * max(edges(solid), 10), "through glass the street grid below is visible")
        // The pane tints the view a little, toward its light blue, and hides nothing.
        var difference = 0, bluer = 0
        for y in 0..<glass.height { for x in 0..<glass.width {
            let g = glass[x, y], b = bare[x, y]
            difference += abs(Int(g.r) - Int(b.r)) + abs(Int(g.g) - Int(b.g)) + abs(Int(g.b) - Int(b.b))
            if Int(g.b) - Int(g.r) > Int(b.b) - Int(b.r) { bluer += 1 }
        } }
        let pixels = glass.width * glass.height
        let meanDifference = Double(difference) / Double(3 * pixels)
        XCTAssertGreaterThan(meanDifference, 2, "the glass is visible")
        XCTAssertLessThan(meanDifference, 40, "the glass is faint")
        XCTAssertGreaterThan(bluer, pixels / 2, "the tint is the rim's light blue")
    }

    func testHigherDensityShowsMorePersonPixels() throws {
        let (context, renderer) = try renderer()
        let catalog = try Fixtures.catalog()
        let head = Pose(position: Vec3(0, 1.65, 0), orientation: .yawPitch(yaw: 0, pitch: -0.25))
        func plaza(_ density: Double) throws -> RGBAImage {
            let world = EnvironmentWorld(catalog: catalog, seed: 31)
            let scene = world.update(target: EnvironmentTarget(environment: "crowds", intensity: 50,
                                                               overrides: ["density_per_m2": .number(density)]), dt: 0.02)
            return try render(renderer, scene, head: head)
        }
        let empty = try plaza(0), sparse = try plaza(0.15), dense = try plaza(0.9)
        saveIfAsked(sparse, "crowds-sparse"); saveIfAsked(dense, "crowds-dense")
        XCTAssertEqual(context.validationMessages, [])
        // Person pixels: where the plaza with people differs from the same plaza empty.
        func personPixels(_ image: RGBAImage) -> Int {
            var n = 0
            for y in 0..<image.height {
                for x in 0..<image.width {
                    let a = image[x, y], b = empty[x, y]
                    if abs(Int(a.r) - Int(b.r)) + abs(Int(a.g) - Int(b.g)) + abs(Int(a.b) - Int(b.b)) > 24 { n += 1 }
                }
            }
            return n
        }
        let few = personPixels(sparse), many = personPixels(dense)
        XCTAssertGreaterThan(few, 50, "some people are visible at 0.15 per m2")
        XCTAssertGreaterThan(many, few * 2, "person pixels: \(few) at 0.15/m2, \(many) at 0.9/m2")
    }

    func testSafeRoomIsClosedAndHasNoSky() throws {
        let (context, renderer) = try renderer()
        let world = EnvironmentWorld(catalog: try Fixtures.catalog())
        var room = world.update(target: EnvironmentTarget(environment: "heights", intensity: 50, safeRoom: true), dt: 0.02)
        XCTAssertNil(room.sky)
        // Paint the background a colour nothing else has: any of it seen means a gap to the outside.
        let marker = Vec3(1, 0, 1)
        room.background = marker
        func markerPixels(_ image: RGBAImage) -> Int {
            var n = 0
            for y in 0..<image.height { for x in 0..<image.width { let p = image[x, y]; if p.r > 230 && p.g < 40 && p.b > 230 { n += 1 } } }
            return n
        }
        let eye = Vec3(0, 1.6, 0)
        let directions: [(Float, Float)] = [(0, 0), (.pi / 2, 0), (.pi, 0), (-.pi / 2, 0), (0, 1.5), (0, -1.5)]
        for (yaw, pitch) in directions {
            let image = try render(renderer, room, head: Pose(position: eye, orientation: .yawPitch(yaw: yaw, pitch: pitch)))
            XCTAssertEqual(markerPixels(image), 0, "looking yaw \(yaw) pitch \(pitch)")
            let bluish = (0..<image.height).reduce(0) { n, y in
                n + (0..<image.width).filter { x in let p = image[x, y]; return Int(p.b) > Int(p.r) + 40 }.count
            }
            XCTAssertEqual(bluish, 0, "no sky-blue in the room (yaw \(yaw) pitch \(pitch))")
        }
        // The check can fail: outdoors, with the sky removed, looking up shows the background.
        var outside = world.update(target: EnvironmentTarget(environment: "heights", intensity: 50), dt: 0.02)
        outside.sky = nil
        outside.background = marker
        let up = try render(renderer, outside, head: Pose(position: eye, orientation: .yawPitch(yaw: 0, pitch: 1.2)))
        XCTAssertGreaterThan(markerPixels(up), Self.size * Self.size / 4)
        XCTAssertEqual(context.validationMessages, [])
    }
}

final class PreviewTests: XCTestCase {
    func testEveryEnvironmentPreviewRendersSomethingToLookAt() throws {
        let catalog = try Fixtures.catalog()
        let context = try RenderedPixelTests.context.get()
        context.clearValidationMessages()
        let renderer = try StereoRenderer(context: context, colorFormat: VK_FORMAT_R8G8B8A8_SRGB, width: 128, height: 128, samples: 1)
        for name in catalog.names {
            for intensity in [0.0, 100.0] {
                let (scene, head) = try EnvironmentPreview.scene(catalog: catalog, environment: name, intensity: intensity, settleSeconds: 1)
                let image = try renderer.renderOffscreen(scene: scene, views: [EyeView(pose: head, fov: .symmetric(horizontalDegrees: 90, verticalDegrees: 90))])[0]
                if let dir = ProcessInfo.processInfo.environment["EXPOSURE_TEST_IMAGES"] {
                    try? PNG.write(image, to: "\(dir)/preview-\(name)-\(Int(intensity)).png")
                }
                // A preview worth showing has many distinct colours, not one flat fill.
                var colours = Set<UInt32>()
                for y in stride(from: 0, to: image.height, by: 2) {
                    for x in stride(from: 0, to: image.width, by: 2) {
                        let p = image[x, y]
                        colours.insert(UInt32(p.r >> 3) << 10 | UInt32(p.g >> 3) << 5 | UInt32(p.b >> 3))
                    }
                }
                XCTAssertGreaterThan(colours.count, 12, "\(name) at \(intensity)")
            }
        }
        XCTAssertEqual(context.validationMessages, [])
    }

    func testPreviewRejectsUnknownNamesAndBadParameters() throws {
        let catalog = try Fixtures.catalog()
        XCTAssertThrowsError(try EnvironmentPreview.scene(catalog: catalog, environment: "volcano", intensity: 10)) {
            XCTAssertTrue("\($0)".contains("heights"), "names the known environments: \($0)")
        }
        XCTAssertThrowsError(try EnvironmentPreview.scene(catalog: catalog, environment: "heights", intensity: 10,
                                                          overrides: ["height_m": .number(900)])) {
            XCTAssertTrue("\($0)".contains("out of range"), "\($0)")
        }
        XCTAssertThrowsError(try EnvironmentPreview.parseOverride("height_m=tall", catalog: catalog, environment: "heights"))
        let (name, value) = try EnvironmentPreview.parseOverride("height_m=40", catalog: catalog, environment: "heights")
        XCTAssertEqual(name, "height_m"); XCTAssertEqual(value, .number(40))
        XCTAssertEqual(try EnvironmentPreview.parseOverride("railing=low", catalog: catalog, environment: "heights").1, .choice("low"))
    }
}
