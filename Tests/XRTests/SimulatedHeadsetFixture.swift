// Points the real OpenXR loader at the simulated headset (XR_RUNTIME_JSON) with a per-test script,
// and enables XR_APILAYER_LUNARG_core_validation writing to a file the test checks.
import Foundation
import XCTest

struct SimulatedHeadsetFixture {
    let directory: URL
    var captureDirectory: URL { directory.appendingPathComponent("frames") }
    var logURL: URL { directory.appendingPathComponent("runtime.log") }
    var coreValidationURL: URL { directory.appendingPathComponent("core_validation.txt") }
    let configURL: URL
    let manifestURL: URL
    /// The simulated runtime's clock: frame N is displayed at epoch + (N + 1) * period.
    static let epoch: Int64 = 1_000_000_000

    /// The built runtime library, next to the test bundle (swift build --build-tests builds it).
    static func libraryPath() -> String? {
        var candidates: [URL] = []
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 { candidates.append(dir.appendingPathComponent("libSimulatedHeadset.so")); dir.deleteLastPathComponent() }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/libSimulatedHeadset.so"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }?.path
    }

    /// `script` is the headset config (docs/simulated-headset.md); capture and log paths are filled in.
    init(_ name: String, script: [String: Any], coreValidation: Bool = true) throws {
        guard let lib = SimulatedHeadsetFixture.libraryPath() else {
            throw XCTSkip("libSimulatedHeadset.so not built; run swift build --build-tests")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("xr-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var config = script
        config["logPath"] = directory.appendingPathComponent("runtime.log").path
        if config["captureDirectory"] == nil { config["captureDirectory"] = directory.appendingPathComponent("frames").path }
        configURL = directory.appendingPathComponent("headset.json")
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted]).write(to: configURL)
        manifestURL = directory.appendingPathComponent("runtime.json")
        let manifest: [String: Any] = ["file_format_version": "1.0.0",
                                       "runtime": ["name": "Exposure Simulated Headset", "library_path": lib]]
        try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
        setenv("XR_RUNTIME_JSON", manifestURL.path, 1)
        setenv("EXPOSURE_SIMHEADSET_CONFIG", configURL.path, 1)
        if coreValidation {
            setenv("XR_ENABLE_API_LAYERS", "XR_APILAYER_LUNARG_core_validation", 1)
            setenv("XR_CORE_VALIDATION_EXPORT_TYPE", "text", 1)
            setenv("XR_CORE_VALIDATION_FILE_NAME", directory.appendingPathComponent("core_validation.txt").path, 1)
        } else {
            unsetenv("XR_ENABLE_API_LAYERS")
        }
    }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["XR_RUNTIME_JSON"] = manifestURL.path
        env["EXPOSURE_SIMHEADSET_CONFIG"] = configURL.path
        return env
    }

    func runtimeLog() -> [String] {
        (try? String(contentsOf: logURL, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    /// Lines the core validation layer wrote that report a problem.
    func coreValidationProblems() -> [String] {
        let text = (try? String(contentsOf: coreValidationURL, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init).filter {
            $0.contains("VUID") || $0.localizedCaseInsensitiveContains("error") || $0.localizedCaseInsensitiveContains("warning")
        }
    }

    /// The runtime's frame index for a predicted display time (how captured PNGs are named).
    static func frameIndex(displayTime: Int64, period: Int64) -> Int { Int((displayTime - epoch) / period) - 1 }

    func framePath(_ index: Int, eye: Int) -> String {
        captureDirectory.appendingPathComponent(String(format: "frame-%06d-eye%d.png", index, eye)).path
    }

    /// The submitted depth of one eye (XR_KHR_composition_layer_depth), saved as a PFM.
    func depthPath(_ index: Int, eye: Int) -> String {
        captureDirectory.appendingPathComponent(String(format: "frame-%06d-eye%d-depth.pfm", index, eye)).path
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }
}

struct FloatMapError: Error, CustomStringConvertible {
    let path: String
    var description: String { "not a little-endian greyscale PFM of the size its header names: \(path)" }
}

/// A greyscale Portable Float Map as the simulated headset writes it, rows top to bottom.
struct FloatMap {
    let width: Int, height: Int
    let values: [Float]
    subscript(x: Int, y: Int) -> Float { values[y * width + x] }

    init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        // Header: "Pf", width and height, scale (negative: little-endian), each line ending in a newline.
        var lines: [String] = [], offset = 0
        while lines.count < 3, let nl = data[offset...].firstIndex(of: 0x0A) {
            lines.append(String(decoding: data[offset..<nl], as: UTF8.self))
            offset = nl + 1
        }
        let size = lines.count == 3 ? lines[1].split(separator: " ").compactMap { Int($0) } : []
        guard lines.first == "Pf", size.count == 2, lines[2].hasPrefix("-"), data.count - offset == size[0] * size[1] * 4 else {
            throw FloatMapError(path: path)
        }
        let (w, h) = (size[0], size[1])
        let count = size[0] * size[1]
        let rowsBottomUp: [Float] = data[offset...].withUnsafeBytes { raw in
            (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
        }
        values = (0..<h).reversed().flatMap { rowsBottomUp[($0 * w)..<(($0 + 1) * w)] }
        width = w; height = h
    }
}
