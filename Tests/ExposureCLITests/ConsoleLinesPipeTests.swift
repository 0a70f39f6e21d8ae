import Foundation
import XCTest

/// `exposure session` started by a supervisor that reads its output through a pipe (systemd,
/// `| tee`, a launcher): the console's URL, the certificate fingerprint and the pairing codes must
/// reach the reader while the session runs, not when the process exits and stdout is flushed.
final class ConsoleLinesPipeTests: XCTestCase {
    func testConsoleURLFingerprintAndPairingCodesArriveThroughAPipeWhileTheSessionRuns() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sessions = dir.appendingPathComponent("sessions")
        let pipe = Pipe()
        let process = Process()
        process.executableURL = try CLI.binary()
        process.arguments = ["session", "Protocols/heights-graded.yaml", "--participant", "P-0145", "--sessions", sessions.path,
                             "--desktop", "--no-sound", "--port", "0", "--tls-self-signed"]
        process.currentDirectoryURL = CLI.packageRoot
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice

        let received = LockedText()
        let reader = pipe.fileHandleForReading
        reader.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { received.append(String(decoding: data, as: UTF8.self)) }
        }
        try process.run()
        defer {
            reader.readabilityHandler = nil
            if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        }

        let needed = ["therapist console: https://", "SHA-256 fingerprint:", "pairing codes:     therapist "]
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning, Date() < deadline, !needed.allSatisfy({ received.text.contains($0) }) { usleep(50_000) }
        let text = received.text
        XCTAssertTrue(process.isRunning, "the session must still be running when its console lines arrive:\n\(text)")
        for line in needed { XCTAssertTrue(text.contains(line), "\(line) not read from the pipe while the session runs:\n\(text)") }
        let url = text.split(separator: "\n").first { $0.hasPrefix("therapist console: ") }
            .map { $0.dropFirst("therapist console: ".count).split(separator: " ").first.map(String.init) ?? "" } ?? ""
        XCTAssertNotNil(URL(string: url)?.port, "a console URL with its port: \(url)")

        XCTAssertEqual(kill(process.processIdentifier, SIGTERM), 0)
        let end = Date().addingTimeInterval(30)
        while process.isRunning, Date() < end { usleep(20_000) }
        XCTAssertFalse(process.isRunning, "exposure session did not end within 30 s of SIGTERM")
    }
}

/// Text appended from the pipe's reader thread and read by the test.
final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ""
    func append(_ s: String) { lock.lock(); value += s; lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return value }
}
