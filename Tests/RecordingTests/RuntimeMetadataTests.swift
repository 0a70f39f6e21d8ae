import XCTest
@testable import Recording

/// What the running frame loop learns about the runtime and the headset reaches the record's
/// metadata, is read back, and is carried by every export.
final class RuntimeMetadataTests: XCTestCase {
    private func record(_ name: String) throws -> SessionRecord {
        let store = try SessionStore(directory: temporaryDirectory(name))
        let rec = try store.create(sampleMetadata())
        for i in 0..<20 {   // one second of head poses at 20 Hz
            rec.record(PoseSample(displayTimeNs: 1_000_000_000 + Int64(i) * 50_000_000, wallClock: 1_800_000_000 + Double(i) / 20,
                                  position: SIMD3(0, 1.6, 0), orientation: SIMD4(0, 0, 0, 1)))
        }
        // The first guess, then what the runtime said once known: later values replace earlier ones.
        rec.noteRuntime(["display_rate_hz": "62.5"])
        rec.noteRuntime(["runtime_name": "Monado", "runtime_version": "25.1.0", "headset_name": "Monado: Simulated HMD",
                         "display_rate_hz": "20.0", "display_rates_hz": "20.0,60.0", "recommended_view_size": "1280x1440",
                         "reference_space": "local", "interaction_profile": "/interaction_profiles/khr/simple_controller"])
        try rec.finish(state: .completed, wallClock: 1_800_000_060)
        return try store.read("S-001")
    }

    func testRuntimeFactsAreStoredAndReadBack() throws {
        let m = try record("meta").metadata
        XCTAssertEqual(m.runtimeName, "Monado")
        XCTAssertEqual(m.runtimeVersion, "25.1.0")
        XCTAssertEqual(m.headsetName, "Monado: Simulated HMD")
        XCTAssertEqual(m.displayRateHz, 20)
        XCTAssertEqual(m.displayRatesHz, [20, 60])
        XCTAssertEqual(m.recommendedViewSize, "1280x1440")
        XCTAssertEqual(m.referenceSpace, "local")
        XCTAssertEqual(m.interactionProfile, "/interaction_profiles/khr/simple_controller")
    }

    func testOlderRecordsWithoutTheFieldsReadCleanly() throws {
        let store = try SessionStore(directory: temporaryDirectory("old"))
        let rec = try store.create(sampleMetadata())
        try rec.finish(state: .completed, wallClock: 1_800_000_060)
        let r = try store.read("S-001")
        XCTAssertEqual(r.damage.count, 0, "\(r.damage)")
        XCTAssertEqual(r.metadata.runtimeVersion, "")
        XCTAssertEqual(r.metadata.displayRatesHz, [])
    }

    func testExportsCarryTheRuntimeFacts() throws {
        let r = try record("exports")
        let csv = temporaryDirectory("csv")
        _ = try RecordExporter.export(r, format: .csv, to: csv)
        let meta = try String(contentsOf: csv.appendingPathComponent("metadata.csv"), encoding: .utf8)
        for row in ["runtime_version,25.1.0", "display_rate_hz,20", "recommended_view_size,1280x1440", "reference_space,local",
                    "interaction_profile,/interaction_profiles/khr/simple_controller", "headset_name,Monado: Simulated HMD"] {
            XCTAssertTrue(meta.contains(row), "\(row) in:\n\(meta)")
        }
        let jsonl = temporaryDirectory("jsonl")
        _ = try RecordExporter.export(r, format: .jsonl, to: jsonl)
        let first = try String(contentsOf: jsonl.appendingPathComponent("session.jsonl"), encoding: .utf8).split(separator: "\n")[0]
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        XCTAssertEqual(object["runtime_version"] as? String, "25.1.0")
        XCTAssertEqual(object["display_rates_hz"] as? [Double], [20, 60])
        XCTAssertEqual(object["reference_space"] as? String, "local")

        let bids = temporaryDirectory("bids")
        _ = try RecordExporter.export(r, format: .bids, to: bids)
        let sidecarURL = bids.appendingPathComponent("sub-P0042/ses-3/motion/sub-P0042_ses-3_task-exposure_tracksys-hmd_motion.json")
        let sidecar = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: sidecarURL)) as? [String: Any])
        XCTAssertEqual(sidecar["SamplingFrequency"] as? Double, 20, "the display's rate, not a runtime's placeholder")
        XCTAssertEqual(sidecar["ManufacturersModelName"] as? String, "Monado: Simulated HMD")
        XCTAssertEqual(sidecar["TrackingSystemSoftwareVersion"] as? String, "Monado 25.1.0")
        XCTAssertEqual(sidecar["ReferenceSpace"] as? String, "local")
    }
}
