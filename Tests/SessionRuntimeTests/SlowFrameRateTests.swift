// The frame-rate safety rule on a runtime that paces like Monado (placeholder first period,
// `predictedDisplayPeriod` stretched to a slow app's cadence): a heights session whose app drops
// to 1 fps on a 20 Hz display must be recognised within 2 s and paused within
// `poor_frame_rate_pause_s` + 2 s, and the record must say the display runs at 20 Hz.
import ExposureCore
import Foundation
import Recording
import XCTest
import XR
@testable import SessionRuntime

final class SlowFrameRateTests: XCTestCase {
    var sessions: URL!
    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("slow-sessions-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    static let rateHz = 20.0
    static let slowFrom = 20.0        // script seconds: 400 frames at 20 Hz, then 1 frame per second
    static let slowFrames = 18

    func testOneFPSOnAMonadoPacedTwentyHertzDisplayPausesTheSession() throws {
        let fixture = try HeadsetFixture("slow", script: [
            "displayRateHz": Self.rateHz, "width": 32, "height": 32, "pacing": "monado",
            "appFrameTimes": [["from": Self.slowFrom, "to": 10_000, "seconds": 1.0]],
            "exitAfterFrames": Int(Self.slowFrom * Self.rateHz) + Self.slowFrames,
            "systemName": "Simulated HMD",
        ], coreValidation: false)
        defer { fixture.cleanUp() }
        var options = SessionOptions(protocolPath: E2E.packageRoot.appendingPathComponent("Protocols/heights-graded.yaml").path,
                                     participantID: "P-0097", sessionsDirectory: sessions.path)
        options.sound = false
        options.sessionID = "slow-\(UUID().uuidString.prefix(8))"
        options.patientScript = try PatientScriptParser.load(
            path: E2E.packageRoot.appendingPathComponent("Protocols/patients/demo-habituating.yaml").path)
        let session = try PreparedSession(options, runtime: "OpenXR", headset: "OpenXR headset", displayRateHz: 0, warn: { _ in })
        let pauseLimit = session.conductor.engine.plan.safety.poorFrameRatePause
        let loop = OpenXRFrameLoop(configuration: XRConfiguration())   // clear-colour renderer: fast frames
        let runner = SessionRunner(session: session, loop: loop)
        let outcome = runner.run()
        XCTAssertNil(outcome.error, outcome.error ?? "")

        let record = try session.store.read(session.sessionID)
        let seconds = { (e: RecordedEvent) in HeadsetFixture.seconds(displayTime: e.displayTimeNs ?? 0) }
        // Recognised: the engine hears "frame rate poor" within 2 s of the slowdown.
        let poor = try XCTUnwrap(record.events.first { $0.kind == "frame_health" && $0.payload["healthy"] as? Bool == false },
                                 "no frame_health event: \(record.events.map(\.kind))")
        XCTAssertGreaterThan(seconds(poor), Self.slowFrom, "nothing is wrong before the slowdown")
        XCTAssertLessThanOrEqual(seconds(poor) - Self.slowFrom, 2, "recognised within 2 s")
        // Paused by the safety rule within poor_frame_rate_pause_s + 2 s.
        // (RecordMapping records the safety supervisor's pause as a safety event whose change is the pause.)
        let pause = try XCTUnwrap(record.events.first { $0.kind == EventKind.safety && $0.payload["change"] as? String == EventKind.state
                                                        && $0.payload["state"] as? String == "paused" },
                                  "no pause: \(record.events.map { "\($0.kind) \($0.reason) \($0.payloadJSON)" })")
        XCTAssertEqual(pause.actor, .safety)
        XCTAssertTrue(pause.reason.contains("frame rate"), pause.reason)
        XCTAssertLessThanOrEqual(seconds(pause) - Self.slowFrom, pauseLimit + 2, pause.reason)

        // The record: the display's rate (not Monado's 62.5 Hz placeholder or the stretched 1 Hz),
        // the headset's name from xrGetSystemProperties, and every missed refresh.
        XCTAssertEqual(record.metadata.displayRateHz, Self.rateHz, accuracy: 1e-6)
        XCTAssertEqual(record.metadata.headsetName, "Simulated HMD")
        XCTAssertEqual(record.metadata.runtimeName, "Exposure Simulated Headset")
        XCTAssertFalse(record.metadata.runtimeVersion.isEmpty)
        XCTAssertEqual(record.metadata.recommendedViewSize, "32x32")
        XCTAssertEqual(record.metadata.referenceSpace, "stage")
        XCTAssertEqual(record.metadata.interactionProfile, "/interaction_profiles/oculus/touch_controller")
        let missed = record.frames.reduce(0) { $0 + Int($1.missedFrames) }
        XCTAssertGreaterThanOrEqual(missed, 19 * (Self.slowFrames - 2), "each 1 s frame misses 19 refreshes of a 20 Hz display")
    }
}
