import Control
import ExposureCore
import Foundation
import Recording
import SceneModel
import XCTest
@testable import SessionRuntime

/// Issue #14: safety signals must not be droppable, and must act while no frames run.
final class SafetyLaneTests: XCTestCase {
    var sessions: URL!

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("safety-lane-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    /// The heights protocol with a `link_loss_timeout_s` of `seconds`, so a lost link acts within a test's wait.
    func heights(linkLossTimeout seconds: Int, id: String) throws -> PreparedSession {
        let source = try String(contentsOf: E2E.packageRoot.appendingPathComponent("Protocols/heights-graded.yaml"), encoding: .utf8)
        let changed = source.replacingOccurrences(of: "link_loss_timeout_s: 60", with: "link_loss_timeout_s: \(seconds)")
        XCTAssertNotEqual(changed, source)
        try FileManager.default.createDirectory(at: sessions, withIntermediateDirectories: true)
        let path = sessions.appendingPathComponent("heights-short-link.yaml")
        try changed.write(to: path, atomically: true, encoding: .utf8)
        var o = SessionOptions(protocolPath: path.path, participantID: "P-0114", sessionsDirectory: sessions.path)
        o.sound = false
        o.sessionID = "\(id)-\(UUID().uuidString.prefix(8))"
        return try PreparedSession(o, runtime: "test", headset: "none", displayRateHz: 72, warn: { _ in })
    }

    /// A flood of commands fills the mailbox; the therapist's console is lost right then. Before
    /// the signal lane the link loss was one more mailbox message, refused (and the refusal
    /// ignored): the patient stayed exposed with nobody watching. Now it is a current value.
    func testALostLinkIsAppliedEvenWhenTheMailboxIsFull() throws {
        let s = try TestSession.heights(in: sessions, idPrefix: "lane")
        let c = s.conductor
        var i = 0
        c.mailbox.post(SessionInput(.therapistLink(connected: true), from: .system))
        for _ in 0..<5 { _ = c.frame(FrameDriver.moment(i)); i += 1 }
        XCTAssertTrue(c.board.latest.therapistConnected)
        for _ in 0..<c.mailbox.capacity {
            c.mailbox.post(SessionInput(.therapist(.previousStep), from: .therapist("therapist-1")))
        }
        XCTAssertFalse(c.mailbox.post(SessionInput(.therapist(.previousStep), from: .therapist("therapist-1"))),
                       "a full mailbox refuses an ordinary command (its sender hears `flood`)")
        XCTAssertTrue(c.mailbox.post(SessionInput(.therapistLink(connected: false), from: .system)),
                      "the lost link is taken however full the mailbox is")
        let lostAt = c.board.latest.sessionTime
        let timeout = s.plan.safety.linkLossTimeout
        while c.board.latest.sessionTime < lostAt + timeout + 1, i < 20_000 { _ = c.frame(FrameDriver.moment(i)); i += 1 }
        XCTAssertFalse(c.board.latest.therapistConnected)
        XCTAssertEqual(c.board.latest.stateCode, "safe_room_link_lost", "no console for \(timeout) s: the safe room")
        XCTAssertEqual(c.board.latest.refusedInputs, 1)
        try s.finish()

        let record = try s.store.read(s.sessionID)
        let links = record.events.filter { $0.kind == "link" }.compactMap { $0.payload["connected"] as? Bool }
        // A first connection is no change to the engine (nothing was lost); the loss is.
        XCTAssertEqual(links, [false], "\(record.events.filter { $0.kind == "link" }.map(\.payloadJSON))")
        let full = record.events.filter { $0.kind == "mailbox_full" }
        XCTAssertEqual(full.count, 1, "one summary row, not one per refused input")
        XCTAssertEqual(full.first?.number("refused"), 1)
        XCTAssertEqual(full.first?.number("capacity"), Double(c.mailbox.capacity))
    }

    /// The console drops and comes back between two frames: the engine (and the record) still
    /// hears of the loss, though the current value says connected by the time the frame reads it.
    func testALinkBlipBetweenFramesIsStillRecorded() throws {
        let s = try TestSession.heights(in: sessions, idPrefix: "blip")
        let c = s.conductor
        c.signals.therapistLink(connected: true)
        _ = c.frame(FrameDriver.moment(0))
        c.signals.therapistLink(connected: false)
        c.signals.therapistLink(connected: true)
        _ = c.frame(FrameDriver.moment(1))
        _ = c.frame(FrameDriver.moment(2))
        XCTAssertTrue(c.board.latest.therapistConnected)
        try s.finish()
        let links = try s.store.read(s.sessionID).events.filter { $0.kind == "link" }.compactMap { $0.payload["connected"] as? Bool }
        XCTAssertEqual(links, [false, true], "lost, then connected again")
    }

    /// An abort (SIGINT/SIGTERM at the terminal) also goes to the lane: a full mailbox cannot keep
    /// the session from ending.
    func testAnAbortIsAppliedEvenWhenTheMailboxIsFull() throws {
        let s = try TestSession.heights(in: sessions, idPrefix: "abort")
        let c = s.conductor
        _ = c.frame(FrameDriver.moment(0))
        for _ in 0...c.mailbox.capacity { c.mailbox.post(SessionInput(.heartRate(bpm: 70), from: .headset)) }
        c.mailbox.post(SessionInput(.abort(reason: "stopped by SIGTERM"), from: .system))
        _ = c.frame(FrameDriver.moment(1))
        XCTAssertTrue(c.isEnded)
        XCTAssertEqual(try s.finish(), .aborted)
    }

    /// Recorder health is a current value too: a failing record shows in the console's alerts on
    /// the next frame (or watchdog tick), once, and its recovery likewise.
    /// Frames stop (a runtime stalled or recreating its session) while the therapist is connected;
    /// the console then goes away. The watchdog runs the link-loss rule without frames: the record
    /// shows the lost link and the safe room at the protocol's timeout, and a watchdog row.
    func testWithNoFramesTheWatchdogStillAppliesTheLostLinkRule() async throws {
        let s = try heights(linkLossTimeout: 2, id: "watchdog-link")
        let c = s.conductor
        var options = ConsoleOptions()
        options.port = 0
        options.supervised = false   // the link starts with the therapist joining, not lost from the start
        let host = try ConsoleHost(session: s, mirror: nil, options: options)
        let port = try await onThread { try host.start() }
        let frames = FrameDriver(conductor: c)
        frames.start()
        let ended = Flag()
        c.startWatchdog(.init(interval: 0.05, staleAfter: 0.5)) { ended.set() }
        let therapist = try await ControlClient.connect(url: "ws://127.0.0.1:\(port)/v1/ws")
        try await therapist.hello(token: host.server.keys.therapistToken)
        _ = try await therapist.telemetry { $0.state == .running && $0.therapistConnected }
        frames.stop()
        let standingIn = await eventually { c.board.latest.watchdogActive }
        XCTAssertTrue(standingIn, "no frames for 0.5 s: the watchdog stands in")
        await therapist.close()
        let safeRoom = await eventually(timeout: .seconds(10)) { c.board.latest.stateCode == "safe_room_link_lost" }
        XCTAssertTrue(safeRoom, "the lost-link rule acted with no frames: \(c.board.latest.stateCode)")
        XCTAssertFalse(ended.isSet)
        try await onThread { host.stop() }
        try s.finish()

        let record = try s.store.read(s.sessionID)
        let watchdog = try XCTUnwrap(record.events.first { $0.kind == "watchdog" })
        XCTAssertEqual(watchdog.payload["active"] as? Bool, true)
        let lost = try XCTUnwrap(record.events.last { $0.kind == "link" && ($0.payload["connected"] as? Bool) == false })
        let room = try XCTUnwrap(record.events.first { $0.actor == .safety && ($0.payload["state"] as? String) == "safe_room" },
                                 "\(record.events.map { "\($0.kind) \($0.actor) \($0.payloadJSON)" })")
        XCTAssertGreaterThan(lost.sequence, watchdog.sequence, "the loss came while the watchdog stood in")
        XCTAssertEqual(room.sessionTime - lost.sessionTime, 2, accuracy: 0.3, "the safe room at the timeout")
        XCTAssertNotNil(room.displayTimeNs, "an estimated display time, as every event carries one")
    }

    /// Frames stop; the therapist ends the session from the console. The watchdog applies End:
    /// the console hears `applied` (not `not_applied`), the frame loop is told to stop,
    /// and the record closes as ended by the therapist.
    func testWithNoFramesTheWatchdogAppliesTheTherapistsEnd() async throws {
        let s = try TestSession.heights(in: sessions, idPrefix: "watchdog-end")
        let c = s.conductor
        var options = ConsoleOptions()
        options.port = 0
        options.supervised = false   // the link starts with the therapist joining, not lost from the start
        let host = try ConsoleHost(session: s, mirror: nil, options: options)
        let port = try await onThread { try host.start() }
        let frames = FrameDriver(conductor: c)
        frames.start()
        let ended = Flag()
        c.startWatchdog(.init(interval: 0.05, staleAfter: 0.5)) { ended.set() }
        let therapist = try await ControlClient.connect(url: "ws://127.0.0.1:\(port)/v1/ws")
        try await therapist.hello(token: host.server.keys.therapistToken)
        _ = try await therapist.telemetry { $0.state == .running && $0.therapistConnected }
        frames.stop()
        let standingIn = await eventually { c.board.latest.watchdogActive }
        XCTAssertTrue(standingIn)
        let id = try await therapist.sendCommand(kind: "end")
        let reply = try await therapist.reply(to: id)
        guard case .applied = reply else { return XCTFail("End with no frames running: \(reply)") }
        let told = await eventually { ended.isSet }
        XCTAssertTrue(told, "the frame loop is told the session ended")
        await therapist.close()
        try await onThread { host.stop() }
        XCTAssertEqual(try s.finish(), .therapist)
        let record = try s.store.read(s.sessionID)
        XCTAssertEqual(record.state, .therapist)
        XCTAssertTrue(record.events.contains { $0.kind == "watchdog" })
    }

    /// Frames come back after the watchdog stood in: session time never goes back, and the
    /// record says frames run again.
    func testFramesThatComeBackTakeOverFromTheWatchdog() async throws {
        let s = try TestSession.heights(in: sessions, idPrefix: "watchdog-back")
        let c = s.conductor
        _ = c.frame(FrameDriver.moment(0))
        c.startWatchdog(.init(interval: 0.05, staleAfter: 0.2)) {}
        let standingIn = await eventually { c.board.latest.watchdogActive }
        XCTAssertTrue(standingIn)
        let during = c.board.latest.sessionTime
        XCTAssertGreaterThan(during, 0, "the watchdog's clock moves on")
        // The display clock says only one frame period passed: the session clock does not go back.
        _ = c.frame(FrameDriver.moment(1))
        c.stopWatchdog()
        XCTAssertFalse(c.board.latest.watchdogActive)
        XCTAssertGreaterThanOrEqual(c.board.latest.sessionTime, during)
        try s.finish()
        let rows = try s.store.read(s.sessionID).events.filter { $0.kind == "watchdog" }.compactMap { $0.payload["active"] as? Bool }
        XCTAssertEqual(rows, [true, false])
    }
}

private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
