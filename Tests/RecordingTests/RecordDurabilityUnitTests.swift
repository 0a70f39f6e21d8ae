// The recorder's side of "acknowledged means durable", its health when writes fail, and the lock
// on the record's own file, checked against the bytes on disk.
import CSQLite
import Foundation
import XCTest
@testable import Recording

final class RecordDurabilityUnitTests: XCTestCase {
    /// Rows in `table` matching `condition`, read through a separate SQLite connection.
    private func count(_ path: String, _ sql: String) -> Int64 {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else { return -1 }
        defer { sqlite3_close(db) }
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK else { return -1 }
        defer { sqlite3_finalize(stmt) }
        return sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1
    }

    func testDurableReturnsOnceTheRowIsCommittedAndOneCommitServesManyWaiters() async throws {
        let store = try SessionStore(directory: temporaryDirectory("durable"))
        // A long sample interval: only the events themselves (and their waiters) make commits.
        let rec = try store.create(sampleMetadata(), sampleFlushInterval: 5)
        let path = store.recordPath(for: "S-001")
        let seq = rec.record(RecordedEvent(sessionTime: 1, kind: EventKind.command, actor: .therapist, reason: "one"))
        let ok = await rec.durable(through: seq)
        XCTAssertTrue(ok)
        XCTAssertEqual(count(path, "SELECT count(*) FROM events WHERE seq = \(seq)"), 1, "on disk when durable returns")

        // 400 events from 8 tasks, each waiting for its own row: every wait ends with the row on
        // disk, in far fewer transactions than rows (a group commit, not one commit per row).
        let before = rec.statistics.transactions
        let results = await withTaskGroup(of: (Int64, Bool).self) { group in
            for t in 0..<8 {
                group.addTask {
                    var last: (Int64, Bool) = (0, false)
                    for i in 0..<50 {
                        let s = rec.record(RecordedEvent(sessionTime: 2, kind: EventKind.command, actor: .therapist, reason: "t\(t) \(i)"))
                        if i % 10 == 9 { last = (s, await rec.durable(through: s)) }
                    }
                    return last
                }
            }
            var all: [(Int64, Bool)] = []
            for await r in group { all.append(r) }
            return all
        }
        for (s, durable) in results {
            XCTAssertTrue(durable)
            XCTAssertEqual(count(path, "SELECT count(*) FROM events WHERE seq <= \(s)"), s, "every row up to \(s) is on disk")
        }
        let commits = rec.statistics.transactions - before
        XCTAssertLessThan(commits, 400, "rows were grouped into commits")
        try rec.finish(state: .completed)
        let closed = await rec.durable(through: rec.lastQueuedSequence + 1)
        XCTAssertFalse(closed, "a row never queued is never durable once the record is closed")
    }

    func testWriteFailuresAreACurrentValueKeepEventsAndLeaveARecordGap() async throws {
        let store = try SessionStore(directory: temporaryDirectory("gap"))
        let rec = try store.create(sampleMetadata(), sampleFlushInterval: 0.05)
        XCTAssertFalse(rec.currentHealth.isFailing)
        let start = Date()
        rec.injectWriteFailures(for: 1.0)
        @Sendable func pose() {
            let now = Date().timeIntervalSince1970
            rec.record(PoseSample(displayTimeNs: Int64(now * 1e9), wallClock: now, position: SIMD3(0, 1.6, 0), orientation: SIMD4(0, 0, 0, 1)))
        }
        while !rec.currentHealth.isFailing, Date().timeIntervalSince(start) < 1 { pose(); try await Task.sleep(nanoseconds: 10_000_000) }
        let failing = rec.currentHealth
        XCTAssertTrue(failing.isFailing, "health says so while writes fail")
        XCTAssertLessThan(Date().timeIntervalSince(start), 0.5)
        XCTAssertTrue(failing.lastError?.contains("disk is full") == true, "\(failing)")
        XCTAssertEqual(failing.failures, 1)

        // An event during the failure is kept and becomes durable only once writes work again.
        let seq = rec.record(RecordedEvent(sessionTime: 1, kind: EventKind.command, actor: .therapist, reason: "during"))
        let poser = Task { while !Task.isCancelled { pose(); try? await Task.sleep(nanoseconds: 10_000_000) } }
        let durable = await rec.durable(through: seq)
        XCTAssertTrue(durable)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 1.0, "durable only after the failure ended")
        try await Task.sleep(nanoseconds: 300_000_000)
        poser.cancel()
        XCTAssertFalse(rec.currentHealth.isFailing)
        try rec.finish(state: .completed)

        let r = try store.read("S-001")
        XCTAssertTrue(r.events.contains { $0.reason == "during" })
        let gap = try XCTUnwrap(r.events.first { $0.kind == EventKind.recordGap }, "\(r.events.map(\.kind))")
        XCTAssertEqual(gap.payload["seconds"] as? Double ?? 0, 1.0, accuracy: 0.4, gap.reason)
        XCTAssertGreaterThan(gap.payload["rows_lost"] as? Int ?? 0, 0, gap.reason)
        XCTAssertTrue(gap.reason.contains("disk is full"), gap.reason)
        XCTAssertGreaterThan(gap.sequence, seq, "marked when writing works again")
    }

    func testTheLockIsOnTheRecordFileItself() throws {
        let dir = temporaryDirectory("lock")
        let store = try SessionStore(directory: dir)
        let rec = try store.create(sampleMetadata())
        let path = store.recordPath(for: "S-001")
        // No side file to delete: the database file is the only file besides SQLite's own.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertFalse(names.contains { $0.hasSuffix(".lock") }, "\(names)")
        // flock conflicts between open file descriptions, even within one process.
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        XCTAssertEqual(flock(fd, LOCK_EX | LOCK_NB), -1, "the live record's file is locked")
        XCTAssertEqual(try SessionStore(directory: dir).recoveredSessions, [], "a live record is left running")
        XCTAssertEqual(try SessionRecordReader.state(path: path), .running)
        try rec.finish(state: .completed)
        XCTAssertEqual(flock(fd, LOCK_EX | LOCK_NB), 0, "unlocked once finished")
    }
}
