// Compiles the target's GLSL shaders (Shaders/*.vert, *.frag, *.comp) to SPIR-V with glslc at
// build time. Debian 12's libshaderc fails at load time, so we call the glslc program instead.
// The .spv files become resources of the target (Bundle.module).
import Foundation
import PackagePlugin

@main
struct CompileShaders: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let sourceTarget = target as? SourceModuleTarget else { return [] }
        let shaderDir = sourceTarget.directoryURL.appendingPathComponent("Shaders")
        let files = (try? FileManager.default.contentsOfDirectory(at: shaderDir, includingPropertiesForKeys: nil)) ?? []
        let shaders = files.filter { ["vert", "frag", "comp"].contains($0.pathExtension) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        guard !shaders.isEmpty else { return [] }
        let glslc = try findOnPath("glslc")
        let outDir = context.pluginWorkDirectoryURL.appendingPathComponent("spv")
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        let includes = files.filter { $0.pathExtension == "glsl" }
        return shaders.map { shader in
            let out = outDir.appendingPathComponent(shader.lastPathComponent + ".spv")
            return .buildCommand(
                displayName: "glslc \(shader.lastPathComponent)",
                executable: glslc,
                arguments: ["--target-env=vulkan1.1", "-O", "-I", shaderDir.path, shader.path, "-o", out.path],
                inputFiles: [shader] + includes,
                outputFiles: [out])
        }
    }

    // context.tool(named:) does not search PATH on Linux, so look glslc up ourselves.
    func findOnPath(_ name: String) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"] {
            let candidate = URL(fileURLWithPath: dir).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw ShaderToolMissing(name: name)
    }
}

struct ShaderToolMissing: Error, CustomStringConvertible {
    let name: String
    var description: String { "\(name) not found on PATH: install it with `sudo apt-get install glslc` (or run scripts/setup)" }
}
