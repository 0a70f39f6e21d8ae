import Control
import Foundation
import XCTest

/// Issue #14: the therapist at the terminal issues new pairing codes while `exposure session`
/// runs (`codes` + Enter on stdin): they are printed at once, work over the console's socket, and
/// the old ones stop working. A real session process on the simulated headset, driven through pipes.
final class TerminalCodesTests: XCTestCase {
    func testCodesOnStdinOrSIGUSR1IssueNewPairingCodesAndTheOldOnesAreRefused() async throws {
        let fixture = try HeadsetFixture("terminal-codes", script: [
            "displayRateHz": 10.0, "width": 16, "height": 16, "realTime": true, "captureFrames": [] as [Int],
        ], coreValidation: false, selectInProcess: false)
        defer { fixture.cleanUp() }
        let sessions = FileManager.default.temporaryDirectory.appendingPathComponent("terminal-codes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: sessions) }
        let input = Pipe(), output = Pipe()
        let process = Process()
        process.executableURL = try E2E.binary()
        process.arguments = ["session", "Protocols/heights-graded.yaml", "--participant", "P-0116", "--sessions", sessions.path,
                             "--no-sound", "--port", "0"]
        process.currentDirectoryURL = E2E.packageRoot
        process.environment = fixture.environment
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let received = PipeText()
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { received.append(String(decoding: data, as: UTF8.self)) }
        }
        try process.run()
        defer {
            output.fileHandleForReading.readabilityHandler = nil
            if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        }

        func codeLines() -> [String] { received.text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("pairing codes:") } }
        func codes(_ line: String) -> (therapist: String, observer: String)? {
            let words = line.replacingOccurrences(of: ",", with: " ").split(separator: " ").map(String.init)
            guard let t = words.firstIndex(of: "therapist"), let o = words.firstIndex(of: "observer"),
                  t + 1 < words.count, o + 1 < words.count else { return nil }
            return (words[t + 1], words[o + 1])
        }
        var deadline = Date().addingTimeInterval(90)
        while process.isRunning, Date() < deadline, codeLines().isEmpty || !received.text.contains("codes` + Enter") {
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertTrue(process.isRunning, received.text)
        let old = try XCTUnwrap(codeLines().first.flatMap(codes), received.text)
        let url = try XCTUnwrap(received.text.split(separator: "\n").first { $0.hasPrefix("therapist console: ") }, received.text)
        let port = try XCTUnwrap(URL(string: String(url.dropFirst("therapist console: ".count)).split(separator: " ")[0].description)?.port)

        input.fileHandleForWriting.write(Data("codes\n".utf8))
        deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline, codeLines().count < 2 { try await Task.sleep(for: .milliseconds(20)) }
        let line = try XCTUnwrap(codeLines().dropFirst().first, "no new codes printed:\n\(received.text)")
        XCTAssertTrue(line.contains("earlier codes no longer work"), line)
        let new = try XCTUnwrap(codes(line))
        XCTAssertNotEqual(new.therapist, old.therapist)
        XCTAssertNotEqual(new.observer, old.observer)

        let ws = "ws://127.0.0.1:\(port)/v1/ws"
        for stale in [old.therapist, old.observer] {
            let client = try await ControlClient.connect(url: ws)
            do {
                let welcome = try await client.hello(pairingCode: stale)
                XCTFail("an old code still pairs: \(welcome.role)")
            } catch let e as ControlProtocolError {
                XCTAssertEqual(e.code, .authenticationFailed, "\(e)")
            }
            await client.close()
        }
        let therapist = try await ControlClient.connect(url: ws)
        let welcome = try await therapist.hello(pairingCode: new.therapist)
        XCTAssertEqual(welcome.role, .therapist)
        await therapist.close()

        // SIGUSR1 does the same (for a supervisor with no terminal).
        XCTAssertEqual(kill(process.processIdentifier, SIGUSR1), 0)
        deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline, codeLines().count < 3 { try await Task.sleep(for: .milliseconds(20)) }
        let third = try XCTUnwrap(codeLines().dropFirst(2).first.flatMap(codes), "SIGUSR1 printed no new codes:\n\(received.text)")
        XCTAssertNotEqual(third.therapist, new.therapist)
        XCTAssertTrue(process.isRunning, "SIGUSR1 does not stop the session")

        XCTAssertEqual(kill(process.processIdentifier, SIGTERM), 0)
        let end = Date().addingTimeInterval(30)
        while process.isRunning, Date() < end { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertFalse(process.isRunning, "exposure session did not end within 30 s of SIGTERM")
    }
}

private final class PipeText: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ""
    func append(_ s: String) { lock.lock(); value += s; lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return value }
}
