import Control
import Foundation
import XCTest

/// docs/control-protocol.md lists exactly the command kinds the server knows, and no `ack` message.
final class ControlDocsConsistencyTests: XCTestCase {
    static let doc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/control-protocol.md")

    /// The first cell of each row of the table that starts with `header`, without backticks.
    static func firstColumn(of text: String, tableHeader header: String) throws -> [String] {
        let lines = text.components(separatedBy: "\n")
        let start = try XCTUnwrap(lines.firstIndex { $0.hasPrefix(header) }, "no table starting \(header)")
        var names: [String] = []
        for line in lines[(start + 2)...] {
            guard line.hasPrefix("|") else { break }
            let cell = line.split(separator: "|", omittingEmptySubsequences: false)[1]
            names.append(cell.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`")))
        }
        return names
    }

    func testCommandTableMatchesAllKinds() throws {
        let text = try String(contentsOf: Self.doc, encoding: .utf8)
        XCTAssertEqual(try Self.firstColumn(of: text, tableHeader: "| kind | fields | example |"), ControlCommand.allKinds)
    }

    func testRepliesAreAppliedNotAck() throws {
        let text = try String(contentsOf: Self.doc, encoding: .utf8)
        XCTAssertTrue(text.contains("### applied"))
        XCTAssertFalse(text.contains(#""type": "ack""#), "the ack message no longer exists")
        XCTAssertEqual(try Self.firstColumn(of: text, tableHeader: "| rule | when |"),
                       ["escalation_limit", "not_running", "consent_needed", "link_down", "cybersickness", "frame_rate",
                        "invalid", "flood", "not_applicable", "session_not_live", "not_applied", "not_recorded"])
    }
}
