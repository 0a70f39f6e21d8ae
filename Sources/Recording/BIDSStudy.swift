// A BIDS dataset of many sessions: the dataset files at its root (dataset_description, README,
// participants, the sidecars every subject's sessions.tsv and every session's scans.tsv inherit)
// and one `sub-X/ses-N` folder per session. Sessions are added one at a time; a subject/session
// that is already there is refused, never overwritten. Damage notes go beside the dataset, not in it.
import Foundation

public struct BIDSStudy {
    /// The BIDS version the files follow.
    public static let bidsVersion = "1.10.0"
    public let root: URL

    public init(root: URL) { self.root = root }

    /// What one session became in the dataset.
    public struct Added: Sendable {
        public var subject: String
        public var session: String
        public var files: [String]
    }

    /// Adds one record as `sub-<participant>/ses-<session number>`.
    public func add(_ r: SessionRecord) throws -> Added {
        let sub = BIDSExport.label(r.metadata.participantID), ses = String(r.metadata.sessionNumber)
        let subDir = root.appendingPathComponent("sub-\(sub)"), sesDir = subDir.appendingPathComponent("ses-\(ses)")
        try refuseClashes(r, sub: sub, ses: ses, sesDir: sesDir)
        try ExportFiles.makeDirectory(sesDir)
        var files = try datasetFiles()
        let (written, scans) = try BIDSExport.exportSession(r, sub: sub, ses: ses, into: sesDir)
        files += written
        let start = r.poses.first?.wallClock ?? r.metadata.startWallClock
        files.append(try ExportFiles.write(
            ExportFiles.tsv(header: ["filename", "acq_time"], rows: scans.map { [$0, Self.acqTime(start)] }),
            to: sesDir.appendingPathComponent("sub-\(sub)_ses-\(ses)_scans.tsv")))
        files.append(try merge(into: subDir.appendingPathComponent("sub-\(sub)_sessions.tsv"), header: Self.sessionColumns.map(\.0),
                               row: sessionRow(r, ses: ses, start: start)))
        files.append(try merge(into: root.appendingPathComponent("participants.tsv"), header: ["participant_id", "pseudonym"],
                               row: ["sub-\(sub)", ExportFiles.cell(r.metadata.participantID)]))
        return Added(subject: "sub-\(sub)", session: "ses-\(ses)", files: files)
    }

    /// The file damage notes for this dataset go to: beside it, so the dataset stays valid BIDS.
    public var damageNote: URL {
        root.deletingLastPathComponent().appendingPathComponent(root.lastPathComponent + "-DAMAGE.txt")
    }

    /// Appends what could not be read from one record (file names only, no local paths).
    public func noteDamage(_ r: SessionRecord, subject: String, session: String) throws -> String {
        let name = URL(fileURLWithPath: r.path).lastPathComponent
        var text = (try? String(contentsOf: damageNote, encoding: .utf8)) ?? ""
        text += "\(subject)/\(session) (record \(name)): parts of the record could not be read; everything readable was exported.\n"
        for d in r.damage { text += "  " + d.description.replacingOccurrences(of: r.path, with: name) + "\n" }
        return try ExportFiles.write(text, to: damageNote)
    }

    private func refuseClashes(_ r: SessionRecord, sub: String, ses: String, sesDir: URL) throws {
        // Two pseudonyms that differ only in punctuation would share one subject label.
        let participants = Self.readTSV(root.appendingPathComponent("participants.tsv"))
        if let row = participants.rows.first(where: { $0.first == "sub-\(sub)" }), row.count > 1, row[1] != r.metadata.participantID {
            throw RecordError.export(path: root.path, detail: "participant \(r.metadata.participantID) would be sub-\(sub), which already holds participant \(row[1]); rename one pseudonym")
        }
        if FileManager.default.fileExists(atPath: sesDir.path) {
            let sessions = Self.readTSV(sesDir.deletingLastPathComponent().appendingPathComponent("sub-\(sub)_sessions.tsv"))
            let index = sessions.header.firstIndex(of: "record")
            let from = sessions.rows.first { $0.first == "ses-\(ses)" }.flatMap { row in index.flatMap { $0 < row.count ? row[$0] : nil } }
            throw RecordError.export(path: sesDir.path, detail: "sub-\(sub)/ses-\(ses) is already in this dataset"
                + (from.map { " (from record \($0))" } ?? "") + "; nothing was overwritten. Export session \(r.metadata.sessionID) to another dataset, or give it its own session number")
        }
    }

    private func datasetFiles() throws -> [String] {
        var files: [String] = []
        func once(_ name: String, _ text: () -> String) throws {
            let url = root.appendingPathComponent(name)
            if !FileManager.default.fileExists(atPath: url.path) { files.append(try ExportFiles.write(text(), to: url)) }
        }
        try ExportFiles.makeDirectory(root)
        try once("dataset_description.json") {
            ExportFiles.json(["Name": "exposure session records", "BIDSVersion": Self.bidsVersion, "DatasetType": "raw",
                              "GeneratedBy": [["Name": "exposure", "Description": "VR exposure-therapy session runtime"]]])
        }
        try once("README") { Self.readme }
        try once("participants.json") {
            ExportFiles.json(["participant_id": ["Description": "BIDS subject label: the pseudonym with everything but letters and digits removed"],
                              "pseudonym": ["Description": "The pseudonymous participant id as recorded (no names are ever recorded)"]])
        }
        try once("sessions.json") { ExportFiles.json(Dictionary(uniqueKeysWithValues: Self.sessionColumns.map { ($0.0, ["Description": $0.1]) })) }
        try once("scans.json") {
            ExportFiles.json(["acq_time": ["Description": "Wall-clock time (UTC) of the first head-pose sample, onset zero of every file of the session; the record's clock pairs map it to display time"]])
        }
        return files
    }

    static let sessionColumns: [(String, String)] = [
        ("session_id", "BIDS session label: the session number the record was made with"),
        ("acq_time", "Wall-clock time (UTC) the session's recording began (its first head-pose sample)"),
        ("record", "The session record it was exported from (pseudonymous id)"),
        ("protocol", "Protocol id and version"),
        ("outcome", "How the session ended, e.g. completed, ended_by_therapist, time_limit, patient_stopped, safety_stop, aborted, interrupted"),
        ("steps_reached", "The hierarchy step reached and the protocol's number of steps, e.g. 3/8"),
        ("duration_s", "Seconds from the first head-pose sample to the last thing recorded, on the display clock"),
        ("peak_suds", "Highest SUDS rating (0-100)"),
        ("ssq_pre", "Simulator Sickness Questionnaire total before exposure"),
        ("ssq_post", "Simulator Sickness Questionnaire total after exposure"),
        ("expectancy_before", "Expected peak distress rated before exposure (0-100)"),
        ("expectancy_after", "Expectancy rated after exposure (0-100)"),
    ]

    private func sessionRow(_ r: SessionRecord, ses: String, start: Double) -> [String] {
        func last(_ k: RatingKind) -> String { r.ratings.last { $0.kind == k }.map { ExportFiles.num($0.value) } ?? "n/a" }
        let peak = r.ratings.filter { $0.kind == .suds }.map(\.value).max()
        let steps = r.endStep.map { step in "\(step)" + (r.stepCount.map { "/\($0)" } ?? "") } ?? "n/a"
        return ["ses-\(ses)", Self.acqTime(start), ExportFiles.cell(r.metadata.sessionID),
                ExportFiles.cell("\(r.metadata.protocolID) \(r.metadata.protocolVersion)"), r.state.rawValue, steps,
                ExportFiles.num((SessionTimeline(r).duration * 1000).rounded() / 1000), peak.map(ExportFiles.num) ?? "n/a",
                last(.ssqPre), last(.ssqPost), last(.expectancyBefore), last(.expectancyAfter)]
    }

    /// BIDS datetime in UTC: 2026-12-04T21:01:23.250Z.
    static func acqTime(_ wall: Double) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
        return f.string(from: Date(timeIntervalSince1970: wall))
    }

    /// Adds `row` to a TSV keyed by its first column (replacing a row with the same key), sorted.
    private func merge(into url: URL, header: [String], row: [String]) throws -> String {
        var rows = Self.readTSV(url).rows.filter { $0.first != row.first && $0.count == header.count }
        rows.append(row)
        rows.sort { $0[0].localizedStandardCompare($1[0]) == .orderedAscending }
        return try ExportFiles.write(ExportFiles.tsv(header: header, rows: rows), to: url)
    }

    static func readTSV(_ url: URL) -> (header: [String], rows: [[String]]) {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return ([], []) }
        let lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        return (lines.first ?? [], Array(lines.dropFirst()))
    }

    static let readme = """
        exposure session records
        ========================

        Sessions of VR exposure therapy recorded by `exposure`, one BIDS session per therapy session.
        Participants are pseudonymous. Each session has head motion (motion/*_motion.tsv, the OpenXR
        reference space described in *_channels.json), everything that happened (motion/*_events.tsv,
        described column by column in *_events.json) and physiological signals when recorded
        (motion/*_physio.tsv.gz). Motion, events and physio share one time zero (the first head-pose
        sample) and one clock (the headset runtime's display clock). Per subject, sessions.tsv gives
        each session's date, protocol, outcome, peak SUDS, SSQ and expectancy.

        """
}
