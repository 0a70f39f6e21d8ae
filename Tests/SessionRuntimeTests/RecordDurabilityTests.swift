// The record keeps what the console was told: a real `exposure session` process on the simulated
// headset, a therapist over a real WebSocket, and the record read back from disk. Killed the moment
// an `applied` reply arrives, every acknowledged command is in the record; a live record is told
// from an abandoned one by the lock on its own database file; a record that cannot be written is
// said at once, marked when it recovers, and ends the session when it does not.
import Control
import Foundation
import Recording
import XCTest

final class RecordDurabilityTests: XCTestCase {
    /// Runs of the kill-at-acknowledgement loop (`KILL_AT_ACK_RUNS` overrides; scripts/kill-at-ack runs 50).
    static var killRuns: Int { ProcessInfo.processInfo.environment["KILL_AT_ACK_RUNS"].flatMap(Int.init) ?? 10 }

    func testEveryAcknowledgedCommandIsInTheRecordWhenKilledAtTheAcknowledgement() async throws {
        _ = try E2E.binary()
        var lostTotal = 0
        for run in 1...Self.killRuns {
            let killAt = Int.random(in: 1...6)
            guard let s = try ConsoleSession.launch("killack\(run)") else { return }
            defer { s.cleanUp() }
            let therapist = try await s.therapist()
            // Commands go out pipelined (pause, resume, ...) so several replies are in flight, as from
            // a therapist clicking quickly; the process is killed when the killAt-th `applied` arrives.
            let sender = Task {
                for i in 0..<300 where !Task.isCancelled {
                    _ = try? await therapist.sendCommand(kind: i % 2 == 0 ? "pause" : "resume")
                    try? await Task.sleep(nanoseconds: 70_000_000)
                }
            }
            var acknowledged: [UInt64] = [], changed: Set<UInt64> = [], refused: [String] = []
            while acknowledged.count < killAt {
                let message: ServerMessage
                do { message = try await therapist.next(timeout: .seconds(10), skippingTelemetry: true) } catch {
                    sender.cancel()
                    return XCTFail("run \(run): \(error) after \(acknowledged.count) applied; refused: \(refused.suffix(5))\n\(s.outputText)")
                }
                if case .error(let e) = message { refused.append(e.message) }
                if case .applied(_, let sequence, let changes) = message {
                    acknowledged.append(sequence)
                    if !changes.isEmpty { changed.insert(sequence) }
                    if acknowledged.count == killAt { kill(s.process.processIdentifier, SIGKILL) }
                }
            }
            sender.cancel()
            s.process.waitUntilExit()
            XCTAssertEqual(s.process.terminationReason, .uncaughtSignal, "run \(run)")
            await therapist.close()

            let store = try SessionStore(directory: s.sessions)
            let id = try XCTUnwrap(store.sessionIDs().first, "run \(run)")
            XCTAssertEqual(store.recoveredSessions, [id], "run \(run): the killed record is marked interrupted")
            let record = try store.read(id)
            let commands = Dictionary(record.events.filter { $0.kind == EventKind.command }
                .compactMap { e in (e.payload["command_id"] as? String).map { ($0, e) } }) { a, _ in a }
            let lost = acknowledged.filter { commands[String($0)] == nil }
            // What a command changed is recorded in the frame that applied it (same display time).
            let effectLost = acknowledged.filter { seq in
                guard changed.contains(seq), let c = commands[String(seq)] else { return false }
                return !record.events.contains { $0.sequence > c.sequence && $0.displayTimeNs == c.displayTimeNs && $0.kind != EventKind.command }
            }
            lostTotal += lost.count + effectLost.count
            XCTAssertEqual(lost, [], "run \(run): acknowledged \(acknowledged), recorded \(commands.keys.sorted())")
            XCTAssertEqual(effectLost, [], "run \(run): acknowledged commands whose effect is missing from the record")
        }
        XCTAssertEqual(lostTotal, 0, "acknowledged commands missing from the record over \(Self.killRuns) runs")
    }

    /// Deleting lock files does not make a live record look abandoned (the lock is on the record): `exposure sessions` leaves it running, and the session ends as it should with
    /// every acknowledged command recorded.
    func testALiveRecordIsNotMarkedInterruptedWhateverFilesAreDeleted() async throws {
        guard let s = try ConsoleSession.launch("livelock") else { return }
        defer { s.cleanUp() }
        let therapist = try await s.therapist()
        var acknowledged = try await therapist.appliedSequences(["pause", "resume"])

        // Lock files (as earlier versions kept next to each record) are deleted: nothing depends on them.
        let names = try FileManager.default.contentsOfDirectory(atPath: s.sessions.path)
        for name in names where name.hasSuffix(".lock") {
            try FileManager.default.removeItem(at: s.sessions.appendingPathComponent(name))
        }
        let list = try await onThread { try CLIProcess.run(["sessions", "--sessions", s.sessions.path]) }
        XCTAssertEqual(list.status, 0, list.output)
        XCTAssertFalse(list.stderr.contains("interrupted"), "a live record was marked interrupted: \(list.output)")
        XCTAssertTrue(list.stdout.contains("\trunning\t"), list.stdout)

        acknowledged += try await therapist.appliedSequences(["pause", "resume", "end"])
        await therapist.close()
        let status = s.waitForExit(seconds: 30)
        XCTAssertEqual(status, 3, "ended by the therapist: \(s.outputText)")
        let store = try SessionStore(directory: s.sessions)
        XCTAssertEqual(store.recoveredSessions, [])
        let record = try store.read(try XCTUnwrap(store.sessionIDs().first))
        XCTAssertEqual(record.state, .therapist)
        XCTAssertFalse(record.events.contains { ($0.payload["state"] as? String) == "interrupted" }, "no interrupted event in the middle")
        let recorded = Set(record.events.filter { $0.kind == EventKind.command }.compactMap { $0.payload["command_id"] as? String })
        XCTAssertEqual(acknowledged.filter { !recorded.contains(String($0)) }, [], "acknowledged commands missing from the record")
    }

    /// Writes fail for a while (an injected full disk): the console's telemetry and the terminal
    /// say so within a second, the session goes on, and once writing works again the record holds
    /// a `record_gap` event saying how long and how many rows were lost.
    func testAFailingRecordIsAlertedWithinASecondAndItsGapIsMarked() async throws {
        let flag = FileManager.default.temporaryDirectory.appendingPathComponent("record-fail-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: flag) }
        guard let s = try ConsoleSession.launch("recordgap", environment: [SessionRecorder.failureInjectionVariable: flag.path]) else { return }
        defer { s.cleanUp() }
        let therapist = try await s.therapist()
        _ = try await therapist.telemetry { $0.state == .running }

        XCTAssertTrue(FileManager.default.createFile(atPath: flag.path, contents: nil))
        let failedAt = Date()
        let alerted = try await therapist.telemetry(timeout: .seconds(3)) { $0.alerts.contains { $0.kind == .record } }
        XCTAssertLessThan(Date().timeIntervalSince(failedAt), 1.0, "console alert within a second")
        let alert = try XCTUnwrap(alerted.alerts.first { $0.kind == .record })
        XCTAssertTrue(alert.message.contains("cannot be written"), alert.message)
        XCTAssertTrue(alert.message.contains("disk is full"), alert.message)
        while !s.outputText.contains("warning: the session record cannot be written"), Date().timeIntervalSince(failedAt) < 3 { usleep(20_000) }
        XCTAssertLessThan(Date().timeIntervalSince(failedAt), 1.0, "terminal line within a second: \(s.outputText)")

        // A command during the failure is applied but acknowledged only once the record holds it.
        let pause = try await therapist.sendCommand(kind: "pause")
        try await Task.sleep(nanoseconds: 1_500_000_000)
        try FileManager.default.removeItem(at: flag)
        let recoveredAt = Date()
        let reply = try await therapist.reply(to: pause, timeout: .seconds(5))
        guard case .applied(_, let pauseSeq, _) = reply else { return XCTFail("pause: \(reply)") }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(failedAt), 1.5, "the reply waited for the record")
        _ = try await therapist.telemetry(timeout: .seconds(3)) { !$0.alerts.contains { $0.kind == .record } }
        while !s.outputText.contains("note: the session record is written again"), Date().timeIntervalSince(recoveredAt) < 3 { usleep(20_000) }
        XCTAssertTrue(s.outputText.contains("note: the session record is written again"), s.outputText)

        let end = try await therapist.appliedSequences(["resume", "end"])
        await therapist.close()
        XCTAssertEqual(s.waitForExit(seconds: 30), 3, s.outputText)
        let store = try SessionStore(directory: s.sessions)
        let record = try store.read(try XCTUnwrap(store.sessionIDs().first))
        XCTAssertEqual(record.state, .therapist)
        let gap = try XCTUnwrap(record.events.first { $0.kind == EventKind.recordGap }, "no record_gap event")
        let seconds = try XCTUnwrap(gap.payload["seconds"] as? Double)
        XCTAssertGreaterThan(seconds, 1.2, gap.reason)
        XCTAssertLessThan(seconds, 4, gap.reason)
        XCTAssertGreaterThan(gap.payload["rows_lost"] as? Int ?? 0, 0, "poses of the gap were lost: \(gap.reason)")
        XCTAssertTrue(gap.reason.contains("disk is full"), gap.reason)
        // Poses stop during the gap and start again after it.
        let gapStart = try XCTUnwrap(gap.payload["from_wall_clock"] as? Double)
        XCTAssertFalse(record.poses.contains { $0.wallClock > gapStart + 0.3 && $0.wallClock < gapStart + seconds - 0.3 }, "poses inside the gap")
        XCTAssertTrue(record.poses.contains { $0.wallClock > gapStart + seconds }, "poses after the gap")
        let recorded = Set(record.events.filter { $0.kind == EventKind.command }.compactMap { $0.payload["command_id"] as? String })
        XCTAssertEqual(([pauseSeq] + end).filter { !recorded.contains(String($0)) }, [])
    }

    /// A real full disk: the sessions directory is a small tmpfs the test mounts, filled up while
    /// the session runs and emptied again. Needs root (CAP_SYS_ADMIN) to mount; skipped, saying so, without.
    func testARealFullDiskIsAlertedAndItsGapIsMarked() async throws {
        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("record-tmpfs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: mountPoint) }
        let mount = try CLIProcess.run(executable: "/bin/mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", mountPoint.path])
        guard mount.status == 0 else { throw XCTSkip("cannot mount a small tmpfs here (\(mount.output.trimmingCharacters(in: .whitespacesAndNewlines))); the injected-failure tests cover the same path") }
        defer { _ = try? CLIProcess.run(executable: "/bin/umount", ["-l", mountPoint.path]) }
        let sessions = mountPoint.appendingPathComponent("sessions")
        guard let s = try ConsoleSession.launch("fulldisk", sessions: sessions) else { return }
        defer { s.cleanUp() }
        let therapist = try await s.therapist()
        _ = try await therapist.telemetry { $0.state == .running }

        // Fill every free block.
        let filler = mountPoint.appendingPathComponent("filler")
        let fd = open(filler.path, O_WRONLY | O_CREAT, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let chunk = [UInt8](repeating: 0, count: 16_384)
        var written = 0
        while true {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            written += n
        }
        close(fd)
        let fullAt = Date()
        XCTAssertGreaterThan(written, 0)
        let alerted = try await therapist.telemetry(timeout: .seconds(3)) { $0.alerts.contains { $0.kind == .record } }
        XCTAssertLessThan(Date().timeIntervalSince(fullAt), 1.0, "console alert within a second")
        let message = try XCTUnwrap(alerted.alerts.first { $0.kind == .record }).message
        XCTAssertTrue(message.lowercased().contains("full"), message)
        while !s.outputText.contains("warning: the session record cannot be written"), Date().timeIntervalSince(fullAt) < 3 { usleep(20_000) }
        XCTAssertLessThan(Date().timeIntervalSince(fullAt), 1.0, "terminal line within a second: \(s.outputText)")

        try await Task.sleep(nanoseconds: 1_500_000_000)
        try FileManager.default.removeItem(at: filler)
        _ = try await therapist.telemetry(timeout: .seconds(3)) { !$0.alerts.contains { $0.kind == .record } }
        let end = try await therapist.appliedSequences(["pause", "end"])
        XCTAssertEqual(end.count, 2)
        await therapist.close()
        XCTAssertEqual(s.waitForExit(seconds: 30), 3, s.outputText)
        let store = try SessionStore(directory: sessions)
        let record = try store.read(try XCTUnwrap(store.sessionIDs().first))
        XCTAssertEqual(record.state, .therapist)
        let gap = try XCTUnwrap(record.events.first { $0.kind == EventKind.recordGap }, "no record_gap event")
        XCTAssertGreaterThan(gap.payload["seconds"] as? Double ?? 0, 1.0, gap.reason)
        XCTAssertGreaterThan(gap.payload["rows_lost"] as? Int ?? 0, 0, gap.reason)
        let recorded = Set(record.events.filter { $0.kind == EventKind.command }.compactMap { $0.payload["command_id"] as? String })
        XCTAssertEqual(end.filter { !recorded.contains(String($0)) }, [])
    }

    /// Writes that keep failing end the session as interrupted, with the reason on the terminal
    /// and exit status 7; a protocol with `stop_on_record_failure` ends at the first failure.
    func testARecordThatCannotBeKeptEndsTheSessionAsInterrupted() async throws {
        for (name, stopAtFirst) in [("recordlost", false), ("recordstop", true)] {
            let flag = FileManager.default.temporaryDirectory.appendingPathComponent("record-fail-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: flag) }
            var protocolPath = "Protocols/heights-graded.yaml"
            if stopAtFirst {
                let text = try String(contentsOf: E2E.packageRoot.appendingPathComponent(protocolPath), encoding: .utf8)
                let changed = text.replacingOccurrences(of: "safety_limits:\n", with: "safety_limits:\n  stop_on_record_failure: true\n")
                XCTAssertNotEqual(changed, text)
                let copy = FileManager.default.temporaryDirectory.appendingPathComponent("stop-on-record-\(UUID().uuidString).yaml")
                try changed.write(to: copy, atomically: true, encoding: .utf8)
                protocolPath = copy.path
            }
            guard let s = try ConsoleSession.launch(name, protocolPath: protocolPath,
                                                    environment: [SessionRecorder.failureInjectionVariable: flag.path]) else { return }
            defer { s.cleanUp() }
            let therapist = try await s.therapist()
            _ = try await therapist.telemetry { $0.state == .running }
            XCTAssertTrue(FileManager.default.createFile(atPath: flag.path, contents: nil))
            let failedAt = Date()
            let status = s.waitForExit(seconds: 40)
            let took = Date().timeIntervalSince(failedAt)
            await therapist.close()
            XCTAssertEqual(status, 7, "\(name): \(s.outputText)")
            if stopAtFirst {
                XCTAssertLessThan(took, 5, "\(name): ended at the first failure")
                XCTAssertTrue(s.outputText.contains("the protocol stops at the first record failure"), s.outputText)
            } else {
                XCTAssertGreaterThan(took, SessionRecorder.eventRetention - 0.5, "\(name): kept going for the retention time")
                XCTAssertLessThan(took, SessionRecorder.eventRetention + 15, name)
            }
            XCTAssertTrue(s.outputText.contains("error: the session record could not be written for"), s.outputText)
            XCTAssertTrue(s.outputText.contains("session ended as interrupted"), s.outputText)
            XCTAssertTrue(s.outputText.contains("exit status 7"), s.outputText)
            try? FileManager.default.removeItem(at: flag)
            let store = try SessionStore(directory: s.sessions)
            let record = try store.read(try XCTUnwrap(store.sessionIDs().first))
            XCTAssertEqual(record.state, .interrupted, name)
        }
    }
}

/// `exposure session` on the simulated headset (real time, 20 Hz) with its console on a free
/// loopback port and a scripted patient; the therapist's URL is read from what it prints.
final class ConsoleSession {
    let process: Process
    let fixture: HeadsetFixture
    let sessions: URL
    let output: URL
    private let outputHandle: FileHandle
    let port: Int
    let token: String

    var outputText: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    private init(process: Process, fixture: HeadsetFixture, sessions: URL, output: URL, outputHandle: FileHandle, port: Int, token: String) {
        self.process = process; self.fixture = fixture; self.sessions = sessions; self.output = output
        self.outputHandle = outputHandle; self.port = port; self.token = token
    }

    /// nil (after failing the test) when the session did not start.
    static func launch(_ name: String, protocolPath: String = "Protocols/heights-graded.yaml", sessions: URL? = nil,
                       environment: [String: String] = [:]) throws -> ConsoleSession? {
        let binary = try E2E.binary()
        let fixture = try HeadsetFixture(name, script: [
            "displayRateHz": 20, "width": 32, "height": 32, "realTime": true, "captureFrames": [] as [Int],
            "headPath": [["t": 0, "position": [0, 1.65, 0]], ["t": 60, "position": [0, 1.65, 0], "yawDegrees": 90]],
        ], coreValidation: false, selectInProcess: false)
        let sessions = sessions ?? fixture.directory.appendingPathComponent("sessions")
        let output = fixture.directory.appendingPathComponent("output.txt")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["session", protocolPath, "--participant", "P-0101", "--sessions", sessions.path,
                             "--no-sound", "--port", "0", "--patient", "Protocols/patients/demo-habituating.yaml"]
        process.currentDirectoryURL = E2E.packageRoot
        process.environment = fixture.environment.merging(environment) { _, new in new }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        func text() -> String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
        let deadline = Date().addingTimeInterval(60)
        var found: (Int, String)?
        while process.isRunning, Date() < deadline {
            if let m = text().firstMatch(of: ##/therapist console: http://127\.0\.0\.1:(\d+)/#token=(\S+)/##),
               fixture.runtimeLog().contains(where: { $0.hasPrefix("state FOCUSED") }) {
                found = (Int(m.1) ?? 0, String(m.2)); break
            }
            usleep(20_000)
        }
        guard let (port, token) = found else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
            XCTFail("\(name): the session did not start with its console within 60 s:\n\(text())")
            try? handle.close(); fixture.cleanUp()
            return nil
        }
        return ConsoleSession(process: process, fixture: fixture, sessions: sessions, output: output, outputHandle: handle,
                              port: port, token: token)
    }

    func therapist() async throws -> ControlClient {
        let client = try await ControlClient.connect(url: "ws://127.0.0.1:\(port)/v1/ws")
        try await client.hello(token: token)
        return client
    }

    /// The exit status, or nil (after killing it) when it did not exit in time.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit(); return nil }
        return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }

    func cleanUp() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? outputHandle.close()
        fixture.cleanUp()
    }
}

extension ControlClient {
    /// Sends each command in turn and returns the sequences of those answered `applied`.
    func appliedSequences(_ kinds: [String]) async throws -> [UInt64] {
        var applied: [UInt64] = []
        for kind in kinds {
            let id = try await sendCommand(kind: kind)
            if case .applied(_, let sequence, _) = try await reply(to: id, timeout: .seconds(15)) { applied.append(sequence) }
        }
        return applied
    }
}

/// Runs `exposure ARGS` to the end (SessionRuntimeTests has no CLI runner of its own).
enum CLIProcess {
    struct Result { var status: Int32; var stdout: String; var stderr: String; var output: String { stdout + stderr } }

    static func run(executable: String? = nil, _ args: [String]) throws -> Result {
        let process = Process()
        process.executableURL = try executable.map { URL(fileURLWithPath: $0) } ?? E2E.binary()
        process.arguments = args
        process.currentDirectoryURL = E2E.packageRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}
