// Reads a record table by table: a damaged table (or row) is named in `damage` and everything else
// is still returned, so an export can carry what survived.
import CSQLite
import ExposureCore
import Foundation

public struct SessionRecord: Sendable {
    public var path: String
    public var metadata: SessionMetadata
    public var state: SessionState
    public var endWallClock: Double?
    /// The 1-based step the session had reached when it ended (meta `end_step`), when known.
    public var endStep: Int?
    /// The protocol's number of steps (meta `step_count`), when known.
    public var stepCount: Int?
    public var events: [RecordedEvent] = []
    public var ratings: [Rating] = []
    public var poses: [PoseSample] = []
    public var frames: [FrameSample] = []
    public var physio: [PhysioSample] = []
    public var droppedItems: Int64 = 0
    /// What could not be read, one error per damaged part (RecordError.damaged).
    public var damage: [RecordError] = []

    /// How it ended in plain words, e.g. "ended by the therapist at step 2/8".
    public var outcome: String { state.describe(endStep: endStep, stepCount: stepCount) }

    /// Session time (s) of a wall-clock instant.
    public func sessionTime(wallClock: Double) -> Double { wallClock - metadata.startWallClock }

    /// Seconds to add to a display time (in s) to get session time, anchored on the first event that
    /// carries both. Plots use session time, which follows the runtime's display clock (a simulated
    /// headset may run it faster than the wall clock).
    public var displayToSessionOffset: Double? {
        guard let e = events.first(where: { $0.displayTimeNs != nil }), let ns = e.displayTimeNs else { return nil }
        return e.sessionTime - Double(ns) / 1e9
    }

    /// Session time of a display time; falls back to the first pose as time zero.
    public func sessionTime(displayTimeNs ns: Int64) -> Double {
        if let offset = displayToSessionOffset { return Double(ns) / 1e9 + offset }
        return Double(ns - (poses.first?.displayTimeNs ?? ns)) / 1e9
    }

    /// Session time of the last thing recorded.
    public var sessionLength: Double {
        let times = [events.last?.sessionTime, ratings.last?.sessionTime, physio.last?.sessionTime,
                     poses.last.map { sessionTime(displayTimeNs: $0.displayTimeNs) }]
        return max(0, times.compactMap { $0 }.max() ?? 0)
    }

    /// From start to end, or to the last thing recorded when the end is unknown.
    public var durationSeconds: Double {
        if let end = endWallClock { return max(0, end - metadata.startWallClock) }
        let last = [poses.last?.wallClock, events.last?.wallClock, physio.last?.wallClock, ratings.last?.wallClock]
            .compactMap { $0 }.max() ?? metadata.startWallClock
        return max(0, last - metadata.startWallClock)
    }
}

enum SessionRecordReader {
    /// Opens a record for reading. `degraded` is set when the schema only loaded with SQLite's schema
    /// checks relaxed (a truncated or damaged file): read it, but never write to it.
    static func open(_ path: String) throws -> (db: SQLiteDatabase, degraded: String?) {
        let db: SQLiteDatabase
        do { db = try SQLiteDatabase(path: path) } catch {
            db = try SQLiteDatabase(path: path, readOnly: true)
        }
        var degraded: String?
        var tables: Set<String>
        do {
            tables = try tableNames(db)
        } catch let RecordError.sqlite(_, _, code, message) {
            // A truncated file fails SQLite's schema check (root pages past the end); with the check
            // relaxed, the tables that are still whole can be read.
            do {
                try db.execute("PRAGMA writable_schema=ON")
                tables = try tableNames(db)
                degraded = "\(message) (SQLite \(code)) while loading the schema; the file may be truncated"
            } catch {
                db.close()
                throw RecordError.notARecord(path: path, detail: "the file header or schema is unreadable (\(message), SQLite \(code))")
            }
        }
        guard tables.contains("meta") || tables.contains("events") else {
            db.close()
            throw RecordError.notARecord(
                path: path, detail: tables.isEmpty ? "the file is empty or holds no tables"
                    : "it has no session tables (found: \(tables.sorted().joined(separator: ", ")))")
        }
        return (db, degraded)
    }

    private static func tableNames(_ db: SQLiteDatabase) throws -> Set<String> {
        var tables: Set<String> = []
        let s = try db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        while try s.step("read schema") { tables.insert(s.string(0)) }
        return tables
    }

    static func readMeta(_ db: SQLiteDatabase) throws -> [String: String] {
        var meta: [String: String] = [:]
        let s = try db.prepare("SELECT key, value FROM meta")
        while try s.step("read meta") { meta[s.string(0)] = s.string(1) }
        return meta
    }

    static func state(path: String) throws -> SessionState? {
        let (db, _) = try open(path)
        defer { db.close() }
        return try readMeta(db)["state"].flatMap(SessionState.init(rawValue:))
    }

    static func markInterrupted(path: String) throws {
        let (db, degraded) = try open(path)
        defer { db.close() }
        if let d = degraded { throw RecordError.damaged(path: path, part: "database file", detail: d + "; left unmarked") }
        try db.execute("PRAGMA synchronous=FULL")
        var last = 0.0
        for q in ["SELECT max(wall_clock) FROM poses", "SELECT max(wall_clock) FROM events",
                  "SELECT max(wall_clock) FROM physio"] {
            if let s = try? db.prepare(q), (try? s.step(q)) == true, !s.isNull(0) { last = max(last, s.double(0)) }
        }
        let meta = try readMeta(db)
        let start = meta["start_wall_clock"].flatMap(Double.init) ?? last
        if last == 0 { last = start }
        try db.execute("BEGIN")
        let seqStmt = try db.prepare("SELECT coalesce(max(seq), 0) + 1 FROM events")
        _ = try seqStmt.step("next seq")
        let seq = seqStmt.int64(0)
        let ins = try db.prepare(RecordSchema.insertEvent)
        ins.bind(1, seq); ins.bind(2, last - start); ins.bind(3, last); ins.bind(4, nil as Int64?)
        ins.bind(5, EventKind.state); ins.bind(6, Actor.system.rawValue)
        ins.bind(7, "recording process ended without finishing; marked on the next start")
        ins.bind(8, RecordedEvent.payload(["state": SessionState.interrupted.rawValue]))
        try ins.run("insert interrupted event")
        let set = try db.prepare(RecordSchema.setMeta)
        for (k, v) in [("state", SessionState.interrupted.rawValue), ("end_wall_clock", String(last))] {
            set.reset(); set.bind(1, k); set.bind(2, v); try set.run("set meta \(k)")
        }
        try db.execute("COMMIT")
    }

    /// The listing line, from the metadata and a few aggregate queries (not the whole record).
    static func summary(path: String) throws -> SessionSummary {
        let (db, degraded) = try open(path)
        defer { db.close() }
        var problems: [String] = degraded.map { [$0] } ?? []
        var meta: [String: String] = [:]
        do { meta = try readMeta(db) } catch { problems.append("metadata table: \(describe(error))") }
        func scalar(_ sql: String) -> Double? {
            do {
                let s = try db.prepare(sql)
                guard try s.step(sql), !s.isNull(0) else { return nil }
                return s.double(0)
            } catch {
                problems.append(describe(error))
                return nil
            }
        }
        let events = scalar("SELECT count(*) FROM events").map { Int($0) } ?? 0
        let start = meta["start_wall_clock"].flatMap(Double.init)
        // Length on the session's display clock, as the report and the exports give it: the last
        // thing recorded (a simulated headset's clock may run faster than the wall clock).
        let length = [scalar("SELECT max(session_time) FROM events"), scalar("SELECT max(session_time) FROM ratings"),
                      scalar("SELECT max(session_time) FROM physio"),
                      scalar("SELECT (max(display_time_ns) - min(display_time_ns)) / 1e9 FROM poses")].compactMap { $0 }.max()
        let id = URL(fileURLWithPath: path).lastPathComponent.replacingOccurrences(of: RecordSchema.fileSuffix, with: "")
        return SessionSummary(sessionID: meta["session_id"] ?? id, participantID: meta["participant_id"] ?? "?",
                              protocolID: meta["protocol_id"] ?? "?",
                              state: meta["state"].flatMap(SessionState.init(rawValue:)), startWallClock: start,
                              durationSeconds: length.map { max(0, $0) } ?? (start == nil ? nil : 0),
                              eventCount: events, path: path,
                              endStep: meta["end_step"].flatMap { Int($0) }, stepCount: meta["step_count"].flatMap { Int($0) },
                              problem: problems.isEmpty ? nil : problems.joined(separator: "; "),
                              sessionNumber: meta["session_number"].flatMap { Int($0) })
    }

    static func read(path: String) throws -> SessionRecord {
        let (db, degraded) = try open(path)
        defer { db.close() }
        var damage: [RecordError] = []
        if let d = degraded { damage.append(.damaged(path: path, part: "database file", detail: d)) }
        func damaged(_ part: String, _ detail: String) { damage.append(.damaged(path: path, part: part, detail: detail)) }

        var meta: [String: String] = [:]
        do { meta = try readMeta(db) } catch { damaged("metadata table", describe(error)) }
        if meta.isEmpty && damage.isEmpty { damaged("metadata table", "it is empty") }
        let fileID = URL(fileURLWithPath: path).lastPathComponent.replacingOccurrences(of: RecordSchema.fileSuffix, with: "")
        func text(_ k: String, _ fallback: String = "unknown") -> String {
            if let v = meta[k] { return v }
            if !meta.isEmpty { damaged("metadata field '\(k)'", "missing") }
            return fallback
        }
        func number(_ k: String, _ fallback: Double) -> Double {
            let t = text(k, String(fallback))
            guard let v = Double(t), v.isFinite else { damaged("metadata field '\(k)'", "'\(t)' is not a number"); return fallback }
            return v
        }
        var envHashes: [String: String] = [:]
        if let d = text("environment_hashes", "{}").data(using: .utf8) {
            if let o = try? JSONSerialization.jsonObject(with: d) as? [String: String] { envHashes = o }
            else { damaged("metadata field 'environment_hashes'", "not a JSON object of strings") }
        }
        var metadata = SessionMetadata(
            sessionID: text("session_id", fileID), participantID: text("participant_id"),
            sessionNumber: Int(number("session_number", 1)), protocolID: text("protocol_id"),
            protocolVersion: text("protocol_version"), protocolHash: text("protocol_hash"),
            environmentHashes: envHashes, softwareVersion: text("software_version"),
            seed: UInt64(text("seed", "0")) ?? 0, runtimeName: text("runtime_name"), headsetName: text("headset_name"),
            displayRateHz: number("display_rate_hz", 90), startWallClock: number("start_wall_clock", 0))
        // Written only once the frame loop knows them: absent in older records and in sessions that never ran.
        metadata.runtimeVersion = meta["runtime_version"] ?? ""
        metadata.displayRatesHz = (meta["display_rates_hz"] ?? "").split(separator: ",").compactMap { Double($0) }
        metadata.recommendedViewSize = meta["recommended_view_size"] ?? ""
        metadata.referenceSpace = meta["reference_space"] ?? ""
        metadata.interactionProfile = meta["interaction_profile"] ?? ""
        let stateText = text("state", "running")
        let state = SessionState(rawValue: stateText) ?? {
            damaged("metadata field 'state'", "'\(stateText)' is not a session state"); return .running
        }()
        var record = SessionRecord(path: path, metadata: metadata, state: state,
                                   endWallClock: meta["end_wall_clock"].flatMap(Double.init))
        record.droppedItems = meta["dropped_items"].flatMap(Int64.init) ?? 0
        record.endStep = meta["end_step"].flatMap { Int($0) }
        record.stepCount = meta["step_count"].flatMap { Int($0) }

        readTable(db, "events", "SELECT seq, session_time, wall_clock, display_time_ns, kind, actor, reason, payload FROM events ORDER BY seq",
                  &damage, path) { s in
            guard let actor = Actor(rawValue: s.string(5)) else {
                return "event \(s.int64(0)): actor '\(s.string(5))' is not one of patient, therapist, protocol, safety, system"
            }
            record.events.append(RecordedEvent(sequence: s.int64(0), sessionTime: s.double(1), wallClock: s.double(2),
                                               displayTimeNs: s.optionalInt64(3), kind: s.string(4), actor: actor,
                                               reason: s.string(6), payloadJSON: s.string(7)))
            return nil
        }
        readTable(db, "ratings", "SELECT session_time, wall_clock, display_time_ns, kind, value, items, source FROM ratings ORDER BY id",
                  &damage, path) { s in
            guard let kind = RatingKind(rawValue: s.string(3)) else { return "rating kind '\(s.string(3))' is unknown" }
            let itemsText = s.string(5)
            let items = itemsText.isEmpty ? [] : itemsText.split(separator: ",").compactMap { Int($0) }
            record.ratings.append(Rating(sessionTime: s.double(0), wallClock: s.double(1), displayTimeNs: s.optionalInt64(2),
                                         kind: kind, value: s.double(4), items: items, source: s.string(6)))
            return nil
        }
        // A missing value is NaN (exported as n/a), never a 0 nobody measured.
        var posesWithGaps = 0
        readTable(db, "poses", "SELECT * FROM poses ORDER BY rowid", &damage, path) { s in
            let v = (2...8).map { s.isNull(Int32($0)) ? Float.nan : Float(s.double(Int32($0))) }
            if v.contains(where: \.isNaN) { posesWithGaps += 1 }
            record.poses.append(PoseSample(displayTimeNs: s.int64(0), wallClock: s.double(1),
                                           position: SIMD3(v[0], v[1], v[2]), orientation: SIMD4(v[3], v[4], v[5], v[6])))
            return nil
        }
        if posesWithGaps > 0 {
            damaged("poses table", "\(posesWithGaps) head-pose samples have missing values (exported as n/a)")
        }
        readTable(db, "frames", "SELECT * FROM frames ORDER BY rowid", &damage, path) { s in
            record.frames.append(FrameSample(index: s.int64(0), displayTimeNs: s.int64(1), cpuMs: Float(s.double(2)),
                                             missedFrames: Int32(clamping: s.int64(3))))
            return nil
        }
        readTable(db, "physio", "SELECT * FROM physio ORDER BY rowid", &damage, path) { s in
            record.physio.append(PhysioSample(kind: s.string(0), value: s.double(1), sessionTime: s.double(2),
                                              wallClock: s.double(3)))
            return nil
        }
        // Damage the reads above cannot see (an index that no longer matches its table) shows in
        // SQLite's own check; a problem already named is not named twice.
        if damage.isEmpty, let problems = integrityProblems(db), !problems.isEmpty {
            damaged("database file", "integrity check: " + problems.prefix(3).joined(separator: "; ")
                    + (problems.count > 3 ? " (\(problems.count) problems in all)" : ""))
        }
        record.damage = damage
        return record
    }

    /// SQLite's `quick_check` (every page and index, without the slower cross-checks): nil when it
    /// could not run, [] when the file is sound.
    static func integrityProblems(_ db: SQLiteDatabase) -> [String]? {
        guard let s = try? db.prepare("PRAGMA quick_check(20)") else { return nil }
        var lines: [String] = []
        while (try? s.step("quick_check")) == true { lines.append(s.string(0)) }
        return lines == ["ok"] ? [] : lines
    }

    /// Reads rows until the end or the first unreadable page; `row` returns a problem with one row
    /// (that row is skipped and named, at most a few times per table).
    private static func readTable(_ db: SQLiteDatabase, _ table: String, _ sql: String, _ damage: inout [RecordError],
                                  _ path: String, row: (Statement) -> String?) {
        var rowProblems = 0
        do {
            let s = try db.prepare(sql)
            while try s.step("read \(table)") {
                if let problem = row(s) {
                    rowProblems += 1
                    if rowProblems <= 3 { damage.append(.damaged(path: path, part: "\(table) table", detail: problem)) }
                }
            }
            if rowProblems > 3 {
                damage.append(.damaged(path: path, part: "\(table) table", detail: "\(rowProblems) unreadable rows in all"))
            }
        } catch {
            damage.append(.damaged(path: path, part: "\(table) table", detail: describe(error) + "; rows before the damage are kept"))
        }
    }

    static func describe(_ error: Error) -> String {
        if case let RecordError.sqlite(call, _, code, message) = error { return "\(call): \(message) (SQLite \(code))" }
        return "\(error)"
    }
}
