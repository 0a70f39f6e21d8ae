// A whole session the way a clinic runs it, minus the headset: the heights protocol with a
// scripted patient, run by SessionRunner on the production OpenXR frame loop through the real
// Khronos loader against the simulated headset, the Vulkan stereo renderer drawing every frame,
// OpenXR core validation and Vulkan validation on. Pixels, the record and the runtime's log are
// checked; any validation message fails the test.
import ExposureCore
import Foundation
import PNG
import Recording
import SceneModel
import XCTest
import XR
@testable import SessionRuntime

final class SessionEndToEndTests: XCTestCase {
    var sessions: URL!

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-sessions-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    // A 4 Hz virtual display: 40 frames are 10 s of session time. The patient looks up into the
    // sky, pushes the SUDS stick up for two frames, then holds both grips for 1.2 s.
    static let rateHz = 4.0
    static let frames = 40
    static let gripFrom = 3.0, gripTo = 4.2
    static let stickFrom = 0.9, stickTo = 1.4   // frames at 1.00 and 1.25 s see the stick pushed

    /// A heights session with the demo patient on the OpenXR loop against the simulated headset
    /// playing `script`; returns once the runner has closed the record.
    func runHeightsSession(_ name: String, script: [String: Any]) throws -> HeadsetSessionRun {
        let fixture = try HeadsetFixture(name, script: script)
        var options = SessionOptions(protocolPath: E2E.packageRoot.appendingPathComponent("Protocols/heights-graded.yaml").path,
                                     participantID: "P-0098", sessionsDirectory: sessions.path)
        options.sound = false
        options.sessionID = "e2e-\(UUID().uuidString.prefix(8))"
        options.patientScript = try PatientScriptParser.load(
            path: E2E.packageRoot.appendingPathComponent("Protocols/patients/demo-habituating.yaml").path)
        let rate = script["displayRateHz"] as? Double ?? 90
        let session = try PreparedSession(options, runtime: "OpenXR", headset: "simulated", displayRateHz: rate, warn: { _ in })

        var xr = XRConfiguration()
        xr.vulkanValidation = true
        xr.recreateInitialDelay = 0.01
        xr.makeRenderer = XRConfiguration.stereoRenderer(samples: 1)
        let loop = OpenXRFrameLoop(configuration: xr)
        let runner = SessionRunner(session: session, loop: loop)
        let outcome = runner.run()
        return HeadsetSessionRun(fixture: fixture, session: session, loop: loop, runner: runner, outcome: outcome)
    }

    func testHeightsSessionOptOutShowsTheSafeRoomAndEverythingIsRecorded() throws {
        let run = try runHeightsSession("session", script: [
            "displayRateHz": Self.rateHz, "width": 64, "height": 64, "realTime": false,
            "exitAfterFrames": Self.frames,
            "headPath": [["t": 0, "position": [0, 1.65, 0], "yawDegrees": 0, "pitchDegrees": 35]],
            "inputs": [
                ["path": "/user/hand/right/input/thumbstick", "from": Self.stickFrom, "to": Self.stickTo, "x": 0, "y": 1.0],
                ["path": "/user/hand/left/input/squeeze/value", "from": Self.gripFrom, "to": Self.gripTo, "value": 1.0],
                ["path": "/user/hand/right/input/squeeze/value", "from": Self.gripFrom, "to": Self.gripTo, "value": 1.0],
            ],
        ])
        let fixture = run.fixture, session = run.session, loop = run.loop, runner = run.runner, outcome = run.outcome
        defer { fixture.cleanUp() }

        // Ended cleanly: the runtime asked to exit after its frame limit, the record is closed.
        XCTAssertNil(outcome.error, outcome.error ?? "")
        XCTAssertEqual(outcome.state, SessionState.aborted.rawValue, "stopped before the protocol's end: aborted, not completed")
        XCTAssertEqual(runner.bridge.lastState, .exiting)
        XCTAssertEqual(loop.runtimeName, "Exposure Simulated Headset")
        XCTAssertEqual(loop.validationMessages.messages, [], "OpenXR / Vulkan validation messages")
        XCTAssertEqual(fixture.coreValidationProblems(), [], "core validation layer problems")
        let log = fixture.runtimeLog()
        XCTAssertTrue(log.contains("state FOCUSED frame 1"), log.joined(separator: "\n"))
        XCTAssertTrue(log.contains("session ended"), log.joined(separator: "\n"))

        let record = try session.store.read(session.sessionID)
        XCTAssertEqual(record.state, .aborted)
        // What only the running loop knows is in the record's metadata.
        XCTAssertEqual(record.metadata.displayRateHz, 4, accuracy: 0.001)
        XCTAssertEqual(record.metadata.runtimeName, "Exposure Simulated Headset")
        XCTAssertNotNil(record.endWallClock)
        XCTAssertEqual(record.damage.count, 0, "\(record.damage)")

        // The OpenXR session states, in order, as the record keeps them.
        let states = record.events.filter { $0.kind == "xr_state" }.compactMap { $0.payload["state"] as? String }
        XCTAssertEqual(states, ["idle", "ready", "synchronized", "visible", "focused", "stopping", "idle", "exiting"])

        // One pose per frame the loop ran, at the runtime's display times.
        XCTAssertGreaterThanOrEqual(outcome.frames, Self.frames)
        XCTAssertEqual(record.poses.count, outcome.frames)
        // A frame's cost is known when the next frame starts; the last one's when the runtime stops
        // the session: every frame has its line.
        XCTAssertEqual(record.frames.map(\.displayTimeNs), record.poses.map(\.displayTimeNs))
        XCTAssertEqual(record.frames.map(\.index), record.frames.indices.map { Int64($0) })
        let period = Int64(1e9 / Self.rateHz)
        let poseTimes = record.poses.map(\.displayTimeNs)
        XCTAssertEqual(poseTimes, poseTimes.indices.map { HeadsetFixture.epoch + Int64($0 + 1) * period },
                       "frame N is displayed at epoch + (N + 1) * period")
        XCTAssertTrue(record.poses.allSatisfy { abs($0.position.y - 1.65) < 1e-3 }, "head height from the script")

        // The opt-out: the patient's, on the frame where the grips had been held for a full second.
        let optOuts = record.events.filter { $0.kind == EventKind.optOut }
        XCTAssertEqual(optOuts.count, 1, "\(record.events.map { "\($0.kind) \($0.actor) \($0.reason)" })")
        let optOut = try XCTUnwrap(optOuts.first)
        XCTAssertEqual(optOut.actor, .patient)
        let optOutTime = try XCTUnwrap(optOut.displayTimeNs, "the opt-out carries the display time of its frame")
        let seconds = HeadsetFixture.seconds(displayTime: optOutTime)
        XCTAssertGreaterThanOrEqual(seconds, Self.gripFrom + 1 - 1e-9, "opt-out before the grips were held for 1 s")
        XCTAssertLessThan(seconds, Self.gripFrom + 1 + 1 / Self.rateHz, "opt-out more than one frame late")

        // Pixels: the frame before shows the heights sky, the opt-out frame and the next show the safe room.
        let palette = SkyPalette(Sky.clearDay)
        let index = HeadsetFixture.frameIndex(displayTime: optOutTime, period: period)
        for eye in 0..<2 {
            let before = try PNG.read(path: fixture.framePath(index - 1, eye: eye))
            XCTAssertEqual(before.width, 64); XCTAssertEqual(before.height, 64)
            XCTAssertGreaterThan(palette.skyFraction(before), 0.25, "eye \(eye): the patient looks up into the sky before the opt-out")
            for shown in [index, index + 1] {
                let after = try PNG.read(path: fixture.framePath(shown, eye: eye))
                XCTAssertEqual(palette.skyFraction(after), 0, "eye \(eye), frame \(shown): safe room has no sky-blue pixels")
                XCTAssertNotEqual(after.pixels, before.pixels)
            }
        }

        // The SUDS slider: pushed up on two frames from its start, committed on release, stored as
        // the patient's headset rating.
        let settings = InputSettings()
        let pushedFrames = (0..<Self.frames).filter { n in
            let t = Double(n + 1) / Self.rateHz
            return t >= Self.stickFrom && t <= Self.stickTo
        }.count
        let expected = Double(settings.sudsStart) + Double(pushedFrames) / Self.rateHz * settings.sudsPointsPerSecond
        let headsetRatings = record.ratings.filter { $0.kind == .suds && $0.source == "headset" }
        XCTAssertEqual(headsetRatings.map(\.value), [expected], "all ratings: \(record.ratings.map { "\($0.source) \($0.value)" })")
        if let rating = headsetRatings.first {
            XCTAssertNotNil(rating.displayTimeNs)
            XCTAssertLessThan(HeadsetFixture.seconds(displayTime: rating.displayTimeNs ?? 0), Self.gripFrom)
        }
        // The scripted patient answered the engine's prompts too.
        XCTAssertTrue(record.ratings.contains { $0.kind == .suds && $0.source == "script" }, "\(record.ratings.map(\.source))")
    }
}

extension SessionEndToEndTests {
    /// Taking the headset off mid-exposure is the patient's own pause (the safe room), and putting
    /// it back on does not resume by itself: the therapist or patient has to.
    func testHeadsetTakenOffPausesIntoTheSafeRoomAndDoesNotResumeByItself() throws {
        let rate = 4.0
        let run = try runHeightsSession("headsetoff", script: [
            "displayRateHz": rate, "width": 32, "height": 32, "realTime": false, "exitAfterFrames": 20,
            "headPath": [["t": 0, "position": [0, 1.65, 0], "pitchDegrees": 35]],
            "events": [["t": 1.5, "kind": "headsetOff"], ["t": 2.5, "kind": "headsetOn"]],
        ])
        defer { run.fixture.cleanUp() }
        XCTAssertNil(run.outcome.error, run.outcome.error ?? "")
        XCTAssertEqual(run.loop.validationMessages.messages, [], "OpenXR / Vulkan validation messages")
        XCTAssertEqual(run.fixture.coreValidationProblems(), [], "core validation layer problems")

        let record = try run.session.store.read(run.session.sessionID)
        let states = record.events.filter { $0.kind == "xr_state" }.compactMap { $0.payload["state"] as? String }
        XCTAssertEqual(states, ["idle", "ready", "synchronized", "visible", "focused", "visible", "focused", "stopping", "idle", "exiting"])
        let pauses = record.events.filter { $0.kind == EventKind.state && ($0.payload["state"] as? String) == "paused" }
        XCTAssertEqual(pauses.count, 1, "\(record.events.map { "\($0.kind) \($0.payloadJSON)" })")
        let pause = try XCTUnwrap(pauses.first)
        XCTAssertEqual(pause.actor, .patient, "taking the headset off is the patient's pause")
        let pausedAt = HeadsetFixture.seconds(displayTime: try XCTUnwrap(pause.displayTimeNs))
        XCTAssertGreaterThanOrEqual(pausedAt, 1.5)
        XCTAssertLessThanOrEqual(pausedAt, 1.5 + 2 / rate, "the pause is at most a frame after focus was lost")
        XCTAssertFalse(record.events.contains { $0.kind == EventKind.state && ($0.payload["state"] as? String) == "resumed" },
                       "putting the headset back on must not resume the exposure")
        XCTAssertTrue(run.session.conductor.board.latest.stateCode.hasPrefix("paused_by_patient"), run.session.conductor.board.latest.stateCode)
        XCTAssertEqual(record.poses.count, run.outcome.frames)

        // Pixels: sky before the headset came off, the safe room once it is back on.
        let palette = SkyPalette(Sky.clearDay)
        let before = try PNG.read(path: run.fixture.framePath(Int(1.25 * rate) - 1, eye: 0))
        let after = try PNG.read(path: run.fixture.framePath(Int(2.75 * rate) - 1, eye: 0))
        XCTAssertGreaterThan(palette.skyFraction(before), 0.25)
        XCTAssertEqual(palette.skyFraction(after), 0)
    }

    /// The runtime loses the session (LOSS_PENDING: a compositor restart, a cable pulled and
    /// replugged): the loop recreates it and the session carries on in the same record, one
    /// start, poses in display-time order, the loss and the recovery in the OpenXR states.
    func testSessionLossIsRecoveredInTheSameRecord() throws {
        let run = try runHeightsSession("loss", script: [
            "displayRateHz": 4.0, "width": 16, "height": 16, "realTime": false, "exitAfterFrames": 16, "captureFrames": [] as [Int],
            "events": [["t": 1.5, "kind": "lossPending"]],
        ])
        defer { run.fixture.cleanUp() }
        XCTAssertNil(run.outcome.error, run.outcome.error ?? "")
        XCTAssertEqual(run.loop.recreations, 1)
        XCTAssertEqual(run.loop.validationMessages.messages, [], "OpenXR / Vulkan validation messages")
        XCTAssertEqual(run.fixture.coreValidationProblems(), [], "core validation layer problems")

        let record = try run.session.store.read(run.session.sessionID)
        let states = record.events.filter { $0.kind == "xr_state" }.compactMap { $0.payload["state"] as? String }
        let loss = try XCTUnwrap(states.firstIndex(of: "lossPending"), "\(states)")
        XCTAssertEqual(Array(states[..<loss]), ["idle", "ready", "synchronized", "visible", "focused"])
        XCTAssertEqual(Array(states[(loss + 1)...].prefix(5)), ["idle", "ready", "synchronized", "visible", "focused"], "\(states)")
        XCTAssertEqual(states.last, "exiting")
        let starts = record.events.filter { $0.kind == EventKind.state && ($0.payload["state"] as? String) == "started" }
        XCTAssertEqual(starts.count, 1, "one session, not two")
        let times = record.poses.map(\.displayTimeNs)
        XCTAssertEqual(times.count, run.outcome.frames)
        XCTAssertEqual(times, times.sorted())
        XCTAssertEqual(Set(times).count, times.count, "no frame recorded twice across the recreation")
        XCTAssertEqual(record.state, .aborted)
    }

    /// Regression test for a bug found end to end, now fixed (Sources/XR/OpenXRFrameLoop.swift, `runOneSession`, `var pending` ~line 106):
    /// leaving FOCUSED for LOSS_PENDING produces `.focusLost` (SessionStateMachine), but it waits
    /// in `pending`, a local of the session being torn down, and is dropped at the recreation; the
    /// recreated session's state machine starts afresh, so its first FOCUSED is no "regained"
    /// either. The patient saw nothing while the runtime recovered, yet the exposure runs on as if
    /// they had. Leaving FOCUSED must pause the exposure as the patient's pause, as for a headset
    /// taken off. Fix: keep undelivered input across recreations (make `pending` a property of
    /// OpenXRFrameLoop, delivered with the first frame of the new session), or have
    /// XRBridge.stateChanged(.lossPending) post `SessionInput(.patient(.pause), from: .system)`.
    func testSessionLossPausesTheExposureLikeLostFocus() throws {
        let run = try runHeightsSession("loss-pause", script: [
            "displayRateHz": 4.0, "width": 16, "height": 16, "realTime": false, "exitAfterFrames": 16, "captureFrames": [] as [Int],
            "events": [["t": 1.5, "kind": "lossPending"]],
        ])
        defer { run.fixture.cleanUp() }
        XCTAssertNil(run.outcome.error, run.outcome.error ?? "")
        let record = try run.session.store.read(run.session.sessionID)
        let pauses = record.events.filter { $0.kind == EventKind.state && ($0.payload["state"] as? String) == "paused" }
        XCTAssertEqual(pauses.map(\.actor), [.patient], "the lost session pauses the exposure once, as the patient's pause")
        XCTAssertTrue(run.session.conductor.board.latest.stateCode.hasPrefix("paused_by_patient"), run.session.conductor.board.latest.stateCode)
    }

    /// No OpenXR runtime (headset software not running, broken manifest): the session does not
    /// start, the record is closed rather than left running, and the error names the failing call.
    func testMissingRuntimeClosesTheRecordAndSaysWhy() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-runtime-\(UUID().uuidString).json")
        setenv("XR_RUNTIME_JSON", missing.path, 1)
        defer { unsetenv("XR_RUNTIME_JSON") }
        var options = SessionOptions(protocolPath: E2E.packageRoot.appendingPathComponent("Protocols/heights-graded.yaml").path,
                                     participantID: "P-0098", sessionsDirectory: sessions.path)
        options.sound = false
        options.sessionID = "noruntime-\(UUID().uuidString.prefix(8))"
        let session = try PreparedSession(options, runtime: "OpenXR", headset: "none", displayRateHz: 0, warn: { _ in })
        var xr = XRConfiguration()
        xr.recreateInitialDelay = 0.01
        let outcome = SessionRunner(session: session, loop: OpenXRFrameLoop(configuration: xr)).run()

        let error = try XCTUnwrap(outcome.error, "a session without a runtime must report an error")
        XCTAssertTrue(error.contains("XR_ERROR_RUNTIME_UNAVAILABLE"), "the loader's own result is passed on: \(error)")
        XCTAssertEqual(outcome.frames, 0)
        XCTAssertEqual(outcome.state, SessionState.aborted.rawValue)
        let record = try session.store.read(session.sessionID)
        XCTAssertEqual(record.state, .aborted, "closed, not left running for the next start to call interrupted")
        XCTAssertEqual(record.poses.count, 0)
    }

    /// Regression test for a bug found end to end, now fixed (Sources/SessionRuntime/XRBridge.swift, `stateChanged`): the `xr_state` events are
    /// recorded without `displayTimeNs`, although DESIGN.md says every event carries the OpenXR
    /// display time. States that change after the first frame should carry the display time of
    /// the last frame the bridge saw (`lastDisplayNs`, already kept there); only IDLE and READY,
    /// before any frame, have none to give.
    func testXRStateEventsAfterTheFirstFrameCarryTheDisplayTime() throws {
        let run = try runHeightsSession("xrstate-times", script: [
            "displayRateHz": 4.0, "width": 16, "height": 16, "realTime": false, "exitAfterFrames": 6, "captureFrames": [] as [Int],
        ])
        defer { run.fixture.cleanUp() }
        XCTAssertNil(run.outcome.error, run.outcome.error ?? "")
        let record = try run.session.store.read(run.session.sessionID)
        let firstFrame = try XCTUnwrap(record.poses.first?.displayTimeNs)
        let afterFirstFrame = record.events.filter { $0.kind == "xr_state" }.dropFirst(2)   // idle, ready come before any frame
        XCTAssertEqual(afterFirstFrame.count, 6)
        let late = afterFirstFrame.filter { ($0.displayTimeNs ?? 0) < firstFrame }.map { $0.payload["state"] as? String ?? "?" }
        XCTAssertEqual(late, [], "xr_state events without the display time of a frame already shown")
        // Everything else the session recorded carries one already.
        let others = record.events.filter { $0.kind != "xr_state" }
        XCTAssertFalse(others.isEmpty)
        XCTAssertEqual(others.filter { $0.displayTimeNs == nil }.map(\.kind), [])
    }
}

/// What one headset session run leaves for the assertions.
struct HeadsetSessionRun {
    let fixture: HeadsetFixture
    let session: PreparedSession
    let loop: OpenXRFrameLoop
    let runner: SessionRunner
    let outcome: SessionOutcome
}
