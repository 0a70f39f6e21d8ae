import Foundation
import XCTest

/// `exposure session` stopped by a signal, as `systemctl stop` or Ctrl-C would: the engine ends the
/// session as aborted, the record is closed (not left for the next start to call interrupted), and
/// the exit status says which signal it was. Desktop mode, offscreen, so no headset is needed.
final class SessionSignalTests: XCTestCase {
    func testSIGTERMClosesTheRecordAsAbortedAndExitsWith143() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sessions = dir.appendingPathComponent("sessions")
        let outURL = dir.appendingPathComponent("out.txt")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let process = Process()
        process.executableURL = try CLI.binary()
        process.arguments = ["session", "Protocols/heights-graded.yaml", "--participant", "P-0143", "--sessions", sessions.path,
                             "--desktop", "--no-console", "--no-sound"]
        process.currentDirectoryURL = CLI.packageRoot
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = out
        try process.run()
        func output() -> String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }

        // Running: the record exists and the first frames have been recorded.
        let startDeadline = Date().addingTimeInterval(60)
        func started() -> Bool {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: sessions.path)) ?? []
            return names.contains { $0.hasSuffix(".session.sqlite") }
        }
        while process.isRunning, Date() < startDeadline, !started() { usleep(50_000) }
        guard process.isRunning else {
            return XCTFail("exposure session exited before it was stopped (status \(process.terminationStatus)):\n\(output())")
        }
        Thread.sleep(forTimeInterval: 2)
        XCTAssertTrue(process.isRunning, output())
        XCTAssertEqual(kill(process.processIdentifier, SIGTERM), 0)
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL); process.waitUntilExit()
            return XCTFail("exposure session did not end within 30 s of SIGTERM:\n\(output())")
        }
        try out.close()
        XCTAssertEqual(process.terminationReason, .exit, output())
        XCTAssertEqual(process.terminationStatus, 143, output())
        XCTAssertTrue(output().contains("session ended as aborted"), output())
        XCTAssertTrue(output().contains("by SIGTERM (aborted); exit status 143"), output())

        let list = try CLI.run(["sessions", "--sessions", sessions.path])
        XCTAssertEqual(list.status, 0, list.output)
        XCTAssertFalse(list.stderr.contains("interrupted"), "closed by the process itself: \(list.stderr)")
        let row = try XCTUnwrap(list.lines.first { $0.hasPrefix("P-0143") }, list.stdout).split(separator: "\t").map(String.init)
        XCTAssertEqual(row[3], "aborted", list.stdout)
        XCTAssertTrue(row.last?.hasPrefix("aborted (stopped before the protocol ended it)") == true, list.stdout)
    }

    func testSessionHelpDocumentsTheExitStatuses() throws {
        let help = try CLI.run(["session", "--help"])
        XCTAssertEqual(help.status, 0, help.output)
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for part in ["0 completed", "3 ended_by_therapist", "4 time_limit", "5 patient_stopped", "6 safety_stop",
                     "130 aborted by Ctrl-C (SIGINT)", "143 aborted by SIGTERM", "2 errors"] {
            XCTAssertTrue(text.contains(part), "\(part) in: \(help.stdout)")
        }
    }
}
