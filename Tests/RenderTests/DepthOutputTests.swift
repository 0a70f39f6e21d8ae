import CVulkan
import Foundation
import PNG
@testable import Render
import SceneModel
import XCTest

/// The renderer hands each eye's depth to the caller (what the OpenXR loop submits through
/// XR_KHR_composition_layer_depth): the distances it encodes must be the scene's.
final class DepthOutputTests: XCTestCase {
    static let size = 64

    /// Distance (m, along the view axis) to the floor seen through pixel row `y` of a 90-degree
    /// view from 1.6 m: the ray (.., -ndcY, -1) meets y = 0 at 1.6 / ndcY. `sampleY` is where in
    /// the pixel depth is taken: its centre without MSAA; with 4x the renderer keeps sample 0,
    /// which Vulkan's standard sample locations put at (0.375, 0.125).
    static func floorDistance(row y: Int, sampleY: Float) -> Float {
        let ndcY = (Float(y) + sampleY) / Float(size) * 2 - 1
        return TestScene.defaultHead.position.y / ndcY
    }

    func render(samples: Int, layer: UInt32) throws -> (renderer: StereoRenderer, depth: [[Float]], color: [RGBAImage]) {
        let context = try validatedContext()
        let renderer = try StereoRenderer(context: context, width: Self.size, height: Self.size, samples: samples)
        XCTAssertTrue(renderer.canWriteDepth, "\(samples)x: lavapipe has Vulkan 1.2 depth resolve")
        // Eye 1 draws into `layer` of its image: with MSAA, layer 1 takes the explicit-resolve path.
        let colors = try (0..<2).map { _ in
            try OwnedColorImage(context: context, format: renderer.colorFormat, width: Self.size, height: Self.size, layers: 2)
        }
        let depths = try (0..<2).map { _ in try OwnedDepthImage(for: renderer) }
        let targets = (0..<2).map { eye in
            var t = colors[eye].target(layer: eye == 0 ? 0 : layer, layoutBefore: VK_IMAGE_LAYOUT_UNDEFINED,
                                       layoutAfter: VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL)
            t.depth = depths[eye].target()
            return t
        }
        try renderer.render(scene: TestScene.make(), views: EyeView.stereo(head: TestScene.defaultHead), into: targets)
        let depth = try depths.map {
            try context.readDepth(image: $0.image, format: $0.format, width: Self.size, height: Self.size,
                                  layout: VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL)
        }
        let images = try targets.map {
            try context.readPixels(image: $0.image, format: $0.format, width: Self.size, height: Self.size,
                                   arrayLayer: $0.arrayLayer, layout: VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL)
        }
        assertNoValidationMessages(context)
        return (renderer, depth, images)
    }

    func assertSceneDepth(_ result: (renderer: StereoRenderer, depth: [[Float]], color: [RGBAImage]), _ label: String) {
        let r = result.renderer, n = Self.size
        func metres(_ eye: Int, _ x: Int, _ y: Int) -> Float {
            Mat4.viewDistance(depth: result.depth[eye][y * n + x], near: r.nearPlane, far: r.farPlane)
        }
        for eye in 0..<2 {
            // The red box's front face is 0.5 m nearer than its centre, 4 m ahead.
            let boxFace = -TestScene.targetBoxPosition.z - 0.5
            XCTAssertEqual(metres(eye, n / 2, n / 2), boxFace, accuracy: 0.01, "\(label) eye \(eye): depth at the red box")
            XCTAssertGreaterThan(result.color[eye].rgb(n / 2, n / 2).0, 120, "\(label) eye \(eye): colour and depth disagree: no red box")
            for row in [52, 58, 62] {
                let sampleY: Float = r.samples == 1 ? 0.5 : 0.125
                XCTAssertEqual(metres(eye, n / 2, row), Self.floorDistance(row: row, sampleY: sampleY), accuracy: 0.005, "\(label) eye \(eye): floor at row \(row)")
            }
            // Sky: nothing drawn, depth stays at the far plane.
            XCTAssertEqual(result.depth[eye][1 * n + 1], 1, "\(label) eye \(eye): sky depth")
        }
    }

    func testSingleSampledDepthIsTheScenesDepth() throws {
        assertSceneDepth(try render(samples: 1, layer: 1), "1x")
    }

    func testMultisampledDepthIsResolvedIntoTheTarget() throws {
        assertSceneDepth(try render(samples: 4, layer: 0), "4x, resolved in the pass")
    }

    func testMultisampledDepthWithAnEyeInALaterLayer() throws {
        assertSceneDepth(try render(samples: 4, layer: 1), "4x, colour resolved by command")
    }

    func testDepthTargetCanBeLeftReadyForCopying() throws {
        let context = try validatedContext()
        let renderer = try StereoRenderer(context: context, width: Self.size, height: Self.size, samples: 4)
        let color = try OwnedColorImage(context: context, format: renderer.colorFormat, width: Self.size, height: Self.size)
        let depth = try OwnedDepthImage(for: renderer)
        var target = color.target(layoutBefore: VK_IMAGE_LAYOUT_UNDEFINED, layoutAfter: VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL)
        target.depth = depth.target(layoutAfter: VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL)
        try renderer.render(scene: TestScene.make(), views: [EyeView.stereo(head: TestScene.defaultHead)[0]], into: [target])
        let values = try context.readDepth(image: depth.image, format: depth.format, width: Self.size, height: Self.size,
                                           layout: VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL)
        XCTAssertLessThan(values[(Self.size / 2) * Self.size + Self.size / 2], 1, "the box's depth is in the image")
        assertNoValidationMessages(context)
    }
}
