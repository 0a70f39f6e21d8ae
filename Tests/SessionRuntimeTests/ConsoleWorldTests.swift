// The world over the console's socket, against a real heights session (ConsoleHost on loopback, the
// conductor stepped on its own thread, the engine deciding): the welcome describes the environment
// from its definition, telemetry's `world` shows live values with units and who holds them, a held
// parameter is released with `release_parameter`, and an event the environment does not have is
// refused with a message naming the ones it has.
import Control
import ExposureCore
import Foundation
import XCTest
@testable import SessionRuntime

final class ConsoleWorldTests: XCTestCase {
    var sessions: URL!

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("console-world-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    /// A running heights session with its console and a therapist connected; always cleans up.
    func withTherapist(_ body: (ControlClient, ServerMessage.Welcome, PreparedSession) async throws -> Void) async throws {
        let session = try TestSession.heights(in: sessions, participant: "P-0095", idPrefix: "console-world")
        let frames = FrameDriver(conductor: session.conductor)
        frames.start()
        var options = ConsoleOptions()
        options.port = 0
        options.telemetryHz = 30
        var failure: Error?
        do {
            let host = try ConsoleHost(session: session, mirror: nil, options: options)
            let port = try await onThread { try host.start() }
            let therapist = try await ControlClient.connect(url: "ws://127.0.0.1:\(port)/v1/ws")
            do {
                let welcome = try await therapist.hello(token: host.server.keys.therapistToken)
                _ = try await therapist.telemetry { $0.state == .running && !$0.world.isEmpty }
                try await body(therapist, welcome, session)
            } catch { failure = error }
            await therapist.close()
            try await onThread { host.stop() }
        } catch { failure = failure ?? error }
        frames.stop()
        try session.finish()
        if let failure { throw failure }
    }

    func entry(_ telemetry: Telemetry, _ name: String) -> WorldParameter? { telemetry.world.first { $0.name == name } }

    func testWelcomeDescribesTheEnvironmentAndTelemetryShowsTheWorldWithUnits() async throws {
        try await withTherapist { therapist, welcome, _ in
            let environment = try XCTUnwrap(welcome.environment, "the welcome describes the session's environment")
            XCTAssertEqual(environment.id, "heights")
            XCTAssertEqual(environment.title, "Heights")
            XCTAssertEqual(environment.parameters.map(\.name), ["height_m", "railing", "floor", "wind_mps"], "the definition's order")
            XCTAssertEqual(environment.parameter("height_m"),
                           .number("height_m", label: "height", unit: "m", range: 1...200, maxRate: 3))
            XCTAssertEqual(environment.parameter("railing"), .choice("railing", label: "railing", options: ["full", "low", "none"]))
            XCTAssertEqual(environment.parameter("wind_mps")?.label, "wind")
            XCTAssertEqual(environment.events, ["wind_gust"])

            let t = try await therapist.telemetry { $0.state == .running }
            XCTAssertEqual(t.world.map(\.name), ["height_m", "railing", "floor", "wind_mps"])
            // The first step of the graded climb: a first-floor balcony, full railing, solid floor, no wind.
            XCTAssertEqual(entry(t, "height_m"), WorldParameter(name: "height_m", value: .number(3), target: .number(3), unit: "m", pinned: nil))
            XCTAssertEqual(entry(t, "railing"), WorldParameter(name: "railing", value: .option("full"), target: .option("full"), unit: nil, pinned: nil))
            XCTAssertEqual(entry(t, "wind_mps")?.unit, "m/s")
            XCTAssertEqual(t.parameters["height_m"], 3, "the numbers-only field stays for older consoles")
            XCTAssertNil(t.parameters["railing"])
        }
    }

    func testSetHoldsAParameterReleaseLetsItFollowTheLevelAndUnknownEventsAreRefused() async throws {
        try await withTherapist { therapist, _, session in
            // Taking the railing away at the first step is a rise far beyond the protocol's limit.
            let bare = try await therapist.sendCommand(kind: "set_parameter", fields: ["name": "railing", "option": "none"])
            guard case .error(let refused) = try await therapist.reply(to: bare) else { return XCTFail("a large rise was applied unconfirmed") }
            XCTAssertEqual(refused.code, .rejected)
            XCTAssertTrue(refused.message.hasPrefix("escalation_limit: "), refused.message)

            let (_, held) = try await therapist.appliedCommand(kind: "set_parameter", fields: ["name": "railing", "option": "none", "confirm": true])
            XCTAssertEqual(entry(held, "railing")?.pinned, .therapist)
            XCTAssertEqual(entry(held, "railing")?.target, .option("none"))
            let shown = try await therapist.telemetry { self.entry($0, "railing")?.value == .option("none") }
            XCTAssertEqual(entry(shown, "railing")?.pinned, .therapist, "the railing is gone from the patient's world, held by the therapist")
            XCTAssertEqual(session.conductor.world.liveParameters?.value("railing"), .choice("none"), "what is rendered")

            let (_, released) = try await therapist.appliedCommand(kind: "release_parameter", fields: ["name": "railing"])
            XCTAssertNil(entry(released, "railing")?.pinned, "it follows the level again")
            XCTAssertEqual(entry(released, "railing")?.target, .option("full"), "the level's railing at the first step")

            let again = try await therapist.sendCommand(kind: "release_parameter", fields: ["name": "railing"])
            guard case .error(let notHeld) = try await therapist.reply(to: again) else { return XCTFail("released twice") }
            XCTAssertTrue(notHeld.message.hasPrefix("not_applicable: "), notHeld.message)

            // An event the environment does not have: refused, naming the ones it has; never applied.
            let wrong = try await therapist.sendCommand(kind: "fire_event", fields: ["name": "crowd_arrives"])
            let wrongReply = try await therapist.reply(to: wrong)
            guard case .error(let unknown) = wrongReply else { return XCTFail("an unknown event was applied: \(wrongReply)") }
            XCTAssertEqual(unknown.code, .rejected)
            XCTAssertEqual(unknown.message, "invalid: heights has no event `crowd_arrives`; its events: wind_gust")

            let gust = try await therapist.sendCommand(kind: "fire_event", fields: ["name": "wind_gust"])
            let gustReply = try await therapist.reply(to: gust)
            guard case .applied(_, _, let changes) = gustReply else { return XCTFail("the heights event was refused: \(gustReply)") }
            XCTAssertEqual(changes, ["event wind_gust"])
            XCTAssertEqual(session.conductor.board.latest.stepIndex, 0, "still the first step: step changes clear the therapist's pins")
        }
    }
}
