import Control
import Foundation
import XCTest

/// The console's Ratings panel in headless Chromium against a real server: the prompt the session
/// asks shows, a typed SUDS and a filled-in SSQ are sent as enter_rating, an out-of-range entry is not.
final class ConsoleRatingsBrowserTests: XCTestCase {
    func testTherapistSeesThePromptAndEntersSUDSAndSSQ() async throws {
        try await withConsoleInBrowser { driver, fixture in
            fixture.session.setPrompts(["suds"])
            try await driver.open(fixture.server.consoleURL())
            _ = try await driver.waitFor({ try await driver.text("#connection") }, until: { $0 == "online" })
            let asked = try await driver.waitFor({ try await driver.text("#rating-prompts") }, until: { $0.contains("SUDS") })
            XCTAssertEqual(asked, "Asked now: SUDS")
            let highlighted = try await driver.execute("return document.getElementById('rating-row-suds').classList.contains('asking');") as? Bool
            XCTAssertEqual(highlighted, true)

            // Out of range: refused in the page, nothing sent.
            _ = try await driver.execute("document.getElementById('rating-fms').value = '25';")
            try await driver.click("#rating-send-fms")
            let note = try await driver.text("#last-result")
            XCTAssertTrue(note.contains("0-20"), note)

            _ = try await driver.execute("document.getElementById('rating-suds').value = '40';")
            try await driver.click("#rating-send-suds")
            let shown = try await driver.waitFor({ try await driver.text("#suds") }, until: { $0 == "40" })
            XCTAssertEqual(shown, "40")

            let itemCount = try await driver.execute("return document.querySelectorAll('#ssq-items select').length;") as? Int
            XCTAssertEqual(itemCount, 16)
            let answers = [0, 1, 0, 2, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 1, 0]
            _ = try await driver.execute("""
                document.querySelector('details.ssq').open = true;
                const a = \(answers); a.forEach((v, i) => { document.getElementById('ssq-item-' + i).value = String(v); });
                """)
            try await driver.click("#ssq-send-post")
            let sent = try await driver.waitFor({ fixture.session.appliedCommands.map(\.command) }, until: { $0.count >= 2 })
            XCTAssertEqual(sent, [.enterRating(.suds(40)), .enterRating(.ssqPost(answers))])
        }
    }
}
