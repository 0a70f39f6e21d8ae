import Foundation
import XCTest

/// The exit status of a session ended because its record could not be kept is documented with the others.
final class RecordLostStatusTests: XCTestCase {
    func testSessionHelpNamesStatus7() throws {
        let help = try CLI.run(["session", "--help"])
        XCTAssertEqual(help.status, 0, help.output)
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        XCTAssertTrue(text.contains("7 interrupted because the session record could not be written"), help.stdout)
        let readme = try String(contentsOf: CLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains("| 7 | `interrupted`: the session record could not be written"), "README's exit status table")
    }
}
