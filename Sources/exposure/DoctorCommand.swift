import ArgumentParser
import Foundation
import Render
import SceneModel

/// The result of one check `exposure doctor` makes. Subsystems contribute lists of these
/// (Vulkan here; OpenXR and OpenAL are added alongside).
struct DoctorCheck {
    var name: String
    var ok: Bool
    var detail: String
    /// What to do when the check fails.
    var fix: String?

    static func pass(_ name: String, _ detail: String) -> DoctorCheck { DoctorCheck(name: name, ok: true, detail: detail, fix: nil) }
    static func fail(_ name: String, _ detail: String, fix: String) -> DoctorCheck { DoctorCheck(name: name, ok: false, detail: detail, fix: fix) }
}

/// `exposure doctor`: lists what this machine has for running sessions and says how to fix what is missing.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check Vulkan, OpenXR and audio on this machine; exits non-zero with a fix for each problem.")

    func run() throws {
        let checks = DoctorCommand.allChecks()
        for check in checks {
            print("\(check.ok ? "ok  " : "FAIL") \(check.name): \(check.detail)")
            if !check.ok, let fix = check.fix { print("     fix: \(fix)") }
        }
        let failed = checks.filter { !$0.ok }.count
        print(failed == 0 ? "all \(checks.count) checks passed" : "\(failed) of \(checks.count) checks failed")
        if failed > 0 { throw ExitCode(1) }
    }

    /// Every subsystem's checks, in the order they are printed.
    static func allChecks() -> [DoctorCheck] {
        VulkanDoctor.checks()
    }
}

/// The Vulkan part of `exposure doctor`.
enum VulkanDoctor {
    static func checks() -> [DoctorCheck] {
        let inventory = VulkanInventory.probe()
        var checks: [DoctorCheck] = []
        guard inventory.problem == nil, let version = inventory.instanceVersion else {
            checks.append(.fail("Vulkan loader", inventory.problem ?? "libvulkan could not be asked for its version",
                                fix: "install the Vulkan loader and a driver: `sudo apt-get install libvulkan1 mesa-vulkan-drivers` (or the GPU vendor's driver)"))
            checks.append(glslc())
            return checks
        }
        checks.append(.pass("Vulkan loader", "instance version \(version)"))
        if inventory.devices.isEmpty {
            checks.append(.fail("Vulkan devices", "the loader sees no device",
                                fix: "install a driver: `sudo apt-get install mesa-vulkan-drivers` (lavapipe, CPU) or the GPU vendor's Vulkan driver"))
        } else {
            for d in inventory.devices {
                let what = "\(d.type), Vulkan \(d.apiVersion)"
                checks.append(d.supportsRenderer
                    ? .pass("Vulkan device \(d.name)", what)
                    : .fail("Vulkan device \(d.name)", what + (d.hasGraphicsQueue ? ", older than Vulkan 1.1" : ", no graphics queue"),
                            fix: "update the driver, or use another device (the renderer needs Vulkan 1.1 with graphics)"))
            }
        }
        checks.append(inventory.hasValidationLayer
            ? .pass("Vulkan validation layer", "VK_LAYER_KHRONOS_validation is installed (used by tests and --validation)")
            : .fail("Vulkan validation layer", "VK_LAYER_KHRONOS_validation is missing",
                    fix: "`sudo apt-get install vulkan-validationlayers` (needed for tests and --validation)"))
        checks.append(glslc())
        checks.append(renderCheck())
        return checks
    }

    /// Renders one tiny frame end to end: proves the chosen device, shaders and readback work.
    static func renderCheck() -> DoctorCheck {
        do {
            let context = try VulkanContext(validation: false)
            let renderer = try StereoRenderer(context: context, width: 32, height: 32)
            let eyes = try renderer.renderOffscreen(scene: TestScene.make(), views: EyeView.stereo(head: TestScene.defaultHead))
            return .pass("Vulkan renderer", "rendered a 2-eye test frame on \(context.deviceName) (\(context.deviceType), \(renderer.samples)x MSAA, \(eyes.count) eyes)")
        } catch {
            return .fail("Vulkan renderer", "\(error)", fix: "check the Vulkan device lines above; run `exposure render --scene test --out /tmp/t.png --validation` for details")
        }
    }

    /// glslc compiles the shaders at build time; only developers need it.
    static func glslc() -> DoctorCheck {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let dirs = path.split(separator: ":").map(String.init)
        if let dir = dirs.first(where: { FileManager.default.isExecutableFile(atPath: $0 + "/glslc") }) {
            return .pass("glslc", "\(dir)/glslc (compiles shaders when building from source)")
        }
        return .fail("glslc", "not on PATH (needed only to build exposure from source)", fix: "`sudo apt-get install glslc`")
    }
}
