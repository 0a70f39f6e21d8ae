import Control
import ExposureCore
import Foundation
import SessionRuntime
import XCTest

/// Issue #14: with the console listening and no therapist ever connecting, a protocol must not
/// climb its hierarchy unwatched. Nobody connected is a lost link from the session's start.
final class SupervisionTests: XCTestCase {
    var sessions: URL!

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("supervision-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    /// Starts the console, then runs `seconds` of frames (as fast as they go) nobody watching.
    func runUnwatched(supervised: Bool, seconds: Double) async throws -> (PreparedSession, ConsoleHost) {
        let session = try TestSession.heights(in: sessions, idPrefix: "unwatched")
        var options = ConsoleOptions()
        options.port = 0
        options.supervised = supervised
        let host = try ConsoleHost(session: session, mirror: nil, options: options)
        _ = try await onThread { try host.start() }
        let frames = Int(seconds * 1e9 / Double(FrameDriver.periodNs))
        for i in 0..<frames { _ = session.conductor.frame(FrameDriver.moment(i)) }
        return (session, host)
    }

    func testNobodyConnectedIsALostLinkFromTheStartAndTheSafeRoomFollows() async throws {
        // heights-graded: link_loss_timeout_s 60.
        let (session, host) = try await runUnwatched(supervised: true, seconds: 65)
        XCTAssertEqual(session.conductor.board.latest.stateCode, "safe_room_link_lost",
                       "65 s with nobody at the console: the patient is in the safe room")
        XCTAssertEqual(session.conductor.board.latest.stepIndex, 0, "and the protocol did not climb")
        // The first therapist to connect restores the link.
        let therapist = try await ControlClient.connect(url: "ws://127.0.0.1:\(host.port)/v1/ws")
        _ = try await therapist.hello(token: host.server.keys.therapistToken)
        for i in 0..<50 { _ = session.conductor.frame(FrameDriver.moment(5000 + i)) }
        XCTAssertTrue(session.conductor.board.latest.therapistConnected)
        await therapist.close()
        host.stop()
    }

    func testARunMeantToGoUnwatchedSaysSoAndCarriesOn() async throws {
        let (session, host) = try await runUnwatched(supervised: false, seconds: 65)
        XCTAssertEqual(session.conductor.board.latest.stateCode, "running")
        host.stop()
    }
}
