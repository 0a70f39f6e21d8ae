import Foundation
import XCTest

/// Session numbers come from the sessions directory: a participant's sessions are 1, 2, ... without
/// anyone typing them, and a number typed by hand that is already used is refused, so a study
/// export never meets two session 1s of one participant.
final class SessionNumberTests: XCTestCase {
    func testTheStoreNumbersAParticipantsSessionsAndRefusesAUsedNumber() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sessions = dir.appendingPathComponent("sessions").path
        let session = ["session", "Protocols/heights-graded.yaml", "--participant", "P-0200", "--sessions", sessions,
                       "--desktop", "--no-console", "--no-sound", "--frames", "3"]
        for _ in 0..<2 {
            let run = try CLI.run(session, timeout: 120)
            XCTAssertEqual(run.status, 1, "aborted when --frames ran out: \(run.output)")
        }
        let other = try CLI.run(["session", "Protocols/heights-graded.yaml", "--participant", "P-0201", "--sessions", sessions,
                                 "--desktop", "--no-console", "--no-sound", "--frames", "3"], timeout: 120)
        XCTAssertEqual(other.status, 1, other.output)

        let refused = try CLI.run(session + ["--session-number", "2"], timeout: 120)
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(refused.stderr.contains("--session-number 2: P-0200 already has a session 2") && refused.stderr.contains("next free number is 3"),
                      refused.output)

        // None of these sessions had a heart-rate source: the report says the rule could not act.
        let report = dir.appendingPathComponent("report.html")
        let id = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: sessions).first { $0.hasPrefix("P-0201") && $0.hasSuffix(".session.sqlite") })
        let reported = try CLI.run(["report", "\(sessions)/\(id)", "-o", report.path])
        XCTAssertEqual(reported.status, 0, reported.output)
        XCTAssertTrue(try String(contentsOf: report, encoding: .utf8).contains("the heart-rate safety rule was inactive this session"))

        let study = dir.appendingPathComponent("study").path
        let export = try CLI.run(["export", "--all", "--sessions", sessions, "--study", study])
        XCTAssertEqual(export.status, 0, export.output)
        for ses in ["sub-P0200/ses-1", "sub-P0200/ses-2", "sub-P0201/ses-1"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(study)/\(ses)"), "\(ses) in \(export.stdout)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: "\(study)/sub-P0200").filter { $0.hasPrefix("ses-") }.sorted(),
                       ["ses-1", "ses-2"], "three runs, one refused: two sessions")

        // Records of real sessions make a dataset the official validator accepts.
        let validator = Process()
        validator.executableURL = URL(fileURLWithPath: try CLI.tool("bids-validator-deno"))
        validator.arguments = ["--format", "json", study]
        let pipe = Pipe()
        validator.standardOutput = pipe
        validator.standardError = FileHandle.nullDevice
        try validator.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        validator.waitUntilExit()
        let validation = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], String(decoding: data, as: UTF8.self))
        let issues = (validation["issues"] as? [String: Any])?["issues"] as? [[String: Any]] ?? []
        let errors = issues.filter { $0["severity"] as? String == "error" }
        XCTAssertEqual(errors.count, 0, errors.map { "\($0["code"] ?? "") \($0["subCode"] ?? "") \($0["location"] ?? "")" }.joined(separator: "\n"))
    }
}
