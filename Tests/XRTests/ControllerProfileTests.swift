// Each of the four controller families the suggested bindings cover, presented by the simulated
// headset in turn: the opt-out gesture, the pause button, the SUDS slider and the consent trigger
// all arrive, and the opt-out gesture is never read as consent.
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
        let trigger: String
    }

    private let profiles = [
        Profile(path: "/interaction_profiles/khr/simple_controller",
                grips: ["/user/hand/left/input/select/click", "/user/hand/right/input/select/click"],
                pause: "/user/hand/left/input/menu/click", slider: nil, trigger: "/user/hand/right/input/select/click"),
        Profile(path: "/interaction_profiles/oculus/touch_controller",
                grips: ["/user/hand/left/input/squeeze/value", "/user/hand/right/input/squeeze/value"],
                pause: "/user/hand/left/input/menu/click", slider: "/user/hand/right/input/thumbstick",
                trigger: "/user/hand/right/input/trigger/value"),
        Profile(path: "/interaction_profiles/valve/index_controller",
                grips: ["/user/hand/left/input/squeeze/value", "/user/hand/right/input/squeeze/value"],
                pause: "/user/hand/left/input/b/click", slider: "/user/hand/right/input/thumbstick",
                trigger: "/user/hand/left/input/trigger/value"),
        Profile(path: "/interaction_profiles/htc/vive_controller",
                grips: ["/user/hand/left/input/squeeze/click", "/user/hand/right/input/squeeze/click"],
                pause: "/user/hand/left/input/menu/click", slider: "/user/hand/right/input/trackpad",
                trigger: "/user/hand/right/input/trigger/click"),
    ]

    func testEveryProfileDeliversOptOutPauseSliderAndConsent() throws {
        for p in profiles {
            var inputs: [[String: Any]] = p.grips.map { ["path": $0, "from": 0.2, "to": 1.4, "value": 1.0] }
            inputs.append(["path": p.pause, "from": 1.6, "to": 1.7, "value": 1.0])
            if let slider = p.slider { inputs.append(["path": slider, "from": 1.8, "to": 2.0, "x": 0, "y": -1.0]) }
            inputs.append(["path": p.trigger, "from": 2.2, "to": 3.4, "value": 1.0])
            let fixture = try SimulatedHeadsetFixture("profile", script: [
                "width": 8, "height": 8, "displayRateHz": 20, "exitAfterFrames": 76, "captureFrames": [],
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
            // One consent, from the trigger hold alone: the grips' opt-out gave none.
            let consents = delegate.inputs.filter { $0.events.contains(.consent) }
            XCTAssertEqual(consents.count, 1, "\(p.path): \(events)")
            if let frame = consents.first?.frame {
                let seconds = Double(frame.predictedDisplayTime - SimulatedHeadsetFixture.epoch) / 1e9
                XCTAssertGreaterThanOrEqual(seconds, 3.2 - 1e-6, "\(p.path): consent before the trigger was held for 1 s")
                XCTAssertLessThan(seconds, 3.3, "\(p.path): consent more than a frame late")
            }
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
