import CVulkan
import PNG
@testable import Render
import SceneModel
import XCTest

/// Translucent batches (a glass floor): blended over what is behind them, and never hiding it
/// from the depth buffer or from later glass.
final class GlassTests: XCTestCase {
    let size = 64
    let view = EyeView(pose: Pose(position: Vec3(0, 1.6, 0)), fov: .symmetric(horizontalDegrees: 60, verticalDegrees: 60))
    let red = Instance(position: Vec3(0, 1.6, -4), scale: Vec3(1, 1, 1), color: Vec3(1, 0, 0))
    /// A blue pane 2 m ahead, a quarter opaque, wide enough to cover the red box and black around it.
    let pane = Instance(transform: .trs(Vec3(0, 1.6, -2), .identity, Vec3(1.5, 1.5, 0.01)), color: Vec4(0, 0, 1, 0.25))

    func render(_ batches: [DrawBatch], samples: Int = 4) throws -> (RGBAImage, [Float], StereoRenderer) {
        let context = try validatedContext()
        let renderer = try StereoRenderer(context: context, colorFormat: VK_FORMAT_R8G8B8A8_SRGB, width: size, height: size, samples: samples)
        let color = try OwnedColorImage(context: context, format: renderer.colorFormat, width: size, height: size)
        let depth = try OwnedDepthImage(for: renderer)
        var target = color.target(layoutBefore: VK_IMAGE_LAYOUT_UNDEFINED, layoutAfter: VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL)
        target.depth = depth.target()
        try renderer.render(scene: Scene(sky: nil, background: .zero, lighting: flatLighting, batches: batches), views: [view], into: [target])
        let image = try context.readPixels(image: color.image, format: color.format, width: size, height: size,
                                           layout: VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL)
        let values = try context.readDepth(image: depth.image, format: depth.format, width: size, height: size,
                                           layout: VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL)
        assertNoValidationMessages(context)
        return (image, values, renderer)
    }

    func testGlassBlendsOverWhatIsBehindItWhateverTheBatchOrder() throws {
        let glass = DrawBatch(shape: .box, instances: [pane], translucent: true)
        let box = DrawBatch(shape: .box, instances: [red])
        // Listed before the box, the glass is still drawn after it: opaque batches come first.
        for batches in [[glass, box], [box, glass]] {
            let (image, depth, renderer) = try render(batches)
            // Linear "over": 0.25 of the pane's blue, 0.75 of what is behind (red box, black background).
            assertColor(image.rgb(size / 2, size / 2), (srgb8(0.75), 0, srgb8(0.25)), tolerance: 2, "glass over the red box")
            assertColor(image.rgb(size / 2, size / 2 - 16), (0, 0, srgb8(0.25)), tolerance: 2, "glass over the background")
            assertColor(image.rgb(2, 2), (0, 0, 0), tolerance: 0, "no glass in the corner")
            // Depth is the box's (3.5 m), not the pane's (2 m): the compositor reprojects what is seen through it.
            let metres = Mat4.viewDistance(depth: depth[(size / 2) * size + size / 2], near: renderer.nearPlane, far: renderer.farPlane)
            XCTAssertEqual(metres, 3.5, accuracy: 0.01, "depth behind the glass")
            XCTAssertEqual(depth[(size / 2 - 16) * size + size / 2], 1, "glass leaves the background at the far plane")
        }
    }

    func testGlassBehindAnOpaqueSurfaceIsHidden() throws {
        // A white card 1 m ahead, in front of the pane: the pane must not tint it.
        let card = Instance(position: Vec3(0, 1.6, -1), scale: Vec3(0.2, 0.2, 0.01), color: Vec3(1, 1, 1))
        let (image, _, _) = try render([DrawBatch(shape: .box, instances: [red, card]),
                                        DrawBatch(shape: .box, instances: [pane], translucent: true)], samples: 1)
        assertColor(image.rgb(size / 2, size / 2), (255, 255, 255), tolerance: 0, "the card in front of the glass")
    }
}
