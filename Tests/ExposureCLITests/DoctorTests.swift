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
