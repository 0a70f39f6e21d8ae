import XCTest
@testable import ExposureCore

/// `safety_limits.stop_on_record_failure`: off unless a protocol asks; a wrong value is an error
/// that names the file, line and field.
final class RecordFailureOptionTests: XCTestCase {
    private func parse(_ extra: String) throws -> ExposureProtocol {
        let text = ProtocolParserTests.good.replacingOccurrences(of: "  max_intensity_change: 20\n",
                                                                  with: "  max_intensity_change: 20\n" + extra)
        return try ProtocolParser.parse(text: text, file: "p.yaml", vocabulary: testVocabulary)
    }

    func testOffByDefaultAndOnWhenAsked() throws {
        XCTAssertFalse(try parse("").safety.stopOnRecordFailure)
        XCTAssertTrue(try parse("  stop_on_record_failure: true\n").safety.stopOnRecordFailure)
        XCTAssertFalse(try parse("  stop_on_record_failure: false\n").safety.stopOnRecordFailure)
        let research = try ProtocolParser.load(path: repositoryRoot.appendingPathComponent("Protocols/research-fixed-heights.yaml").path,
                                               vocabulary: testVocabulary)
        XCTAssertTrue(research.safety.stopOnRecordFailure, "the bundled research protocol needs a whole record")
    }

    func testAWrongValueNamesFileLineAndField() throws {
        XCTAssertThrowsError(try parse("  stop_on_record_failure: sometimes\n")) { error in
            guard let f = error as? ValidationFailure else { return XCTFail("\(error)") }
            let d = f.diagnostics.first { $0.field.contains("stop_on_record_failure") }
            XCTAssertNotNil(d, "\(f.diagnostics)")
            XCTAssertEqual(d?.location.file, "p.yaml")
            XCTAssertEqual(d?.location.line, 13, "\(f.diagnostics)")
            XCTAssertTrue(d?.message.contains("expected true or false") == true, "\(f.diagnostics)")
        }
    }
}
