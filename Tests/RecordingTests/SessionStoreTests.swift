import CSQLite
import XCTest
@testable import Recording

final class SessionStoreTests: XCTestCase {
    func testRecordRoundTripsEveryTable() throws {
        let dir = temporaryDirectory("roundtrip")
        let store = try SessionStore(directory: dir)
        let meta = try writeSyntheticSession(store: store)
        let r = try store.read("S-001")
        XCTAssertEqual(r.damage, [])
        XCTAssertEqual(r.metadata, meta)
        XCTAssertEqual(r.state, .completed)
        XCTAssertEqual(r.poses.count, 60 * 90)
        XCTAssertEqual(r.frames.count, 60 * 90)
        XCTAssertEqual(r.physio.count, 60)
        XCTAssertEqual(r.events.map(\.sequence), Array(1...Int64(r.events.count)))
        XCTAssertEqual(r.events.filter { $0.kind == EventKind.step }.count, 3)
        XCTAssertEqual(r.events.last?.kind, EventKind.safety)
        XCTAssertEqual(r.events.last?.actor, .safety)
        XCTAssertEqual(r.events.last?.reason, "heart rate 40% over baseline")
        XCTAssertEqual(r.ratings.first?.kind, .ssqPre)
        XCTAssertEqual(r.ratings.first?.items.count, 16)
        XCTAssertEqual(r.ratings.filter { $0.kind == .suds }.map(\.value), [60, 30, 70, 35, 80, 40])
        XCTAssertEqual(r.durationSeconds, 60, accuracy: 1e-6)
        XCTAssertEqual(r.poses[90].orientation.y, sin(Float.pi / 12), accuracy: 1e-5)
    }

    func testBytesOnDiskAreAWALModeSQLiteFileWithTheSchema() throws {
        let dir = temporaryDirectory("bytes")
        let store = try SessionStore(directory: dir)
        _ = try writeSyntheticSession(store: store, seconds: 3)
        let data = try Data(contentsOf: URL(fileURLWithPath: store.recordPath(for: "S-001")))
        XCTAssertEqual(String(decoding: data.prefix(15), as: UTF8.self), "SQLite format 3")
        // Bytes 18-19 are the read/write format versions: 2 means WAL.
        XCTAssertEqual(data[18], 2)
        XCTAssertEqual(data[19], 2)
        var db: OpaquePointer?
        XCTAssertEqual(sqlite3_open(store.recordPath(for: "S-001"), &db), SQLITE_OK)
        defer { sqlite3_close(db) }
        var stmt: OpaquePointer?
        sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name", -1, &stmt, nil)
        var names: [String] = []
        while sqlite3_step(stmt) == SQLITE_ROW { names.append(String(cString: sqlite3_column_text(stmt, 0))) }
        sqlite3_finalize(stmt)
        XCTAssertEqual(names, ["events", "frames", "meta", "physio", "poses", "ratings"])
    }

    func testParticipantIDMustBeAPseudonym() throws {
        let store = try SessionStore(directory: temporaryDirectory("pseudo"))
        var meta = sampleMetadata()
        meta.participantID = "Jane Doe"
        XCTAssertThrowsError(try store.create(meta)) { e in
            guard case RecordError.notAPseudonym(let reason) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(reason.contains("spaces"))
        }
        meta.participantID = "JaneDoe"
        XCTAssertThrowsError(try store.create(meta))
        meta.participantID = "P-0042"
        meta.sessionID = "../escape"
        XCTAssertThrowsError(try store.create(meta)) { e in
            XCTAssertEqual(e as? RecordError, .invalidSessionID("../escape"))
        }
        XCTAssertEqual(store.sessionIDs(), [])
    }

    func testDuplicateSessionIsRefused() throws {
        let store = try SessionStore(directory: temporaryDirectory("dup"))
        let rec = try store.create(sampleMetadata())
        XCTAssertThrowsError(try store.create(sampleMetadata())) { e in
            guard case RecordError.sessionExists = e else { return XCTFail("\(e)") }
        }
        try rec.finish(state: .aborted)
        XCTAssertThrowsError(try rec.finish(state: .completed))
        XCTAssertEqual(try store.read("S-001").state, .aborted)
    }

    func testEventsAreCommittedBeforeFinish() throws {
        let dir = temporaryDirectory("commit")
        let store = try SessionStore(directory: dir)
        let committed = expectation(description: "commit callback")
        let rec = try store.create(sampleMetadata(), onCommit: { seqs in
            if seqs.contains(2) { committed.fulfill() }
        })
        rec.record(RecordedEvent(sessionTime: 1, kind: EventKind.command, actor: .therapist, reason: "pause"))
        rec.record(RecordedEvent(sessionTime: 2, kind: EventKind.annotation, actor: .therapist, reason: "note"))
        wait(for: [committed], timeout: 10)
        // A second connection sees both events while the session is still running.
        let live = try SessionRecordReader.read(path: store.recordPath(for: "S-001"))
        XCTAssertEqual(live.state, .running)
        XCTAssertEqual(live.events.map(\.reason), ["pause", "note"])
        // The store opened now must not mark a live session interrupted.
        let other = try SessionStore(directory: dir)
        XCTAssertEqual(other.recoveredSessions, [])
        try rec.finish(state: .completed)
        XCTAssertEqual(rec.statistics.eventsCommitted, 2)
    }

    func testFullQueueDropsAndCountsInsteadOfBlocking() throws {
        let store = try SessionStore(directory: temporaryDirectory("drop"))
        let rec = try store.create(sampleMetadata(), queueCapacity: 16, sampleFlushInterval: 10)
        var accepted = 0
        for i in 0..<100 {
            if rec.record(FrameSample(index: Int64(i), displayTimeNs: 0, cpuMs: 1, missedFrames: 0)) { accepted += 1 }
        }
        XCTAssertEqual(accepted, 16)
        XCTAssertEqual(rec.statistics.dropped, 84)
        try rec.finish(state: .completed)
        let r = try store.read("S-001")
        XCTAssertEqual(r.frames.map(\.index), Array(0..<16))
        XCTAssertEqual(r.droppedItems, 84)
    }

    func testListShowsStateAndLength() throws {
        let store = try SessionStore(directory: temporaryDirectory("list"))
        _ = try writeSyntheticSession(store: store, id: "S-001", seconds: 6)
        let live = try store.create(sampleMetadata("S-002"))
        let list = store.list()
        XCTAssertEqual(list.map(\.sessionID), ["S-001", "S-002"])
        XCTAssertEqual(list[0].state, .completed)
        XCTAssertEqual(list[0].durationSeconds ?? -1, 6, accuracy: 1e-6)
        XCTAssertEqual(list[1].state, .running)
        try live.finish(state: .aborted)
    }
}
