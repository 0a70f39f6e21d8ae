// The simulated headset for one test, selected the way a clinic's runtime is: the real Khronos
// loader reads a runtime manifest (XR_RUNTIME_JSON) naming libSimulatedHeadset.so, the headset
// reads its script (docs/simulated-headset.md), and the OpenXR core validation layer writes what
// it finds to a file the test reads. Each fixture owns a fresh folder for all of these files and
// the frames the headset captures.
import Foundation

public struct SimulatedHeadsetFixture {
    public let directory: URL
    public let manifestURL: URL
    public let configURL: URL
    public let coreValidation: Bool
    /// Whether this process's loader variables point at this fixture (undone by `cleanUp`).
    public let selectedInProcess: Bool
    public var captureDirectory: URL { directory.appendingPathComponent("frames") }
    public var logURL: URL { directory.appendingPathComponent("runtime.log") }
    public var coreValidationURL: URL { directory.appendingPathComponent("core_validation.txt") }
    /// The simulated runtime's clock: frame N is displayed at epoch + (N + 1) * period.
    public static let epoch: Int64 = 1_000_000_000

    /// Writes the manifest and `script` (capture folder and log path filled in unless given).
    /// `selectInProcess` also sets the loader's variables in this process, for an in-process frame
    /// loop; a subprocess gets them from `environment` instead. Without `coreValidation` the layer
    /// is left out (a client that brings its own, or a probe that must see the bare runtime).
    /// Throws XCTSkip when libSimulatedHeadset.so is not built.
    public init(_ name: String, script: [String: Any], coreValidation: Bool = true, selectInProcess: Bool = true) throws {
        let library = try BuiltProducts.simulatedHeadsetLibrary()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("headset-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var config = script
        config["logPath"] = directory.appendingPathComponent("runtime.log").path
        if config["captureDirectory"] == nil { config["captureDirectory"] = directory.appendingPathComponent("frames").path }
        configURL = directory.appendingPathComponent("headset.json")
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted]).write(to: configURL)
        manifestURL = directory.appendingPathComponent("runtime.json")
        let manifest: [String: Any] = ["file_format_version": "1.0.0",
                                       "runtime": ["name": "Exposure Simulated Headset", "library_path": library]]
        try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
        self.coreValidation = coreValidation
        selectedInProcess = selectInProcess
        if selectInProcess {
            for (key, value) in loaderVariables { setenv(key, value, 1) }
            // A layer an earlier test enabled must not wrap this one's calls.
            if !coreValidation { unsetenv(Self.layersVariable) }
        }
    }

    private static let layersVariable = "XR_ENABLE_API_LAYERS"

    /// What the loader and the headset read: the runtime, its script, and core validation to a file.
    public var loaderVariables: [String: String] {
        var variables = ["XR_RUNTIME_JSON": manifestURL.path, "EXPOSURE_SIMHEADSET_CONFIG": configURL.path]
        if coreValidation {
            variables[Self.layersVariable] = "XR_APILAYER_LUNARG_core_validation"
            variables["XR_CORE_VALIDATION_EXPORT_TYPE"] = "text"
            variables["XR_CORE_VALIDATION_FILE_NAME"] = coreValidationURL.path
        }
        return variables
    }

    /// This process's environment with the headset selected, for a subprocess.
    public var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment.merging(loaderVariables) { _, new in new }
        if !coreValidation { env[Self.layersVariable] = nil }
        return env
    }

    public func runtimeLog() -> [String] {
        (try? String(contentsOf: logURL, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    /// Lines the core validation layer wrote that report a problem (it writes only when it finds one).
    public func coreValidationProblems() -> [String] {
        let text = (try? String(contentsOf: coreValidationURL, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init).filter {
            $0.contains("VUID") || $0.localizedCaseInsensitiveContains("error") || $0.localizedCaseInsensitiveContains("warning")
        }
    }

    /// The runtime's frame number for a display time (how captured frames are named).
    public static func frameIndex(displayTime: Int64, period: Int64) -> Int { Int((displayTime - epoch) / period) - 1 }
    /// Script seconds of a display time.
    public static func seconds(displayTime: Int64) -> Double { Double(displayTime - epoch) / 1e9 }

    /// The captured colour of one eye, as a PNG.
    public func framePath(_ index: Int, eye: Int) -> String {
        captureDirectory.appendingPathComponent(String(format: "frame-%06d-eye%d.png", index, eye)).path
    }

    /// The submitted depth of one eye (XR_KHR_composition_layer_depth), saved as a PFM (`FloatMap`).
    public func depthPath(_ index: Int, eye: Int) -> String {
        captureDirectory.appendingPathComponent(String(format: "frame-%06d-eye%d-depth.pfm", index, eye)).path
    }

    /// Deselects the headset in this process (when selected) and removes the folder.
    public func cleanUp() {
        if selectedInProcess { for key in loaderVariables.keys { unsetenv(key) } }
        try? FileManager.default.removeItem(at: directory)
    }
}
