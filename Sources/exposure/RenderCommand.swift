import ArgumentParser
import Foundation
import PNG
import Render
import SceneModel

/// `exposure render --scene test --out shot.png`: both eyes side by side in one PNG, without a headset.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a scene for both eyes to a PNG (left eye on the left), without a headset.")

    @Option(help: "Scene to render: \(RenderCommand.sceneNames.joined(separator: ", ")).")
    var scene: String = "test"

    @Option(help: "PNG file to write.")
    var out: String

    @Option(help: "Width of one eye in pixels.")
    var width: Int = 640

    @Option(help: "Height of one eye in pixels.")
    var height: Int = 640

    @Flag(help: "Enable the Vulkan validation layer and fail if it reports anything.")
    var validation = false

    static let sceneNames = ["test"]

    func validate() throws {
        guard (1...8192).contains(width), (1...8192).contains(height) else {
            throw ValidationError("--width and --height must be between 1 and 8192 (got \(width)x\(height))")
        }
    }

    func run() throws {
        let (sceneToDraw, head) = try RenderCommand.makeScene(named: scene)
        let context = try VulkanContext(validation: validation)
        let renderer = try StereoRenderer(context: context, width: width, height: height)
        let views = PreviewViews.stereo(head: head, width: width, height: height)
        let eyes = try renderer.renderOffscreen(scene: sceneToDraw, views: views)
        if validation, !context.validationMessages.isEmpty {
            throw RenderCommandError.validation(context.validationMessages)
        }
        try PNG.write(RGBAImage.sideBySide(eyes[0], eyes[1]), to: out)
        print("wrote \(out): \(2 * width)x\(height), 2 eyes, \(sceneToDraw.instanceCount) instances, on \(context.deviceName)")
    }

    /// The one place a scene is chosen by name, and the head pose to look at it from.
    /// Environments are added here (with their options) without touching the renderer.
    static func makeScene(named name: String) throws -> (Scene, Pose) {
        switch name {
        case "test": return (TestScene.make(), TestScene.defaultHead)
        default:
            throw ValidationError("unknown scene '\(name)': choose one of \(sceneNames.joined(separator: ", "))")
        }
    }
}

enum RenderCommandError: Error, CustomStringConvertible {
    case validation([String])
    var description: String {
        switch self {
        case .validation(let messages):
            return "the Vulkan validation layer reported \(messages.count) problem(s):\n" + messages.joined(separator: "\n")
        }
    }
}
