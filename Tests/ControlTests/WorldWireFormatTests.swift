import Control
import Foundation
import XCTest

/// The world on the wire: the environment description in `welcome`, telemetry's `world`, and the
/// console's World panel built from them (an environment without events shows none).
final class WorldWireFormatTests: XCTestCase {
    static let heights = EnvironmentDescription(id: "heights", title: "Heights", parameters: [
        .number("height_m", label: "height", unit: "m", range: 1...200, maxRate: 3),
        .choice("railing", label: "railing", options: ["full", "low", "none"]),
    ], events: ["wind_gust"])

    static func jsonObject(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testEnvironmentDescriptionEncodesNumbersWithRangeAndChoicesWithOptions() throws {
        let data = try JSONEncoder().encode(Self.heights)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["id"] as? String, "heights")
        XCTAssertEqual(object["events"] as? [String], ["wind_gust"])
        let parameters = try XCTUnwrap(object["parameters"] as? [[String: Any]])
        XCTAssertEqual(Set(parameters[0].keys), ["name", "label", "unit", "min", "max", "max_rate"])
        XCTAssertEqual(parameters[0]["max"] as? Double, 200)
        XCTAssertEqual(Set(parameters[1].keys), ["name", "label", "options"], "a choice has no unit or range")
        XCTAssertEqual(parameters[1]["options"] as? [String], ["full", "low", "none"])
        XCTAssertEqual(try JSONDecoder().decode(EnvironmentDescription.self, from: data), Self.heights)
    }

    func testTelemetryWorldHasNumbersAndOptionsAndSaysNullForNoUnitAndNoPin() throws {
        let world = [
            WorldParameter(name: "height_m", value: .number(12.5), target: .number(45), unit: "m", pinned: .therapist),
            WorldParameter(name: "railing", value: .option("low"), target: .option("low"), unit: nil, pinned: nil),
        ]
        let telemetry = Telemetry(sessionId: "s", state: .running, elapsed: 1, step: StepInfo(index: 0, count: 1, name: "a"),
                                  intensity: 20, intensityStepLimit: 20,
                                  frameHealth: FrameHealth(frameRate: 90, missedFrames: 0, cpuMilliseconds: 1), world: world)
        let text = ServerMessage.telemetry(seq: 7, telemetry).jsonText()
        let entries = try XCTUnwrap(try Self.jsonObject(text)["world"] as? [[String: Any]])
        XCTAssertEqual(entries[0]["value"] as? Double, 12.5)
        XCTAssertEqual(entries[0]["target"] as? Double, 45)
        XCTAssertEqual(entries[0]["unit"] as? String, "m")
        XCTAssertEqual(entries[0]["pinned"] as? String, "therapist")
        XCTAssertEqual(entries[1]["value"] as? String, "low")
        XCTAssertTrue(entries[1]["unit"] is NSNull, "no unit is said as null: \(text)")
        XCTAssertTrue(entries[1]["pinned"] is NSNull, "following the level is said as null: \(text)")
        guard case .telemetry(_, let decoded) = try ServerMessage.parse(text) else { return XCTFail(text) }
        XCTAssertEqual(decoded.world, world)
    }

    func testWelcomeCarriesTheSessionsEnvironment() async throws {
        let fixture = try await ServerFixture(session: EmbeddedControlledSession(environment: Self.heights))
        let client = try await ControlClient.connect(url: fixture.wsURL)
        let welcome = try await client.hello(token: fixture.observerToken)
        XCTAssertEqual(welcome.environment, Self.heights, "observers get it too: they see the same world")
        await client.close()
        await fixture.stop()

        let bare = try await ServerFixture()
        let again = try await ControlClient.connect(url: bare.wsURL)
        let plain = try await again.hello(token: bare.therapistToken)
        XCTAssertNil(plain.environment, "a session that describes no world sends none")
        await again.close()
        await bare.stop()
    }

    /// An environment without events: no event buttons, a note that says so; no free-text event box.
    func testConsoleShowsNoEventButtonsForAnEnvironmentWithoutEvents() async throws {
        let openSpaces = EnvironmentDescription(id: "open_spaces", title: "Open spaces", parameters: [
            .number("exit_distance_m", label: "exit distance", unit: "m", range: 5...500, maxRate: 5),
        ], events: [])
        let session = EmbeddedControlledSession(environment: openSpaces)
        try await withConsoleInBrowser(session: session) { driver, fixture in
            try await driver.open(fixture.server.consoleURL())
            _ = try await driver.waitFor({ try await driver.text("#connection") }, until: { $0 == "online" })
            let note = try await driver.waitFor({ try await driver.text("#events-none") }, until: { !$0.isEmpty })
            XCTAssertEqual(note, "This environment has no events to fire.")
            let buttons = try await driver.execute("return document.querySelectorAll('#event-buttons button').length;") as? Int
            XCTAssertEqual(buttons, 0)
            let freeText = try await driver.execute("return document.getElementById('event-name') === null;") as? Bool
            XCTAssertEqual(freeText, true, "event names are not typed in")
            let title = try await driver.text("#world-title")
            XCTAssertEqual(title, "Open spaces")
            let slider = try await driver.execute("""
                const s = document.getElementById('world-control-exit_distance_m'); return [s.min, s.max, s.step];
                """) as? [String]
            XCTAssertEqual(slider, ["5", "500", "1"], "the slider spans the definition's range")
        }
    }
}
