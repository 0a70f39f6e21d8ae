import CSQLite
import XCTest
@testable import Recording

final class DamagedRecordTests: XCTestCase {
    private func makeRecord(_ name: String) throws -> (SessionStore, String) {
        let store = try SessionStore(directory: temporaryDirectory(name))
        _ = try writeSyntheticSession(store: store, seconds: 30)
        return (store, store.recordPath(for: "S-001"))
    }

    private func rootPage(_ table: String, path: String) throws -> (page: Int, pageSize: Int) {
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw RecordError.notARecord(path: path, detail: "test open") }
        defer { sqlite3_close(db) }
        var stmt: OpaquePointer?
        sqlite3_prepare_v2(db, "SELECT rootpage FROM sqlite_master WHERE name = '\(table)'", -1, &stmt, nil)
        defer { sqlite3_finalize(stmt) }
        XCTAssertEqual(sqlite3_step(stmt), SQLITE_ROW)
        let page = Int(sqlite3_column_int64(stmt, 0))
        var ps: OpaquePointer?
        sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &ps, nil)
        defer { sqlite3_finalize(ps) }
        XCTAssertEqual(sqlite3_step(ps), SQLITE_ROW)
        return (page, Int(sqlite3_column_int64(ps, 0)))
    }

    private func overwrite(_ path: String, at offset: Int, with bytes: [UInt8]) throws {
        let h = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try h.seek(toOffset: UInt64(offset))
        try h.write(contentsOf: Data(bytes))
        try h.close()
    }

    func testFlippedBytesInOneTableNameItAndTheRestStillExports() throws {
        let (store, path) = try makeRecord("flip")
        let intact = try store.read("S-001")
        let (page, size) = try rootPage("poses", path: path)
        try overwrite(path, at: (page - 1) * size, with: (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })

        let damaged = try store.read("S-001")
        XCTAssertEqual(damaged.damage.count, 1, "\(damaged.damage)")
        guard case let .damaged(p, part, detail)? = damaged.damage.first else { return XCTFail("\(damaged.damage)") }
        XCTAssertEqual(p, path)
        XCTAssertEqual(part, "poses table")
        XCTAssertTrue(detail.contains("malformed") || detail.contains("corrupt"), detail)
        XCTAssertTrue(damaged.damage[0].description.contains("poses table is damaged"))
        XCTAssertEqual(damaged.metadata, intact.metadata)
        XCTAssertEqual(damaged.events, intact.events)
        XCTAssertEqual(damaged.ratings, intact.ratings)
        XCTAssertEqual(damaged.frames, intact.frames)
        XCTAssertEqual(damaged.physio, intact.physio)

        let out = temporaryDirectory("flip-out")
        let result = try RecordExporter.export(damaged, format: .csv, to: out)
        XCTAssertEqual(result.damage.count, 1)
        let events = try String(contentsOf: out.appendingPathComponent("events.csv"), encoding: .utf8)
        XCTAssertEqual(events.split(separator: "\n").count, 1 + intact.events.count)
        let note = try String(contentsOf: out.appendingPathComponent("DAMAGE.txt"), encoding: .utf8)
        XCTAssertTrue(note.contains("poses table"))
        // The report still renders and says what is damaged.
        XCTAssertTrue(SessionReport.html(damaged).contains("poses table is damaged"))
    }

    func testTruncatedRecordKeepsWhatIsBeforeTheCut() throws {
        let (store, path) = try makeRecord("truncate")
        let intact = try store.read("S-001")
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let h = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try h.truncate(atOffset: UInt64(size / 2))
        try h.close()

        let r = try store.read("S-001")
        XCTAssertGreaterThan(r.damage.count, 1, "the file and at least one table: \(r.damage)")
        guard case let .damaged(_, first, detail)? = r.damage.first else { return XCTFail("\(r.damage)") }
        XCTAssertEqual(first, "database file")
        XCTAssertTrue(detail.contains("truncated"), detail)
        for d in r.damage.dropFirst() {
            guard case let .damaged(_, part, _) = d else { return XCTFail("\(d)") }
            XCTAssertTrue(part.hasSuffix("table"), part)
        }
        XCTAssertEqual(r.metadata, intact.metadata, "the metadata lives at the start of the file")
        XCTAssertLessThan(r.poses.count + r.frames.count, intact.poses.count + intact.frames.count)
        // What was read is a prefix of what was written.
        XCTAssertEqual(r.poses, Array(intact.poses.prefix(r.poses.count)))
        let out = temporaryDirectory("truncate-out")
        let result = try RecordExporter.export(r, format: .bids, to: out)
        XCTAssertEqual(result.damage, r.damage)
        XCTAssertTrue(result.files.contains { $0.hasSuffix("_events.tsv") })
    }

    func testMissingPoseValuesAreNamedAndExportedAsNotAvailable() throws {
        let (store, path) = try makeRecord("nullpose")
        var db: OpaquePointer?
        XCTAssertEqual(sqlite3_open(path, &db), SQLITE_OK)
        XCTAssertEqual(sqlite3_exec(db, "UPDATE poses SET px = NULL, qw = NULL WHERE rowid IN (5, 6)", nil, nil, nil), SQLITE_OK)
        sqlite3_close(db)

        let r = try store.read("S-001")
        XCTAssertEqual(r.damage.map(\.description).filter { $0.contains("2 head-pose samples have missing values") }.count, 1, "\(r.damage)")
        XCTAssertTrue(r.poses[4].position.x.isNaN && r.poses[4].orientation.w.isNaN, "NaN, not a 0 nobody measured")
        XCTAssertFalse(r.poses[3].position.x.isNaN)

        let csv = temporaryDirectory("nullpose-csv")
        let result = try RecordExporter.export(r, format: .csv, to: csv)
        XCTAssertFalse(result.damage.isEmpty)
        let poses = try String(contentsOf: csv.appendingPathComponent("poses.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(poses[5].split(separator: ",")[4], "n/a", String(poses[5]))
        XCTAssertTrue(try String(contentsOf: csv.appendingPathComponent("DAMAGE.txt"), encoding: .utf8).contains("missing values"))

        let jsonl = temporaryDirectory("nullpose-jsonl")
        _ = try RecordExporter.export(r, format: .jsonl, to: jsonl)
        let lines = try String(contentsOf: jsonl.appendingPathComponent("session.jsonl"), encoding: .utf8).split(separator: "\n")
        let pose = try XCTUnwrap(lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["type"] as? String == "pose" }.dropFirst(4).first)
        XCTAssertTrue((pose["position"] as? [Any])?.first is NSNull, "\(pose)")
        XCTAssertEqual(lines.filter { $0 == "{}" }.count, 0, "no line lost to a value JSON cannot hold")

        let bids = temporaryDirectory("nullpose-bids").appendingPathComponent("dataset")
        _ = try RecordExporter.export(r, format: .bids, to: bids)
        let motion = try String(contentsOf: bids.appendingPathComponent("sub-P0042/ses-3/motion/sub-P0042_ses-3_task-exposure_tracksys-hmd_motion.tsv"),
                                encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(motion[4].hasPrefix("n/a\t"), String(motion[4]))
    }

    func testIndexOnlyCorruptionIsNoticedThoughEveryTableReads() throws {
        let (store, path) = try makeRecord("index")
        let intact = try store.read("S-001")
        // The metadata's key index: its page garbled, the table itself untouched.
        let (page, size) = try rootPage("sqlite_autoindex_meta_1", path: path)
        try overwrite(path, at: (page - 1) * size + size / 2, with: (0..<(size / 2)).map { UInt8(truncatingIfNeeded: $0 &* 91 &+ 7) })

        let r = try store.read("S-001")
        XCTAssertEqual(r.metadata, intact.metadata, "the table reads")
        XCTAssertEqual(r.events.count, intact.events.count)
        XCTAssertEqual(r.damage.count, 1, "\(r.damage)")
        guard case let .damaged(_, part, detail)? = r.damage.first else { return XCTFail("\(r.damage)") }
        XCTAssertEqual(part, "database file")
        XCTAssertTrue(detail.hasPrefix("integrity check: "), detail)
        let out = temporaryDirectory("index-out")
        let result = try RecordExporter.export(r, format: .csv, to: out)
        XCTAssertEqual(result.damage, r.damage, "the export says so (exit 3 from the command line)")
    }

    func testDamagedHeaderIsNotARecord() throws {
        let (store, path) = try makeRecord("header")
        try overwrite(path, at: 0, with: Array("NOT SQLITE AT ALL".utf8))
        XCTAssertThrowsError(try store.read("S-001")) { e in
            guard case let RecordError.notARecord(p, detail) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(p, path)
            XCTAssertTrue(detail.contains("header"), detail)
        }
        // Listing still works and names the problem.
        let list = store.list()
        XCTAssertEqual(list.count, 1)
        XCTAssertNil(list[0].state)
        XCTAssertTrue(list[0].problem?.contains("not a readable session record") ?? false)
    }

    func testEmptyFileIsNotARecord() throws {
        let store = try SessionStore(directory: temporaryDirectory("empty"))
        XCTAssertTrue(FileManager.default.createFile(atPath: store.recordPath(for: "S-009"), contents: Data()))
        XCTAssertThrowsError(try store.read("S-009")) { e in
            XCTAssertTrue("\(e)".contains("empty"), "\(e)")
        }
    }

    func testUnknownActorRowIsNamedAndSkipped() throws {
        let (store, path) = try makeRecord("row")
        var db: OpaquePointer?
        XCTAssertEqual(sqlite3_open(path, &db), SQLITE_OK)
        XCTAssertEqual(sqlite3_exec(db, "UPDATE events SET actor = 'nobody' WHERE seq = 2", nil, nil, nil), SQLITE_OK)
        sqlite3_close(db)
        let r = try store.read("S-001")
        XCTAssertEqual(r.damage.count, 1)
        XCTAssertTrue(r.damage[0].description.contains("event 2: actor 'nobody'"), r.damage[0].description)
        XCTAssertFalse(r.events.contains { $0.sequence == 2 })
        XCTAssertTrue(r.events.contains { $0.sequence == 3 })
    }
}
