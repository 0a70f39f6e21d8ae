import XCTest
@testable import SessionRuntime

/// The frame-rate watch judges the last second of display time, whatever the frame count.
final class FrameRateWatchTests: XCTestCase {
    /// Feeds frames of a 20 Hz display: `every` refreshes apart, from `start` for `seconds`.
    private func feed(_ w: inout FrameRateWatch, from start: inout Int64, seconds: Double, every: Int) -> [(Double, Bool)] {
        var changes: [(Double, Bool)] = []
        let period: Int64 = 50_000_000
        let end = start + Int64(seconds * 1e9)
        while start + Int64(every) * period <= end {
            start += Int64(every) * period
            if let h = w.observe(missed: every - 1, at: start) { changes.append((Double(start) / 1e9, h)) }
        }
        return changes
    }

    func testOneFPSIsPoorOnItsFirstSlowFrameAndRecoveryIsSeenWithinASecond() {
        var w = FrameRateWatch()
        var t: Int64 = 0
        XCTAssertTrue(feed(&w, from: &t, seconds: 5, every: 1).isEmpty, "20 fps on a 20 Hz display is healthy")
        let poor = feed(&w, from: &t, seconds: 5, every: 20)
        XCTAssertEqual(poor.first?.1, false)
        XCTAssertEqual(poor.first?.0 ?? 0, 6, accuracy: 1e-9, "judged on the first slow frame, 1 s after the slowdown")
        XCTAssertEqual(poor.count, 1, "no flapping while it stays slow")
        XCTAssertEqual(w.framesPerSecond(periodNs: 50_000_000), 1, accuracy: 1e-9)
        let recovered = feed(&w, from: &t, seconds: 3, every: 1)
        XCTAssertEqual(recovered.map(\.1), [true])
        XCTAssertLessThanOrEqual((recovered.first?.0 ?? 99) - 10, 1.05, "recovered once the last second is clean")
        XCTAssertEqual(w.totalMissed, 19 * 5)
    }

    func testNothingIsJudgedInTheFirstHalfSecond() {
        var w = FrameRateWatch()
        XCTAssertNil(w.observe(missed: 0, at: 0))
        XCTAssertNil(w.observe(missed: 9, at: 400_000_000), "a slow start (pipelines compiling) is not judged")
        XCTAssertEqual(w.observe(missed: 19, at: 1_400_000_000), false)
    }
}
