import Foundation
import XCTest
@testable import Recording

/// The built `exposure` executable (next to the test bundle, or in .build/debug).
func exposureBinary() throws -> URL {
    var candidates: [URL] = []
    for b in Bundle.allBundles where b.bundlePath.hasSuffix(".xctest") {
        candidates.append(URL(fileURLWithPath: b.bundlePath).deletingLastPathComponent().appendingPathComponent("exposure"))
    }
    // Tests/RecordingTests/KillTests.swift -> package root -> .build/debug/exposure
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates.append(root.appendingPathComponent(".build/debug/exposure"))
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw XCTSkip("exposure binary not built (looked in \(candidates.map(\.path))); run swift build first")
    }
    return found
}

/// SIGKILLs a real recording process (`exposure record-soak`) at random moments and checks the record.
final class KillTests: XCTestCase {
    /// Collects stdout lines from a child process as they arrive.
    private final class LineCollector: @unchecked Sendable {
        private let lock = NSLock()
        private var buffer = Data()
        private(set) var lines: [String] = []
        let started = DispatchSemaphore(value: 0)
        let closed = DispatchSemaphore(value: 0)

        func feed(_ d: Data) {
            lock.lock(); defer { lock.unlock() }
            buffer.append(d)
            while let nl = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...nl)
                lines.append(line)
                if line.hasPrefix("started") { started.signal() }
            }
        }
        var snapshot: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    }

    func testSIGKILLLosesNoCommittedEventAndAtMostOneSecondOfSamples() throws {
        let binary = try exposureBinary()
        let dir = temporaryDirectory("kill")
        var rng = SystemRandomNumberGenerator()
        for run in 0..<4 {
            let id = "soak-\(run)"
            let p = Process()
            p.executableURL = binary
            p.arguments = ["record-soak", "--sessions", dir.path, "--seconds", "30", "--session-id", id]
            let pipe = Pipe()
            p.standardOutput = pipe
            let collector = LineCollector()
            let reader = Thread {
                let h = pipe.fileHandleForReading
                while true {
                    let d = h.availableData
                    if d.isEmpty { break }
                    collector.feed(d)
                }
                collector.closed.signal()
            }
            reader.start()
            try p.run()
            XCTAssertEqual(collector.started.wait(timeout: .now() + 30), .success, "soak process did not start")
            // One kill right after start (while the first transactions land), the rest anywhere in 2 s.
            let delay = run == 0 ? Double.random(in: 0.0...0.1, using: &rng) : Double.random(in: 0.3...2.0, using: &rng)
            Thread.sleep(forTimeInterval: delay)
            let killedAt = Date().timeIntervalSince1970
            XCTAssertEqual(kill(p.processIdentifier, SIGKILL), 0)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationReason, .uncaughtSignal)
            XCTAssertEqual(collector.closed.wait(timeout: .now() + 10), .success)
            let reported = Set(collector.snapshot.compactMap { $0.hasPrefix("committed ") ? Int64($0.dropFirst(10)) : nil })
            if delay > 0.3 { XCTAssertFalse(reported.isEmpty, "run \(run): no event was reported committed in \(delay) s") }

            // The next start marks it interrupted; the record reads and holds every reported event.
            let store = try SessionStore(directory: dir)
            XCTAssertEqual(store.recoveredSessions, [id])
            let r = try store.read(id)
            XCTAssertEqual(r.damage, [], "run \(run)")
            XCTAssertEqual(r.state, .interrupted)
            let stored = Set(r.events.map(\.sequence))
            XCTAssertTrue(reported.isSubset(of: stored), "run \(run): lost \(reported.subtracting(stored).sorted())")
            XCTAssertEqual(r.events.last?.kind, EventKind.state)
            XCTAssertEqual(r.events.last?.actor, .system)
            XCTAssertEqual(r.events.map(\.sequence), Array(1...Int64(r.events.count)), "no gaps before the interruption marker")
            // Samples reach within 1 s of the kill (a kill in the first second may leave none at all).
            let lastSample = r.poses.last?.wallClock ?? r.metadata.startWallClock
            XCTAssertGreaterThan(lastSample, killedAt - 1.0, "run \(run): samples end more than 1 s before the kill")
            if let lastPose = r.poses.last {
                XCTAssertEqual(try XCTUnwrap(r.endWallClock), lastPose.wallClock, accuracy: 0.5)
            }
            // Frame indices are contiguous: nothing committed out of order or half-written.
            XCTAssertEqual(r.frames.map(\.index), Array(0..<Int64(r.frames.count)))
        }
        // A second start finds nothing more to recover.
        XCTAssertEqual(try SessionStore(directory: dir).recoveredSessions, [])
        XCTAssertEqual(try SessionStore(directory: dir).list().map(\.state), Array(repeating: .interrupted, count: 4))
    }
}
