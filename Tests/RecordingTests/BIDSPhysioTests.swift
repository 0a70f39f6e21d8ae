import Foundation
import XCTest
@testable import Recording

/// BIDS physio export: gzip bytes on disk read back with the system gzip, checked against the sidecar.
final class BIDSPhysioTests: XCTestCase {
    private let stem = "sub-P0042_ses-3_task-exposure"
    /// The first head pose (onset zero of events.tsv) comes half a second after the session start, so a
    /// StartTime measured from the session start instead would be off by 0.5 s.
    private let poseLead = 0.5

    /// A record with 8 s of 90 Hz head poses and the given physio samples (times in s from the first pose),
    /// a step at the first pose (by display time) and a safety event at `safetyAt` (wall clock only).
    private func record(_ name: String, physio: [(kind: String, t: Double, value: Double)], safetyAt: Double = 2.75) throws -> SessionRecord {
        let store = try SessionStore(directory: temporaryDirectory(name))
        let meta = sampleMetadata("S-PHY")
        let rec = try store.create(meta)
        let zero = meta.startWallClock + poseLead
        for i in 0..<(8 * 90) {
            let t = Double(i) / 90
            rec.record(PoseSample(displayTimeNs: 7_000_000_000 + Int64(t * 1e9), wallClock: zero + t,
                                  position: SIMD3(0, 1.6, 0), orientation: SIMD4(0, 0, 0, 1)))
        }
        rec.record(RecordedEvent(sessionTime: poseLead, wallClock: zero, displayTimeNs: 7_000_000_000, kind: EventKind.step,
                                 actor: .protocol, payloadJSON: RecordedEvent.payload(["step": 1])))
        rec.record(RecordedEvent(sessionTime: poseLead + safetyAt, wallClock: zero + safetyAt, kind: EventKind.safety,
                                 actor: .safety, reason: "heart rate over limit"))
        for p in physio {
            rec.record(PhysioSample(kind: p.kind, value: p.value, sessionTime: poseLead + p.t, wallClock: zero + p.t))
        }
        try rec.finish(state: .completed, wallClock: zero + 8)
        return try store.read("S-PHY")
    }

    private func gunzip(_ url: URL) throws -> String {
        let gzip = ["/usr/bin/gzip", "/bin/gzip"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try XCTUnwrap(gzip, "no gzip binary to check the export with"))
        process.arguments = ["-dc", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "gzip -dc \(url.lastPathComponent) failed")
        return String(decoding: data, as: UTF8.self)
    }

    private func rows(_ text: String) -> [[String]] {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0.split(separator: "\t").map(String.init) }
    }

    private func json(_ url: URL) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    func testIrregularHeartRateIsHeldOnAFixedGridFromTheEventsZero() throws {
        // A strap reporting about once a second: intervals 1.0, 1.05, 0.95, 0.95, 1.05, 1.05, 0.95 (median 1 s).
        let hrTimes = [-0.25, 0.75, 1.80, 2.75, 3.70, 4.75, 5.80, 6.75]
        let eda = (0...8).map { (kind: "eda_us", t: Double($0) * 0.25, value: 2 + Double($0) / 10) }
        let r = try record("physio", physio: hrTimes.enumerated().map { (kind: "heart_rate_bpm", t: $0.element, value: 70 + Double($0.offset)) } + eda)
        let out = temporaryDirectory("physio-out")
        let result = try RecordExporter.export(r, format: .bids, to: out)
        let dir = out.appendingPathComponent("sub-P0042/ses-3/motion")

        let physioFiles = result.files.map { URL(fileURLWithPath: $0).lastPathComponent }.filter { $0.contains("_physio.") }
        XCTAssertEqual(Set(physioFiles), [
            "\(stem)_recording-heartratebpm_physio.tsv.gz", "\(stem)_recording-heartratebpm_physio.json",
            "\(stem)_recording-edaus_physio.tsv.gz", "\(stem)_recording-edaus_physio.json",
        ])

        let hrGz = dir.appendingPathComponent("\(stem)_recording-heartratebpm_physio.tsv.gz")
        XCTAssertEqual(Array(try Data(contentsOf: hrGz).prefix(2)), [0x1f, 0x8b], "gzip magic")
        let hr = rows(try gunzip(hrGz))
        let hrSidecar = try json(dir.appendingPathComponent("\(stem)_recording-heartratebpm_physio.json"))
        let columns = try XCTUnwrap(hrSidecar["Columns"] as? [String])
        XCTAssertEqual(columns, ["heart_rate_bpm"])
        XCTAssertTrue(hr.allSatisfy { $0.count == columns.count }, "one field per column in every row, no header")
        let fs = try XCTUnwrap(hrSidecar["SamplingFrequency"] as? Double)
        XCTAssertEqual(fs, 1)
        let start = try XCTUnwrap(hrSidecar["StartTime"] as? Double)
        XCTAssertEqual(start, -0.25, accuracy: 1e-6, "seconds from the first head pose, as events.tsv")
        XCTAssertEqual(hr.count, Int(((6.75 - -0.25) * fs).rounded(.down)) + 1, "rows = duration x rate + 1, none past the last sample")
        // Rows at -0.25, 0.75, 1.75, 2.75 ...: 1.75 still holds the 0.75 sample (the next arrives at 1.80),
        // 5.75 holds the 4.75 one (next at 5.80). Off by one row, these would differ.
        XCTAssertEqual(hr.map { Double($0[0]) }, [70, 71, 71, 73, 74, 75, 75, 77])
        let hrColumn = try XCTUnwrap(hrSidecar["heart_rate_bpm"] as? [String: Any])
        XCTAssertEqual(hrColumn["Units"] as? String, "bpm")
        XCTAssertEqual(hrSidecar["PhysioType"] as? String, "generic")
        XCTAssertTrue((hrColumn["Description"] as? String)?.contains("median rate") == true)

        // The safety event (wall clock only) and the physio row at the same instant share one time axis.
        let events = try String(contentsOf: dir.appendingPathComponent("\(stem)_events.tsv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let safetyOnset = try XCTUnwrap(Double(try XCTUnwrap(events.first { $0[2] == "safety" })[0]))
        XCTAssertEqual(safetyOnset, 2.75, accuracy: 1e-6)
        let row = Int(((safetyOnset - start) * fs).rounded())
        XCTAssertEqual(start + Double(row) / fs, safetyOnset, accuracy: 1e-6)
        XCTAssertEqual(Double(hr[row][0]), 73, "heart rate at the safety event")

        // A kind with another rate gets its own file, grid and start.
        let edaSidecar = try json(dir.appendingPathComponent("\(stem)_recording-edaus_physio.json"))
        XCTAssertEqual(edaSidecar["Columns"] as? [String], ["eda_us"])
        XCTAssertEqual(edaSidecar["SamplingFrequency"] as? Double, 4)
        XCTAssertEqual(try XCTUnwrap(edaSidecar["StartTime"] as? Double), 0, accuracy: 1e-6)
        XCTAssertEqual((edaSidecar["eda_us"] as? [String: Any])?["Units"] as? String, "uS")
        let edaRows = rows(try gunzip(dir.appendingPathComponent("\(stem)_recording-edaus_physio.tsv.gz")))
        XCTAssertEqual(edaRows.map { Double($0[0]) ?? -1 }, eda.map(\.value))

        // Same record, same bytes: the gzip header carries no timestamp.
        let again = temporaryDirectory("physio-again")
        _ = try RecordExporter.export(r, format: .bids, to: again)
        XCTAssertEqual(try Data(contentsOf: hrGz),
                       try Data(contentsOf: again.appendingPathComponent("sub-P0042/ses-3/motion/\(stem)_recording-heartratebpm_physio.tsv.gz")))
    }

    func testARecordWithoutPhysioWritesNoPhysioFiles() throws {
        let r = try record("nophysio", physio: [])
        let out = temporaryDirectory("nophysio-out")
        let result = try RecordExporter.export(r, format: .bids, to: out)
        let names = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("sub-P0042/ses-3/motion").path)
        XCTAssertTrue(names.contains("\(stem)_events.tsv"), "the rest of the export is still written")
        XCTAssertEqual(names.filter { $0.contains("_physio") }, [])
        XCTAssertEqual(result.files.filter { URL(fileURLWithPath: $0).lastPathComponent.contains("_physio") }, [])
    }

    func testDropoutsBecomeNAAndNothingIsInventedAfterTheLastSample() throws {
        // 1 Hz from 0 to 5 s, the strap drops out, then 15 and 16 s; a second kind with one sample has no rate.
        let times: [Double] = [0, 1, 2, 3, 4, 5, 15, 16]
        let r = try record("dropout", physio: times.map { (kind: "heart_rate_bpm", t: $0, value: 60 + $0) }
                           + [(kind: "skin_temp_c", t: 1, value: 33.5)])
        let out = temporaryDirectory("dropout-out")
        let result = try RecordExporter.export(r, format: .bids, to: out)
        XCTAssertEqual(result.files.filter { URL(fileURLWithPath: $0).lastPathComponent.contains("_physio") }.count, 2, "only heart rate: one sample gives no rate")
        let dir = out.appendingPathComponent("sub-P0042/ses-3/motion")
        let hr = rows(try gunzip(dir.appendingPathComponent("\(stem)_recording-heartratebpm_physio.tsv.gz"))).map { $0[0] }
        XCTAssertEqual(hr.count, 17)
        // Held for up to three periods after the 5 s sample (6, 7, 8 s), then n/a until 15 s.
        XCTAssertEqual(hr, ["60", "61", "62", "63", "64", "65", "65", "65", "65",
                            "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "75", "76"])
    }

    func testResamplingSurvivesBurstsAndOrder() throws {
        // Pairs 1 ms apart every second: the median interval is 1 ms, which would mean 1000 rows per second.
        var times: [Double] = []
        for s in 0..<10 { times += [Double(s), Double(s) + 0.001] }
        let values = times.map { $0 * 10 }
        let grid = try XCTUnwrap(BIDSPhysio.resample(times: times.reversed(), values: values.reversed()))
        XCTAssertLessThanOrEqual(grid.values.count, 4 * times.count)
        XCTAssertEqual(grid.samplingFrequency, 19 / 9.001, accuracy: 1e-4, "falls back to the mean rate")
        XCTAssertFalse(grid.values.contains(nil))
        XCTAssertEqual(grid.values.first ?? nil, 0)
        XCTAssertEqual(grid.startTime, 0)

        XCTAssertNil(BIDSPhysio.resample(times: [3, 3, 3], values: [1, 2, 3]), "no interval, no rate")
        XCTAssertNil(BIDSPhysio.resample(times: [.nan, 1], values: [1, 2]))
        XCTAssertEqual(BIDSPhysio.resample(times: [0, 0.5, 1], values: [1, .infinity, 3])?.values, [1, .infinity, 3])
    }
}
