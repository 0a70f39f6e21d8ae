// Everything in the record as CSV (one file per table) or JSON Lines (one file, one object per line).
import Foundation

enum TableExport {
    typealias Table = (name: String, header: [String], rows: [[String]])

    static func metadataRows(_ r: SessionRecord) -> [[String]] {
        let m = r.metadata
        var rows: [[String]] = [
            ["record_id", m.sessionID], ["pseudonym", m.participantID], ["participant_id", ids(r)[0]], ["session_id", ids(r)[1]],
            ["session_number", String(m.sessionNumber)],
            ["protocol_id", m.protocolID], ["protocol_version", m.protocolVersion], ["protocol_hash", m.protocolHash],
            ["software_version", m.softwareVersion], ["seed", String(m.seed)], ["runtime_name", m.runtimeName],
            ["headset_name", m.headsetName], ["display_rate_hz", ExportFiles.num(m.displayRateHz)],
            ["runtime_version", m.runtimeVersion], ["display_rates_hz", m.displayRatesHz.map(ExportFiles.num).joined(separator: ",")],
            ["recommended_view_size", m.recommendedViewSize], ["reference_space", m.referenceSpace],
            ["interaction_profile", m.interactionProfile],
            ["start_wall_clock", ExportFiles.num(m.startWallClock)], ["state", r.state.rawValue],
            ["end_wall_clock", r.endWallClock.map(ExportFiles.num) ?? ""], ["dropped_items", String(r.droppedItems)],
            ["end_step", r.endStep.map(String.init) ?? ""], ["step_count", r.stepCount.map(String.init) ?? ""],
            ["outcome", r.outcome],
        ]
        for (env, hash) in m.environmentHashes.sorted(by: { $0.key < $1.key }) { rows.append(["environment_hash.\(env)", hash]) }
        return rows
    }

    /// The BIDS names of the record's participant and session (`sub-P0042`, `ses-3`): every data
    /// row carries them, so tables of many sessions can be concatenated and joined with a BIDS export.
    static func ids(_ r: SessionRecord) -> [String] {
        ["sub-" + BIDSExport.label(r.metadata.participantID), "ses-\(r.metadata.sessionNumber)"]
    }

    static func tables(_ r: SessionRecord) -> [Table] {
        let opt: (Int64?) -> String = { $0.map(String.init) ?? "" }
        let ids = ids(r), idColumns = ["participant_id", "session_id"]
        return [
            ("metadata", ["key", "value"], metadataRows(r)),
            ("events", idColumns + ["sequence", "session_time", "wall_clock", "display_time_ns", "kind", "actor", "reason", "payload"],
             r.events.map { ids + [String($0.sequence), ExportFiles.num($0.sessionTime), ExportFiles.num($0.wallClock),
                                   opt($0.displayTimeNs), $0.kind, $0.actor.rawValue, $0.reason, $0.payloadJSON] }),
            ("ratings", idColumns + ["session_time", "wall_clock", "display_time_ns", "kind", "value", "items", "source"],
             r.ratings.map { ids + [ExportFiles.num($0.sessionTime), ExportFiles.num($0.wallClock), opt($0.displayTimeNs),
                                    $0.kind.rawValue, ExportFiles.num($0.value), $0.items.map(String.init).joined(separator: " "),
                                    $0.source] }),
            ("poses", idColumns + ["display_time_ns", "wall_clock", "x", "y", "z", "quat_x", "quat_y", "quat_z", "quat_w"],
             r.poses.map { p in
                 ids + [String(p.displayTimeNs), ExportFiles.num(p.wallClock)]
                     + [p.position.x, p.position.y, p.position.z, p.orientation.x, p.orientation.y, p.orientation.z, p.orientation.w]
                     .map { ExportFiles.num(Double($0)) }
             }),
            ("frames", idColumns + ["frame_index", "display_time_ns", "cpu_ms", "missed_frames"],
             r.frames.map { ids + [String($0.index), String($0.displayTimeNs), ExportFiles.num(Double($0.cpuMs)), String($0.missedFrames)] }),
            ("physio", idColumns + ["kind", "value", "session_time", "wall_clock"],
             r.physio.map { ids + [$0.kind, ExportFiles.num($0.value), ExportFiles.num($0.sessionTime), ExportFiles.num($0.wallClock)] }),
        ]
    }

    static func exportCSV(_ r: SessionRecord, to out: URL) throws -> [String] {
        try ExportFiles.makeDirectory(out)
        return try tables(r).map { t in
            try ExportFiles.write(ExportFiles.csv(header: t.header, rows: t.rows), to: out.appendingPathComponent("\(t.name).csv"))
        }
    }

    /// A value that was not recorded is JSON null (JSON has no NaN).
    static func jsonNumber(_ v: Float) -> Any { v.isFinite ? Double(v) : NSNull() }

    static func exportJSONL(_ r: SessionRecord, to out: URL) throws -> [String] {
        try ExportFiles.makeDirectory(out)
        let m = r.metadata
        var lines: [String] = []
        lines.reserveCapacity(2 + r.events.count + r.ratings.count + r.poses.count + r.frames.count + r.physio.count)
        let ids = ids(r)
        /// Every line names its participant and session, as the CSV rows do.
        func line(_ object: [String: Any]) -> String {
            var o = object
            o["participant_id"] = ids[0]; o["session_id"] = ids[1]
            return ExportFiles.jsonLine(o)
        }
        lines.append(ExportFiles.jsonLine([
            "type": "metadata", "record_id": m.sessionID, "pseudonym": m.participantID,
            "participant_id": ids[0], "session_id": ids[1],
            "session_number": m.sessionNumber, "protocol_id": m.protocolID, "protocol_version": m.protocolVersion,
            "protocol_hash": m.protocolHash, "environment_hashes": m.environmentHashes,
            "software_version": m.softwareVersion, "seed": String(m.seed), "runtime_name": m.runtimeName,
            "headset_name": m.headsetName, "display_rate_hz": m.displayRateHz, "start_wall_clock": m.startWallClock,
            "runtime_version": m.runtimeVersion, "display_rates_hz": m.displayRatesHz,
            "recommended_view_size": m.recommendedViewSize, "reference_space": m.referenceSpace,
            "interaction_profile": m.interactionProfile,
            "state": r.state.rawValue, "end_wall_clock": ExportFiles.orNull(r.endWallClock), "dropped_items": Int(r.droppedItems),
            "end_step": ExportFiles.orNull(r.endStep), "step_count": ExportFiles.orNull(r.stepCount), "outcome": r.outcome,
        ]))
        for e in r.events {
            lines.append(line([
                "type": "event", "sequence": Int(e.sequence), "session_time": e.sessionTime, "wall_clock": e.wallClock,
                "display_time_ns": ExportFiles.orNull(e.displayTimeNs.map { Int($0) }), "kind": e.kind, "actor": e.actor.rawValue,
                "reason": e.reason, "payload": e.payload,
            ]))
        }
        for x in r.ratings {
            lines.append(line([
                "type": "rating", "session_time": x.sessionTime, "wall_clock": x.wallClock,
                "display_time_ns": ExportFiles.orNull(x.displayTimeNs.map { Int($0) }), "kind": x.kind.rawValue, "value": x.value,
                "items": x.items, "source": x.source,
            ]))
        }
        for p in r.poses {
            lines.append(line([
                "type": "pose", "display_time_ns": Int(p.displayTimeNs), "wall_clock": p.wallClock,
                "position": [p.position.x, p.position.y, p.position.z].map(jsonNumber),
                "orientation": [p.orientation.x, p.orientation.y, p.orientation.z, p.orientation.w].map(jsonNumber),
            ]))
        }
        for f in r.frames {
            lines.append(line([
                "type": "frame", "frame_index": Int(f.index), "display_time_ns": Int(f.displayTimeNs),
                "cpu_ms": Double(f.cpuMs), "missed_frames": Int(f.missedFrames),
            ]))
        }
        for s in r.physio {
            lines.append(line([
                "type": "physio", "kind": s.kind, "value": s.value, "session_time": s.sessionTime, "wall_clock": s.wallClock,
            ]))
        }
        for d in r.damage { lines.append(line(["type": "damage", "message": d.description])) }
        return [try ExportFiles.write(lines.joined(separator: "\n") + "\n", to: out.appendingPathComponent("session.jsonl"))]
    }
}

public enum ExportFormat: String, Sendable, CaseIterable {
    case bids, csv, jsonl
}

public struct ExportResult: Sendable {
    public var files: [String]
    /// Parts of the record that could not be read (their data is missing from the export).
    public var damage: [RecordError]
    /// Where the damage is described (beside a BIDS dataset; DAMAGE.txt inside CSV and JSONL exports).
    public var damageNote: String?
}

public enum RecordExporter {
    /// Writes `record` in `format` under `directory`. Damage found while reading is listed in the result
    /// and in a note, and everything that was read is exported. A BIDS export is a dataset of one
    /// session (add more with `BIDSStudy`); its damage note lies beside it, so the dataset stays valid.
    public static func export(_ record: SessionRecord, format: ExportFormat, to directory: URL) throws -> ExportResult {
        var files: [String]
        var note: String?
        switch format {
        case .bids:
            let study = BIDSStudy(root: directory)
            let added = try study.add(record)
            files = added.files
            if !record.damage.isEmpty { note = try study.noteDamage(record, subject: added.subject, session: added.session) }
        case .csv: files = try TableExport.exportCSV(record, to: directory)
        case .jsonl: files = try TableExport.exportJSONL(record, to: directory)
        }
        if format != .bids, !record.damage.isEmpty {
            let name = URL(fileURLWithPath: record.path).lastPathComponent
            let text = record.damage.map { $0.description.replacingOccurrences(of: record.path, with: name) }.joined(separator: "\n") + "\n"
            note = try ExportFiles.write(text, to: directory.appendingPathComponent("DAMAGE.txt"))
            files.append(note!)
        }
        return ExportResult(files: files, damage: record.damage, damageNote: note)
    }
}
