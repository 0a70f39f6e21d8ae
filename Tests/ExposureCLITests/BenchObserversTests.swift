import Foundation
import XCTest

/// `exposure bench control`'s frame-rate figure (issue #14): a real session's frame rate with
/// observers connected vs none. Only the shape and that every observer got in and was fed are
/// checked: the figure itself is a benchmark, never a timed assertion.
final class BenchObserversTests: XCTestCase {
    func testBenchControlReportsTheFrameRateWithAndWithoutObservers() throws {
        let result = try CLI.run(["bench", "control", "--observers", "0", "--commands", "2", "--command-rate", "20",
                                  "--frame-observers", "20", "--frame-seconds", "1"], timeout: 180)
        XCTAssertEqual(result.status, 0, result.output)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        let figure = try XCTUnwrap(object["frame_rate"] as? [String: Any], result.stdout)
        XCTAssertEqual(figure["observers_connected"] as? Int, 20, "every observer is let in (the caps are raised for the bench)")
        XCTAssertEqual(figure["paced_hz"] as? Int, 90)
        for key in ["fps_without_observers", "fps_with_observers", "fps_ratio", "frame_cpu_ms_median_without", "frame_cpu_ms_median_with"] {
            XCTAssertGreaterThan((figure[key] as? NSNumber)?.doubleValue ?? 0, 0, key)
        }
        XCTAssertGreaterThan((figure["observer_telemetry_per_s_median"] as? NSNumber)?.doubleValue ?? 0, 1,
                            "the observers were sent telemetry")
    }

    func testZeroFrameObserversLeavesTheFigureOut() throws {
        let result = try CLI.run(["bench", "control", "--observers", "0", "--commands", "2", "--command-rate", "20", "--frame-observers", "0"])
        XCTAssertEqual(result.status, 0, result.output)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        XCTAssertNil(object["frame_rate"])
    }
}
