// A session process killed outright (power cut, OOM killer, kill -9) must leave a record that
// reads, says it was interrupted, and keeps what was recorded up to about a second before the
// kill. Runs the real `exposure session` binary against the simulated headset in real-time
// pacing, SIGKILLs it at a random moment, then opens the sessions directory as the next start would.
import Foundation
import Recording
import XCTest

final class SessionKillTests: XCTestCase {
    func testKilledSessionIsMarkedInterruptedAndKeepsItsRecord() throws {
        _ = try E2E.binary()
        var generator = SystemRandomNumberGenerator()
        for run in 1...3 {
            try killOnce(run: run, afterSeconds: Double.random(in: 1.5...4, using: &generator))
        }
    }

    /// `exposure session` on the simulated headset in real-time pacing (20 Hz), started and
    /// waited for until its first FOCUSED frame; nil (after failing the test) if it never got there.
    private func launchSession(_ name: String) throws -> LaunchedSession? {
        let binary = try E2E.binary()
        let fixture = try HeadsetFixture(name, script: [
            "displayRateHz": 20, "width": 32, "height": 32, "realTime": true, "captureFrames": [] as [Int],
            "headPath": [["t": 0, "position": [0, 1.65, 0]], ["t": 30, "position": [0, 1.65, 0], "yawDegrees": 90]],
        ], selectInProcess: false)
        let sessions = fixture.directory.appendingPathComponent("sessions")
        let output = fixture.directory.appendingPathComponent("output.txt")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let outputHandle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["session", "Protocols/heights-graded.yaml", "--participant", "P-0099", "--sessions", sessions.path,
                             "--no-console", "--no-sound", "--patient", "Protocols/patients/demo-habituating.yaml"]
        process.currentDirectoryURL = E2E.packageRoot
        process.environment = fixture.environment
        process.standardOutput = outputHandle
        process.standardError = outputHandle
        try process.run()
        let launched = LaunchedSession(process: process, fixture: fixture, sessions: sessions, output: output, outputHandle: outputHandle)

        // Timing counts from the first FOCUSED frame, so start-up time on a loaded machine does
        // not decide whether any frame was recorded.
        let focused = { fixture.runtimeLog().contains { $0.hasPrefix("state FOCUSED") } }
        let startDeadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < startDeadline, !focused() { usleep(20_000) }
        guard process.isRunning else {
            XCTFail("\(name): exposure session exited before it was stopped (status \(process.terminationStatus)):\n\(launched.outputText)")
            launched.cleanUp()
            return nil
        }
        guard focused() else {
            kill(process.processIdentifier, SIGKILL); process.waitUntilExit()
            XCTFail("\(name): the session never reached FOCUSED within 30 s:\n\(fixture.runtimeLog().joined(separator: "\n"))")
            launched.cleanUp()
            return nil
        }
        return launched
    }

    /// Ctrl-C is a therapist or operator ending the session on purpose: the record is closed as
    /// aborted (not interrupted), the OpenXR session ends cleanly, and the process exits with 130.
    func testCtrlCEndsTheSessionCleanlyAsAborted() throws {
        try stopWithSignal(SIGINT, name: "SIGINT", status: 130)
    }

    /// SIGTERM (`systemctl stop`, a supervisor) ends the session the same way; the status is 143.
    func testSIGTERMEndsTheSessionCleanlyAsAbortedWithStatus143() throws {
        try stopWithSignal(SIGTERM, name: "SIGTERM", status: 143)
    }

    private func stopWithSignal(_ signo: Int32, name: String, status: Int32) throws {
        guard let launched = try launchSession(name.lowercased()) else { return }
        defer { launched.cleanUp() }
        let process = launched.process
        Thread.sleep(forTimeInterval: 1)
        XCTAssertEqual(kill(process.processIdentifier, signo), 0)
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL); process.waitUntilExit()
            return XCTFail("exposure session did not end within 20 s of \(name):\n\(launched.outputText)")
        }
        XCTAssertEqual(process.terminationReason, .exit, launched.outputText)
        XCTAssertEqual(process.terminationStatus, status, launched.outputText)
        XCTAssertTrue(launched.outputText.contains("session ended as aborted"), launched.outputText)
        XCTAssertTrue(launched.outputText.contains("by \(name)"), launched.outputText)
        let log = launched.fixture.runtimeLog()
        XCTAssertTrue(log.contains("session ended"), log.joined(separator: "\n"))

        let store = try SessionStore(directory: launched.sessions)
        XCTAssertEqual(store.recoveredSessions, [], "a record closed on Ctrl-C needs no recovery")
        let id = try XCTUnwrap(store.sessionIDs().first)
        let record = try store.read(id)
        XCTAssertEqual(record.state, .aborted)
        XCTAssertNotNil(record.endWallClock)
        XCTAssertEqual(record.endStep, 1, "the step reached is kept")
        XCTAssertEqual(record.stepCount, 11)
        let ended = try XCTUnwrap(record.events.first { $0.kind == EventKind.state && ($0.payload["state"] as? String) == "ended" },
                                  "the engine ended the session on the frame loop, saying why: \(record.events.filter { $0.kind == EventKind.state })")
        XCTAssertEqual(ended.actor, .system)
        XCTAssertEqual(ended.payload["end_reason"] as? String, "aborted")
        XCTAssertTrue(ended.reason.contains("stopped by \(name)"), ended.reason)
        let states = record.events.filter { $0.kind == "xr_state" }.compactMap { $0.payload["state"] as? String }
        XCTAssertEqual(Array(states.suffix(3)), ["stopping", "idle", "exiting"])
        XCTAssertEqual(launched.fixture.coreValidationProblems(), [], "core validation layer problems")
    }

    private func killOnce(run: Int, afterSeconds delay: Double) throws {
        let context = "run \(run), kill after \(String(format: "%.2f", delay)) s of frames"
        guard let launched = try launchSession("kill\(run)") else { return }
        defer { launched.cleanUp() }
        let process = launched.process, fixture = launched.fixture, sessions = launched.sessions
        Thread.sleep(forTimeInterval: delay)
        XCTAssertTrue(process.isRunning, "\(context): the session ended by itself")
        let killedAt = Date().timeIntervalSince1970
        XCTAssertEqual(kill(process.processIdentifier, SIGKILL), 0)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, context)
        XCTAssertEqual(process.terminationStatus, SIGKILL, context)

        // The next start opens the directory: the running record no process holds is interrupted.
        let store = try SessionStore(directory: sessions)
        let ids = store.sessionIDs()
        XCTAssertEqual(ids.count, 1, "\(context): \(ids)")
        let id = try XCTUnwrap(ids.first)
        XCTAssertEqual(store.recoveredSessions, [id], context)
        let record = try store.read(id)
        XCTAssertEqual(record.state, .interrupted, context)
        XCTAssertEqual(record.damage.count, 0, "\(context): \(record.damage)")
        let marker = try XCTUnwrap(record.events.last, context)
        XCTAssertEqual(marker.kind, EventKind.state)
        XCTAssertEqual(marker.payload["state"] as? String, "interrupted", "\(context): the last event says the session was interrupted")
        XCTAssertEqual(marker.wallClock, record.poses.last?.wallClock ?? 0, accuracy: 0.5, "\(context): marked at the last thing recorded")
        // Opening the directory again does not mark it a second time.
        XCTAssertEqual(try SessionStore(directory: sessions).recoveredSessions, [], context)
        XCTAssertEqual(record.metadata.participantID, "P-0099")
        XCTAssertEqual(record.metadata.protocolID, "heights-graded")
        XCTAssertTrue(record.events.contains { $0.kind == EventKind.state && ($0.payload["state"] as? String) == "started" },
                      "\(context): no session start event")
        let steps = record.events.filter { $0.kind == EventKind.step }
        XCTAssertEqual(steps.first?.payload["step"] as? Int, 1, "\(context): the first step is recorded")
        XCTAssertTrue(record.events.contains { $0.kind == "xr_state" && ($0.payload["state"] as? String) == "focused" }, context)

        // Poses are flushed in small batches: the last one is within a second of the kill.
        let lastPose = try XCTUnwrap(record.poses.last, "\(context): no poses")
        XCTAssertGreaterThan(lastPose.wallClock, killedAt - 1.0,
                             "\(context): last pose \(String(format: "%.2f", killedAt - lastPose.wallClock)) s before the kill")
        XCTAssertLessThanOrEqual(lastPose.wallClock, killedAt + 0.1)
        XCTAssertGreaterThan(record.poses.count, 1, "\(context): frames kept coming until the kill")
        let times = record.poses.map(\.displayTimeNs)
        XCTAssertEqual(times, times.sorted(), "poses in display-time order")
        XCTAssertEqual(Set(times).count, times.count, "one pose per frame")
        XCTAssertEqual(fixture.coreValidationProblems(), [], "\(context): core validation layer problems")
    }
}

/// A running `exposure session` subprocess and the files around it.
struct LaunchedSession {
    let process: Process
    let fixture: HeadsetFixture
    let sessions: URL
    let output: URL
    let outputHandle: FileHandle
    /// What the process printed (stdout and stderr together).
    var outputText: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
    func cleanUp() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? outputHandle.close()
        fixture.cleanUp()
    }
}
