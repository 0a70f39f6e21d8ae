// Points the real OpenXR loader at the project's simulated headset: writes a runtime manifest
// naming the built library and a headset script (docs/simulated-headset.md), and sets the two
// environment variables the loader and the headset read. Used by `exposure demo` and tests.
import Foundation

public enum SimulatedHeadsetSetup {
    public enum Problem: Error, CustomStringConvertible {
        case libraryMissing([String])
        public var description: String {
            switch self {
            case .libraryMissing(let looked):
                return "libSimulatedHeadset.so was not found (looked in \(looked.joined(separator: ", "))); build it with `swift build --product SimulatedHeadset`"
            }
        }
    }

    /// The library next to the running executable (SwiftPM puts products side by side).
    public static func libraryPath() throws -> String {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates = [exe.deletingLastPathComponent().appendingPathComponent("libSimulatedHeadset.so").path]
        if let bundle = Bundle.main.executableURL?.deletingLastPathComponent() {
            candidates.append(bundle.appendingPathComponent("libSimulatedHeadset.so").path)
        }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw Problem.libraryMissing(candidates)
    }

    /// Writes the manifest and `script` (JSON object) into `directory` and selects the headset.
    @discardableResult
    public static func install(script: [String: Any], in directory: URL) throws -> (manifest: URL, config: URL) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let manifest = directory.appendingPathComponent("simulated-runtime.json")
        let config = directory.appendingPathComponent("simulated-headset.json")
        let body: [String: Any] = ["file_format_version": "1.0.0",
                                   "runtime": ["name": "Exposure Simulated Headset", "library_path": try libraryPath()]]
        try JSONSerialization.data(withJSONObject: body, options: [.prettyPrinted, .sortedKeys]).write(to: manifest)
        try JSONSerialization.data(withJSONObject: script, options: [.prettyPrinted, .sortedKeys]).write(to: config)
        setenv("XR_RUNTIME_JSON", manifest.path, 1)
        setenv("EXPOSURE_SIMHEADSET_CONFIG", config.path, 1)
        return (manifest, config)
    }

    /// A patient standing on the spot who looks around and, every few minutes, down over the edge;
    /// optionally holds both grips for 1.2 s at `optOutAt` seconds (the opt-out gesture).
    public static func demoScript(displayRateHz: Double, eyeSize: Int, minutes: Double, optOutAt: Double?,
                                  captureDirectory: String?, captureFrames: [Int]?, logPath: String? = nil) -> [String: Any] {
        var path: [[String: Any]] = []
        var t = 0.0
        var k = 0
        while t <= minutes * 60 + 30 {
            let yaw = [0.0, 35, 0, -35][k % 4]
            let pitch = k % 3 == 2 ? -50.0 : -10.0
            path.append(["t": t, "position": [0, 1.65, 0], "yawDegrees": yaw, "pitchDegrees": pitch])
            t += 20; k += 1
        }
        var script: [String: Any] = ["displayRateHz": displayRateHz, "width": eyeSize, "height": eyeSize,
                                     "realTime": false, "headPath": path]
        if let optOutAt {
            script["inputs"] = [
                ["path": "/user/hand/left/input/squeeze/value", "from": optOutAt, "to": optOutAt + 1.2, "value": 1.0],
                ["path": "/user/hand/right/input/squeeze/value", "from": optOutAt, "to": optOutAt + 1.2, "value": 1.0],
            ]
        }
        if let captureDirectory { script["captureDirectory"] = captureDirectory }
        if let captureFrames { script["captureFrames"] = captureFrames }
        if let logPath { script["logPath"] = logPath }
        return script
    }
}
