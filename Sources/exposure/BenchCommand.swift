import ArgumentParser
import CVulkan
import Foundation
import Render
import SceneModel

/// `exposure bench ...`: performance figures as JSON, for comparing machines and changes.
/// One subcommand per subsystem; each keeps its own options and JSON fields.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure performance and print the figures as JSON.",
        discussion: "Build with `swift build -c release` for figures worth comparing.",
        subcommands: [BenchRender.self, BenchEnvironments.self, BenchRecordCommand.self, BenchControl.self, BenchSession.self])
}

struct BenchRender: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render the test scene for two eyes repeatedly; print CPU ms per frame (median, p99) and frames per second.")

    @Option(help: "Frames to measure (after 2 warm-up frames).")
    var frames: Int = 30
    @Option(help: "Width of one eye in pixels.")
    var width: Int = 1440
    @Option(help: "Height of one eye in pixels.")
    var height: Int = 1600
    @Option(help: "MSAA samples (lowered to what the device supports).")
    var samples: Int = 4

    func validate() throws {
        guard frames >= 1, frames <= 100_000 else { throw ValidationError("--frames must be between 1 and 100000") }
        guard (1...8192).contains(width), (1...8192).contains(height) else {
            throw ValidationError("--width and --height must be between 1 and 8192 (got \(width)x\(height))")
        }
    }

    struct Report: Encodable {
        var cpu_ms_median: Double
        var cpu_ms_p99: Double
        var fps: Double
        var width: Int
        var height: Int
        var eyes: Int
        var instances: Int
        var samples: Int
        var frames: Int
        var device: String
    }

    func run() throws {
        let context = try VulkanContext(validation: false)
        let renderer = try StereoRenderer(context: context, width: width, height: height, samples: samples)
        // One two-layer image like an OpenXR swapchain image, left eye in layer 0.
        let eyesImage = try OwnedColorImage(context: context, format: StereoRenderer.previewColorFormat,
                                            width: width, height: height, layers: 2)
        let targets = (0..<2).map { eyesImage.target(layer: UInt32($0), layoutBefore: VK_IMAGE_LAYOUT_UNDEFINED,
                                                                layoutAfter: VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL) }
        let scene = TestScene.make()
        let views = PreviewViews.stereo(head: TestScene.defaultHead, width: width, height: height)
        for _ in 0..<2 { try renderer.render(scene: scene, views: views, into: targets) }
        var cpu: [Double] = []
        let start = Date()
        for _ in 0..<frames {
            try renderer.render(scene: scene, views: views, into: targets)
            cpu.append(renderer.lastFrameCPUMilliseconds)
        }
        let seconds = Date().timeIntervalSince(start)
        let sorted = cpu.sorted()
        let report = Report(cpu_ms_median: round3(median(sorted)), cpu_ms_p99: round3(sorted[max(0, Int((0.99 * Double(sorted.count)).rounded(.up)) - 1)]),
                            fps: round3(Double(frames) / max(seconds, 1e-9)), width: width, height: height, eyes: 2,
                            instances: scene.instanceCount, samples: renderer.samples, frames: frames, device: context.deviceName)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }

    private func median(_ sorted: [Double]) -> Double {
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
    private func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}
