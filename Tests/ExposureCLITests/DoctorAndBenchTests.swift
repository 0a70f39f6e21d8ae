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

    func manifest(in dir: URL, name: String, library: String) throws -> URL {
        let url = dir.appendingPathComponent("\(UUID().uuidString).json")
        let object: [String: Any] = ["file_format_version": "1.0.0", "runtime": ["name": name, "library_path": library]]
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        return url
    }

    func runtimeLine(_ result: CLIResult) throws -> String {
        try XCTUnwrap(result.lines.first { $0.dropFirst(5).hasPrefix("OpenXR runtime:") }, result.stdout)
    }

    func testDoctorLoadsTheSelectedRuntime() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The simulated headset is a real OpenXR runtime built next to the binary.
        let simulated = try CLI.binary().deletingLastPathComponent().appendingPathComponent("libSimulatedHeadset.so")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: simulated.path), "libSimulatedHeadset.so is not built")
        let good = try CLI.run(["doctor"], environment: ["XR_RUNTIME_JSON": try manifest(in: dir, name: "Simulated Test Headset", library: simulated.path).path])
        let line = try runtimeLine(good)
        XCTAssertTrue(line.hasPrefix("ok   ") && line.contains("Simulated Test Headset") && line.contains("XR_KHR_vulkan_enable2"), line)
        XCTAssertTrue(good.stdout.contains("ready      headset sessions"), good.stdout)

        // A file that is not a shared library: selected, present, but the loader refuses it.
        let fake = dir.appendingPathComponent("libfake_runtime.so")
        FileManager.default.createFile(atPath: fake.path, contents: Data("not a library".utf8))
        let refused = try runtimeLine(try CLI.run(["doctor"], environment: ["XR_RUNTIME_JSON": try manifest(in: dir, name: "Fake", library: "./libfake_runtime.so").path]))
        XCTAssertTrue(refused.hasPrefix("FAIL") && refused.contains("cannot load"), refused)

        let gone = try runtimeLine(try CLI.run(["doctor"], environment: ["XR_RUNTIME_JSON": try manifest(in: dir, name: "Gone", library: "./libgone.so").path]))
        XCTAssertTrue(gone.hasPrefix("FAIL") && gone.contains(dir.appendingPathComponent("libgone.so").path) && gone.contains("missing"), gone)
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

    func testBenchControlPrintsJSON() throws {
        let result = try CLI.run(["bench", "control", "--observers", "1", "--commands", "4", "--command-rate", "20"])
        XCTAssertEqual(result.status, 0, result.output)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        XCTAssertEqual(object["commands"] as? Int, 4)
        XCTAssertEqual(object["observers"] as? Int, 1)
        for key in ["ack_ms_median", "ack_ms_p99", "confirmed_ms_median", "confirmed_ms_p99"] {
            XCTAssertGreaterThan(number(object[key]) ?? 0, 0, key)
        }
        XCTAssertLessThanOrEqual(number(object["ack_ms_median"]) ?? 1, number(object["confirmed_ms_median"]) ?? 0,
                                 "a command is acknowledged before telemetry confirms it")
        XCTAssertNotNil(number(object["observer_telemetry_per_s_min"]))
    }

    func testBenchIsOneGroupAndTheOldNamesAreGone() throws {
        let help = try CLI.run(["bench", "--help"])
        for sub in ["render", "environments", "record", "control"] {
            XCTAssertNotNil(help.stdout.range(of: "\n +\(sub) ", options: .regularExpression), "bench lists \(sub): \(help.stdout)")
        }
        for old in ["bench-environments", "bench-record", "bench-control"] {
            XCTAssertNotEqual(try CLI.run([old]).status, 0, "\(old) is no longer a command")
        }
    }
}
