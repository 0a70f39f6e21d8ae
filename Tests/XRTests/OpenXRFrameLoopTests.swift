// The production frame loop through the real Khronos loader, against the simulated headset,
// with XR_APILAYER_LUNARG_core_validation and Vulkan validation enabled.
import Foundation
import HeadsetTestSupport
import PNG
import SceneModel
import XCTest
@testable import XR

final class OpenXRFrameLoopTests: XCTestCase {
    private func makeLoop() -> OpenXRFrameLoop {
        var config = XRConfiguration()
        config.vulkanValidation = true
        config.recreateInitialDelay = 0.01
        config.makeRenderer = XRConfiguration.clearColorRenderer
        return OpenXRFrameLoop(configuration: config)
    }

    private func assertClean(_ loop: OpenXRFrameLoop, _ fixture: SimulatedHeadsetFixture, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(loop.validationMessages.messages, [], "validation messages", file: file, line: line)
        XCTAssertEqual(fixture.coreValidationProblems(), [], "core validation layer problems", file: file, line: line)
    }

    func testSessionReachesFocusedRendersAndEndsCleanly() throws {
        let fixture = try SimulatedHeadsetFixture("session", script: [
            "width": 32, "height": 24, "displayRateHz": 20, "exitAfterFrames": 8,
            "headPath": [["t": 0, "position": [0, 1.7, 0]], ["t": 1, "position": [0.5, 1.7, 0], "yawDegrees": 90]],
        ])
        defer { fixture.cleanUp() }
        let loop = makeLoop()
        let delegate = RecordingDelegate()
        try loop.run(delegate: delegate)

        XCTAssertEqual(loop.runtimeName, "Exposure Simulated Headset")
        XCTAssertEqual(delegate.states, [.idle, .ready, .synchronized, .visible, .focused, .stopping, .idle, .exiting])
        let log = fixture.runtimeLog()
        XCTAssertTrue(log.contains("session ended"), log.joined(separator: "\n"))
        XCTAssertTrue(log.contains("instance destroyed"))
        // Frames after the first are rendered, with depth submitted for both eyes.
        let rendered = log.filter { $0.hasPrefix("frame ") && $0.contains("projection=1") }
        XCTAssertGreaterThanOrEqual(rendered.count, 6)
        XCTAssertTrue(rendered.allSatisfy { $0.contains("depth=2") }, rendered.joined(separator: "\n"))
        // The stage space: head height from the script, head moving along +x.
        let last = try XCTUnwrap(delegate.frames.last)
        XCTAssertEqual(last.headPose.position.y, 1.7, accuracy: 1e-4)
        XCTAssertGreaterThan(last.headPose.position.x, 0.1)
        XCTAssertEqual(last.views.count, 2)
        XCTAssertEqual(last.displayPeriod, 50_000_000)
        // Pixels: both eyes cleared to the scene's horizon colour, 32x24.
        let index = SimulatedHeadsetFixture.frameIndex(displayTime: last.predictedDisplayTime, period: last.displayPeriod)
        for eye in 0..<2 {
            let image = try PNG.read(path: fixture.framePath(index, eye: eye))
            XCTAssertEqual(image.width, 32); XCTAssertEqual(image.height, 24)
            XCTAssertTrue(assertPixel(image[16, 12], linear: RecordingDelegate.outdoor.sky!.horizon, ""), "eye \(eye): \(image[16, 12])")
        }
        assertClean(loop, fixture)
    }

    func testScriptedOptOutShowsSafeRoomInTheVeryNextFrame() throws {
        // Both grips held from 0.3 s to 1.6 s: the opt-out fires after 1 s of holding.
        let fixture = try SimulatedHeadsetFixture("optout", script: [
            "width": 16, "height": 16, "displayRateHz": 20, "exitAfterFrames": 36,
            "inputs": [["path": "/user/hand/left/input/squeeze/value", "from": 0.3, "to": 1.6, "value": 1.0],
                       ["path": "/user/hand/right/input/squeeze/value", "from": 0.3, "to": 1.6, "value": 1.0]],
        ])
        defer { fixture.cleanUp() }
        let loop = makeLoop()
        let delegate = RecordingDelegate()
        try loop.run(delegate: delegate)

        XCTAssertEqual(delegate.allEvents.filter { $0 == .optOut }.count, 1, "exactly one opt-out: \(delegate.allEvents)")
        let t = try XCTUnwrap(delegate.optOutDisplayTime)
        let seconds = Double(t - SimulatedHeadsetFixture.epoch) / 1e9
        XCTAssertGreaterThanOrEqual(seconds, 1.3 - 1e-9, "opt-out before the grips were held for 1 s")
        XCTAssertLessThan(seconds, 1.4, "opt-out more than one frame late")
        let period: Int64 = 50_000_000
        let index = SimulatedHeadsetFixture.frameIndex(displayTime: t, period: period)
        let before = try PNG.read(path: fixture.framePath(index - 1, eye: 0))
        let after = try PNG.read(path: fixture.framePath(index, eye: 0))
        XCTAssertTrue(assertPixel(before[8, 8], linear: RecordingDelegate.outdoor.sky!.horizon, ""), "frame before: \(before[8, 8])")
        XCTAssertTrue(assertPixel(after[8, 8], linear: RecordingDelegate.safeRoom.background, ""), "opt-out frame: \(after[8, 8])")
        assertClean(loop, fixture)
    }

    func testThumbstickSudsRatingReachesTheDelegate() throws {
        // Push the right thumbstick up from 0.5 s to 0.9 s, then let go: the slider value is committed.
        let fixture = try SimulatedHeadsetFixture("suds", script: [
            "width": 16, "height": 16, "displayRateHz": 20, "exitAfterFrames": 24, "captureFrames": [],
            "inputs": [["path": "/user/hand/right/input/thumbstick", "from": 0.5, "to": 0.9, "x": 0, "y": 1.0]],
        ])
        defer { fixture.cleanUp() }
        let loop = makeLoop()
        let delegate = RecordingDelegate()
        try loop.run(delegate: delegate)

        let ratings = delegate.allEvents.compactMap { e -> Int? in if case let .sudsRating(v) = e { return v }; return nil }
        XCTAssertEqual(ratings.count, 1, "\(delegate.allEvents)")
        // Frames at 0.50, 0.55 ... 0.85 s see full deflection: 8 steps of 50 ms at 60 points/s from the starting value.
        let settings = InputSettings()
        let expected = Int((Double(settings.sudsStart) + 8 * 0.05 * settings.sudsPointsPerSecond).rounded())
        XCTAssertEqual(ratings.first, expected)
        XCTAssertTrue(delegate.frames.contains { $0.sudsSlider != nil }, "slider never shown while moving")
        assertClean(loop, fixture)
    }

    func testHeadsetOffLeavesFocusedAndReportsFocusLost() throws {
        let fixture = try SimulatedHeadsetFixture("headsetoff", script: [
            "width": 16, "height": 16, "displayRateHz": 20, "exitAfterFrames": 30, "captureFrames": [],
            "events": [["t": 0.5, "kind": "headsetOff"], ["t": 1.0, "kind": "headsetOn"]],
            // Grips held while the headset is off must not opt out: input is read only when focused.
            "inputs": [["path": "/user/hand/left/input/squeeze/value", "from": 0.45, "to": 1.02, "value": 1.0],
                       ["path": "/user/hand/right/input/squeeze/value", "from": 0.45, "to": 1.02, "value": 1.0]],
        ])
        defer { fixture.cleanUp() }
        let loop = makeLoop()
        let delegate = RecordingDelegate()
        try loop.run(delegate: delegate)

        XCTAssertEqual(Array(delegate.states.prefix(7)), [.idle, .ready, .synchronized, .visible, .focused, .visible, .focused])
        let events = delegate.allEvents
        // Headset off then on. (The focus lost at the final STOPPING comes with no further frame to carry it.)
        XCTAssertEqual(events.filter { $0 == .focusLost || $0 == .focusRegained }, [.focusLost, .focusRegained])
        XCTAssertFalse(events.contains(.optOut), "input leaked while not focused: \(events)")
        let lostFrame = try XCTUnwrap(delegate.inputs.first { $0.events.contains(.focusLost) }?.frame)
        XCTAssertEqual(Double(lostFrame.predictedDisplayTime - SimulatedHeadsetFixture.epoch) / 1e9, 0.55, accuracy: 1e-6,
                       "focusLost not delivered with the first frame after the headset came off")
        assertClean(loop, fixture)
    }

    func testLossPendingRecreatesTheSession() throws {
        let fixture = try SimulatedHeadsetFixture("loss", script: [
            "width": 16, "height": 16, "displayRateHz": 20, "exitAfterFrames": 20, "captureFrames": [],
            "events": [["t": 0.4, "kind": "lossPending"]],
        ])
        defer { fixture.cleanUp() }
        let loop = makeLoop()
        let delegate = RecordingDelegate()
        try loop.run(delegate: delegate)

        XCTAssertEqual(loop.recreations, 1)
        let lossIndex = try XCTUnwrap(delegate.states.firstIndex(of: .lossPending))
        XCTAssertEqual(Array(delegate.states[lossIndex...]), [.lossPending, .idle, .ready, .synchronized, .visible, .focused, .stopping, .idle, .exiting])
        let log = fixture.runtimeLog()
        XCTAssertEqual(log.filter { $0 == "session created" }.count, 2)
        XCTAssertEqual(log.filter { $0 == "instance destroyed" }.count, 2)
        assertClean(loop, fixture)
    }

    func testSessionLostMidFrameIsRecreatedLikeLossPending() throws {
        let fixture = try SimulatedHeadsetFixture("lost", script: [
            "width": 16, "height": 16, "displayRateHz": 20, "exitAfterFrames": 20, "captureFrames": [],
            "events": [["t": 0.4, "kind": "sessionLost"]],
        ])
        defer { fixture.cleanUp() }
        let loop = makeLoop()
        let delegate = RecordingDelegate()
        try loop.run(delegate: delegate)

        XCTAssertEqual(loop.recreations, 1)
        XCTAssertTrue(delegate.states.contains(.lossPending), "the delegate was not told about the loss: \(delegate.states)")
        XCTAssertEqual(delegate.states.suffix(3), [.stopping, .idle, .exiting])
        XCTAssertEqual(fixture.runtimeLog().filter { $0 == "session created" }.count, 2)
        assertClean(loop, fixture)
    }

    func testRequestStopExitsThroughStoppingAndEndSession() throws {
        let fixture = try SimulatedHeadsetFixture("stop", script: [
            "width": 16, "height": 16, "displayRateHz": 20, "captureFrames": [],
        ])
        defer { fixture.cleanUp() }
        let loop = makeLoop()
        let delegate = RecordingDelegate()
        delegate.onFrame = { [weak loop] f in if f.index == 5 { loop?.requestStop() } }
        try loop.run(delegate: delegate)

        XCTAssertEqual(Array(delegate.states.suffix(3)), [.stopping, .idle, .exiting])
        let log = fixture.runtimeLog()
        XCTAssertTrue(log.contains("exit requested by app"))
        XCTAssertTrue(log.contains("session ended"))
        XCTAssertLessThan(delegate.frames.count, 12, "the loop kept running after requestStop")
        assertClean(loop, fixture)
    }

    func testWithoutStageLocalSpaceIsMovedDownToTheFloor() throws {
        let fixture = try SimulatedHeadsetFixture("nostage", script: [
            "width": 16, "height": 16, "displayRateHz": 20, "exitAfterFrames": 4, "captureFrames": [], "offerStage": false,
            "headPath": [["t": 0, "position": [0, 1.75, 0]]],
        ])
        defer { fixture.cleanUp() }
        let loop = makeLoop()
        let delegate = RecordingDelegate()
        try loop.run(delegate: delegate)
        let last = try XCTUnwrap(delegate.frames.last)
        // Local's origin is the starting head position; the app space puts the floor 1.6 m below it.
        XCTAssertEqual(last.headPose.position.y, XRConfiguration().floorOffsetWhenNoStage, accuracy: 1e-4)
        assertClean(loop, fixture)
    }
}
