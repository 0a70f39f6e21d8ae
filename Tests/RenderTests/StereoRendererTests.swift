import CVulkan
import PNG
@testable import Render
import SceneModel
import XCTest

final class StereoRendererTests: XCTestCase {
    let size = 128

    func render(_ scene: Scene, views: [EyeView], size: Int? = nil) throws -> [RGBAImage] {
        let context = try validatedContext()
        let s = size ?? self.size
        let renderer = try StereoRenderer(context: context, colorFormat: VK_FORMAT_R8G8B8A8_SRGB, width: s, height: s)
        let images = try renderer.renderOffscreen(scene: scene, views: views)
        assertNoValidationMessages(context)
        XCTAssertEqual(images.count, views.count)
        return images
    }

    func testSkyIsAboveTheHorizonAndBrighterTowardsIt() throws {
        let scene = Scene(sky: .clearDay, batches: [])
        let eye = try render(scene, views: EyeView.stereo(head: TestScene.defaultHead))[0]
        let x = size / 2
        let top = eye.rgb(x, 0)
        XCTAssertGreaterThan(top.2, top.0 + 40, "the top row is sky blue")
        // Looking level, the horizon is the middle row: brightness grows from the top down to it.
        var previous = eye.brightness(x, 0)
        for y in stride(from: 8, to: size / 2 - 1, by: 8) {
            let b = eye.brightness(x, y)
            XCTAssertGreaterThanOrEqual(b, previous, "row \(y) is at least as bright as the row above")
            previous = b
        }
        XCTAssertGreaterThan(eye.brightness(x, size / 2 - 2), eye.brightness(x, 0) + 60)
        assertColor(eye.rgb(x, size / 2 - 1), srgb8(Sky.clearDay.horizon), tolerance: 12, "just above the horizon")
        assertColor(eye.rgb(x, size - 1), srgb8(Sky.clearDay.ground), tolerance: 2, "below the horizon, without a floor")
    }

    func testTestSceneShowsTheBoxStraightAheadTheFloorBelowAndTheSkyAbove() throws {
        let eyes = try render(TestScene.make(), views: EyeView.stereo(head: TestScene.defaultHead))
        for (i, eye) in eyes.enumerated() {
            let centre = eye.rgb(size / 2, size / 2)
            XCTAssertGreaterThan(centre.0, 2 * centre.1, "eye \(i): the red box is in the centre, got \(centre)")
            XCTAssertGreaterThan(centre.0, 2 * centre.2, "eye \(i): the red box is in the centre, got \(centre)")
            let floor = eye.rgb(size / 2, size - 2)
            XCTAssertGreaterThanOrEqual(floor.1, floor.0, "eye \(i): the grey-green floor is at the bottom, got \(floor)")
            XCTAssertLessThan(floor.2, floor.1 + 25, "eye \(i): the bottom is floor, not sky, got \(floor)")
            let sky = eye.rgb(size / 2, 1)
            XCTAssertGreaterThan(sky.2, sky.0 + 40, "eye \(i): sky at the top, got \(sky)")
        }
    }

    func testEyesDifferByTheParallaxTheEyeSeparationImplies() throws {
        let ipd: Float = 0.064, distance: Float = 0.5, side = 256
        let head = Pose(position: Vec3(0, 1.6, 0))
        let fov = Fov.symmetric(horizontalDegrees: 90, verticalDegrees: 90)
        let post = Instance(position: Vec3(0, 1.6, -distance - 0.005), scale: Vec3(0.04, 0.3, 0.01), color: Vec3(1, 1, 1))
        let scene = Scene(sky: nil, background: .zero, lighting: flatLighting, batches: [DrawBatch(shape: .box, instances: [post])])
        let eyes = try render(scene, views: EyeView.stereo(head: head, ipd: ipd, fov: fov), size: side)
        let white: ((Int, Int, Int)) -> Bool = { $0.0 > 128 && $0.1 > 128 && $0.2 > 128 }
        let left = try XCTUnwrap(eyes[0].centroidX(where: white), "the post is visible to the left eye")
        let right = try XCTUnwrap(eyes[1].centroidX(where: white), "the post is visible to the right eye")
        // Each eye sees the post ipd/2 to the side: pixel = (ndc + 1) / 2 * width, ndc = P00 * x / depth.
        let p00 = Double(Mat4.perspective(fov: fov, near: 0.05, far: 1000)[0].x)
        let halfShift = p00 * Double(ipd / 2) / Double(distance) * Double(side) / 2
        XCTAssertEqual(left, Double(side) / 2 + halfShift, accuracy: 0.75, "left eye sees the post right of centre")
        XCTAssertEqual(right, Double(side) / 2 - halfShift, accuracy: 0.75, "right eye sees the post left of centre")
        XCTAssertEqual(left - right, 2 * halfShift, accuracy: 1.0, "disparity in pixels")
    }

    func testFogPullsAFarObjectTowardsTheFogColour() throws {
        let fog = Fog(color: Vec3(0.6, 0.6, 0.7), density: 0.05)
        let boxColor = Vec3(0.8, 0.1, 0.1)
        let head = Pose(position: Vec3(0, 1.6, 0))
        func centrePixel(faceDistance d: Float, fog: Fog) throws -> (Int, Int, Int) {
            let size: Float = d / 4
            let box = Instance(position: Vec3(0, 1.6, -d - size / 2), scale: Vec3(size, size, size), color: boxColor)
            let scene = Scene(sky: nil, background: .zero, lighting: flatLighting, fog: fog,
                              batches: [DrawBatch(shape: .box, instances: [box])])
            let eye = try render(scene, views: [EyeView(pose: head, fov: .symmetric(horizontalDegrees: 60, verticalDegrees: 60))])[0]
            return eye.rgb(self.size / 2, self.size / 2)
        }
        for d: Float in [3, 40] {
            let expected = boxColor + (fog.color - boxColor) * (1 - exp(-fog.density * d))
            assertColor(try centrePixel(faceDistance: d, fog: fog), srgb8(expected), tolerance: 3, "box face \(d) m away in fog")
            assertColor(try centrePixel(faceDistance: d, fog: .none), srgb8(boxColor), tolerance: 2, "box face \(d) m away without fog")
        }
        let near = try centrePixel(faceDistance: 3, fog: fog), far = try centrePixel(faceDistance: 40, fog: fog)
        let target = srgb8(fog.color)
        func gap(_ c: (Int, Int, Int)) -> Int { abs(c.0 - target.0) + abs(c.1 - target.1) + abs(c.2 - target.2) }
        XCTAssertLessThan(gap(far), gap(near) / 2, "the far box is much closer to the fog colour")
    }

    func testIndoorSceneShowsTheBackgroundAndNoSky() throws {
        let background = Vec3(0.25, 0.5, 0.1)
        let scene = Scene(sky: nil, background: background, batches: [])
        let eye = try render(scene, views: EyeView.stereo(head: TestScene.defaultHead))[1]
        let expected = srgb8(background)
        for y in stride(from: 0, to: size, by: 9) {
            for x in stride(from: 0, to: size, by: 13) { assertColor(eye.rgb(x, y), expected, tolerance: 1, "pixel \(x),\(y)") }
        }
    }

    func testInstancesOfEveryShapeAreDrawn() throws {
        // Each shape alone in front of the camera covers the centre pixel in its own colour.
        for shape in MeshShape.allCases {
            let rotation = shape == .quad ? Quat(axis: Vec3(1, 0, 0), angle: .pi / 2) : .identity
            let y: Float = shape == .cylinder || shape == .cone ? 1.1 : 1.6
            let instance = Instance(position: Vec3(0, y, -3), rotation: rotation, scale: Vec3(1, 1, 1), color: Vec3(0, 1, 0))
            let scene = Scene(sky: nil, background: .zero, lighting: flatLighting, batches: [DrawBatch(shape: shape, instances: [instance])])
            let eye = try render(scene, views: [EyeView(pose: TestScene.defaultHead, fov: .symmetric(horizontalDegrees: 60, verticalDegrees: 60))])[0]
            assertColor(eye.rgb(size / 2, size / 2), (0, 255, 0), tolerance: 1, "\(shape) in the centre")
            assertColor(eye.rgb(2, 2), (0, 0, 0), tolerance: 0, "\(shape) leaves the corner empty")
        }
    }

    func testRenderingIntoAnExternalImageLeavesItInTheRequestedLayout() throws {
        // 4x MSAA resolves layer 1 with a command (lavapipe ignores a resolve view's layer); 1x renders directly.
        for samples in [4, 1] { try renderIntoExternalImage(samples: samples) }
    }

    func renderIntoExternalImage(samples: Int) throws {
        let context = try validatedContext()
        let renderer = try StereoRenderer(context: context, colorFormat: VK_FORMAT_R8G8B8A8_SRGB, width: size, height: size, samples: samples)
        XCTAssertEqual(renderer.samples, samples)
        // Stands in for an OpenXR swapchain image: two layers, one per eye, owned by someone else.
        let external = try GPUImage(context: context, width: size, height: size, format: VK_FORMAT_R8G8B8A8_SRGB,
                                    usage: VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT.rawValue | VK_IMAGE_USAGE_TRANSFER_SRC_BIT.rawValue
                                        | VK_IMAGE_USAGE_TRANSFER_DST_BIT.rawValue,
                                    samples: VK_SAMPLE_COUNT_1_BIT, aspect: VK_IMAGE_ASPECT_COLOR_BIT.rawValue, layers: 2)
        try context.submitAndWait { cmd in
            for layer: UInt32 in 0..<2 {
                transition(cmd, image: external.image, layer: layer, from: VK_IMAGE_LAYOUT_UNDEFINED, to: VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL)
            }
        }
        let scene = TestScene.make(), views = EyeView.stereo(head: TestScene.defaultHead)
        let targets = (0..<2).map {
            ColorTarget(image: external.image, format: VK_FORMAT_R8G8B8A8_SRGB, width: size, height: size, arrayLayer: UInt32($0),
                        layoutBefore: VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, layoutAfter: VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL)
        }
        try renderer.render(scene: scene, views: views, into: targets)
        // Reading back declares the layout it finds; the validation layer checks that claim.
        let read = try (0..<2).map {
            try context.readPixels(image: external.image, format: VK_FORMAT_R8G8B8A8_SRGB, width: size, height: size,
                                   arrayLayer: UInt32($0), layout: VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL)
        }
        let offscreen = try renderer.renderOffscreen(scene: scene, views: views)
        assertSameImage(read[0], offscreen[0], "\(samples)x: layer 0 holds the left eye")
        assertSameImage(read[1], offscreen[1], "\(samples)x: layer 1 holds the right eye")
        XCTAssertTrue(read[0] != read[1], "the eyes differ")

        // A different final layout (ready for a copy) is honoured too.
        let forCopy = targets.map { t -> ColorTarget in var t = t; t.layoutAfter = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL; return t }
        try renderer.render(scene: scene, views: views, into: forCopy)
        let copied = try context.readPixels(image: external.image, format: VK_FORMAT_R8G8B8A8_SRGB, width: size, height: size,
                                            arrayLayer: 1, layout: VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL)
        assertSameImage(copied, offscreen[1], "layer 1 read in TRANSFER_SRC_OPTIMAL")
        assertNoValidationMessages(context)
    }

    func testLargerInstanceCountsGrowTheInstanceBuffer() throws {
        let context = try validatedContext()
        let renderer = try StereoRenderer(context: context, colorFormat: VK_FORMAT_R8G8B8A8_SRGB, width: 64, height: 64)
        let views = [EyeView(pose: TestScene.defaultHead, fov: .symmetric(horizontalDegrees: 90, verticalDegrees: 90))]
        let few = Scene(sky: nil, background: .zero, lighting: flatLighting, batches: [])
        _ = try renderer.renderOffscreen(scene: few, views: views)
        // A wall of 40 x 40 small boxes filling the view, far more than the initial buffer holds.
        var boxes: [Instance] = []
        for i in 0..<40 { for j in 0..<40 {
            boxes.append(Instance(position: Vec3(Float(i) * 0.25 - 5, Float(j) * 0.25 - 3.4, -4), scale: Vec3(0.25, 0.25, 0.25), color: Vec3(0, 0, 1)))
        } }
        let many = Scene(sky: nil, background: .zero, lighting: flatLighting, batches: [DrawBatch(shape: .box, instances: boxes)])
        let image = try renderer.renderOffscreen(scene: many, views: views)[0]
        for (x, y) in [(1, 1), (32, 32), (62, 62)] { assertColor(image.rgb(x, y), (0, 0, 255), tolerance: 1, "wall pixel \(x),\(y)") }
        assertNoValidationMessages(context)
    }
}

final class PreviewViewsTests: XCTestCase {
    func testPreviewFieldOfViewKeepsPixelsSquare() {
        let views = PreviewViews.stereo(head: TestScene.defaultHead, width: 320, height: 240)
        XCTAssertEqual(views.count, 2)
        let fov = views[0].fov
        XCTAssertEqual(fov.angleRight, .pi / 4, accuracy: 1e-6)
        // tan(half vertical) / tan(half horizontal) = height / width
        XCTAssertEqual(tan(fov.angleUp) / tan(fov.angleRight), 240 / 320, accuracy: 1e-5)
        XCTAssertEqual(fov.angleDown, -fov.angleUp)
        XCTAssertEqual((views[1].pose.position - views[0].pose.position).length, 0.064, accuracy: 1e-6)
    }
}
