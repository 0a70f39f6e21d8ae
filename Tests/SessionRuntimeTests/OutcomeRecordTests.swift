import XCTest
import ExposureCore
import Recording
import SceneModel
@testable import SessionRuntime

/// `PreparedSession.finish()` closes the record with the engine's own outcome and the step reached.
final class OutcomeRecordTests: XCTestCase {
    var sessions: URL!
    let periodNs: Int64 = 13_888_889

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("outcome-\(UUID().uuidString)")
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    func moment(_ i: Int) -> FrameMoment {
        FrameMoment(index: i, displayTimeNs: 1_000_000_000 + Int64(i) * periodNs, periodNs: periodNs,
                    wallClock: 1_700_000_000 + Double(i) * Double(periodNs) / 1e9, head: Pose(position: Vec3(0, 1.6, 0)))
    }

    /// Runs `frames` frames, then the inputs on one more frame, and closes the record.
    func run(_ inputs: [SessionInput], after frames: Int = 10, prefix: String) throws -> (PreparedSession, SessionRecord) {
        let s = try TestSession.heights(in: sessions, idPrefix: prefix)
        var i = 0
        for _ in 0..<frames { _ = s.conductor.frame(moment(i)); i += 1 }
        for input in inputs { _ = s.conductor.frame(moment(i), headset: [input]); i += 1 }
        _ = s.conductor.frame(moment(i))
        try s.finish()
        return (s, try s.store.read(s.sessionID))
    }

    func testEveryEngineOutcomeHasItsRecordState() {
        for reason in EndReason.allCases {
            XCTAssertEqual(PreparedSession.recordState(.ended(reason)).rawValue, reason.rawValue, "\(reason)")
        }
        XCTAssertEqual(PreparedSession.recordState(.notStarted), .aborted)
        XCTAssertEqual(PreparedSession.recordState(.running(step: 3)), .aborted, "a loop that stopped under a live session")
    }

    func testTherapistEndIsRecordedWithTheStepReached() throws {
        let (s, r) = try run([SessionInput(.therapist(.end), from: .therapist("therapist-1"))], prefix: "therapist")
        XCTAssertEqual(r.state, .therapist)
        XCTAssertEqual(r.endStep, 1)
        XCTAssertEqual(r.stepCount, s.plan.steps.count)
        XCTAssertEqual(r.outcome, "ended by the therapist at step 1/\(s.plan.steps.count)")
        XCTAssertEqual(s.finalState, .therapist)
        XCTAssertEqual(try s.finish(), .therapist, "finishing twice says the same")
    }

    func testEndAfterAnOptOutIsThePatientStopping() throws {
        let (_, r) = try run([SessionInput(.patient(.optOut), from: .headset),
                              SessionInput(.therapist(.end), from: .therapist("therapist-1"))], prefix: "optout")
        XCTAssertEqual(r.state, .patientStopped)
        XCTAssertEqual(r.endStep, 1)
    }

    func testAbortInputIsRecordedAsAborted() throws {
        let (_, r) = try run([SessionInput(.abort(reason: "stopped by SIGTERM"), from: .system)], prefix: "abort")
        XCTAssertEqual(r.state, .aborted)
        XCTAssertEqual(r.endStep, 1)
        XCTAssertTrue(r.events.contains { $0.reason.contains("stopped by SIGTERM") }, "the record says why")
    }

    func testSessionTheEngineNeverEndedIsAborted() throws {
        let (_, r) = try run([], prefix: "loop-stopped")
        XCTAssertEqual(r.state, .aborted)
        XCTAssertEqual(r.endStep, 1)
        let s = try TestSession.heights(in: sessions, idPrefix: "no-frames")
        try s.finish()
        let none = try s.store.read(s.sessionID)
        XCTAssertEqual(none.state, .aborted)
        XCTAssertNil(none.endStep, "no step was reached")
    }
}
