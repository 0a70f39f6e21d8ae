import Foundation
import XCTest
@testable import SessionRuntime

/// The frame state has one owner at a time: the frame thread during a frame, the watchdog between.
final class FrameOwnershipTests: XCTestCase {
    func testOnlyTheHolderOwnsAndNestingKeepsIt() {
        let ownership = FrameOwnership()
        XCTAssertFalse(ownership.isHeldByCurrentThread)
        ownership.hold {
            XCTAssertTrue(ownership.isHeldByCurrentThread)
            ownership.hold { XCTAssertTrue(ownership.isHeldByCurrentThread, "a frame callback inside a frame") }
            XCTAssertTrue(ownership.isHeldByCurrentThread, "still held after the inner hold")
            let other = DispatchSemaphore(value: 0)
            let seenElsewhere = Log()
            Thread { seenElsewhere.add(ownership.isHeldByCurrentThread ? "held" : "not held"); other.signal() }.start()
            other.wait()
            XCTAssertEqual(seenElsewhere.entries, ["not held"], "another thread does not own it")
        }
        XCTAssertFalse(ownership.isHeldByCurrentThread)
    }

    /// A second would-be owner waits for the handover: the two bodies never overlap.
    func testASecondOwnerWaitsForTheFirstToHandOver() {
        let ownership = FrameOwnership()
        let inside = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        let log = Log()
        Thread {
            ownership.hold { log.add("first in"); inside.signal(); release.wait(); log.add("first out") }
        }.start()
        inside.wait()
        Thread {
            ownership.hold { log.add("second in"); log.add("second out") }
            done.signal()
        }.start()
        log.add("releasing")
        release.signal()
        done.wait()
        XCTAssertEqual(log.entries, ["first in", "releasing", "first out", "second in", "second out"])
    }

    /// A frame hands ownership back when it returns; a watchdog tick that holds it stands in
    /// once the last frame is stale. (Without holding it the tick stops the process: a precondition.)
    func testAFrameHandsOwnershipBackAndAWatchdogTickHoldingItStandsIn() throws {
        let sessions = FileManager.default.temporaryDirectory.appendingPathComponent("ownership-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: sessions) }
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
        let s = try TestSession.heights(in: sessions, idPrefix: "owner")
        _ = s.conductor.frame(FrameDriver.moment(0))
        XCTAssertFalse(s.conductor.ownership.isHeldByCurrentThread, "a frame hands ownership back when it returns")
        let ended = s.conductor.ownership.hold { s.conductor.watchdogTick(now: MonotonicClock.now() + 10, staleAfter: 5, haltedAfter: 1) }
        XCTAssertFalse(ended)
        XCTAssertTrue(s.conductor.board.latest.watchdogActive, "ten seconds without frames: the watchdog stood in")
        try s.finish()
    }
}

private final class Log: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.withLock { items.append(s) } }
    var entries: [String] { lock.withLock { items } }
}
