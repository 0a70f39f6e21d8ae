import CVulkan
import PNG
@testable import Render
import SceneModel
import XCTest

/// Light, depth and multisampling, each checked against values computed from the scene.
final class ShadingTests: XCTestCase {
    let size = 96
    let view = EyeView(pose: Pose(position: Vec3(0, 1.6, 0)), fov: .symmetric(horizontalDegrees: 60, verticalDegrees: 60))

    func renderCentre(_ scene: Scene, samples: Int = 4) throws -> RGBAImage {
        let context = try validatedContext()
        let renderer = try StereoRenderer(context: context, colorFormat: VK_FORMAT_R8G8B8A8_SRGB, width: size, height: size, samples: samples)
        let image = try renderer.renderOffscreen(scene: scene, views: [view])[0]
        assertNoValidationMessages(context)
        return image
    }

    func testTheDirectionalLightFollowsLambertsLaw() throws {
        let color = Vec3(0.6, 0.5, 0.4), lightColor = Vec3(0.9, 0.8, 0.7), ambient = Vec3(0.2, 0.2, 0.25)
        let box = Instance(position: Vec3(0, 1.6, -3), scale: Vec3(1, 1, 1), color: color)
        // The face the camera sees points along +Z (towards the camera).
        for (direction, cosine) in [(Vec3(0, 0, 1), Float(1)), (Vec3(0, 0.6, 0.8), 0.8), (Vec3(0, 0, -1), 0)] {
            let scene = Scene(sky: nil, background: .zero, lighting: Lighting(direction: direction, color: lightColor, ambient: ambient),
                              batches: [DrawBatch(shape: .box, instances: [box])])
            let expected = color * (ambient + lightColor * cosine)
            assertColor(try renderCentre(scene).rgb(size / 2, size / 2), srgb8(expected), tolerance: 2, "light from \(direction)")
        }
    }

    func testNearerSurfacesHideFartherOnesWhateverTheDrawOrder() throws {
        let near = Instance(position: Vec3(0, 1.6, -2), scale: Vec3(0.5, 0.5, 0.5), color: Vec3(1, 0, 0))
        let far = Instance(position: Vec3(0, 1.6, -6), scale: Vec3(3, 3, 3), color: Vec3(0, 0, 1))
        for batches in [[DrawBatch(shape: .box, instances: [near]), DrawBatch(shape: .sphere, instances: [far])],
                        [DrawBatch(shape: .sphere, instances: [far]), DrawBatch(shape: .box, instances: [near])]] {
            let image = try renderCentre(Scene(sky: nil, background: .zero, lighting: flatLighting, batches: batches))
            assertColor(image.rgb(size / 2, size / 2), (255, 0, 0), tolerance: 0, "the near box covers the far sphere (first batch \(batches[0].shape))")
            assertColor(image.rgb(size / 2, size / 2 - 20), (0, 0, 255), tolerance: 0, "the far sphere shows around the box")
        }
    }

    func testMultisamplingSmoothsEdges() throws {
        // A white box turned 30 degrees about the view axis on black: with 4x MSAA its slanted
        // edges have in-between grey pixels; with 1x every pixel is black or white.
        let box = Instance(position: Vec3(0, 1.6, -3), rotation: Quat(axis: Vec3(0, 0, 1), angle: .pi / 6),
                           scale: Vec3(1, 1, 1), color: Vec3(1, 1, 1))
        let scene = Scene(sky: nil, background: .zero, lighting: flatLighting, batches: [DrawBatch(shape: .box, instances: [box])])
        func greys(_ image: RGBAImage) -> Int {
            var n = 0
            for y in 0..<size { for x in 0..<size { let r = image.rgb(x, y).0; if r > 10 && r < 245 { n += 1 } } }
            return n
        }
        XCTAssertEqual(greys(try renderCentre(scene, samples: 1)), 0, "no anti-aliasing at 1x")
        XCTAssertGreaterThan(greys(try renderCentre(scene, samples: 4)), 40, "anti-aliased edges at 4x")
    }
}
