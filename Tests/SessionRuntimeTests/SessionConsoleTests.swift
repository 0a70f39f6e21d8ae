// The therapist console against a real session: ConsoleHost serving on a loopback port, the heights
// protocol's conductor stepped frame by frame on its own thread (as the frame loop would), and
// WebSocket clients speaking protocol v1 as the browser console does. Checks what the therapist
// sees (acks, errors, telemetry) and what the record keeps (who sent what, the lost link).
import Control
import ExposureCore
import Foundation
import Recording
import SceneModel
import XCTest
@testable import SessionRuntime

final class SessionConsoleTests: XCTestCase {
    var sessions: URL!

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("console-sessions-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    func prepare() throws -> PreparedSession {
        try TestSession.heights(in: sessions, participant: "P-0097", idPrefix: "console")
    }

    func testTherapistSteersObserverOnlyWatchesOptOutBlocksRaisingAndClosingIsALostLink() async throws {
        let session = try prepare()
        let frames = FrameDriver(conductor: session.conductor)
        frames.start()
        var options = ConsoleOptions()
        options.port = 0
        options.telemetryHz = 30
        let host = try ConsoleHost(session: session, mirror: nil, options: options)
        let port = try await onThread { try host.start() }
        XCTAssertGreaterThan(port, 0)
        let url = "ws://127.0.0.1:\(port)/v1/ws"

        let therapist = try await ControlClient.connect(url: url)
        let welcome = try await therapist.hello(token: host.server.keys.therapistToken)
        XCTAssertEqual(welcome.role, .therapist)
        XCTAssertEqual(welcome.displayName, "therapist-\(welcome.connectionId)")
        let observer = try await ControlClient.connect(url: url)
        let observerWelcome = try await observer.hello(token: host.server.keys.observerToken)
        XCTAssertEqual(observerWelcome.role, .observer)
        let first = try await therapist.telemetry { $0.state == .running && $0.therapistConnected }
        XCTAssertEqual(first.sessionId, session.sessionID)

        // An observer may watch but not steer.
        let observerPause = try await observer.sendCommand(kind: "pause")
        let refused = try await observer.reply(to: observerPause)
        guard case .error(let forbidden) = refused else { return XCTFail("an observer's pause was not refused: \(refused)") }
        XCTAssertEqual(forbidden.code, .forbidden)

        // The therapist pauses: acked, then telemetry shows the pause applied (observers see it too).
        let (pauseSeq, paused) = try await therapist.appliedCommand(kind: "pause")
        XCTAssertEqual(paused.state, .paused)
        let seenByObserver = try await observer.telemetry { $0.lastAppliedCommandSeq >= pauseSeq }
        XCTAssertEqual(seenByObserver.state, .paused)

        let (_, resumed) = try await therapist.appliedCommand(kind: "resume")
        XCTAssertEqual(resumed.state, .running)

        // The patient opts out with the headset gesture; raising the level is refused for safety.
        session.conductor.mailbox.post(SessionInput(.patient(.optOut), from: .headset))
        let optedOut = try await therapist.telemetry { $0.state == .optedOut }
        XCTAssertTrue(optedOut.alerts.contains { $0.kind == .optOut }, "\(optedOut.alerts)")
        let raise = try await therapist.sendCommand(kind: "set_intensity", fields: ["value": optedOut.intensity + 10])
        let raiseReply = try await therapist.reply(to: raise)
        guard case .error(let safety) = raiseReply else { return XCTFail("raising during an opt-out was accepted: \(raiseReply)") }
        XCTAssertEqual(safety.code, .rejected)
        XCTAssertTrue(safety.message.hasPrefix("not_running: "), safety.message)
        let later = try await therapist.telemetry { $0.elapsed > optedOut.elapsed + 0.5 }
        XCTAssertEqual(later.intensity, optedOut.intensity, accuracy: 1e-9, "the level did not move")
        XCTAssertEqual(later.state, .optedOut)

        // The therapist's connection closes: the engine hears a lost link.
        await therapist.close()
        let linkLost = await eventually { !session.conductor.board.latest.therapistConnected }
        XCTAssertTrue(linkLost, "the closed connection did not reach the engine as a lost link")
        let observed = try await observer.telemetry { !$0.therapistConnected }
        XCTAssertTrue(observed.alerts.contains { $0.kind == .linkLoss }, "\(observed.alerts)")

        await observer.close()
        try await onThread { host.stop() }
        frames.stop()
        try session.finish()

        let record = try session.store.read(session.sessionID)
        let commands = record.events.filter { $0.kind == EventKind.command }
        let therapistName = welcome.displayName
        // The engine judges every command, so the refused raise reached it and is recorded too (before it was judged).
        XCTAssertEqual(commands.compactMap { $0.payload["sender"] as? String }, [therapistName, therapistName, therapistName],
                       "pause, resume and the refused raise, from the therapist's connection; nothing from the observer")
        XCTAssertTrue(commands.allSatisfy { $0.actor == .therapist && $0.displayTimeNs != nil })
        XCTAssertEqual(commands.first?.payload["command_id"] as? String, String(pauseSeq))
        XCTAssertTrue((commands.first?.payload["command"] as? String ?? "").contains("pause"), "\(commands.first?.payload ?? [:])")
        XCTAssertTrue(record.events.contains { $0.kind == EventKind.optOut && $0.actor == .patient })
        let links = record.events.filter { $0.kind == "link" }
        let lost = try XCTUnwrap(links.last { ($0.payload["connected"] as? Bool) == false }, "\(links.map(\.payloadJSON))")
        let lastCommand = try XCTUnwrap(commands.last)
        XCTAssertGreaterThan(lost.sequence, lastCommand.sequence)
        // The console's own audit trail: the observer's refused pause is there, with its role.
        let audit = record.events.filter { $0.kind == "control" }
        XCTAssertTrue(audit.contains { ($0.payload["role"] as? String) == "observer" && ($0.payload["refused"] as? String) == "forbidden" },
                      "\(audit.map(\.payloadJSON))")
    }

    /// A console that goes away for longer than the protocol's link-loss timeout (60 s in the
    /// heights protocol) takes the patient to the safe room; the therapist coming back is recorded.
    func testLostConsoleLinkTakesThePatientToTheSafeRoomAfterTheTimeout() async throws {
        let session = try prepare()
        let frames = FrameDriver(conductor: session.conductor)
        frames.start()
        var options = ConsoleOptions()
        options.port = 0
        let host = try ConsoleHost(session: session, mirror: nil, options: options)
        let port = try await onThread { try host.start() }
        let url = "ws://127.0.0.1:\(port)/v1/ws"
        let therapist = try await ControlClient.connect(url: url)
        try await therapist.hello(token: host.server.keys.therapistToken)
        _ = try await therapist.telemetry { $0.state == .running && $0.therapistConnected }
        await therapist.close()
        let linkLost = await eventually { !session.conductor.board.latest.therapistConnected }
        XCTAssertTrue(linkLost)
        frames.stop()

        // Fast-forward on this thread (the driver has stopped): just short of the timeout, then past it.
        let timeout = session.plan.safety.linkLossTimeout
        let lostAt = session.conductor.board.latest.sessionTime
        var i = frames.nextIndex
        func runUntil(_ t: Double) {
            while session.conductor.board.latest.sessionTime < t, i < 100_000 { _ = session.conductor.frame(FrameDriver.moment(i)); i += 1 }
        }
        runUntil(lostAt + timeout - 1)
        XCTAssertEqual(session.conductor.world.showing, session.plan.environment, "still exposed a second before the timeout")
        runUntil(lostAt + timeout + 1)
        XCTAssertEqual(session.conductor.world.showing, "safe_room", "no console for \(timeout) s: the safe room")
        XCTAssertEqual(session.conductor.board.latest.stateCode, "safe_room_link_lost")

        // The therapist reconnects: recorded, and the patient stays in the safe room until someone resumes.
        frames.start(at: i)
        let again = try await ControlClient.connect(url: url)
        try await again.hello(token: host.server.keys.therapistToken)
        let back = try await again.telemetry { $0.therapistConnected }
        XCTAssertNotEqual(back.state, .running)
        await again.close()
        try await onThread { host.stop() }
        frames.stop()
        try session.finish()

        let record = try session.store.read(session.sessionID)
        let links = record.events.filter { $0.kind == "link" }.compactMap { $0.payload["connected"] as? Bool }
        // Nobody at the console from the start (supervised from the start), the therapist joins, leaves.
        XCTAssertEqual(Array(links.prefix(3)), [false, true, false], "\(record.events.filter { $0.kind == "link" }.map(\.payloadJSON))")
        let safeRoom = try XCTUnwrap(record.events.first { $0.actor == .safety && ($0.payload["state"] as? String) == "safe_room" },
                                     "\(record.events.map { "\($0.kind) \($0.actor) \($0.payloadJSON)" })")
        let lost = try XCTUnwrap(record.events.last { $0.kind == "link" && ($0.payload["connected"] as? Bool) == false && $0.sessionTime <= safeRoom.sessionTime })
        XCTAssertEqual(safeRoom.sessionTime - lost.sessionTime, timeout, accuracy: 0.05, "the safe room comes at the timeout, not before or long after")
        XCTAssertNotNil(safeRoom.displayTimeNs)
    }

    /// Regression test for a bug found end to end, now fixed (Sources/SessionRuntime/SessionConductor.swift, `frame` line ~83-100 and `note`
    /// line ~170): a rating's source is the label of the *first* input applied that frame
    /// (`sources.first`), not of the input that carried the rating (fixed: SessionConductor keeps each rating input's origin). A therapist command that
    /// reaches the frame together with the patient's headset SUDS answer makes the record say the
    /// therapist gave the rating. The source must come from the rating's own input (e.g. remember
    /// the origin label in `apply` for `.suds/.fms/.expectancy` inputs and use it for the
    /// `.ratingRecorded` event the engine emits for it).
    func testHeadsetRatingArrivingWithATherapistCommandIsStillThePatients() throws {
        let session = try prepare()
        let period = FrameDriver.periodNs
        func moment(_ i: Int) -> FrameMoment {
            FrameMoment(index: i, displayTimeNs: 1_000_000_000 + Int64(i) * period, periodNs: period, head: Pose(position: Vec3(0, 1.6, 0)))
        }
        for i in 0..<5 { _ = session.conductor.frame(moment(i)) }
        // The console's command and the patient's slider answer land on the same frame.
        session.conductor.mailbox.post(SessionInput(.therapist(.setIntensity(8, confirm: false)), from: .therapist("therapist-3"), commandID: "1"))
        _ = session.conductor.frame(moment(5), headset: [SessionInput(.suds(40), from: .headset)])
        for i in 6..<10 { _ = session.conductor.frame(moment(i)) }
        try session.finish()

        let record = try session.store.read(session.sessionID)
        XCTAssertTrue(record.events.contains { $0.kind == EventKind.command && ($0.payload["sender"] as? String) == "therapist-3" })
        let suds = record.ratings.filter { $0.kind == .suds }
        XCTAssertEqual(suds.map(\.value), [40])
        XCTAssertEqual(suds.map(\.source), ["headset"], "the patient rated with the headset; the therapist only changed the level")
    }

    /// Regression test for a bug found end to end, now fixed (Sources/SessionRuntime/ControlBridge.swift, `recordControlEvent`): the console's
    /// audit events (`control`: every command that arrived, accepted or refused, and failed logins)
    /// are recorded without `displayTimeNs`, against DESIGN.md ("every event carries both the
    /// OpenXR predicted display time and the wall clock"). Fix: carry the display time of the
    /// latest frame in SessionSnapshot (set in SessionConductor.publish) and pass it here, or hand
    /// the audit entry to the frame thread through the mailbox and record it there.
    func testConsoleAuditEventsCarryTheDisplayTime() async throws {
        let session = try prepare()
        let frames = FrameDriver(conductor: session.conductor)
        frames.start()
        var options = ConsoleOptions()
        options.port = 0
        let host = try ConsoleHost(session: session, mirror: nil, options: options)
        let port = try await onThread { try host.start() }
        let observer = try await ControlClient.connect(url: "ws://127.0.0.1:\(port)/v1/ws")
        try await observer.hello(token: host.server.keys.observerToken)
        _ = try await observer.telemetry { $0.state == .running }
        let pause = try await observer.sendCommand(kind: "pause")
        _ = try await observer.reply(to: pause)
        await observer.close()
        try await onThread { host.stop() }
        frames.stop()
        try session.finish()

        let record = try session.store.read(session.sessionID)
        let audit = record.events.filter { $0.kind == "control" }
        XCTAssertFalse(audit.isEmpty, "the refused pause is in the audit trail")
        XCTAssertEqual(audit.filter { $0.displayTimeNs == nil }.map(\.reason), [], "audit events without a display time")
    }

    static func ackSequence(_ message: ServerMessage) -> UInt64? {
        if case .applied(_, let sequence, _) = message { return sequence }
        return nil
    }
}

extension ControlClient {
    /// Sends a command that must be accepted, and waits for the telemetry that shows it applied.
    func appliedCommand(kind: String, fields: [String: Any] = [:],
                        file: StaticString = #filePath, line: UInt = #line) async throws -> (sequence: UInt64, telemetry: Telemetry) {
        let id = try await sendCommand(kind: kind, fields: fields)
        let reply = try await self.reply(to: id)
        let sequence = try XCTUnwrap(SessionConsoleTests.ackSequence(reply), "\(kind) was not accepted: \(reply)", file: file, line: line)
        return (sequence, try await telemetry { $0.lastAppliedCommandSeq >= sequence })
    }
}
