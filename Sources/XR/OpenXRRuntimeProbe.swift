// For `exposure doctor`: which OpenXR runtime is active, does it start, and if not, what to do.
import COpenXR
import Foundation

public struct OpenXRRuntimeReport: Equatable, Sendable {
    /// The manifest the loader will use, and where it was found.
    public var manifestPath: String?
    public var manifestSource: String?
    public var runtimeName: String?
    public var runtimeVersion: String?
    public var problem: String?
    public var advice: String?
    public var ok: Bool { runtimeName != nil && problem == nil }

    public var description: String {
        if let name = runtimeName, problem == nil {
            return "OpenXR runtime: \(name) \(runtimeVersion ?? "") (\(manifestPath ?? "?"), from \(manifestSource ?? "?"))"
        }
        return "OpenXR runtime: none usable. \(problem ?? "")" + (advice.map { " \($0)" } ?? "")
    }
}

public enum OpenXRRuntimeProbe {
    static let advice = "Install and select an OpenXR runtime: Monado (apt install monado-service, then run monado-service), "
        + "or SteamVR (Settings > OpenXR > Set SteamVR as OpenXR runtime). Without one, use desktop mode."

    /// Where the loader looks for the active runtime, in its order (OpenXR loader spec, Linux).
    public static func findManifest(environment env: [String: String],
                                    exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) -> (path: String, source: String)? {
        if let p = env["XR_RUNTIME_JSON"], !p.isEmpty {
            return exists(p) ? (p, "XR_RUNTIME_JSON") : nil
        }
        let home = env["HOME"].map { "\($0)/.config" }
        if let config = env["XDG_CONFIG_HOME"].flatMap({ $0.isEmpty ? nil : $0 }) ?? home {
            let p = "\(config)/openxr/1/active_runtime.json"
            if exists(p) { return (p, "XDG_CONFIG_HOME") }
        }
        let dirs = (env["XDG_CONFIG_DIRS"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/xdg").split(separator: ":").map(String.init)
        for dir in dirs + ["/etc"] {
            let p = "\(dir)/openxr/1/active_runtime.json"
            if exists(p) { return (p, dir == "/etc" ? "/etc" : "XDG_CONFIG_DIRS") }
        }
        return nil
    }

    /// Finds the active runtime and tries to create an instance with XR_KHR_vulkan_enable2.
    public static func probe(environment: [String: String] = ProcessInfo.processInfo.environment) -> OpenXRRuntimeReport {
        var report = OpenXRRuntimeReport()
        guard let found = findManifest(environment: environment) else {
            if let p = environment["XR_RUNTIME_JSON"], !p.isEmpty {
                report.problem = "XR_RUNTIME_JSON names \(p), which does not exist."
            } else {
                report.problem = "No active runtime manifest (XR_RUNTIME_JSON, $XDG_CONFIG_HOME/openxr/1/active_runtime.json, /etc/xdg/openxr/1/active_runtime.json)."
            }
            report.advice = advice
            return report
        }
        report.manifestPath = found.path
        report.manifestSource = found.source
        do {
            let instance = try XRInstance(appName: "exposure-doctor", messages: MessageLog(), wantDepth: false)
            report.runtimeName = instance.runtimeName
            report.runtimeVersion = instance.runtimeVersion
        } catch {
            report.problem = "The runtime in \(found.path) did not start: \(error)."
            report.advice = "Check that the runtime service is running (Monado: monado-service; SteamVR: start SteamVR) and a headset is connected. " + advice
        }
        return report
    }
}
