import Foundation
import XCTest

/// Every `exposure bench` subcommand prints JSON with its documented fields.
final class BenchTests: XCTestCase {
    /// JSON numbers as Double, whether they were written as 90 or 90.5.
    func number(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }

    func json(_ result: CLIResult) throws -> [String: Any] {
        XCTAssertEqual(result.status, 0, result.output)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
    }

    func testBenchEnvironmentsCoversEveryDefinition() throws {
        let definitions = try FileManager.default.contentsOfDirectory(atPath: CLI.packageRoot.appendingPathComponent("Environments").path)
            .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }
        let object = try json(try CLI.run(["bench", "environments", "--frames", "2"]))
        let perFrame = try XCTUnwrap(object["frame_update_ms"] as? [String: [String: Any]])
        XCTAssertEqual(Set(perFrame.keys), Set(definitions + ["crowds/platform"]), "every definition, and the crowds' platform")
        for (name, timing) in perFrame {
            XCTAssertGreaterThan(number(timing["median_ms"]) ?? 0, 0, name)
            XCTAssertGreaterThan(timing["instances"] as? Int ?? 0, 0, name)
        }
        let crowd = try XCTUnwrap(object["crowd_step"] as? [[String: Any]])
        XCTAssertEqual(crowd.compactMap { $0["setting"] as? String }, ["plaza", "plaza", "platform"])
        XCTAssertTrue(crowd.allSatisfy { (number($0["median_us_per_agent"]) ?? 0) > 0 })
        XCTAssertGreaterThan(crowd.last?["agents"] as? Int ?? 0, 200, "the platform bench fills the platform")
    }

    func testBenchRenderPrintsTheDocumentedJSON() throws {
        let object = try json(try CLI.run(["bench", "render", "--frames", "2", "--width", "64", "--height", "64"]))
        XCTAssertEqual(object["width"] as? Int, 64)
        XCTAssertEqual(object["height"] as? Int, 64)
        XCTAssertEqual(object["frames"] as? Int, 2)
        XCTAssertEqual(object["eyes"] as? Int, 2)
        XCTAssertGreaterThan(object["instances"] as? Int ?? 0, 0)
        XCTAssertGreaterThanOrEqual(object["samples"] as? Int ?? 0, 1)
        XCTAssertFalse((object["device"] as? String ?? "").isEmpty)
        for key in ["cpu_ms_median", "cpu_ms_p99", "fps"] {
            XCTAssertGreaterThan(number(object[key]) ?? 0, 0, key)
        }
        XCTAssertLessThanOrEqual(number(object["cpu_ms_median"]) ?? 1, number(object["cpu_ms_p99"]) ?? 0)
    }

    func testBenchRecordPrintsJSON() throws {
        let object = try json(try CLI.run(["bench", "record", "--seconds", "0.2"]))
        let paced = try XCTUnwrap(object["paced"] as? [String: Any])
        XCTAssertEqual(number(paced["rate_hz"]), 90)
        XCTAssertEqual(paced["poses_committed"] as? Int, 18, "0.2 s at 90 Hz, all committed")
        XCTAssertNotNil(number(paced["frame_cost_ms_p99"]))
        let flat = try XCTUnwrap(object["flat_out"] as? [String: Any])
        XCTAssertGreaterThan(number(flat["poses_per_s"]) ?? 0, 0)
    }

    func testBenchControlPrintsJSON() throws {
        let object = try json(try CLI.run(["bench", "control", "--observers", "1", "--commands", "4", "--command-rate", "20", "--frame-observers", "0"]))
        XCTAssertEqual(object["commands"] as? Int, 4)
        XCTAssertEqual(object["observers"] as? Int, 1)
        for key in ["ack_ms_median", "ack_ms_p99", "confirmed_ms_median", "confirmed_ms_p99"] {
            XCTAssertGreaterThan(number(object[key]) ?? 0, 0, key)
        }
        XCTAssertLessThanOrEqual(number(object["ack_ms_median"]) ?? 1, number(object["confirmed_ms_median"]) ?? 0,
                                 "a command is acknowledged before telemetry confirms it")
        XCTAssertNotNil(number(object["observer_telemetry_per_s_min"]))
    }

    func testBenchIsOneGroupAndTheOldNamesAreGone() throws {
        let help = try CLI.run(["bench", "--help"])
        for sub in ["render", "environments", "record", "control"] {
            XCTAssertNotNil(help.stdout.range(of: "\n +\(sub) ", options: .regularExpression), "bench lists \(sub): \(help.stdout)")
        }
        for old in ["bench-environments", "bench-record", "bench-control"] {
            XCTAssertNotEqual(try CLI.run([old]).status, 0, "\(old) is no longer a command")
        }
    }
}
