import ArgumentParser
import Environments
import ExposureCore
import Foundation
import PNG
import Render
import SceneModel

/// `exposure render --environment heights --intensity 70 --out shot.png`, or `--scene test`:
/// both eyes side by side in one PNG, without a headset.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a scene for both eyes to a PNG (left eye on the left), without a headset.",
        discussion: """
            Either an environment from Environments/ (--environment, with --intensity, --param and --seed), \
            a protocol step as the patient meets it (--protocol FILE --step N, with --intensity for a level \
            other than the step's own), or the renderer's fixed test scene (--scene test, the default).
            Example: exposure render --environment heights --intensity 70 --param height_m=40 --out x.png
            Example: exposure render --protocol Protocols/crowds-social.yaml --step 3 --intensity 40 --out x.png
            """)

    @Option(help: "Renderer test scene: \(RenderCommand.sceneNames.joined(separator: ", ")) (used when no --environment is given).")
    var scene: String?

    @Option(help: "Environment to render, e.g. heights, crowds, open_spaces, safe_room.")
    var environment: String?

    @Option(help: "Exposure intensity 0-100 (with --environment: default 50; with --protocol: default the step's own level).")
    var intensity: Double?

    @Option(name: .customLong("protocol"), help: "Protocol file whose step to render (with --step).")
    var protocolFile: String?

    @Option(help: "Step number (1 = the first) of --protocol to render.")
    var step: Int?

    @Option(name: .customLong("param"), help: ArgumentHelp("Set a parameter, overriding the intensity curve (repeatable), e.g. height_m=40 or railing=none.", valueName: "name=value"))
    var params: [String] = []

    @Option(help: "Seed for the environment's random layout (default: the definition's seed).")
    var seed: UInt64?

    @Option(help: "Simulated seconds before the picture is taken, so people are walking, not just appearing.")
    var settle: Double = 3

    @OptionGroup var environments: EnvironmentsOption

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
        if environment != nil, let scene {
            throw ValidationError("give either --environment or --scene, not both (got --scene \(scene))")
        }
        if protocolFile != nil, environment != nil || scene != nil {
            throw ValidationError("give one of --protocol, --environment or --scene")
        }
        if (protocolFile == nil) != (step == nil) {
            throw ValidationError("--protocol and --step go together (e.g. --protocol Protocols/heights-graded.yaml --step 3)")
        }
        if environment == nil, protocolFile == nil, !params.isEmpty || seed != nil {
            throw ValidationError("--param and --seed need --environment or --protocol")
        }
        if let intensity, !intensity.isFinite || !(0...100).contains(intensity) {
            throw ValidationError("--intensity must be between 0 and 100 (got \(intensity))")
        }
        guard settle.isFinite, (0...120).contains(settle) else {
            throw ValidationError("--settle must be between 0 and 120 seconds (got \(settle))")
        }
    }

    func run() throws {
        let (sceneToDraw, head, label): (Scene, Pose, String)
        do {
            if let protocolFile, let step {
                let catalog = try environments.catalog()
                let plan = try ProtocolParser.load(path: protocolFile, vocabulary: catalog.vocabulary)
                var world = try ProtocolPreview.world(plan, step: step, level: intensity, catalog: catalog)
                for (name, value) in try RenderCommand.overrides(params, catalog: catalog, environment: plan.environment) {
                    world.values[name] = value; world.pinned[name] = .therapist
                }
                let made = try EnvironmentPreview.scene(catalog: catalog, environment: plan.environment, intensity: world.level,
                                                        overrides: world.values, seed: seed, settleSeconds: settle)
                let specs = catalog.vocabulary.parameters(of: plan.environment)
                print("step \(step) `\(plan.steps[step - 1].id)` at level \(FieldReader.format(world.level)):")
                for name in world.values.keys.sorted() {
                    let pin = world.pinned[name].map { " (pinned by \($0.rawValue))" } ?? ""
                    print("  \(name): \(Timeline.physical(world.values[name], name, specs))\(pin)")
                }
                (sceneToDraw, head, label) = (made.0, made.head, "\(plan.id) step \(step) at level \(FieldReader.format(world.level))")
            } else if let environment {
                let catalog = try environments.catalog()
                let level = intensity ?? 50
                let overrides = try RenderCommand.overrides(params, catalog: catalog, environment: environment)
                let made = try EnvironmentPreview.scene(catalog: catalog, environment: environment, intensity: level,
                                                        overrides: overrides, seed: seed, settleSeconds: settle)
                (sceneToDraw, head, label) = (made.0, made.head, "\(environment) at intensity \(FieldReader.format(level))")
            } else {
                let name = scene ?? "test"
                let made = try RenderCommand.makeScene(named: name)
                (sceneToDraw, head, label) = (made.0, made.1, "scene \(name)")
            }
        } catch let failure as ValidationFailure {
            printDiagnostics(failure)
            throw ExitCode(1)
        } catch let problem as ProtocolPreview.PreviewError {
            throw ValidationError(problem.description)
        }
        let context = try VulkanContext(validation: validation)
        let renderer = try StereoRenderer(context: context, width: width, height: height)
        let views = PreviewViews.stereo(head: head, width: width, height: height)
        let eyes = try renderer.renderOffscreen(scene: sceneToDraw, views: views)
        if validation, !context.validationMessages.isEmpty {
            throw RenderCommandError.validation(context.validationMessages)
        }
        do {
            try PNG.write(RGBAImage.sideBySide(eyes[0], eyes[1]), to: out)
        } catch {
            throw RenderCommandError.cannotWrite(out, "\(error)")
        }
        print("wrote \(out): \(2 * width)x\(height), 2 eyes, \(label), \(sceneToDraw.instanceCount) instances, on \(context.deviceName)")
    }

    /// Parses every `--param name=value`, naming the allowed parameters or values when one is wrong.
    static func overrides(_ params: [String], catalog: EnvironmentCatalog, environment: String) throws -> [String: ParameterValue] {
        guard let definition = catalog.definition(environment) else {
            throw RenderCommandError.unknownEnvironment(environment, known: catalog.names)
        }
        var result: [String: ParameterValue] = [:]
        for text in params {
            let name = String(text.split(separator: "=", maxSplits: 1).first ?? "")
            if !name.isEmpty, definition.parameter(name) == nil {
                throw RenderCommandError.unknownParameter(name, environment: environment,
                                                          known: definition.parameters.map { describe($0.spec) })
            }
            let (key, value) = try EnvironmentPreview.parseOverride(text, catalog: catalog, environment: environment)
            if let spec = definition.parameter(key)?.spec, let why = spec.problem(with: value) {
                throw RenderCommandError.badValue(key, why)
            }
            guard result[key] == nil else { throw RenderCommandError.badValue(key, "given twice") }
            result[key] = value
        }
        return result
    }

    /// `height_m (1...200 m)` or `railing (full, low, none)`: what a parameter accepts.
    static func describe(_ spec: ParameterSpec) -> String {
        switch spec.kind {
        case .number(let r):
            return "\(spec.name) (\(FieldReader.format(r.lowerBound))...\(FieldReader.format(r.upperBound))\(spec.unit.map { " \($0)" } ?? ""))"
        case .choice(let options):
            return "\(spec.name) (\(options.joined(separator: ", ")))"
        }
    }

    /// The renderer's own scenes, and the head pose to look at them from.
    static func makeScene(named name: String) throws -> (Scene, Pose) {
        switch name {
        case "test": return (TestScene.make(), TestScene.defaultHead)
        default:
            throw ValidationError("unknown scene '\(name)': choose one of \(sceneNames.joined(separator: ", ")), or use --environment")
        }
    }
}

enum RenderCommandError: Error, CustomStringConvertible {
    case validation([String])
    case unknownEnvironment(String, known: [String])
    case unknownParameter(String, environment: String, known: [String])
    case badValue(String, String)
    case cannotWrite(String, String)

    var description: String {
        switch self {
        case .validation(let messages):
            return "the Vulkan validation layer reported \(messages.count) problem(s):\n" + messages.joined(separator: "\n")
        case .unknownEnvironment(let name, let known):
            return "unknown environment `\(name)`: choose one of \(known.joined(separator: ", "))"
        case .unknownParameter(let name, let environment, let known):
            return "--param \(name): \(environment) has no parameter `\(name)`; it has \(known.joined(separator: ", "))"
        case .badValue(let name, let why):
            return "--param \(name): \(why)"
        case .cannotWrite(let path, let why):
            return "cannot write \(path): \(why) (check the folder exists and is writable)"
        }
    }
}
