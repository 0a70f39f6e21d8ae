import Control
import ExposureCore
import Foundation
import Recording
import XCTest
import XR
@testable import SessionRuntime

/// Issue #14, end to end on the OpenXR loop: the simulated headset loses the session and its
/// compositor does not come back, so the loop spends its recreate backoff with no frames. The
/// therapist ends the session from the console meanwhile: the watchdog applies End, the loop
/// stops, and the record closes as ended by the therapist (before the watchdog: "not applied",
/// and the record aborted once the loop gave up).
final class WatchdogHeadsetTests: XCTestCase {
    var sessions: URL!

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("watchdog-xr-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    func testTherapistsEndIsAppliedWhileTheRuntimeRecreatesItsSession() async throws {
        let fixture = try HeadsetFixture("watchdog-end", script: [
            "displayRateHz": 4.0, "width": 16, "height": 16, "realTime": false, "captureFrames": [] as [Int],
            "events": [["t": 1.5, "kind": "lossPending"]], "compositorFailsAfterLoss": true,
        ])
        defer { fixture.cleanUp() }
        var options = SessionOptions(protocolPath: E2E.packageRoot.appendingPathComponent("Protocols/heights-graded.yaml").path,
                                     participantID: "P-0115", sessionsDirectory: sessions.path)
        options.sound = false
        options.sessionID = "watchdog-xr-\(UUID().uuidString.prefix(8))"
        let session = try PreparedSession(options, runtime: "OpenXR", headset: "simulated", displayRateHz: 4, warn: { _ in })
        var console = ConsoleOptions()
        console.port = 0
        let host = try ConsoleHost(session: session, mirror: nil, options: console)
        let port = try await onThread { try host.start() }

        var xr = XRConfiguration()
        xr.recreateInitialDelay = 0.5   // 0.5, 1, 2, 4, 8, 8 s: about 23 s without frames before the loop gives up
        xr.makeRenderer = XRConfiguration.stereoRenderer(samples: 1)
        let loop = OpenXRFrameLoop(configuration: xr)
        let runner = SessionRunner(session: session, loop: loop)
        runner.bridge.watchdog = .init(interval: 0.05, staleAfter: 5)
        let started = Date()
        async let outcome = onThread { runner.run() }

        let standingIn = await eventually(timeout: .seconds(60)) { session.conductor.board.latest.watchdogActive }
        XCTAssertTrue(standingIn, "the session was lost and no frames run: the watchdog stands in")
        let therapist = try await ControlClient.connect(url: "ws://127.0.0.1:\(port)/v1/ws")
        try await therapist.hello(token: host.server.keys.therapistToken)
        let id = try await therapist.sendCommand(kind: "end")
        let reply = try await therapist.reply(to: id)
        if case .applied = reply {} else { XCTFail("End while the runtime recreates its session: \(reply)") }
        await therapist.close()

        let result = try await outcome
        try await onThread { host.stop() }
        XCTAssertNil(result.error, result.error ?? "")
        XCTAssertEqual(result.state, SessionState.therapist.rawValue)
        XCTAssertGreaterThanOrEqual(loop.recreations, 1)
        XCTAssertLessThan(Date().timeIntervalSince(started), 40, "the loop stopped at the end, not when it gave up")
        let record = try session.store.read(session.sessionID)
        XCTAssertEqual(record.state, .therapist)
        let states = record.events.filter { $0.kind == "xr_state" }.compactMap { $0.payload["state"] as? String }
        XCTAssertTrue(states.contains("lossPending"), "\(states)")
        let lost = try XCTUnwrap(record.events.first { $0.kind == "xr_state" && ($0.payload["state"] as? String) == "lossPending" })
        let watchdog = try XCTUnwrap(record.events.first { $0.kind == "watchdog" })
        let end = try XCTUnwrap(record.events.first { $0.kind == EventKind.command })
        XCTAssertGreaterThan(watchdog.sequence, lost.sequence)
        XCTAssertGreaterThan(end.sequence, watchdog.sequence)
        let pauses = record.events.filter { $0.kind == EventKind.state && ($0.payload["state"] as? String) == "paused" }
        XCTAssertEqual(pauses.count, 1, "the lost session paused the exposure (applied with no frames)")
    }
}
