import Foundation
import XCTest

final class DoctorTests: XCTestCase {
    func testDoctorPrintsOneLinePerCheckAndWhichModesWork() throws {
        let result = try CLI.run(["doctor"])
        // The exit status depends on the machine (headset runtime, sound card); the lines do not.
        let checks = result.lines.filter { $0.hasPrefix("ok   ") || $0.hasPrefix("FAIL ") }
        for name in ["Vulkan loader", "Vulkan renderer", "OpenXR runtime", "Simulated headset", "Audio device", "Audio loopback", "glslc"] {
            XCTAssertEqual(checks.filter { $0.dropFirst(5).hasPrefix(name + ":") }.count, 1, "one line for \(name): \(result.stdout)")
        }
        // scripts/install-deps installs lavapipe, so rendering works on every machine the tests run on.
        XCTAssertTrue(checks.contains { $0.hasPrefix("ok   Vulkan renderer:") }, result.stdout)
        XCTAssertTrue(checks.contains { $0.hasPrefix("ok   Vulkan renderer:") && $0.contains("depth handed to the compositor") }, "lavapipe has Vulkan 1.2: " + result.stdout)
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
        XCTAssertTrue(result.lines[line].contains("none.json") && result.lines[line].contains("desktop mode still works"), result.lines[line])
        XCTAssertTrue(result.lines[line + 1].contains("monado-service") && result.lines[line + 1].contains("SteamVR"), result.lines[line + 1])
        XCTAssertTrue(result.stdout.contains("ready      render previews and desktop mode"), result.stdout)
        XCTAssertTrue(result.stdout.contains("NOT READY  headset sessions"), result.stdout)
    }

    func manifest(in dir: URL, name: String, library: String) throws -> URL {
        let url = dir.appendingPathComponent("\(UUID().uuidString).json")
        let object: [String: Any] = ["file_format_version": "1.0.0", "runtime": ["name": name, "library_path": library]]
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        return url
    }

    /// The environment that selects the simulated headset (built next to the binary) playing `script`.
    func simulated(in dir: URL, script: [String: Any]) throws -> [String: String] {
        let library = try CLI.binary().deletingLastPathComponent().appendingPathComponent("libSimulatedHeadset.so")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: library.path), "libSimulatedHeadset.so is not built")
        let config = dir.appendingPathComponent("\(UUID().uuidString)-headset.json")
        var script = script
        script["logPath"] = dir.appendingPathComponent("headset.log").path
        try JSONSerialization.data(withJSONObject: script).write(to: config)
        return ["XR_RUNTIME_JSON": try manifest(in: dir, name: "Simulated Test Headset", library: library.path).path,
                "EXPOSURE_SIMHEADSET_CONFIG": config.path]
    }

    func sessionLine(_ result: CLIResult) throws -> String {
        try XCTUnwrap(result.lines.first { $0.dropFirst(5).hasPrefix("OpenXR session:") }, result.stdout)
    }

    func testDoctorMeasuresTheHeaviestEnvironmentAgainstTheDisplayRate() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 1 Hz on the wall clock (a debug build draws the full crowd in about 0.35 s on lavapipe): held, with the measured figure and the recommended view size.
        let slow = try CLI.run(["doctor"], environment: try simulated(in: dir, script: [
            "displayRateHz": 1, "realTime": true, "width": 16, "height": 16, "systemName": "Doctor Test HMD"]), timeout: 120)
        let held = try sessionLine(slow)
        XCTAssertTrue(held.hasPrefix("ok   "), held)
        XCTAssertTrue(held.contains("16x16 per eye") && held.contains("Doctor Test HMD"), held)
        XCTAssertTrue(held.contains("frames/s measured against the display's 1.0 Hz") && held.contains("holds the display rate"), held)
        XCTAssertTrue(held.contains("crowds"), "the heaviest bundled environment is a crowd: \(held)")
        let log = (try? String(contentsOf: dir.appendingPathComponent("headset.log"), encoding: .utf8)) ?? ""
        XCTAssertTrue(log.contains("session begun") && log.contains("session ended"), "a session was started and ended:\n\(log)")

        // 90 Hz at 512x512 per eye on the wall clock: a software Vulkan device cannot keep up.
        let fast = try CLI.run(["doctor"], environment: try simulated(in: dir, script: [
            "displayRateHz": 90, "realTime": true, "width": 512, "height": 512]), timeout: 120)
        let dropped = try sessionLine(fast)
        XCTAssertTrue(dropped.hasPrefix("FAIL") && dropped.contains("512x512 per eye") && dropped.contains("cannot hold the display rate"), dropped)
        XCTAssertTrue(dropped.contains("against the display's 90.0 Hz"), dropped)
        XCTAssertTrue(fast.stdout.split(separator: "\n").contains { $0.hasPrefix("NOT READY  headset sessions") && $0.hasSuffix("fix OpenXR session") },
                      fast.stdout)
        XCTAssertNotEqual(fast.status, 0)
    }

    func testDoctorReportsARuntimeWhoseCompositorCannotStart() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLI.run(["doctor"], environment: try simulated(in: dir, script: ["compositorFails": true]), timeout: 120)
        XCTAssertTrue(try runtimeLine(result).hasPrefix("ok   "), "the instance starts")
        let line = try sessionLine(result)
        XCTAssertTrue(line.hasPrefix("FAIL") && line.contains("could not start") && line.contains("XR_ERROR_INITIALIZATION_FAILED"), line)
        XCTAssertTrue(result.stdout.contains("NOT READY  headset sessions"), result.stdout)
        XCTAssertNotEqual(result.status, 0)
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
        // A slow display (1 Hz, paced on the wall clock) any machine holds.
        let good = try CLI.run(["doctor"], environment: try self.simulated(in: dir, script: ["displayRateHz": 1, "realTime": true, "width": 16, "height": 16]), timeout: 120)
        let line = try runtimeLine(good)
        // The name is the one the running runtime reports, not the manifest's.
        XCTAssertTrue(line.hasPrefix("ok   ") && line.contains("Exposure Simulated Headset") && line.contains("XR_KHR_vulkan_enable2"), line)
        XCTAssertTrue(good.stdout.contains("ready      headset sessions"), good.stdout)

        // A file that is not a shared library: selected, present, but the loader refuses it.
        let fake = dir.appendingPathComponent("libfake_runtime.so")
        FileManager.default.createFile(atPath: fake.path, contents: Data("not a library".utf8))
        let refused = try runtimeLine(try CLI.run(["doctor"], environment: ["XR_RUNTIME_JSON": try manifest(in: dir, name: "Fake", library: "./libfake_runtime.so").path]))
        XCTAssertTrue(refused.hasPrefix("FAIL") && refused.contains("did not start"), refused)

        let gone = try CLI.run(["doctor"], environment: ["XR_RUNTIME_JSON": try manifest(in: dir, name: "Gone", library: "./libgone.so").path])
        let goneLine = try runtimeLine(gone)
        XCTAssertTrue(goneLine.hasPrefix("FAIL"), goneLine)
        XCTAssertTrue(gone.stdout.contains("NOT READY  headset sessions"), gone.stdout)
    }
}
