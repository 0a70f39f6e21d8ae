import Control
import Foundation
import XCTest

extension XCTestCase {
    /// Headless Chromium (through chromedriver) and a fresh console server for `body`. Skips when
    /// chromium or chromedriver is not installed; always quits the browser and stops the server.
    func withConsoleInBrowser(session: EmbeddedControlledSession = EmbeddedControlledSession(),
                              _ body: (WebDriver, ServerFixture) async throws -> Void) async throws {
        let driver: WebDriver
        do {
            driver = try await WebDriver()
        } catch WebDriver.Failure.missing(let tool) {
            throw XCTSkip("\(tool) missing; install Debian chromium and chromium-driver")
        }
        let fixture: ServerFixture
        do {
            fixture = try await ServerFixture(session: session)
        } catch {
            await driver.quit()
            throw error
        }
        do {
            try await body(driver, fixture)
        } catch {
            await driver.quit()
            await fixture.stop()
            throw error
        }
        await driver.quit()
        await fixture.stop()
    }
}
