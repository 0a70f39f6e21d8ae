// Frame timing on a runtime that paces like Monado: the first frame's period is a placeholder and
// `predictedDisplayPeriod` is stretched to a slow app's cadence. The loop must still know the
// display's rate and count every refresh a slow app misses.
import Foundation
import HeadsetTestSupport
import SceneModel
import XCTest
@testable import XR

final class FramePacingTests: XCTestCase {
    private func makeLoop() -> OpenXRFrameLoop {
        var config = XRConfiguration()
        config.vulkanValidation = true
        config.makeRenderer = XRConfiguration.clearColorRenderer
        return OpenXRFrameLoop(configuration: config)
    }

    final class FactsDelegate: FrameDelegate {
        let frames = RecordingDelegate()
        var facts: [RuntimeFacts] = []
        func frame(_ frame: FrameInfo, input: [InputEvent]) -> Scene { frames.frame(frame, input: input) }
        func stateChanged(_ state: XRSessionState) { frames.stateChanged(state) }
        func runtimeDescribed(_ facts: RuntimeFacts) { self.facts.append(facts) }
    }

    /// 20 Hz display; from 1 s of script time the app takes 1 s per frame.
    func testMonadoPacingSlowAppMissesAreCountedAgainstTheDisplaysPeriod() throws {
        let fixture = try SimulatedHeadsetFixture("monado-pacing", script: [
            "width": 32, "height": 24, "displayRateHz": 20, "pacing": "monado", "exitAfterFrames": 26,
            "appFrameTimes": [["from": 1.0, "to": 1000, "seconds": 1.0]],
            "systemName": "Simulated HMD (Monado-like)",
        ])
        defer { fixture.cleanUp() }
        let loop = makeLoop()
        let delegate = FactsDelegate()
        try loop.run(delegate: delegate)
        let frames = delegate.frames.frames

        // What the runtime reported: a 16 ms placeholder first, then the app's own cadence once it is slow.
        XCTAssertEqual(frames.first?.displayPeriod, 16_000_000)
        XCTAssertEqual(frames.last?.displayPeriod, 1_000_000_000, "the period is stretched to the slow app's 1 s")
        // What the loop made of it: the display's 50 ms period, 19 refreshes missed per slow frame.
        XCTAssertTrue(frames.dropFirst(3).allSatisfy { $0.refreshPeriod == 50_000_000 }, "\(frames.map(\.refreshPeriod))")
        let slow = frames.filter { $0.missedFrames > 0 }
        XCTAssertGreaterThanOrEqual(slow.count, 5)
        XCTAssertTrue(slow.allSatisfy { $0.missedFrames == 19 }, "\(slow.map(\.missedFrames))")
        XCTAssertEqual(loop.timing.knownRateHz ?? 0, 20, accuracy: 1e-9)

        // The runtime's description, as the record takes it.
        let facts = try XCTUnwrap(delegate.facts.last)
        XCTAssertEqual(facts.runtimeName, "Exposure Simulated Headset")
        XCTAssertFalse(facts.runtimeVersion.isEmpty)
        XCTAssertEqual(facts.systemName, "Simulated HMD (Monado-like)")
        XCTAssertEqual(facts.displayRateHz ?? 0, 20, accuracy: 1e-9)
        XCTAssertEqual(facts.recommendedWidth, 32); XCTAssertEqual(facts.recommendedHeight, 24)
        XCTAssertEqual(facts.referenceSpace, "stage")
        XCTAssertEqual(facts.interactionProfile, "/interaction_profiles/oculus/touch_controller")
        XCTAssertFalse(delegate.facts.contains { ($0.displayRateHz ?? 20) != 20 }, "the placeholder is never taken for the display's rate")
        XCTAssertEqual(loop.validationMessages.messages, [])
        XCTAssertEqual(fixture.coreValidationProblems(), [])
    }

    /// A runtime that offers XR_FB_display_refresh_rate states the rate; the loop uses it from the first frame.
    func testStatedRefreshRateIsUsed() throws {
        let fixture = try SimulatedHeadsetFixture("refresh-rate", script: [
            "width": 16, "height": 16, "displayRateHz": 20, "pacing": "monado", "exitAfterFrames": 4,
            "refreshRates": [20, 40],
        ])
        defer { fixture.cleanUp() }
        let loop = makeLoop()
        let delegate = FactsDelegate()
        try loop.run(delegate: delegate)
        XCTAssertEqual(delegate.facts.first?.displayRateHz ?? 0, 20, accuracy: 1e-6, "known before the first frame")
        XCTAssertEqual(delegate.facts.last?.availableRatesHz, [20, 40])
        XCTAssertTrue(delegate.frames.frames.allSatisfy { $0.refreshPeriod == 50_000_000 })
        XCTAssertEqual(loop.validationMessages.messages, [])
        XCTAssertEqual(fixture.coreValidationProblems(), [])
    }

    /// The default pacing is unchanged: the period is the display's on every frame.
    func testFixedPacingReportsTheDisplaysPeriod() throws {
        let fixture = try SimulatedHeadsetFixture("fixed-pacing", script: [
            "width": 16, "height": 16, "displayRateHz": 20, "exitAfterFrames": 6,
            "appFrameTimes": [["from": 0.1, "to": 1000, "seconds": 0.1]],
        ])
        defer { fixture.cleanUp() }
        let loop = makeLoop()
        let delegate = FactsDelegate()
        try loop.run(delegate: delegate)
        let frames = delegate.frames.frames
        XCTAssertTrue(frames.allSatisfy { $0.displayPeriod == 50_000_000 })
        XCTAssertEqual(frames.dropFirst().filter { $0.missedFrames == 1 }.count, frames.count - 2, "\(frames.map(\.missedFrames))")
    }

    /// On the wall clock: an app that really takes 250 ms per frame on a 20 Hz display.
    func testMonadoPacingOnTheWallClockCountsARealSlowApp() throws {
        let fixture = try SimulatedHeadsetFixture("monado-realtime", script: [
            "width": 16, "height": 16, "displayRateHz": 20, "realTime": true, "pacing": "monado", "exitAfterFrames": 14,
        ])
        defer { fixture.cleanUp() }
        let loop = makeLoop()
        let delegate = FactsDelegate()
        delegate.frames.onFrame = { f in if f.index >= 8 { Thread.sleep(forTimeInterval: 0.25) } }
        try loop.run(delegate: delegate)
        let frames = delegate.frames.frames
        let slow = frames.filter { $0.index >= 10 }
        XCTAssertFalse(slow.isEmpty)
        XCTAssertTrue(slow.allSatisfy { $0.displayPeriod >= 250_000_000 }, "stretched to the app's cadence: \(slow.map(\.displayPeriod))")
        XCTAssertTrue(slow.allSatisfy { $0.refreshPeriod == 50_000_000 && $0.missedFrames >= 4 }, "\(slow.map(\.missedFrames))")
        XCTAssertEqual(delegate.facts.last?.displayRateHz ?? 0, 20, accuracy: 1e-9)
    }

    /// The app's own GPU time per frame, from timestamps around the renderer's commands.
    func testGPUTimeOfEachRenderedFrameIsMeasured() throws {
        let fixture = try SimulatedHeadsetFixture("gpu-time", script: ["width": 16, "height": 16, "displayRateHz": 20, "exitAfterFrames": 6])
        defer { fixture.cleanUp() }
        var config = XRConfiguration()
        config.makeRenderer = XRConfiguration.stereoRenderer(samples: 1)
        let loop = OpenXRFrameLoop(configuration: config)
        let delegate = FactsDelegate()
        try loop.run(delegate: delegate)
        // Frame 0 is submitted before the session is visible (nothing drawn); the frames after a drawn one carry its GPU time.
        let measured = delegate.frames.frames.dropFirst(2).map(\.previousGPUMilliseconds)
        XCTAssertFalse(measured.isEmpty)
        XCTAssertTrue(measured.allSatisfy { ($0 ?? 0) > 0 && ($0 ?? 0) < 10_000 }, "\(measured)")
        XCTAssertNil(delegate.frames.frames.first?.previousGPUMilliseconds)
    }

    func testDisplayTimingIgnoresOneOddPeriod() {
        var t = DisplayTiming()
        var time: Int64 = 1_000_000_000
        XCTAssertEqual(t.observe(displayTime: time, reportedPeriod: 16_000_000, firstOfSession: true), 0)
        time += 50_000_000
        XCTAssertEqual(t.observe(displayTime: time, reportedPeriod: 10_000_000, firstOfSession: false), 0, "no misses counted against an unconfirmed period")
        XCTAssertNil(t.knownRateHz, "one frame is not enough")
        for _ in 0..<3 { time += 50_000_000; _ = t.observe(displayTime: time, reportedPeriod: 50_000_000, firstOfSession: false) }
        XCTAssertEqual(t.knownRateHz ?? 0, 20, accuracy: 1e-9)
        time += 1_000_000_000
        XCTAssertEqual(t.observe(displayTime: time, reportedPeriod: 1_000_000_000, firstOfSession: false), 19)
    }
}
