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

final class RatingValidationTests: XCTestCase {
    func testValidatedRatingsRefuseOutOfRangeValues() throws {
        let r = try Rating.validated(.fms, value: 12, sessionTime: 60, source: .headset)
        XCTAssertEqual(r.value, 12)
        XCTAssertEqual(r.source, "headset")
        XCTAssertThrowsError(try Rating.validated(.suds, value: 101, sessionTime: 1, source: .console))
        XCTAssertThrowsError(try Rating.validated(.fms, value: 21, sessionTime: 1, source: .console))
        let ssq = try Rating.ssq(before: false, answers: [1, 2, 0, 1, 0, 0, 0, 2, 0, 0, 1, 0, 0, 3, 0, 0],
                                 sessionTime: 1800, source: .console)
        XCTAssertEqual(ssq.kind, .ssqPost)
        XCTAssertEqual(ssq.value, 52.36, accuracy: 1e-9)
        XCTAssertEqual(ssq.source, "console")
        XCTAssertThrowsError(try Rating.ssq(before: true, answers: [3, 3], sessionTime: 0, source: .headset))
    }
}

final class RecorderConcurrencyTests: XCTestCase {
    func testEventsFromSeveralThreadsGetUniqueSequencesAndAllLand() throws {
        let store = try SessionStore(directory: temporaryDirectory("threads"))
        let rec = try store.create(sampleMetadata())
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for i in 0..<300 {
                rec.record(RecordedEvent(sessionTime: Double(i), kind: EventKind.annotation, actor: .therapist,
                                         reason: "t\(thread)", payloadJSON: RecordedEvent.payload(["i": i])))
                rec.record(PoseSample(displayTimeNs: Int64(i), wallClock: 0, position: .zero, orientation: SIMD4(0, 0, 0, 1)))
            }
        }
        try rec.finish(state: .completed)
        XCTAssertEqual(rec.statistics.dropped, 0)
        let r = try store.read("S-001")
        XCTAssertEqual(r.events.map(\.sequence), Array(1...1200))
        XCTAssertEqual(r.poses.count, 1200)
        for t in 0..<4 {
            let mine = r.events.filter { $0.reason == "t\(t)" }.compactMap { $0.number("i") }
            XCTAssertEqual(mine, (0..<300).map(Double.init), "thread \(t)'s events keep their order")
        }
    }
}

final class RecorderFailureTests: XCTestCase {
    /// Another connection holds the write lock past the busy timeout: the batch fails, its events are kept
    /// and committed on a later round (with a `record_gap` event), and finish() does not report a loss.
    func testEventsSurviveATransientWriteFailure() throws {
        let store = try SessionStore(directory: temporaryDirectory("busy"))
        let rec = try store.create(sampleMetadata(), sampleFlushInterval: 0.1)
        var blocker: OpaquePointer?
        XCTAssertEqual(sqlite3_open(store.recordPath(for: "S-001"), &blocker), SQLITE_OK)
        XCTAssertEqual(sqlite3_exec(blocker, "BEGIN IMMEDIATE", nil, nil, nil), SQLITE_OK)
        rec.record(RecordedEvent(sessionTime: 1, kind: EventKind.command, actor: .therapist, reason: "while blocked"))
        // The recorder's busy timeout is 2 s; wait until it has given up at least once.
        let deadline = Date().addingTimeInterval(10)
        while rec.statistics.writeFailures == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertGreaterThan(rec.statistics.writeFailures, 0)
        XCTAssertEqual(rec.statistics.eventsCommitted, 0)
        XCTAssertEqual(sqlite3_exec(blocker, "COMMIT", nil, nil, nil), SQLITE_OK)
        sqlite3_close(blocker)
        rec.record(RecordedEvent(sessionTime: 2, kind: EventKind.command, actor: .therapist, reason: "after"))
        XCTAssertNoThrow(try rec.finish(state: .completed))
        let r = try store.read("S-001")
        let own = r.events.filter { $0.kind != EventKind.recordGap }
        XCTAssertEqual(own.map(\.reason), ["while blocked", "after"])
        XCTAssertEqual(own.map(\.sequence), [1, 2])
        // The failed rounds are marked where writing worked again.
        XCTAssertEqual(r.events.filter { $0.kind == EventKind.recordGap }.count, 1, "\(r.events.map(\.kind))")
    }
}
