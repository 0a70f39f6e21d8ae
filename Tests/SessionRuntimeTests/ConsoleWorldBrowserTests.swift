// The console's World panel in headless Chromium against a real heights session whose frames feed a
// real mirror view (lavapipe): the therapist raises the balcony with a slider and takes the railing
// away with its option button (the engine refuses the rise until confirmed), telemetry shows the new
// values held by the therapist, the patient's view in the console's mirror changes, "Follow level"
// lets the railing follow the level again, and the event buttons are the environment's own.
import Control
import Foundation
import XCTest
@testable import SessionRuntime

final class ConsoleWorldBrowserTests: XCTestCase {
    var sessions: URL!

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("console-world-browser-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    /// The console's mirror image as the page shows it, decoded in the page: width, height, RGB bytes.
    struct MirrorPixels {
        var width: Int
        var height: Int
        var rgb: [UInt8]
        var source: String

        /// Sharp steps between neighbouring pixels along the rows where the railing's bars stand
        /// (below the top rail, above the balcony's edge, looking out from the balcony): a full
        /// railing's bars make dozens a row, the street below only a few. Cars driving by change
        /// pixels all the time but hardly this count.
        var barEdges: Int {
            var edges = 0
            for y in (height * 64 / 100)..<(height * 84 / 100) {
                for x in 0..<(width - 1) {
                    let i = (y * width + x) * 3
                    if (0..<3).contains(where: { abs(Int(rgb[i + $0]) - Int(rgb[i + 3 + $0])) > 24 }) { edges += 1 }
                }
            }
            return edges
        }
    }

    func mirrorPixels(_ driver: WebDriver) async throws -> MirrorPixels? {
        let reply = try await driver.execute("""
            const img = document.getElementById('mirror');
            if (!img.complete || !img.naturalWidth) return null;
            const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
            const g = c.getContext('2d'); g.drawImage(img, 0, 0);
            const d = g.getImageData(0, 0, c.width, c.height).data;
            let s = ''; for (let i = 0; i < d.length; i += 4) s += String.fromCharCode(d[i], d[i + 1], d[i + 2]);
            return [c.width, c.height, btoa(s), img.src];
            """) as? [Any]
        guard let reply, reply.count == 4, let w = reply[0] as? Int, let h = reply[1] as? Int, let b64 = reply[2] as? String,
              let data = Data(base64Encoded: b64), let src = reply[3] as? String else { return nil }
        return MirrorPixels(width: w, height: h, rgb: Array(data), source: src)
    }

    /// A mirror image the page fetched after `previous` (the page refreshes it twice a second).
    func nextMirror(_ driver: WebDriver, after previous: MirrorPixels?) async throws -> MirrorPixels {
        let image = try await driver.waitFor({ try await self.mirrorPixels(driver) }, until: { $0 != nil && $0?.source != previous?.source })
        return try XCTUnwrap(image, "the console shows no mirror image")
    }

    func dataset(_ driver: WebDriver, row: String, _ key: String) async throws -> String? {
        try await driver.execute("const r = document.getElementById('world-row-\(row)'); return r ? r.dataset.\(key) : null;") as? String
    }

    func testTherapistSteersTheWorldTelemetryShowsItAndThePatientsViewChanges() async throws {
        let driver: WebDriver
        do { driver = try await WebDriver() } catch WebDriver.Failure.missing(let tool) {
            throw XCTSkip("\(tool) missing; install Debian chromium and chromium-driver")
        }
        let session = try TestSession.heights(in: sessions, participant: "P-0094", idPrefix: "console-world-browser")
        let mirror = MirrorView()
        mirror.start()
        let frames = MirroredFrameDriver(conductor: session.conductor, mirror: mirror)
        frames.start()
        var options = ConsoleOptions()
        options.port = 0
        options.telemetryHz = 30
        var failure: Error?
        do {
            let host = try ConsoleHost(session: session, mirror: mirror, options: options)
            let port = try await onThread { try host.start() }
            // An observer's socket reads the same telemetry the page renders.
            let observer = try await ControlClient.connect(url: "ws://127.0.0.1:\(port)/v1/ws")
            do {
                try await observer.hello(token: host.server.keys.observerToken)
                try await steer(driver, host: host, observer: observer, session: session, mirror: mirror)
            } catch { failure = error }
            try? await driver.screenshot(to: FileManager.default.temporaryDirectory.appendingPathComponent("console-world.png").path)
            await observer.close()
            try await onThread { host.stop() }
        } catch { failure = failure ?? error }
        await driver.quit()
        frames.stop()
        mirror.stop()
        try session.finish()
        if let failure { throw failure }
    }

    func steer(_ driver: WebDriver, host: ConsoleHost, observer: ControlClient, session: PreparedSession, mirror: MirrorView) async throws {
        try await driver.open(host.server.consoleURL())
        _ = try await driver.waitFor({ try await driver.text("#connection") }, until: { $0 == "online" })
        let running = try await driver.waitFor({ try await driver.text("#state") }, until: { $0 == "Running" })
        XCTAssertEqual(running, "Running")

        // Event buttons are the environment's events, nothing typed in.
        let events = try await driver.execute(
            "return Array.from(document.querySelectorAll('#event-buttons button')).map((b) => b.dataset.event);") as? [String]
        XCTAssertEqual(events, ["wind_gust"])
        let noEventsNote = try await driver.isDisplayed("#events-none")
        XCTAssertFalse(noEventsNote)

        // The world as it is: values with units, each following the level.
        let height = try await driver.waitFor({ try await driver.text("#world-value-height_m") }, until: { $0 == "3 m" })
        XCTAssertEqual(height, "3 m")
        let railing = try await driver.text("#world-value-railing")
        XCTAssertEqual(railing, "full")
        let wind = try await driver.text("#world-value-wind_mps")
        XCTAssertEqual(wind, "0 m/s")
        let pin = try await driver.text("#world-pin-railing")
        XCTAssertEqual(pin, "follows the level")
        let followShown = try await driver.isDisplayed("#world-release-railing")
        XCTAssertFalse(followShown, "nothing to release while nothing is held")

        // The slider: the balcony up to 6 m, within the protocol's step (the second floor's height).
        _ = try await driver.execute("""
            const s = document.getElementById('world-control-height_m'); s.value = 6;
            s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change'));
            """)
        let raised = try await driver.waitFor({ try await driver.text("#last-result") }, until: { $0.contains("applied") || $0.contains("refused") })
        XCTAssertTrue(raised.hasPrefix("height 6 m: applied"), raised)
        let heldHeight = try await observer.telemetry { $0.world.first { $0.name == "height_m" }?.pinned == .therapist }
        XCTAssertEqual(heldHeight.world.first { $0.name == "height_m" }?.target, .number(6))
        let reached = try await driver.waitFor({ try await driver.text("#world-value-height_m") }, until: { $0 == "6 m" })
        XCTAssertEqual(reached, "6 m", "the live height reached the therapist's setting")
        let heightPin = try await driver.text("#world-pin-height_m")
        XCTAssertEqual(heightPin, "held by you")

        // The patient's view through the railing, twice: its bars are there both times.
        let withRailing = try await nextMirror(driver, after: nil)
        XCTAssertEqual(withRailing.width, 192)
        let stillWithRailing = try await nextMirror(driver, after: try await nextMirror(driver, after: withRailing))
        XCTAssertGreaterThan(stillWithRailing.barEdges, 1000, "the railing's bars in the patient's view")
        XCTAssertEqual(Double(stillWithRailing.barEdges), Double(withRailing.barEdges), accuracy: 0.2 * Double(withRailing.barEdges),
                       "the bars stay while nothing changes the railing")

        // The railing away: a rise far beyond the limit, refused by the engine until confirmed.
        try await driver.click("#world-option-railing-none")
        let refused = try await driver.waitFor({ try await driver.text("#last-result") }, until: { $0.contains("refused") || $0.contains("applied") })
        XCTAssertTrue(refused.hasPrefix("railing none: refused (escalation_limit): "), refused)
        let offered = try await driver.waitFor({ try await driver.isDisplayed("#confirm-panel") }, until: { $0 })
        XCTAssertTrue(offered, "a refusal for the escalation limit offers Confirm")
        XCTAssertEqual(session.conductor.world.liveParameters?.value("railing"), .choice("full"), "the refused change changed nothing")
        try await driver.click("#confirm-yes")
        let confirmed = try await driver.waitFor({ try await driver.text("#last-result") }, until: { $0.contains("(confirmed)") })
        XCTAssertTrue(confirmed.hasPrefix("railing none (confirmed): applied"), confirmed)

        // The next telemetry: the railing is gone, held by the therapist; the page says so.
        let gone = try await observer.telemetry { t in
            t.world.contains { $0.name == "railing" && $0.value == .option("none") && $0.pinned == .therapist }
        }
        XCTAssertEqual(gone.world.first { $0.name == "railing" }?.target, .option("none"))
        let shownValue = try await driver.waitFor({ try await self.dataset(driver, row: "railing", "value") }, until: { $0 == "none" })
        XCTAssertEqual(shownValue, "none")
        let railingPin = try await driver.text("#world-pin-railing")
        XCTAssertEqual(railingPin, "held by you")
        let pressed = try await driver.execute("return document.getElementById('world-option-railing-none').getAttribute('aria-pressed');") as? String
        XCTAssertEqual(pressed, "true")

        // The patient's view changed: the bars are gone from the mirror image the console shows.
        var without = try await nextMirror(driver, after: stillWithRailing)
        for _ in 0..<10 where without.barEdges >= stillWithRailing.barEdges / 4 {
            without = try await nextMirror(driver, after: without)
        }
        XCTAssertLessThan(without.barEdges, stillWithRailing.barEdges / 4,
                          "the railing is still in the patient's view (edges \(stillWithRailing.barEdges) -> \(without.barEdges); mirror: \(mirror.failure ?? "ok"))")

        // Follow level: the railing follows the level again (the level's railing here is full).
        let follow = try await driver.waitFor({ try await driver.isDisplayed("#world-release-railing") }, until: { $0 })
        XCTAssertTrue(follow, "a parameter the therapist holds offers Follow level")
        try await driver.click("#world-release-railing")
        let released = try await driver.waitFor({ try await driver.text("#last-result") }, until: { $0.hasPrefix("railing follows the level") })
        XCTAssertTrue(released.hasPrefix("railing follows the level: applied"), released)
        let free = try await observer.telemetry { t in t.world.contains { $0.name == "railing" && $0.pinned == nil } }
        XCTAssertEqual(free.world.first { $0.name == "railing" }?.target, .option("full"))
        let pinAfter = try await driver.waitFor({ try await self.dataset(driver, row: "railing", "pinned") }, until: { $0 == "" })
        XCTAssertEqual(pinAfter, "")
        let followGone = try await driver.waitFor({ try await driver.isDisplayed("#world-release-railing") }, until: { !$0 })
        XCTAssertFalse(followGone)
        XCTAssertEqual(session.conductor.board.latest.stepIndex, 0, "still the first step: a step change would release the pins itself")
    }
}
