import Foundation
import XCTest

final class DoctorAndBenchTests: XCTestCase {
    /// JSON numbers as Double, whether they were written as 90 or 90.5.
    func number(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }

    func testDoctorPrintsOneLinePerCheckAndWhichModesWork() throws {
        let result = try CLI.run(["doctor"])
        // The exit status depends on the machine (headset runtime, sound card); the lines do not.
        let checks = result.lines.filter { $0.hasPrefix("ok   ") || $0.hasPrefix("FAIL ") }
        for name in ["Vulkan loader", "Vulkan renderer", "OpenXR runtime", "Simulated headset", "Audio device", "Audio loopback", "glslc"] {
            XCTAssertEqual(checks.filter { $0.dropFirst(5).hasPrefix(name + ":") }.count, 1, "one line for \(name): \(result.stdout)")
        }
        // scripts/install-deps installs lavapipe, so rendering works on every machine the tests run on.
        XCTAssertTrue(checks.contains { $0.hasPrefix("ok   Vulkan renderer:") }, result.stdout)
        XCTAssertTrue(result.stdout.contains("ready      render previews and desktop mode"), result.stdout)
        let failed = checks.filter { $0.hasPrefix("FAIL") }
        for line in failed {
            let index = try XCTUnwrap(result.lines.firstIndex(of: line))
            XCTAssertTrue(result.lines[index + 1].hasPrefix("     fix: "), "a fix follows \(line)")
        }
        XCTAssertEqual(result.status == 0, failed.isEmpty, "non-zero exactly when a check fails")
        XCTAssertTrue(result.stdout.contains(failed.isEmpty ? "all \(checks.count) checks passed" : "\(failed.count) of \(checks.count) checks failed"),
                      result.stdout)
    }

    func testDoctorNamesAMissingRuntimeAndHowToInstallOne() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLI.run(["doctor"], environment: ["XR_RUNTIME_JSON": dir.appendingPathComponent("none.json").path])
        XCTAssertNotEqual(result.status, 0)
        let line = try XCTUnwrap(result.lines.firstIndex { $0.hasPrefix("FAIL OpenXR runtime:") }, result.stdout)
        XCTAssertTrue(result.lines[line].contains("none.json"))
        XCTAssertTrue(result.lines[line + 1].contains("monado-service") && result.lines[line + 1].contains("SteamVR"), result.lines[line + 1])
        XCTAssertTrue(result.stdout.contains("NOT READY  headset sessions"), result.stdout)
    }

    func testDoctorReadsTheSelectedRuntimeManifest() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let library = dir.appendingPathComponent("libfake_runtime.so")
        FileManager.default.createFile(atPath: library.path, contents: Data([0x7f]))
        let manifest = dir.appendingPathComponent("fake.json")
        try #"{"file_format_version": "1.0.0", "runtime": {"name": "Fake Runtime", "library_path": "./libfake_runtime.so"}}"#
            .write(to: manifest, atomically: true, encoding: .utf8)
        let result = try CLI.run(["doctor"], environment: ["XR_RUNTIME_JSON": manifest.path])
        let line = try XCTUnwrap(result.lines.first { $0.contains("OpenXR runtime:") }, result.stdout)
        XCTAssertTrue(line.hasPrefix("ok   ") && line.contains("Fake Runtime") && line.contains(library.path), line)

        try FileManager.default.removeItem(at: library)
        let missing = try CLI.run(["doctor"], environment: ["XR_RUNTIME_JSON": manifest.path])
        let failLine = try XCTUnwrap(missing.lines.first { $0.contains("OpenXR runtime:") })
        XCTAssertTrue(failLine.hasPrefix("FAIL") && failLine.contains("missing"), failLine)
    }

    func testBenchRenderPrintsTheDocumentedJSON() throws {
        let result = try CLI.run(["bench", "render", "--frames", "2", "--width", "64", "--height", "64"])
        XCTAssertEqual(result.status, 0, result.output)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        XCTAssertEqual(object["width"] as? Int, 64)
        XCTAssertEqual(object["height"] as? Int, 64)
        XCTAssertEqual(object["frames"] as? Int, 2)
        XCTAssertEqual(object["eyes"] as? Int, 2)
        XCTAssertGreaterThan(object["instances"] as? Int ?? 0, 0)
        XCTAssertGreaterThanOrEqual(object["samples"] as? Int ?? 0, 1)
        XCTAssertFalse((object["device"] as? String ?? "").isEmpty)
        for key in ["cpu_ms_median", "cpu_ms_p99", "fps"] {
            XCTAssertGreaterThan(number(object[key]) ?? 0, 0, key)
        }
        XCTAssertLessThanOrEqual(number(object["cpu_ms_median"]) ?? 1, number(object["cpu_ms_p99"]) ?? 0)
    }

    func testBenchRecordPrintsJSON() throws {
        let result = try CLI.run(["bench", "record", "--seconds", "0.2"])
        XCTAssertEqual(result.status, 0, result.output)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        let paced = try XCTUnwrap(object["paced"] as? [String: Any])
        XCTAssertEqual(number(paced["rate_hz"]), 90)
        XCTAssertEqual(paced["poses_committed"] as? Int, 18, "0.2 s at 90 Hz, all committed")
        XCTAssertNotNil(number(paced["frame_cost_ms_p99"]))
        let flat = try XCTUnwrap(object["flat_out"] as? [String: Any])
        XCTAssertGreaterThan(number(flat["poses_per_s"]) ?? 0, 0)
    }

    func testBenchIsOneGroupAndTheOldNamesAreGone() throws {
        let help = try CLI.run(["bench", "--help"])
        for sub in ["render", "environments", "record"] {
            XCTAssertNotNil(help.stdout.range(of: "\n +\(sub) ", options: .regularExpression), "bench lists \(sub): \(help.stdout)")
        }
        for old in ["bench-environments", "bench-record"] {
            XCTAssertNotEqual(try CLI.run([old]).status, 0, "\(old) is no longer a command")
        }
    }
}
