import XCTest
@testable import Recording

final class ExportTests: XCTestCase {
    private func syntheticRecord(_ name: String) throws -> SessionRecord {
        let store = try SessionStore(directory: temporaryDirectory(name))
        _ = try writeSyntheticSession(store: store)
        return try store.read("S-001")
    }

    private func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init).filter { !$0.isEmpty }
    }

    func testBIDSMotionFilesParseBack() throws {
        let record = try syntheticRecord("bids")
        let out = temporaryDirectory("bids-out")
        let result = try RecordExporter.export(record, format: .bids, to: out)
        XCTAssertEqual(result.damage, [])
        let dir = out.appendingPathComponent("sub-P0042/ses-3/motion")
        let stem = "sub-P0042_ses-3_task-exposure"

        let motion = try lines(dir.appendingPathComponent("\(stem)_tracksys-hmd_motion.tsv"))
        XCTAssertEqual(motion.count, 60 * 90, "one row per pose, no header")
        let row90 = motion[90].split(separator: "\t").compactMap { Double($0) }
        XCTAssertEqual(row90.count, 7, "evenly sampled: no LATENCY column")
        XCTAssertEqual(row90[1], 1.6, accuracy: 1e-6)
        XCTAssertEqual(row90[4], Double(sin(Float.pi / 12)), accuracy: 1e-6) // quat_y after 1 s at 30 deg/s
        XCTAssertEqual(row90[6], Double(cos(Float.pi / 12)), accuracy: 1e-6) // quat_w

        let channels = try lines(dir.appendingPathComponent("\(stem)_tracksys-hmd_channels.tsv")).map { $0.split(separator: "\t").map(String.init) }
        XCTAssertEqual(channels[0], ["name", "component", "type", "tracked_point", "units", "reference_frame"])
        XCTAssertEqual(Set(channels.dropFirst().map { $0[5] }), ["xr_space"])
        XCTAssertEqual(channels.dropFirst().map { $0[1] }, ["x", "y", "z", "quat_x", "quat_y", "quat_z", "quat_w"])
        XCTAssertEqual(channels[1][2], "POS")
        XCTAssertEqual(channels[1][4], "m")
        XCTAssertEqual(channels[4][2], "ORNT")

        let sidecarData = try Data(contentsOf: dir.appendingPathComponent("\(stem)_tracksys-hmd_motion.json"))
        let sidecar = try XCTUnwrap(JSONSerialization.jsonObject(with: sidecarData) as? [String: Any])
        XCTAssertEqual(sidecar["SamplingFrequency"] as? Double, 90)
        XCTAssertEqual(try XCTUnwrap(sidecar["SamplingFrequencyEffective"] as? Double), 90, accuracy: 0.01)
        XCTAssertEqual(sidecar["MotionChannelCount"] as? Int, 7)
        XCTAssertEqual(sidecar["TaskName"] as? String, "exposure")

        let events = try lines(dir.appendingPathComponent("\(stem)_events.tsv")).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(Array(events[0].prefix(3)), ["onset", "duration", "trial_type"])
        let steps = events.filter { $0[2] == "step" }
        XCTAssertEqual(steps.map { Double($0[0]) ?? -1 }, [0, 20, 40])
        XCTAssertEqual(steps.map { Double($0[1]) ?? -1 }, [20, 20, 20])
        let safety = try XCTUnwrap(events.first { $0[2] == "safety" })
        XCTAssertEqual(Double(safety[0]), 45)
        XCTAssertEqual(safety[3], "safety")
        XCTAssertEqual(safety[14], "heart rate 40% over baseline")
        XCTAssertEqual(safety[13], "hr_panic", "the rule has its own column")
        XCTAssertEqual(events.filter { $0[2] == "rating" && $0[9] == "suds" }.map { Double($0[7]) ?? -1 }, [60, 30, 70, 35, 80, 40])
        XCTAssertEqual(events.filter { $0[2] == "rating" }.count, record.ratings.count, "each rating once")
        let onsets = events.dropFirst().compactMap { Double($0[0]) }
        XCTAssertEqual(onsets, onsets.sorted(), "events sorted by onset")

        // Heart rate once a second from the first pose: a 1 Hz physio file starting at onset zero.
        let physio = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(
            "\(stem)_recording-heartratebpm_physio.json"))) as? [String: Any])
        XCTAssertEqual(physio["SamplingFrequency"] as? Double, 1)
        XCTAssertEqual(physio["StartTime"] as? Double, 0)
        XCTAssertEqual(physio["Columns"] as? [String], ["heart_rate_bpm"])
        XCTAssertTrue(result.files.contains(dir.appendingPathComponent("\(stem)_recording-heartratebpm_physio.tsv.gz").path))
    }

    func testUnevenSamplingAddsALatencyChannel() throws {
        var record = try syntheticRecord("latency")
        record.poses.remove(at: 100) // a dropped frame: one 22 ms gap
        let out = temporaryDirectory("latency-out")
        _ = try RecordExporter.export(record, format: .bids, to: out)
        let dir = out.appendingPathComponent("sub-P0042/ses-3/motion")
        let channels = try lines(dir.appendingPathComponent("sub-P0042_ses-3_task-exposure_tracksys-hmd_channels.tsv"))
        XCTAssertEqual(channels.last, "latency\tn/a\tLATENCY\tn/a\ts\tn/a")
        let motion = try lines(dir.appendingPathComponent("sub-P0042_ses-3_task-exposure_tracksys-hmd_motion.tsv"))
        let latency = motion.map { Double($0.split(separator: "\t")[7]) ?? -1 }
        XCTAssertEqual(latency[99], 99.0 / 90, accuracy: 1e-6)
        XCTAssertEqual(latency[100], 101.0 / 90, accuracy: 1e-6)
        let sidecar = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(
            "sub-P0042_ses-3_task-exposure_tracksys-hmd_motion.json"))) as? [String: Any])
        XCTAssertEqual(sidecar["LATENCYChannelCount"] as? Int, 1)
        XCTAssertLessThan(try XCTUnwrap(sidecar["SamplingFrequencyEffective"] as? Double), 90)
    }

    func testCSVHasOneFilePerTable() throws {
        let record = try syntheticRecord("csv")
        let out = temporaryDirectory("csv-out")
        let result = try RecordExporter.export(record, format: .csv, to: out)
        XCTAssertEqual(Set(result.files.map { URL(fileURLWithPath: $0).lastPathComponent }),
                       ["metadata.csv", "events.csv", "ratings.csv", "poses.csv", "frames.csv", "physio.csv"])
        XCTAssertEqual(try lines(out.appendingPathComponent("poses.csv")).count, 1 + 60 * 90)
        XCTAssertEqual(try lines(out.appendingPathComponent("frames.csv")).count, 1 + 60 * 90)
        XCTAssertEqual(try lines(out.appendingPathComponent("physio.csv")).count, 1 + 60)
        let meta = try lines(out.appendingPathComponent("metadata.csv"))
        XCTAssertTrue(meta.contains("pseudonym,P-0042") && meta.contains("participant_id,sub-P0042") && meta.contains("session_id,ses-3"))
        XCTAssertTrue(meta.contains("environment_hash.heights,e1"))
        let events = try lines(out.appendingPathComponent("events.csv"))
        XCTAssertEqual(events[0], "participant_id,session_id,sequence,session_time,wall_clock,display_time_ns,kind,actor,reason,payload")
        XCTAssertTrue(events[1].hasPrefix("sub-P0042,ses-3,1,"), events[1])
        // The payload contains commas and quotes, so it is quoted with doubled quotes (RFC 4180).
        XCTAssertTrue(events[1].hasSuffix(",\"{\"\"name\"\":\"\"floor 1\"\",\"\"step\"\":1}\""), events[1])
    }

    func testJSONLinesCarryEverything() throws {
        let record = try syntheticRecord("jsonl")
        let out = temporaryDirectory("jsonl-out")
        _ = try RecordExporter.export(record, format: .jsonl, to: out)
        let objects = try lines(out.appendingPathComponent("session.jsonl")).map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        var counts: [String: Int] = [:]
        for o in objects { counts[o["type"] as? String ?? "?", default: 0] += 1 }
        XCTAssertEqual(counts, ["metadata": 1, "event": record.events.count, "rating": 8, "pose": 5400, "frame": 5400, "physio": 60])
        XCTAssertEqual(objects[0]["pseudonym"] as? String, "P-0042")
        for o in objects { XCTAssertEqual([o["participant_id"] as? String, o["session_id"] as? String], ["sub-P0042", "ses-3"]) }
        let ssqPre = try XCTUnwrap(objects.first { $0["kind"] as? String == "ssq_pre" })
        XCTAssertEqual(ssqPre["items"] as? [Int], [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        let step = try XCTUnwrap(objects.first { $0["kind"] as? String == "step" })
        XCTAssertEqual((step["payload"] as? [String: Any])?["name"] as? String, "floor 1")
    }
}
