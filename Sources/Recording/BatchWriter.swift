// Writes one drained batch in one transaction with statements prepared once (writer thread only).
import Foundation

final class BatchWriter {
    private let db: SQLiteDatabase
    private let event: Statement, rating: Statement, pose: Statement, frame: Statement, physio: Statement
    private let meta: Statement

    init(db: SQLiteDatabase) throws {
        self.db = db
        event = try db.prepare(RecordSchema.insertEvent)
        rating = try db.prepare(RecordSchema.insertRating)
        pose = try db.prepare(RecordSchema.insertPose)
        frame = try db.prepare(RecordSchema.insertFrame)
        physio = try db.prepare(RecordSchema.insertPhysio)
        meta = try db.prepare(RecordSchema.setMeta)
    }

    /// Metadata learnt after the start (the runtime's display rate and names), in one transaction.
    func writeMeta(_ fields: [(key: String, value: String)]) throws {
        try db.execute("BEGIN")
        do {
            for (k, v) in fields { meta.reset(); meta.bind(1, k); meta.bind(2, v); try meta.run("set meta \(k)") }
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }

    func write(events: [RecordedEvent], ratings: [Rating], poses: [PoseSample], frames: [FrameSample],
               physio samples: [PhysioSample]) throws {
        try db.execute("BEGIN")
        do {
            for e in events {
                event.reset()
                event.bind(1, e.sequence); event.bind(2, e.sessionTime); event.bind(3, e.wallClock)
                event.bind(4, e.displayTimeNs); event.bind(5, e.kind); event.bind(6, e.actor.rawValue)
                event.bind(7, e.reason); event.bind(8, e.payloadJSON)
                try event.run("insert event \(e.sequence)")
            }
            for r in ratings {
                rating.reset()
                rating.bind(1, r.sessionTime); rating.bind(2, r.wallClock); rating.bind(3, r.displayTimeNs)
                rating.bind(4, r.kind.rawValue); rating.bind(5, r.value)
                rating.bind(6, RecordSchema.itemsText(r.items)); rating.bind(7, r.source)
                try rating.run("insert rating")
            }
            for p in poses {
                pose.reset()
                pose.bind(1, p.displayTimeNs); pose.bind(2, p.wallClock)
                pose.bind(3, Double(p.position.x)); pose.bind(4, Double(p.position.y)); pose.bind(5, Double(p.position.z))
                pose.bind(6, Double(p.orientation.x)); pose.bind(7, Double(p.orientation.y))
                pose.bind(8, Double(p.orientation.z)); pose.bind(9, Double(p.orientation.w))
                try pose.run("insert pose")
            }
            for f in frames {
                frame.reset()
                frame.bind(1, f.index); frame.bind(2, f.displayTimeNs); frame.bind(3, Double(f.cpuMs))
                frame.bind(4, Int64(f.missedFrames))
                try frame.run("insert frame")
            }
            for s in samples {
                physio.reset()
                physio.bind(1, s.kind); physio.bind(2, s.value); physio.bind(3, s.sessionTime); physio.bind(4, s.wallClock)
                try physio.run("insert physio")
            }
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }
}
