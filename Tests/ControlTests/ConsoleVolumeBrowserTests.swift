import Control
import Foundation
import XCTest

/// The console's volume slider and mute button in headless Chromium against a real server.
final class ConsoleVolumeBrowserTests: XCTestCase {
    func testTherapistSetsVolumeAndMutesObserverCannot() async throws {
        try await withConsoleInBrowser { driver, fixture in
            try await driver.open(fixture.server.consoleURL(role: .therapist))
            _ = try await driver.waitFor({ try await driver.text("#connection") }, until: { $0 == "online" })
            let shown = try await driver.waitFor({ try await driver.text("#volume-value") }, until: { $0 == "100%" })
            XCTAssertEqual(shown, "100%")

            _ = try await driver.execute("""
                const s = document.getElementById('volume-slider'); s.value = 40;
                s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change'));
                """)
            let reached = await eventually { fixture.session.latestTelemetry().volume == 0.4 }
            XCTAssertTrue(reached, "the slider's change reached the session")
            let label = try await driver.waitFor({ try await driver.text("#volume-value") }, until: { $0 == "40%" })
            XCTAssertEqual(label, "40%")

            try await driver.click("#mute")
            let unmuteLabel = try await driver.waitFor({ try await driver.text("#mute") }, until: { $0 == "Unmute" })
            XCTAssertEqual(unmuteLabel, "Unmute")
            XCTAssertTrue(fixture.session.latestTelemetry().muted)
            XCTAssertEqual(fixture.session.latestTelemetry().volume, 0.4, "muting keeps the volume")

            fixture.session.setAudioOutput(.noDevice)
            try? await driver.screenshot(to: FileManager.default.temporaryDirectory.appendingPathComponent("control-console-volume.png").path)
            let note = try await driver.waitFor({ try await driver.text("#audio-status") }, until: { $0.contains("no sound device") })
            XCTAssertTrue(note.contains("Muted"), note)
            let result = try await driver.text("#last-result")
            XCTAssertTrue(result.hasPrefix("mute: applied"), "the console shows the decision: \(result)")

            // An observer's console shows the same state with the controls disabled.
            // (via a blank page: a change of fragment alone would not reload the console)
            try await driver.open("about:blank")
            try await driver.open(fixture.server.consoleURL(role: .observer))
            _ = try await driver.waitFor({ try await driver.text("#volume-value") }, until: { $0 == "40%" })
            let disabled = try await driver.execute(
                "return [document.getElementById('volume-slider').disabled, document.getElementById('mute').disabled];") as? [Bool]
            XCTAssertEqual(disabled, [true, true])
            let observerMuteLabel = try await driver.text("#mute")
            XCTAssertEqual(observerMuteLabel, "Unmute")
        }
    }
}
