import ArgumentParser
import Foundation
import Render
import SceneModel

/// What a check is needed for, so a failed check can say which ways of working still work
/// (a machine without a headset runtime can still render previews and run desktop mode).
enum DoctorMode: Int, CaseIterable, Comparable {
    case rendering, headset, sound, development

    var title: String {
        switch self {
        case .rendering: return "render previews and desktop mode (Vulkan)"
        case .headset: return "headset sessions (OpenXR + Vulkan)"
        case .sound: return "session sound (OpenAL)"
        case .development: return "building from source and running the tests"
        }
    }
    /// A headset session also needs everything rendering needs.
    var alsoNeeds: [DoctorMode] { self == .headset ? [.rendering] : [] }
    static func < (a: DoctorMode, b: DoctorMode) -> Bool { a.rawValue < b.rawValue }
}

/// The result of one check `exposure doctor` makes. Each subsystem contributes a list of these.
struct DoctorCheck {
    var name: String
    var ok: Bool
    var detail: String
    /// What to do when the check fails.
    var fix: String?
    var mode: DoctorMode

    static func pass(_ name: String, _ detail: String, for mode: DoctorMode) -> DoctorCheck {
        DoctorCheck(name: name, ok: true, detail: detail, fix: nil, mode: mode)
    }
    static func fail(_ name: String, _ detail: String, fix: String, for mode: DoctorMode) -> DoctorCheck {
        DoctorCheck(name: name, ok: false, detail: detail, fix: fix, mode: mode)
    }
}

/// `exposure doctor`: lists what this machine has for running sessions and says how to fix what is missing.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check Vulkan, OpenXR and audio on this machine; exits non-zero with a fix for each problem.",
        discussion: """
            Every check is printed as `ok` or `FAIL` with what was found; each failure has a `fix:` line. \
            The end says which ways of working are ready: render previews and desktop mode need only \
            Vulkan; headset sessions also need an OpenXR runtime; without a sound device sessions run \
            silently; glslc, the validation layer and the simulated headset matter only for building \
            and testing. Any failed check makes the exit status 1, so scripts notice.
            """)

    func run() throws {
        let checks = DoctorCommand.allChecks()
        for check in checks {
            print("\(check.ok ? "ok  " : "FAIL") \(check.name): \(check.detail)")
            if !check.ok, let fix = check.fix { print("     fix: \(fix)") }
        }
        print("")
        for line in DoctorCommand.modeSummary(checks) { print(line) }
        let failed = checks.filter { !$0.ok }.count
        print(failed == 0 ? "all \(checks.count) checks passed" : "\(failed) of \(checks.count) checks failed")
        if failed > 0 { throw ExitCode(1) }
    }

    /// Every subsystem's checks, in the order they are printed.
    static func allChecks() -> [DoctorCheck] {
        VulkanDoctor.checks() + HeadsetDoctor.checks() + AudioDoctor.checks()
    }

    /// One line per way of working: ready, or which failed checks stand in the way.
    static func modeSummary(_ checks: [DoctorCheck]) -> [String] {
        DoctorMode.allCases.map { mode in
            let needed = Set([mode] + mode.alsoNeeds)
            let blocking = checks.filter { !$0.ok && needed.contains($0.mode) }.map(\.name)
            return blocking.isEmpty
                ? "ready      \(mode.title)"
                : "NOT READY  \(mode.title): fix \(blocking.joined(separator: ", "))"
        }
    }
}

/// The Vulkan part of `exposure doctor`.
enum VulkanDoctor {
    static func checks() -> [DoctorCheck] {
        let inventory = VulkanInventory.probe()
        var checks: [DoctorCheck] = []
        guard inventory.problem == nil, let version = inventory.instanceVersion else {
            checks.append(.fail("Vulkan loader", inventory.problem ?? "libvulkan could not be asked for its version",
                                fix: "install the Vulkan loader and a driver: `sudo apt-get install libvulkan1 mesa-vulkan-drivers` (or the GPU vendor's driver)",
                                for: .rendering))
            checks.append(glslc())
            return checks
        }
        checks.append(.pass("Vulkan loader", "instance version \(version)", for: .rendering))
        if inventory.devices.isEmpty {
            checks.append(.fail("Vulkan devices", "the loader sees no device",
                                fix: "install a driver: `sudo apt-get install mesa-vulkan-drivers` (lavapipe, CPU) or the GPU vendor's Vulkan driver",
                                for: .rendering))
        } else {
            for d in inventory.devices {
                let what = "\(d.type), Vulkan \(d.apiVersion)"
                checks.append(d.supportsRenderer
                    ? .pass("Vulkan device \(d.name)", what, for: .rendering)
                    : .fail("Vulkan device \(d.name)", what + (d.hasGraphicsQueue ? ", older than Vulkan 1.1" : ", no graphics queue"),
                            fix: "update the driver, or use another device (the renderer needs Vulkan 1.1 with graphics)", for: .rendering))
            }
        }
        checks.append(inventory.hasValidationLayer
            ? .pass("Vulkan validation layer", "VK_LAYER_KHRONOS_validation is installed (used by tests and --validation)", for: .development)
            : .fail("Vulkan validation layer", "VK_LAYER_KHRONOS_validation is missing",
                    fix: "`sudo apt-get install vulkan-validationlayers` (needed for tests and --validation)", for: .development))
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
            // Without depth a headset's compositor reprojects late frames as if everything were equally far.
            let depth = renderer.canWriteDepth ? "depth handed to the compositor"
                : "no depth for the compositor (MSAA depth resolve needs Vulkan 1.2; colour only)"
            return .pass("Vulkan renderer", "rendered a 2-eye test frame on \(context.deviceName) (\(context.deviceType), \(renderer.samples)x MSAA, \(eyes.count) eyes, \(depth))", for: .rendering)
        } catch {
            return .fail("Vulkan renderer", "\(error)", fix: "check the Vulkan device lines above; run `exposure render --scene test --out /tmp/t.png --validation` for details",
                         for: .rendering)
        }
    }

    /// glslc compiles the shaders at build time; only developers need it.
    static func glslc() -> DoctorCheck {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let dirs = path.split(separator: ":").map(String.init)
        if let dir = dirs.first(where: { FileManager.default.isExecutableFile(atPath: $0 + "/glslc") }) {
            return .pass("glslc", "\(dir)/glslc (compiles shaders when building from source)", for: .development)
        }
        return .fail("glslc", "not on PATH (needed only to build exposure from source)", fix: "`sudo apt-get install glslc`", for: .development)
    }
}
