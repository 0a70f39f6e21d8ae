// Each of the four controller families the suggested bindings cover, presented by the simulated
// headset in turn: the opt-out gesture, the pause button and the SUDS slider all arrive.
import Foundation
import HeadsetTestSupport
import XCTest
@testable import XR

final class ControllerProfileTests: XCTestCase {
    private struct Profile {
        let path: String
        let grips: [String]
        let pause: String
        let slider: String?
    }

    private let profiles = [
        Profile(path: "/interaction_profiles/khr/simple_controller",
                grips: ["/user/hand/left/input/select/click", "/user/hand/right/input/select/click"],
                pause: "/user/hand/left/input/menu/click", slider: nil),
        Profile(path: "/interaction_profiles/oculus/touch_controller",
                grips: ["/user/hand/left/input/squeeze/value", "/user/hand/right/input/squeeze/value"],
                pause: "/user/hand/left/input/menu/click", slider: "/user/hand/right/input/thumbstick"),
        Profile(path: "/interaction_profiles/valve/index_controller",
                grips: ["/user/hand/left/input/squeeze/value", "/user/hand/right/input/squeeze/value"],
                pause: "/user/hand/left/input/b/click", slider: "/user/hand/right/input/thumbstick"),
        Profile(path: "/interaction_profiles/htc/vive_controller",
                grips: ["/user/hand/left/input/squeeze/click", "/user/hand/right/input/squeeze/click"],
                pause: "/user/hand/left/input/menu/click", slider: "/user/hand/right/input/trackpad"),
    ]

    func testEveryProfileDeliversOptOutPauseAndSlider() throws {
        for p in profiles {
            var inputs: [[String: Any]] = p.grips.map { ["path": $0, "from": 0.2, "to": 1.4, "value": 1.0] }
            inputs.append(["path": p.pause, "from": 1.6, "to": 1.7, "value": 1.0])
            if let slider = p.slider { inputs.append(["path": slider, "from": 1.8, "to": 2.0, "x": 0, "y": -1.0]) }
            let fixture = try SimulatedHeadsetFixture("profile", script: [
                "width": 8, "height": 8, "displayRateHz": 20, "exitAfterFrames": 46, "captureFrames": [],
                "interactionProfile": p.path, "inputs": inputs,
            ])
            defer { fixture.cleanUp() }
            var config = XRConfiguration()
            config.submitDepth = false
            config.makeRenderer = XRConfiguration.clearColorRenderer
            let loop = OpenXRFrameLoop(configuration: config)
            let delegate = RecordingDelegate()
            try loop.run(delegate: delegate)

            let events = delegate.allEvents
            XCTAssertEqual(events.filter { $0 == .optOut }.count, 1, "\(p.path): \(events)")
            XCTAssertEqual(events.filter { $0 == .pauseRequest }.count, 1, "\(p.path): \(events)")
            let ratings = events.compactMap { e -> Int? in if case let .sudsRating(v) = e { return v }; return nil }
            if p.slider != nil {
                XCTAssertEqual(ratings.count, 1, "\(p.path): \(events)")
                XCTAssertLessThan(ratings.first ?? 100, InputSettings().sudsStart, "\(p.path): slider pushed down must lower the rating")
            } else {
                XCTAssertEqual(ratings, [], "\(p.path) has no stick or trackpad")
            }
            XCTAssertEqual(fixture.coreValidationProblems(), [], p.path)
        }
    }
}
