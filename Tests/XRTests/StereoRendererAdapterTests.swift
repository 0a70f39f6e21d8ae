// The real renderer drawing into the simulated headset's swapchains through the frame loop.
import Foundation
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
}
