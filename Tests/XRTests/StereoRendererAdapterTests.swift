// The real renderer drawing into the simulated headset's swapchains through the frame loop.
import Foundation
import HeadsetTestSupport
import PNG
import SceneModel
import XCTest
@testable import XR

final class StereoRendererAdapterTests: XCTestCase {
    final class BoxDelegate: FrameDelegate {
        static let background = Vec3(0.1, 0.1, 0.1)
        let scene = Scene(sky: nil, background: BoxDelegate.background, lighting: Lighting(direction: Vec3(0, 0, 1), color: Vec3(1, 1, 1), ambient: Vec3(0.3, 0.3, 0.3)),
                          batches: [DrawBatch(shape: .box, instances: [Instance(position: Vec3(0, 1.6, -2), scale: Vec3(0.6, 0.6, 0.6), color: Vec3(0.9, 0.1, 0.1))])])
        var last: FrameInfo?
        func frame(_ frame: FrameInfo, input: [InputEvent]) -> Scene { last = frame; return scene }
        func stateChanged(_ state: XRSessionState) {}
    }

    func testStereoRendererDrawsTheSceneIntoBothEyes() throws {
        let fixture = try SimulatedHeadsetFixture("stereo", script: [
            "width": 48, "height": 48, "displayRateHz": 20, "exitAfterFrames": 4,
            "headPath": [["t": 0, "position": [0, 1.6, 0]]],
        ])
        defer { fixture.cleanUp() }
        var config = XRConfiguration()
        config.vulkanValidation = true
        config.makeRenderer = XRConfiguration.stereoRenderer(samples: 1)
        let loop = OpenXRFrameLoop(configuration: config)
        let delegate = BoxDelegate()
        try loop.run(delegate: delegate)

        let last = try XCTUnwrap(delegate.last)
        let index = SimulatedHeadsetFixture.frameIndex(displayTime: last.predictedDisplayTime, period: last.displayPeriod)
        for eye in 0..<2 {
            let image = try PNG.read(path: fixture.framePath(index, eye: eye))
            let centre = image[24, 24], corner = image[1, 1]
            XCTAssertGreaterThan(Int(centre.r), Int(centre.g) + 40, "eye \(eye): the red box is not in the middle: \(centre)")
            XCTAssertTrue(assertPixel(corner, linear: BoxDelegate.background, tolerance: 3, ""), "eye \(eye): corner is not background: \(corner)")
        }
        XCTAssertEqual(loop.validationMessages.messages, [])
        XCTAssertEqual(fixture.coreValidationProblems(), [])
    }

    /// The compositor gets the scene's depth: the box's distance at the centre, the far plane
    /// around it, and the near and far planes the renderer used (XR_KHR_composition_layer_depth).
    func assertSubmittedDepth(samples: Int) throws {
        let fixture = try SimulatedHeadsetFixture("depth\(samples)x", script: [
            "width": 48, "height": 48, "displayRateHz": 20, "exitAfterFrames": 4,
            "headPath": [["t": 0, "position": [0, 1.6, 0]]],
        ])
        defer { fixture.cleanUp() }
        var config = XRConfiguration()
        config.vulkanValidation = true
        config.makeRenderer = XRConfiguration.stereoRenderer(samples: samples)
        let loop = OpenXRFrameLoop(configuration: config)
        let delegate = BoxDelegate()
        try loop.run(delegate: delegate)

        let rendered = fixture.runtimeLog().filter { $0.contains("submitted") && $0.contains("projection=1") }
        XCTAssertFalse(rendered.isEmpty, "no frame was rendered")
        XCTAssertTrue(rendered.allSatisfy { $0.contains("depth=2 near=0.05 far=1000.0") }, rendered.joined(separator: "\n"))
        let last = try XCTUnwrap(delegate.last)
        let index = SimulatedHeadsetFixture.frameIndex(displayTime: last.predictedDisplayTime, period: last.displayPeriod)
        for eye in 0..<2 {
            let depth = try FloatMap(path: fixture.depthPath(index, eye: eye))
            XCTAssertEqual(depth.width, 48)
            // The box (0.6 m, centred 2 m ahead) shows its front face 1.7 m away.
            let centre = Mat4.viewDistance(depth: depth[24, 24], near: 0.05, far: 1000)
            XCTAssertEqual(centre, 1.7, accuracy: 0.01, "\(samples)x eye \(eye): depth at the box")
            XCTAssertEqual(depth[1, 1], 1, "\(samples)x eye \(eye): nothing drawn in the corner, so the far plane")
        }
        XCTAssertEqual(loop.validationMessages.messages, [])
        XCTAssertEqual(fixture.coreValidationProblems(), [])
    }

    func testSingleSampledDepthIsSubmitted() throws { try assertSubmittedDepth(samples: 1) }

    func testMultisampledDepthIsResolvedAndSubmitted() throws { try assertSubmittedDepth(samples: 4) }
}
