// BIDS-motion export: per tracking system a headerless motion TSV, channels.tsv and a JSON sidecar;
// events.tsv (+ sidecar) for everything that happened, ratings included; physiological samples as
// BIDS physio files (BIDSPhysio).
import Foundation

enum BIDSExport {
    /// BIDS labels allow letters and digits only.
    static func label(_ s: String) -> String {
        let l = String(s.unicodeScalars.filter { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") }
            .map(Character.init))
        return l.isEmpty ? "unknown" : l
    }

    static let trackingSystem = "hmd"
    static let channels: [(name: String, component: String, type: String, units: String)] = [
        ("head_x", "x", "POS", "m"), ("head_y", "y", "POS", "m"), ("head_z", "z", "POS", "m"),
        ("head_quat_x", "quat_x", "ORNT", "n/a"), ("head_quat_y", "quat_y", "ORNT", "n/a"),
        ("head_quat_z", "quat_z", "ORNT", "n/a"), ("head_quat_w", "quat_w", "ORNT", "n/a"),
    ]

    static func export(_ r: SessionRecord, to out: URL) throws -> [String] {
        let sub = label(r.metadata.participantID), ses = String(r.metadata.sessionNumber)
        let dir = out.appendingPathComponent("sub-\(sub)/ses-\(ses)/motion")
        try ExportFiles.makeDirectory(dir)
        let stem = "sub-\(sub)_ses-\(ses)_task-exposure"
        var written: [String] = []

        written.append(try ExportFiles.write(ExportFiles.json([
            "Name": "exposure session records", "BIDSVersion": "1.9.0", "DatasetType": "raw",
            "GeneratedBy": [["Name": "exposure", "Version": r.metadata.softwareVersion]],
        ]), to: out.appendingPathComponent("dataset_description.json")))

        // Motion: display times give the sample instants (what the patient saw, not when code ran).
        let times = r.poses.map { Double($0.displayTimeNs - (r.poses.first?.displayTimeNs ?? 0)) / 1e9 }
        let nominal = r.metadata.displayRateHz > 0 ? r.metadata.displayRateHz : 90
        let span = times.last ?? 0
        let effective = times.count > 1 && span > 0 ? Double(times.count - 1) / span : 0
        let period = 1 / nominal
        let uneven = zip(times.dropFirst(), times).contains { abs(($0 - $1) - period) > 0.1 * period }
        var channelRows = channels.map { [$0.name, $0.component, $0.type, "head", $0.units] }
        if uneven { channelRows.append(["latency", "n/a", "LATENCY", "n/a", "s"]) }

        var motion = ""
        motion.reserveCapacity(r.poses.count * 80)
        for (p, t) in zip(r.poses, times) {
            var cols = [p.position.x, p.position.y, p.position.z,
                        p.orientation.x, p.orientation.y, p.orientation.z, p.orientation.w].map { ExportFiles.num(Double($0)) }
            if uneven { cols.append(ExportFiles.num(t)) }
            motion += cols.joined(separator: "\t") + "\n"
        }
        let mstem = "\(stem)_tracksys-\(trackingSystem)"
        written.append(try ExportFiles.write(motion, to: dir.appendingPathComponent("\(mstem)_motion.tsv")))
        written.append(try ExportFiles.write(
            ExportFiles.tsv(header: ["name", "component", "type", "tracked_point", "units"], rows: channelRows),
            to: dir.appendingPathComponent("\(mstem)_channels.tsv")))
        var sidecar: [String: Any] = [
            "TaskName": "exposure",
            "TaskDescription": "VR exposure session, protocol \(r.metadata.protocolID) \(r.metadata.protocolVersion)",
            "TrackingSystemName": "\(r.metadata.headsetName) (\(r.metadata.runtimeName))",
            "SamplingFrequency": nominal,
            "SamplingFrequencyEffective": effective,
            "RecordingDuration": span,
            "MotionChannelCount": channelRows.count,
            "POSChannelCount": 3, "ORNTChannelCount": 4,
            "SpatialAxes": "RSP",
            "RotationRule": "right-hand",
            "RotationOrder": "n/a",
            "SoftwareVersions": r.metadata.softwareVersion,
            "ManufacturersModelName": r.metadata.headsetName,
        ]
        // What the runtime said, when it said it (older records lack these).
        if !r.metadata.runtimeVersion.isEmpty { sidecar["TrackingSystemSoftwareVersion"] = "\(r.metadata.runtimeName) \(r.metadata.runtimeVersion)" }
        if !r.metadata.referenceSpace.isEmpty { sidecar["ReferenceSpace"] = r.metadata.referenceSpace }
        if !r.metadata.recommendedViewSize.isEmpty { sidecar["RecommendedViewSize"] = r.metadata.recommendedViewSize }
        if !r.metadata.interactionProfile.isEmpty { sidecar["InteractionProfile"] = r.metadata.interactionProfile }
        if uneven { sidecar["LATENCYChannelCount"] = 1 }
        written.append(try ExportFiles.write(ExportFiles.json(sidecar), to: dir.appendingPathComponent("\(mstem)_motion.json")))

        let (header, rows) = eventRows(r)
        written.append(try ExportFiles.write(ExportFiles.tsv(header: header, rows: rows),
                                             to: dir.appendingPathComponent("\(stem)_events.tsv")))
        written.append(try ExportFiles.write(ExportFiles.json([
            "onset": ["Description": "Seconds from the first head-pose sample (OpenXR predicted display time when known)", "Units": "s"],
            "duration": ["Description": "Steps last until the next step or the end of the session; other events are instants", "Units": "s"],
            "trial_type": ["Description": "Event kind (state, step, intensity, parameter, command, safety, optout, annotation) or rating_<kind>"],
            "actor": ["Description": "Who caused it: patient, therapist, protocol, safety, system"],
            "value": ["Description": "Intensity 0-100, step number, or the rating's value (SUDS 0-100, FMS 0-20, SSQ total 0-235.62)"],
        ]), to: dir.appendingPathComponent("\(stem)_events.json")))
        written += try BIDSPhysio.export(r, timeZero: timeZeroWallClock(r), stem: stem, into: dir)
        return written
    }

    /// Wall clock of onset zero (the first head-pose sample), for things that have no display time.
    static func timeZeroWallClock(_ r: SessionRecord) -> Double {
        r.poses.first?.wallClock ?? r.metadata.startWallClock
    }

    /// onset, duration, trial_type, actor, value, reason, sequence, display_time_ns, sorted by onset.
    static func eventRows(_ r: SessionRecord) -> ([String], [[String]]) {
        let firstNs = r.poses.first?.displayTimeNs
        let firstWall = timeZeroWallClock(r)
        func onset(_ ns: Int64?, _ wall: Double) -> Double {
            if let ns = ns, let f = firstNs { return Double(ns - f) / 1e9 }
            return wall - firstWall
        }
        let end = r.metadata.startWallClock + r.durationSeconds
        let stepEvents = r.events.filter { $0.kind == EventKind.step }
        var rows: [(Double, [String])] = []
        for e in r.events {
            var duration = 0.0
            if e.kind == EventKind.step {
                let next = stepEvents.first { $0.sequence > e.sequence }?.wallClock ?? end
                duration = max(0, next - e.wallClock)
            }
            let value = e.number("intensity") ?? e.number("step") ?? e.number("value")
            let o = onset(e.displayTimeNs, e.wallClock)
            rows.append((o, [ExportFiles.num(o), ExportFiles.num(duration), e.kind, e.actor.rawValue,
                             value.map(ExportFiles.num) ?? "n/a", ExportFiles.cell(e.reason), String(e.sequence),
                             e.displayTimeNs.map(String.init) ?? "n/a"]))
        }
        for rt in r.ratings {
            let o = onset(rt.displayTimeNs, rt.wallClock)
            rows.append((o, [ExportFiles.num(o), "0", "rating_\(rt.kind.rawValue)", rt.source == "console" ? "therapist" : "patient",
                             ExportFiles.num(rt.value), rt.items.isEmpty ? "n/a" : "items " + rt.items.map(String.init).joined(separator: " "),
                             "n/a", rt.displayTimeNs.map(String.init) ?? "n/a"]))
        }
        let sorted = rows.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map { $0.element.1 }
        return (["onset", "duration", "trial_type", "actor", "value", "reason", "sequence", "display_time_ns"], sorted)
    }
}
