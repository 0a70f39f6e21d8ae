import Foundation
import XCTest
@testable import Recording

/// Each way a session can end is stored as its own state with the step reached, read back by the
/// reader, the store's list, the exports and the report; records from before keep reading.
final class OutcomeTests: XCTestCase {
    static let ended: [SessionState] = [.completed, .therapist, .timeLimit, .patientStopped, .safetyStop, .aborted]

    func testRawValuesAreTheEngineOutcomeCodes() {
        XCTAssertEqual(Self.ended.map(\.rawValue),
                       ["completed", "ended_by_therapist", "time_limit", "patient_stopped", "safety_stop", "aborted"])
        XCTAssertEqual(SessionState.allCases.count, 8)
        XCTAssertEqual(SessionState(rawValue: "running"), .running)
        XCTAssertEqual(SessionState(rawValue: "interrupted"), .interrupted)
    }

    func testEachOutcomeIsStoredWithItsStepAndReadBack() throws {
        let dir = temporaryDirectory("outcomes")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SessionStore(directory: dir)
        for (i, state) in Self.ended.enumerated() {
            let id = "S-\(i + 1)"
            let rec = try store.create(sampleMetadata(id))
            rec.record(RecordedEvent(sessionTime: 1, kind: EventKind.step, actor: .protocol, payloadJSON: RecordedEvent.payload(["step": i + 1])))
            try rec.finish(state: state, endStep: i + 1, stepCount: 8, wallClock: sampleMetadata().startWallClock + 60)

            let r = try store.read(id)
            XCTAssertEqual(r.state, state)
            XCTAssertEqual(r.endStep, i + 1, state.rawValue)
            XCTAssertEqual(r.stepCount, 8, state.rawValue)
            XCTAssertEqual(r.damage.count, 0, "\(r.damage)")
            XCTAssertEqual(r.outcome, "\(state.plainWords) at step \(i + 1)/8")

            let csv = try RecordExporter.export(r, format: .csv, to: dir.appendingPathComponent("\(id)-csv"))
            XCTAssertFalse(csv.files.isEmpty)
            let meta = try String(contentsOf: dir.appendingPathComponent("\(id)-csv/metadata.csv"), encoding: .utf8)
            XCTAssertTrue(meta.contains("state,\(state.rawValue)"), meta)
            XCTAssertTrue(meta.contains("end_step,\(i + 1)"), meta)
            XCTAssertTrue(meta.contains("step_count,8"), meta)

            _ = try RecordExporter.export(r, format: .jsonl, to: dir.appendingPathComponent("\(id)-jsonl"))
            let jsonl = try String(contentsOf: dir.appendingPathComponent("\(id)-jsonl/session.jsonl"), encoding: .utf8)
            let first = try XCTUnwrap(jsonl.split(separator: "\n").first)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
            XCTAssertEqual(object["state"] as? String, state.rawValue)
            XCTAssertEqual(object["end_step"] as? Int, i + 1)
            XCTAssertEqual(object["step_count"] as? Int, 8)
            XCTAssertEqual(object["outcome"] as? String, r.outcome)
        }
        let list = store.list()
        XCTAssertEqual(list.map(\.state), Self.ended)
        XCTAssertEqual(list.map(\.endStep), Array(1...6))
        XCTAssertEqual(list[1].outcome, "ended by the therapist at step 2/8")
        XCTAssertEqual(list[2].outcome, "ended at the session time limit at step 3/8")
        XCTAssertEqual(list[3].outcome, "stopped by the patient (opted out) at step 4/8")
    }

    /// Records written before outcomes were kept say `completed` and have no end step.
    func testOldCompletedRecordStillReads() throws {
        let dir = temporaryDirectory("outcomes-old")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SessionStore(directory: dir)
        _ = try writeSyntheticSession(store: store, id: "S-001", seconds: 3)
        let r = try store.read("S-001")
        XCTAssertEqual(r.state, .completed)
        XCTAssertNil(r.endStep)
        XCTAssertNil(r.stepCount)
        XCTAssertEqual(r.damage.count, 0)
        XCTAssertEqual(r.outcome, "completed")
        XCTAssertEqual(store.list().first?.outcome, "completed")
        XCTAssertTrue(SessionReport.html(r).contains("<b>Outcome:</b> Completed."))
    }

    func testReportShowsTheOutcomeInPlainWordsNearTheTop() throws {
        let dir = temporaryDirectory("outcomes-report")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SessionStore(directory: dir)
        let rec = try store.create(sampleMetadata("S-009"))
        try rec.finish(state: .therapist, endStep: 2, stepCount: 8)
        let html = SessionReport.html(try store.read("S-009"))
        let outcome = try XCTUnwrap(html.range(of: "<b>Outcome:</b> Ended by the therapist at step 2/8."), html)
        let firstPlot = html.range(of: "<svg")?.lowerBound ?? html.endIndex
        XCTAssertLessThan(outcome.lowerBound, firstPlot, "the outcome comes before the plots")
        XCTAssertLessThan(outcome.lowerBound, try XCTUnwrap(html.range(of: "<table")).lowerBound, "and before the summary table")
        XCTAssertTrue(html.contains("ended by the therapist at step 2/8 (ended_by_therapist)"), "the summary table names the code too")
    }
}
