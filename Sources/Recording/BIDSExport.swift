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

    /// The session's data files under `sessionDir` (`<root>/sub-X/ses-N`); returns the paths written
    /// and, for scans.tsv, the data files relative to `sessionDir`.
    static func exportSession(_ r: SessionRecord, sub: String, ses: String, into sessionDir: URL) throws -> (written: [String], scans: [String]) {
        let dir = sessionDir.appendingPathComponent("motion")
        try ExportFiles.makeDirectory(dir)
        let stem = "sub-\(sub)_ses-\(ses)_task-exposure"
        let timeline = SessionTimeline(r)
        var written: [String] = []

        // Motion: display times give the sample instants (what the patient saw, not when code ran).
        let times = r.poses.map { timeline.onset(displayTimeNs: $0.displayTimeNs) }
        let nominal = r.metadata.displayRateHz > 0 ? r.metadata.displayRateHz : 90
        let span = times.last ?? 0
        let effective = times.count > 1 && span > 0 ? Double(times.count - 1) / span : 0
        let period = 1 / nominal
        let uneven = zip(times.dropFirst(), times).contains { abs(($0 - $1) - period) > 0.1 * period }
        var channelRows = channels.map { [$0.name, $0.component, $0.type, "head", $0.units, referenceFrame] }
        if uneven { channelRows.append(["latency", "n/a", "LATENCY", "n/a", "s", "n/a"]) }

        var motion = ""
        motion.reserveCapacity(r.poses.count * 80)
        var missing = 0
        for (p, t) in zip(r.poses, times) {
            var cols = [p.position.x, p.position.y, p.position.z,
                        p.orientation.x, p.orientation.y, p.orientation.z, p.orientation.w].map { ExportFiles.num(Double($0)) }
            if cols.contains("n/a") { missing += 1 }
            if uneven { cols.append(ExportFiles.num(t)) }
            motion += cols.joined(separator: "\t") + "\n"
        }
        let mstem = "\(stem)_tracksys-\(trackingSystem)"
        written.append(try ExportFiles.write(motion, to: dir.appendingPathComponent("\(mstem)_motion.tsv")))
        written.append(try ExportFiles.write(
            ExportFiles.tsv(header: ["name", "component", "type", "tracked_point", "units", "reference_frame"], rows: channelRows),
            to: dir.appendingPathComponent("\(mstem)_channels.tsv")))
        written.append(try ExportFiles.write(ExportFiles.json(channelsSidecar(r)), to: dir.appendingPathComponent("\(mstem)_channels.json")))
        var sidecar: [String: Any] = [
            "TaskName": "exposure",
            "TaskDescription": "VR exposure session, protocol \(r.metadata.protocolID) \(r.metadata.protocolVersion)",
            "TrackingSystemName": "\(r.metadata.headsetName) (\(r.metadata.runtimeName))",
            "SamplingFrequency": nominal,
            "SamplingFrequencyEffective": effective,
            "RecordingDuration": span,
            "MotionChannelCount": channelRows.count,
            "POSChannelCount": 3, "ORNTChannelCount": 4,
            "ACCELChannelCount": 0, "ANGACCELChannelCount": 0, "GYROChannelCount": 0, "JNTANGChannelCount": 0,
            "MAGNChannelCount": 0, "MISCChannelCount": 0, "VELChannelCount": 0, "LATENCYChannelCount": uneven ? 1 : 0,
            "TrackedPointsCount": 1,
            "StimulusPresentation": ["OperatingSystem": "Linux", "SoftwareName": "exposure", "SoftwareVersion": r.metadata.softwareVersion,
                                     "HeadsetDisplayRefreshRate": nominal],
            "MissingValues": "n/a",
            "SoftwareVersions": r.metadata.softwareVersion,
            "ManufacturersModelName": r.metadata.headsetName,
        ]
        // What the runtime said, when it said it (older records lack these).
        if !r.metadata.runtimeVersion.isEmpty { sidecar["TrackingSystemSoftwareVersion"] = "\(r.metadata.runtimeName) \(r.metadata.runtimeVersion)" }
        if !r.metadata.referenceSpace.isEmpty { sidecar["ReferenceSpace"] = r.metadata.referenceSpace }
        if !r.metadata.recommendedViewSize.isEmpty { sidecar["RecommendedViewSize"] = r.metadata.recommendedViewSize }
        if !r.metadata.interactionProfile.isEmpty { sidecar["InteractionProfile"] = r.metadata.interactionProfile }
        if missing > 0 { sidecar["MissingSamples"] = missing }
        written.append(try ExportFiles.write(ExportFiles.json(sidecar), to: dir.appendingPathComponent("\(mstem)_motion.json")))

        written.append(try ExportFiles.write(ExportFiles.tsv(header: BIDSEvents.header, rows: BIDSEvents.rows(r, timeline: timeline)),
                                             to: dir.appendingPathComponent("\(stem)_events.tsv")))
        written.append(try ExportFiles.write(ExportFiles.json(BIDSEvents.sidecar()), to: dir.appendingPathComponent("\(stem)_events.json")))
        written += try BIDSPhysio.export(r, timeline: timeline, stem: stem, into: dir)
        let scans = written.filter { $0.hasSuffix("_motion.tsv") || $0.hasSuffix("_physio.tsv.gz") }
            .map { "motion/" + URL(fileURLWithPath: $0).lastPathComponent }
        return (written, scans)
    }

    /// The frame the head positions and orientations are in: OpenXR's reference space (stage or
    /// local): x right, y up, z toward the back (RSP), right-handed, orientations as quaternions.
    static let referenceFrame = "xr_space"

    static func channelsSidecar(_ r: SessionRecord) -> [String: Any] {
        let space = r.metadata.referenceSpace.isEmpty ? "stage or local (not recorded)" : r.metadata.referenceSpace
        return ["reference_frame": [
            "LongName": "reference frame",
            "Description": "The OpenXR reference space the head pose is reported in",
            "Levels": [referenceFrame: [
                "SpatialAxes": "RSP", "RotationRule": "right-hand", "RotationOrder": "n/a",
                "Description": "OpenXR \(space) space: origin on the floor (stage) or at the head's start (local); x right, y up, z backward; metres; orientation as a unit quaternion (x, y, z, w), so no Euler rotation order applies",
            ]],
        ]]
    }
}
