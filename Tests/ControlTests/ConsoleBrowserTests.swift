import Control
import Foundation
import XCTest

/// The console page in headless Chromium, driven through chromedriver, against a real server.
final class ConsoleBrowserTests: XCTestCase {
    /// A 2x2 RGBA PNG (red, green / blue, white) for the mirror view.
    static let tinyPNG: [UInt8] = Array(Data(base64Encoded:
        "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAEklEQVR4nGP4z8DwHwyBNBgAAEnICff5q7YNAAAAAElFTkSuQmCC") ?? Data())

    func testClickPauseChangesPageAndSession() async throws {
        try await withConsoleInBrowser { driver, fixture in
            fixture.session.setMirrorPNG(Self.tinyPNG)
            try await driver.open(fixture.server.consoleURL())
            let initial = try await driver.waitFor({ try await driver.text("#state") }, until: { $0 == "Running" })
            XCTAssertEqual(initial, "Running")
            let connection = try await driver.waitFor({ try await driver.text("#connection") }, until: { $0 == "online" })
            XCTAssertEqual(connection, "online")

            try await driver.click("#pause")
            let paused = try await driver.waitFor({ try await driver.text("#state") }, until: { $0 == "Paused" })
            XCTAssertEqual(paused, "Paused")
            XCTAssertEqual(fixture.session.latestTelemetry().state, .paused)
            XCTAssertEqual(fixture.session.appliedCommands.map(\.command), [.pause])
            XCTAssertEqual(fixture.session.appliedCommands.first?.sender.role, .therapist)

            // A jump above the step limit asks for confirmation before anything is sent.
            _ = try await driver.execute("""
                const s = document.getElementById('intensity-slider'); s.value = 80;
                s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change'));
                """)
            let confirmationShown = try await driver.isDisplayed("#confirm-panel")
            XCTAssertTrue(confirmationShown)
            XCTAssertEqual(fixture.session.latestTelemetry().intensity, 20, "nothing sent before confirming")
            try await driver.click("#confirm-yes")
            let level = try await driver.waitFor({ try await driver.text("#intensity") }, until: { $0 == "80" })
            XCTAssertEqual(level, "80")
            XCTAssertEqual(fixture.session.latestTelemetry().intensity, 80)

            // The patient opts out: the banner appears.
            fixture.session.patientOptsOut()
            let banner = try await driver.waitFor({ try await driver.isDisplayed("#alert-banner") }, until: { $0 })
            XCTAssertTrue(banner)
            let bannerSaysOptedOut = try await driver.text("#alert-text").contains("opted out")
            XCTAssertTrue(bannerSaysOptedOut)

            let mirrorLoaded = try await driver.waitFor({ try await driver.execute(
                "const i = document.getElementById('mirror'); return i.complete && i.naturalWidth;") as? Int ?? 0 }, until: { $0 == 2 })
            XCTAssertEqual(mirrorLoaded, 2, "the mirror image was fetched with the token and shown")
            try? await driver.screenshot(to: FileManager.default.temporaryDirectory.appendingPathComponent("control-console.png").path)
        }
    }
}
