import Foundation
import XR

/// The headset part of `exposure doctor`: whether the active OpenXR runtime starts (XR's
/// `OpenXRRuntimeProbe` creates an instance with XR_KHR_vulkan_enable2 and finds a headset), and
/// whether the simulated headset the tests use was built.
enum HeadsetDoctor {
    static func checks() -> [DoctorCheck] {
        [runtimeCheck(OpenXRRuntimeProbe.probe()), simulatedHeadsetCheck()]
    }

    static func runtimeCheck(_ report: OpenXRRuntimeReport) -> DoctorCheck {
        let selected = report.manifestPath.map { " selected by \($0)" + (report.manifestSource.map { " (\($0))" } ?? "") } ?? ""
        if report.ok, let name = report.runtimeName {
            return .pass("OpenXR runtime", "\(name) \(report.runtimeVersion ?? ""),\(selected); starts with XR_KHR_vulkan_enable2 and a headset",
                         for: .headset)
        }
        let problem = report.problem ?? "the runtime did not report its name"
        return .fail("OpenXR runtime", problem + (selected.isEmpty ? "" : " (\(selected.dropFirst()))") + " Headset sessions cannot start; desktop mode still works.",
                     fix: report.advice ?? "install and select an OpenXR runtime: Monado (`sudo apt-get install monado-service`) or SteamVR",
                     for: .headset)
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
