import Foundation
import XCTest
@testable import Recording

/// `exposure sessions`, `export` and `report` run as a user would run them.
final class CommandLineTests: XCTestCase {
    private func run(_ args: [String], in dir: URL) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = try exposureBinary()
        p.arguments = args
        p.currentDirectoryURL = dir
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func testSessionsExportAndReportFromTheCommandLine() throws {
        let dir = temporaryDirectory("cli")
        let sessions = dir.appendingPathComponent("sessions")
        let store = try SessionStore(directory: sessions)
        _ = try writeSyntheticSession(store: store, id: "S-001", seconds: 6)

        let list = try run(["sessions", "--sessions", sessions.path], in: dir)
        XCTAssertEqual(list.status, 0, list.err)
        let row = try XCTUnwrap(list.out.split(separator: "\n").first { $0.hasPrefix("S-001") })
        XCTAssertEqual(row.split(separator: "\t").map(String.init),
                       ["S-001", "P-0042", "heights-graded", "completed", "2027-01-15T08:00:00Z", "0:06", "7", "completed"])

        let bids = try run(["export", "S-001", "--sessions", sessions.path, "--format", "bids", "-o", "bids"], in: dir)
        XCTAssertEqual(bids.status, 0, bids.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(
            "bids/sub-P0042/ses-3/motion/sub-P0042_ses-3_task-exposure_tracksys-hmd_motion.tsv").path))
        XCTAssertTrue(bids.out.contains("sub-P0042_ses-3_task-exposure_recording-heartratebpm_physio.tsv.gz"), bids.out)

        let report = try run(["report", sessions.appendingPathComponent("S-001.session.sqlite").path, "-o", "r.html"], in: dir)
        XCTAssertEqual(report.status, 0, report.err)
        let html = try String(contentsOf: dir.appendingPathComponent("r.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<svg"))

        let missing = try run(["export", "S-404", "--sessions", sessions.path], in: dir)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.err.contains("no session record 'S-404'"), missing.err)
    }

    func testSessionsListsEachOutcomeWithTheStepReached() throws {
        let dir = temporaryDirectory("cli-outcomes")
        defer { try? FileManager.default.removeItem(at: dir) }
        let sessions = dir.appendingPathComponent("sessions")
        let store = try SessionStore(directory: sessions)
        let ends: [(String, SessionState, Int?)] = [("S-A", .therapist, 2), ("S-B", .timeLimit, 11), ("S-C", .aborted, 1),
                                                    ("S-D", .patientStopped, 3), ("S-E", .safetyStop, 4), ("S-F", .completed, 8)]
        for (id, state, step) in ends {
            let rec = try store.create(sampleMetadata(id))
            try rec.finish(state: state, endStep: step, stepCount: step == 11 ? 11 : 8)
        }
        let live = try store.create(sampleMetadata("S-G"))   // still running (this process holds it)

        let list = try run(["sessions", "--sessions", sessions.path], in: dir)
        XCTAssertEqual(list.status, 0, list.err)
        let rows = Dictionary(uniqueKeysWithValues: list.out.split(separator: "\n").dropFirst().map {
            let cells = $0.split(separator: "\t").map(String.init)
            return (cells[0], (state: cells[3], outcome: cells.last ?? ""))
        })
        XCTAssertEqual(list.out.split(separator: "\n").first?.split(separator: "\t").last, "OUTCOME")
        XCTAssertEqual(rows["S-A"]?.state, "ended_by_therapist")
        XCTAssertEqual(rows["S-A"]?.outcome, "ended by the therapist at step 2/8")
        XCTAssertEqual(rows["S-B"]?.outcome, "ended at the session time limit at step 11/11")
        XCTAssertEqual(rows["S-C"]?.outcome, "aborted (stopped before the protocol ended it) at step 1/8")
        XCTAssertEqual(rows["S-D"]?.outcome, "stopped by the patient (opted out) at step 3/8")
        XCTAssertEqual(rows["S-E"]?.outcome, "stopped by a safety rule at step 4/8")
        XCTAssertEqual(rows["S-F"]?.outcome, "completed at step 8/8")
        XCTAssertEqual(rows["S-G"]?.state, "running")
        XCTAssertEqual(rows["S-G"]?.outcome, "still running")
        try live.finish(state: .aborted)
    }

    func testExportOfADamagedRecordExitsWithStatus3AndNamesTheDamage() throws {
        let dir = temporaryDirectory("cli-damaged")
        let sessions = dir.appendingPathComponent("sessions")
        let store = try SessionStore(directory: sessions)
        _ = try writeSyntheticSession(store: store, id: "S-001", seconds: 20)
        let path = store.recordPath(for: "S-001")
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let h = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try h.truncate(atOffset: UInt64(size * 2 / 3))
        try h.close()

        let r = try run(["export", "S-001", "--sessions", sessions.path, "--format", "jsonl", "-o", "out"], in: dir)
        XCTAssertEqual(r.status, 3, r.err)
        XCTAssertTrue(r.err.contains("damaged:"), r.err)
        XCTAssertTrue(r.err.contains("S-001.session.sqlite"), r.err)
        let jsonl = try String(contentsOf: dir.appendingPathComponent("out/session.jsonl"), encoding: .utf8)
        XCTAssertTrue(jsonl.split(separator: "\n").first?.contains("\"type\":\"metadata\"") ?? false)
        XCTAssertTrue(jsonl.contains("\"type\":\"damage\""))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/DAMAGE.txt").path))
    }
}
