// The sessions directory: one SQLite record per session, locked by its writer (SessionLock).
import Foundation

/// One line of `exposure sessions`.
public struct SessionSummary: Sendable, Equatable {
    public var sessionID: String
    public var participantID: String
    public var protocolID: String
    public var state: SessionState?
    public var startWallClock: Double?
    /// Seconds of session time (the display clock) to the last thing recorded.
    public var durationSeconds: Double?
    public var eventCount: Int
    public var path: String
    /// The 1-based step reached when the session ended, and the protocol's steps, when recorded.
    public var endStep: Int? = nil
    public var stepCount: Int? = nil
    /// Set when the record could not be read completely.
    public var problem: String?
    /// The participant's session number (1 = first), when the record says.
    public var sessionNumber: Int? = nil

    /// How it ended in plain words, e.g. "ended by the therapist at step 2/8" ("unreadable" without a state).
    public var outcome: String { state?.describe(endStep: endStep, stepCount: stepCount) ?? "unreadable" }
}

public final class SessionStore {
    public let directory: URL
    /// Session ids marked interrupted when this store was opened.
    public private(set) var recoveredSessions: [String] = []

    /// Opens (creating if needed) the sessions directory and marks records left running by a dead
    /// process as interrupted.
    public init(directory: URL) throws {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw RecordError.directory(path: directory.path, detail: "cannot create the sessions directory: \(error.localizedDescription)")
        }
        recoveredSessions = recoverInterrupted()
    }

    public func recordPath(for sessionID: String) -> String {
        directory.appendingPathComponent(sessionID + RecordSchema.fileSuffix).path
    }

    /// Session ids of every record file in the directory, sorted.
    public func sessionIDs() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(RecordSchema.fileSuffix) }
            .map { String($0.dropLast(RecordSchema.fileSuffix.count)) }
            .sorted()
    }

    /// Starts a new record. `onCommit` receives the sequence numbers of events once they are durable.
    public func create(_ metadata: SessionMetadata, queueCapacity: Int = 8192, sampleFlushInterval: Double = 0.25,
                       onCommit: (@Sendable ([Int64]) -> Void)? = nil) throws -> SessionRecorder {
        try SessionMetadata.validateSessionID(metadata.sessionID)
        try SessionMetadata.validatePseudonym(metadata.participantID)
        let path = recordPath(for: metadata.sessionID)
        if FileManager.default.fileExists(atPath: path) { throw RecordError.sessionExists(path: path) }
        // The record file is created and locked before SQLite opens it: no reader ever sees it unlocked.
        let lock = try SessionLock.create(path: path)
        let db: SQLiteDatabase
        do { db = try SQLiteDatabase(path: path, create: true) } catch {
            lock.release()
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        do {
            try db.execute(RecordSchema.writerPragmas)
            try db.execute("BEGIN")
            try db.execute(RecordSchema.create)
            let set = try db.prepare(RecordSchema.setMeta)
            for (k, v) in RecordSchema.metaRows(metadata) {
                set.reset(); set.bind(1, k); set.bind(2, v); try set.run("set meta \(k)")
            }
            try db.execute("COMMIT")
        } catch {
            db.close()
            lock.release()
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        return SessionRecorder(db: db, lock: lock, metadata: metadata, queueCapacity: queueCapacity,
                               sampleFlushInterval: sampleFlushInterval, onCommit: onCommit)
    }

    /// Reads a whole record; damaged parts are listed in `SessionRecord.damage`.
    public func read(_ sessionID: String) throws -> SessionRecord {
        try SessionMetadata.validateSessionID(sessionID)
        let path = recordPath(for: sessionID)
        guard FileManager.default.fileExists(atPath: path) else {
            throw RecordError.sessionNotFound(id: sessionID, directory: directory.path)
        }
        return try SessionRecordReader.read(path: path)
    }

    public func list() -> [SessionSummary] {
        sessionIDs().map { id in
            let path = recordPath(for: id)
            do {
                let s = try SessionRecordReader.summary(path: path)
                return s
            } catch {
                return SessionSummary(sessionID: id, participantID: "?", protocolID: "?", state: nil,
                                      startWallClock: nil, durationSeconds: nil, eventCount: 0, path: path,
                                      problem: "\(error)")
            }
        }
    }

    /// Session numbers the participant's records already use (unreadable records count as none).
    public func sessionNumbers(of participant: String) -> Set<Int> {
        Set(list().filter { $0.participantID == participant }.compactMap(\.sessionNumber))
    }

    /// The participant's next session number: one more than the highest recorded, 1 for a first session.
    public func nextSessionNumber(for participant: String) -> Int { (sessionNumbers(of: participant).max() ?? 0) + 1 }

    /// Marks records still "running" whose database file no live process holds locked as interrupted, with an event
    /// saying so. Records that cannot be opened are left alone (export reports their damage).
    private func recoverInterrupted() -> [String] {
        var recovered: [String] = []
        for id in sessionIDs() {
            let path = recordPath(for: id)
            guard let state = try? SessionRecordReader.state(path: path), state == .running else { continue }
            guard let lock = try? SessionLock.tryAcquire(path: path) else { continue }
            // markInterrupted closes its connection before the lock's descriptor is closed.
            if (try? SessionRecordReader.markInterrupted(path: path)) != nil { recovered.append(id) }
            lock.release()
        }
        return recovered
    }
}

public extension SessionStore {
    /// Resolves what a user typed: a session id in `directory`, or a path to a record file.
    static func locate(_ session: String, directory: URL) -> (directory: URL, sessionID: String) {
        if session.hasSuffix(RecordSchema.fileSuffix) || session.contains("/") {
            let url = URL(fileURLWithPath: session)
            let name = url.lastPathComponent
            let id = name.hasSuffix(RecordSchema.fileSuffix) ? String(name.dropLast(RecordSchema.fileSuffix.count)) : name
            return (url.deletingLastPathComponent(), id)
        }
        return (directory, session)
    }
}
