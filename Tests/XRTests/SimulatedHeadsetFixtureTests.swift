// Checks the shared simulated-headset fixture (Tests/HeadsetTestSupport) itself: the files it
// writes for the loader, the variables it sets and removes, and its reader of captured depth.
import Foundation
import HeadsetTestSupport
import XCTest

final class SimulatedHeadsetFixtureTests: XCTestCase {
    func testWritesManifestAndScriptAndSelectsTheHeadsetUntilCleanUp() throws {
        let fixture = try SimulatedHeadsetFixture("selftest", script: ["width": 32, "captureFrames": [3]])
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: fixture.manifestURL)) as? [String: Any])
        let runtime = try XCTUnwrap(manifest["runtime"] as? [String: Any])
        let library = try XCTUnwrap(runtime["library_path"] as? String)
        XCTAssertTrue(library.hasSuffix("libSimulatedHeadset.so") && FileManager.default.fileExists(atPath: library), library)
        let script = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: fixture.configURL)) as? [String: Any])
        XCTAssertEqual(script["width"] as? Int, 32)
        XCTAssertEqual(script["logPath"] as? String, fixture.logURL.path)
        XCTAssertEqual(script["captureDirectory"] as? String, fixture.captureDirectory.path)
        XCTAssertEqual(fixture.framePath(3, eye: 1), fixture.captureDirectory.path + "/frame-000003-eye1.png")

        XCTAssertEqual(ProcessInfo.processInfo.environment["XR_RUNTIME_JSON"], fixture.manifestURL.path)
        XCTAssertEqual(ProcessInfo.processInfo.environment["XR_CORE_VALIDATION_FILE_NAME"], fixture.coreValidationURL.path)
        fixture.cleanUp()
        XCTAssertNil(ProcessInfo.processInfo.environment["XR_RUNTIME_JSON"], "cleanUp must deselect the headset")
        XCTAssertNil(ProcessInfo.processInfo.environment["XR_ENABLE_API_LAYERS"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.directory.path))
    }

    func testWithoutCoreValidationASubprocessGetsNoLayer() throws {
        setenv("XR_ENABLE_API_LAYERS", "XR_APILAYER_LUNARG_core_validation", 1)
        let fixture = try SimulatedHeadsetFixture("nolayer", script: [:], coreValidation: false, selectInProcess: false)
        defer { fixture.cleanUp(); unsetenv("XR_ENABLE_API_LAYERS") }
        XCTAssertNil(fixture.environment["XR_ENABLE_API_LAYERS"])
        XCTAssertEqual(fixture.environment["EXPOSURE_SIMHEADSET_CONFIG"], fixture.configURL.path)
        XCTAssertNotEqual(ProcessInfo.processInfo.environment["EXPOSURE_SIMHEADSET_CONFIG"], fixture.configURL.path,
                          "a fixture for a subprocess must leave this process alone")
    }

    func testFloatMapFlipsRowsToTopDownAndRejectsAMalformedFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pfm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // 2 x 2, stored bottom row first: bottom = (1, 2), top = (3, 4).
        func pfm(_ header: String, _ values: [Float]) -> Data {
            var data = Data(header.utf8)
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            return data
        }
        let good = directory.appendingPathComponent("good.pfm")
        try pfm("Pf\n2 2\n-1.0\n", [1, 2, 3, 4]).write(to: good)
        let map = try FloatMap(path: good.path)
        XCTAssertEqual([map.width, map.height], [2, 2])
        XCTAssertEqual([map[0, 0], map[1, 0], map[0, 1], map[1, 1]], [3, 4, 1, 2])

        for (name, data) in [("short", pfm("Pf\n2 2\n-1.0\n", [1, 2, 3])), ("bigendian", pfm("Pf\n2 2\n1.0\n", [1, 2, 3, 4])),
                             ("colour", pfm("PF\n2 2\n-1.0\n", [1, 2, 3, 4])), ("negative", pfm("Pf\n-1 -1\n-1.0\n", [1]))] {
            let url = directory.appendingPathComponent("\(name).pfm")
            try data.write(to: url)
            XCTAssertThrowsError(try FloatMap(path: url.path), name) { error in
                XCTAssertTrue("\(error)".contains(url.path), "\(name): the error names the file: \(error)")
            }
        }
    }
}
