import Control
import Foundation
import XCTest

/// The console's message box in headless Chromium against a real server: the typed text is sent
/// as a `message` command, and the page says what the patient is reading while telemetry carries it.
final class ConsoleMessageBrowserTests: XCTestCase {
    func testTherapistSendsAMessageAndSeesItIsInTheHeadset() async throws {
        try await withConsoleInBrowser { driver, fixture in
            try await driver.open(fixture.server.consoleURL())
            _ = try await driver.waitFor({ try await driver.text("#connection") }, until: { $0 == "online" })
            let before = try await driver.text("#message-showing")
            XCTAssertEqual(before, "", "nothing is in the headset yet")
            _ = try await driver.execute("document.getElementById('message-text').value = 'You are safe, breathe slowly';")
            try await driver.click("#message-form button[type=submit]")
            let sent = try await driver.waitFor({ fixture.session.appliedCommands.map(\.command) }, until: { !$0.isEmpty })
            XCTAssertEqual(sent, [.showMessage(text: "You are safe, breathe slowly")])
            let showing = try await driver.waitFor({ try await driver.text("#message-showing") }, until: { !$0.isEmpty })
            XCTAssertEqual(showing, "In the headset now: \u{201C}You are safe, breathe slowly\u{201D}")
        }
    }
}
