import COpenXR
import Foundation

/// The headset part of `exposure doctor`: which OpenXR runtime the Khronos loader will use, found
/// the way the loader finds it (XR_RUNTIME_JSON, then active_runtime.json in the XDG config
/// folders, then /etc), and whether the simulated headset the tests use was built.
enum HeadsetDoctor {
    static func checks() -> [DoctorCheck] {
        [runtimeCheck(environment: ProcessInfo.processInfo.environment), simulatedHeadsetCheck()]
    }

    static let installHint = """
        install and select a runtime: Monado (`sudo apt-get install monado-service`, then \
        `monado-service` running, and its active_runtime.json in /etc/xdg/openxr/1/) or SteamVR \
        (in SteamVR: Settings > OpenXR > Set SteamVR as OpenXR Runtime); XR_RUNTIME_JSON=<manifest> \
        selects one for this shell only
        """

    /// Where the loader looks, in its order; the first that exists wins.
    static func manifestCandidates(environment env: [String: String]) -> [(path: String, how: String)] {
        var list: [(String, String)] = []
        if let explicit = env["XR_RUNTIME_JSON"], !explicit.isEmpty { list.append((explicit, "XR_RUNTIME_JSON")) }
        let home = env["HOME"] ?? NSHomeDirectory()
        let configHome = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        var dirs = [configHome]
        dirs += (env["XDG_CONFIG_DIRS"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/xdg").split(separator: ":").map(String.init)
        dirs.append("/etc")
        for dir in dirs {
            list.append((dir + "/openxr/1/active_runtime.\(loaderArchitecture).json", "active runtime"))
            list.append((dir + "/openxr/1/active_runtime.json", "active runtime"))
        }
        return list
    }

    /// Newer loaders prefer a manifest named for the CPU architecture.
    static var loaderArchitecture: String {
        #if arch(arm64)
        return "aarch64"
        #else
        return "x86_64"
        #endif
    }

    static func runtimeCheck(environment env: [String: String]) -> DoctorCheck {
        let fm = FileManager.default
        let candidates = manifestCandidates(environment: env)
        guard let found = candidates.first(where: { fm.fileExists(atPath: $0.path) }) else {
            if let explicit = env["XR_RUNTIME_JSON"], !explicit.isEmpty {
                return .fail("OpenXR runtime", "XR_RUNTIME_JSON points at \(explicit), which does not exist",
                             fix: "unset XR_RUNTIME_JSON or point it at a runtime manifest; or " + installHint, for: .headset)
            }
            return .fail("OpenXR runtime", "no active OpenXR runtime (no active_runtime.json in ~/.config/openxr/1, /etc/xdg/openxr/1 or /etc/openxr/1); headset sessions cannot start",
                         fix: installHint, for: .headset)
        }
        let manifest = found.path
        guard let data = fm.contents(atPath: manifest),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let runtime = object["runtime"] as? [String: Any],
              let library = runtime["library_path"] as? String, !library.isEmpty else {
            return .fail("OpenXR runtime", "\(manifest) (\(found.how)) is not a valid runtime manifest (needs runtime.library_path)",
                         fix: "reinstall the runtime or select it again; " + installHint, for: .headset)
        }
        let name = (runtime["name"] as? String) ?? URL(fileURLWithPath: library).lastPathComponent
        // Relative library paths are relative to the manifest; bare names are found by the dynamic linker.
        let resolved: String
        if library.hasPrefix("/") { resolved = library }
        else if library.contains("/") { resolved = URL(fileURLWithPath: manifest).deletingLastPathComponent().appendingPathComponent(library).standardized.path }
        else { resolved = library }
        if resolved.contains("/"), !fm.fileExists(atPath: resolved) {
            return .fail("OpenXR runtime", "\(name) is selected (\(manifest)) but its library \(resolved) is missing",
                         fix: "reinstall \(name), or select another runtime; " + installHint, for: .headset)
        }
        switch loadedExtensions() {
        case .failure(let why):
            return .fail("OpenXR runtime", "\(name) is selected (\(manifest)) but the OpenXR loader cannot load it: \(why)",
                         fix: "start the runtime's service (Monado: `monado-service`; SteamVR: start SteamVR), reinstall it, or select another; " + installHint,
                         for: .headset)
        case .success(let extensions) where !extensions.contains(requiredExtension):
            return .fail("OpenXR runtime", "\(name) loads but lacks \(requiredExtension), which the renderer needs to share Vulkan with it",
                         fix: "update \(name) to a release with \(requiredExtension), or use Monado or SteamVR", for: .headset)
        case .success(let extensions):
            return .pass("OpenXR runtime", "\(name), selected by \(manifest) (\(found.how)); loads and offers \(requiredExtension) (\(extensions.count) extensions)",
                         for: .headset)
        }
    }

    static let requiredExtension = "XR_KHR_vulkan_enable2"

    /// Asks the Khronos loader for the runtime's extensions: this loads the runtime library
    /// without starting a session (no headset needs to be on).
    static func loadedExtensions() -> Result<Set<String>, RuntimeLoadFailure> {
        var count: UInt32 = 0
        var result = xrEnumerateInstanceExtensionProperties(nil, 0, &count, nil)
        guard exposure_xr_succeeded(result) != 0 else { return .failure(RuntimeLoadFailure(result)) }
        var blank = XrExtensionProperties()
        blank.type = XR_TYPE_EXTENSION_PROPERTIES
        var properties = [XrExtensionProperties](repeating: blank, count: Int(count))
        result = xrEnumerateInstanceExtensionProperties(nil, count, &count, &properties)
        guard exposure_xr_succeeded(result) != 0 else { return .failure(RuntimeLoadFailure(result)) }
        let names = properties.prefix(Int(count)).map { property -> String in
            var name = property.extensionName
            return withUnsafeBytes(of: &name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
        }
        return .success(Set(names))
    }

    struct RuntimeLoadFailure: Error, CustomStringConvertible {
        var result: XrResult
        init(_ result: XrResult) { self.result = result }
        var description: String {
            "xrEnumerateInstanceExtensionProperties returned \(String(cString: exposure_xr_result_name(result)))"
        }
    }

    /// The tests load libSimulatedHeadset.so from the build folder as an OpenXR runtime.
    static func simulatedHeadsetCheck() -> DoctorCheck {
        let exe = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
        let library = exe.deletingLastPathComponent().appendingPathComponent("libSimulatedHeadset.so").path
        if FileManager.default.fileExists(atPath: library) {
            return .pass("Simulated headset", "\(library) (the OpenXR runtime the tests use)", for: .development)
        }
        return .fail("Simulated headset", "no libSimulatedHeadset.so next to \(exe.path) (needed only by the tests)",
                     fix: "build it: `swift build --product SimulatedHeadset` (in the same configuration as exposure)", for: .development)
    }
}
