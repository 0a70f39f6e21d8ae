import Foundation
import XCTest

/// `exposure session --validation` on the simulated headset, whose script makes the runtime report
/// a validation warning through XR_EXT_debug_utils twice: the person at the terminal sees it once
/// on stderr, and the record keeps it once as a `validation_message` event.
final class ValidationMessagesTests: XCTestCase {
    func testValidationMessagesArePrintedOnceAndRecorded() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let library = try CLI.binary().deletingLastPathComponent().appendingPathComponent("libSimulatedHeadset.so")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: library.path), "libSimulatedHeadset.so is not built")
        let manifest = dir.appendingPathComponent("runtime.json"), script = dir.appendingPathComponent("headset.json")
        try JSONSerialization.data(withJSONObject: ["file_format_version": "1.0.0",
                                                    "runtime": ["name": "Simulated", "library_path": library.path]]).write(to: manifest)
        let warning = "simulated runtime: layer submitted with an odd pose"
        try JSONSerialization.data(withJSONObject: [
            "displayRateHz": 4, "width": 16, "height": 16, "exitAfterFrames": 12,
            "logPath": dir.appendingPathComponent("headset.log").path,
            "events": [["t": 1.0, "kind": "debugMessage", "message": warning], ["t": 2.0, "kind": "debugMessage", "message": warning]],
        ]).write(to: script)
        let sessions = dir.appendingPathComponent("sessions")
        let result = try CLI.run(["session", "Protocols/heights-graded.yaml", "--participant", "P-0146", "--sessions", sessions.path,
                                  "--no-console", "--no-sound", "--validation"],
                                 environment: ["XR_RUNTIME_JSON": manifest.path, "EXPOSURE_SIMHEADSET_CONFIG": script.path], timeout: 180)
        XCTAssertTrue(result.stdout.contains("session ended as"), result.output)
        let printed = result.stderr.split(separator: "\n").filter { $0.hasPrefix("validation: ") && $0.contains(warning) }
        XCTAssertEqual(printed.count, 1, "printed once on stderr:\n\(result.stderr)")

        let id = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: sessions.path).first { $0.hasSuffix(".session.sqlite") })
        let out = dir.appendingPathComponent("jsonl")
        let export = try CLI.run(["export", sessions.appendingPathComponent(id).path, "--format", "jsonl", "--output", out.path])
        XCTAssertEqual(export.status, 0, export.output)
        let events = try String(contentsOf: out.appendingPathComponent("session.jsonl"), encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["kind"] as? String == "validation_message" }
        XCTAssertEqual(events.count, 1, "recorded once")
        XCTAssertTrue((events.first?["reason"] as? String ?? "").contains(warning), "\(events)")
    }
}
