// The on-disk layout of one session record: one SQLite file, WAL mode, one table per kind of data.
import Foundation

enum RecordSchema {
    static let version = "1"
    static let fileSuffix = ".session.sqlite"
    static let lockSuffix = ".session.lock"

    /// Connection settings for the writer. WAL + synchronous=FULL: a commit is on disk when it returns,
    /// so neither SIGKILL nor power loss takes a committed event.
    static let writerPragmas = """
        PRAGMA journal_mode=WAL;
        PRAGMA synchronous=FULL;
        PRAGMA foreign_keys=OFF;
        """

    static let create = """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE events(seq INTEGER PRIMARY KEY, session_time REAL NOT NULL, wall_clock REAL NOT NULL,
            display_time_ns INTEGER, kind TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL,
            payload TEXT NOT NULL);
        CREATE TABLE ratings(id INTEGER PRIMARY KEY, session_time REAL NOT NULL, wall_clock REAL NOT NULL,
            display_time_ns INTEGER, kind TEXT NOT NULL, value REAL NOT NULL, items TEXT NOT NULL,
            source TEXT NOT NULL);
        CREATE TABLE poses(display_time_ns INTEGER NOT NULL, wall_clock REAL NOT NULL,
            px REAL, py REAL, pz REAL, qx REAL, qy REAL, qz REAL, qw REAL);
        CREATE TABLE frames(frame_index INTEGER NOT NULL, display_time_ns INTEGER NOT NULL,
            cpu_ms REAL NOT NULL, missed_frames INTEGER NOT NULL);
        CREATE TABLE physio(kind TEXT NOT NULL, value REAL NOT NULL, session_time REAL NOT NULL,
            wall_clock REAL NOT NULL);
        """

    static let insertEvent = """
        INSERT INTO events(seq, session_time, wall_clock, display_time_ns, kind, actor, reason, payload)
        VALUES(?,?,?,?,?,?,?,?)
        """
    static let insertRating = """
        INSERT INTO ratings(session_time, wall_clock, display_time_ns, kind, value, items, source)
        VALUES(?,?,?,?,?,?,?)
        """
    static let insertPose = "INSERT INTO poses VALUES(?,?,?,?,?,?,?,?,?)"
    static let insertFrame = "INSERT INTO frames VALUES(?,?,?,?)"
    static let insertPhysio = "INSERT INTO physio VALUES(?,?,?,?)"
    static let setMeta = "INSERT OR REPLACE INTO meta(key, value) VALUES(?,?)"

    /// Metadata as key/value rows (text, so a damaged value is named by its key).
    static func metaRows(_ m: SessionMetadata) -> [(String, String)] {
        let envJSON = RecordedEvent.payload(m.environmentHashes)
        return [
            ("schema_version", version), ("session_id", m.sessionID), ("participant_id", m.participantID),
            ("session_number", String(m.sessionNumber)), ("protocol_id", m.protocolID),
            ("protocol_version", m.protocolVersion), ("protocol_hash", m.protocolHash),
            ("environment_hashes", envJSON), ("software_version", m.softwareVersion), ("seed", String(m.seed)),
            ("runtime_name", m.runtimeName), ("headset_name", m.headsetName),
            ("display_rate_hz", String(m.displayRateHz)), ("start_wall_clock", String(m.startWallClock)),
            ("state", SessionState.running.rawValue),
        ]
    }

    static func itemsText(_ items: [Int]) -> String { items.map(String.init).joined(separator: ",") }
}
