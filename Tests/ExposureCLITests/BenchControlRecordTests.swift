import Foundation
import XCTest

/// `exposure bench control` measures the real session path too: every `applied` there waited for
/// the record's commit, and the wait is reported.
final class BenchControlRecordTests: XCTestCase {
    func testBenchControlReportsTheRecordWaitOnTheRealSessionPath() throws {
        let result = try CLI.run(["bench", "control", "--commands", "20", "--observers", "0", "--command-rate", "20", "--frame-observers", "0"], timeout: 120)
        XCTAssertEqual(result.status, 0, result.output)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        func number(_ key: String) -> Double { (object[key] as? NSNumber)?.doubleValue ?? -1 }
        XCTAssertEqual(object["session_commands"] as? Int, 20, "every pause/resume was applied: \(result.stdout)")
        XCTAssertGreaterThan(number("record_wait_ms_median"), 0, result.stdout)
        XCTAssertGreaterThanOrEqual(number("record_wait_ms_p99"), number("record_wait_ms_median"), result.stdout)
        XCTAssertGreaterThanOrEqual(number("session_ack_ms_median"), number("record_wait_ms_median"), "the ack includes the wait")
        XCTAssertGreaterThan(number("session_record_transactions"), 0, result.stdout)
    }

    func testBenchControlRefusesAMissingProtocol() throws {
        let result = try CLI.run(["bench", "control", "--session-protocol", "no/such.yaml"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--session-protocol no/such.yaml: no such file"), result.output)
    }
}
